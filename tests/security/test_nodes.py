"""``node`` and ``nodes`` refetch every Node type of the exported schema, for the callers who
may read it and for nobody else, in one lookup per type however many ids are asked."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from graphql import GraphQLObjectType, build_schema
from starlette.applications import Starlette

from carebase.schema.nodes import NODE_TYPES
from carebase.schema.relay import parse_global_id
from tests.fixtures.statements import count_statements
from tests.security.world import Caller, World, call

SDL = Path(__file__).parents[2] / "gql" / "schema.graphql"

NODES = """
query Nodes($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }
"""
NODE = "query Node($id: ID!) { node(id: $id) { __typename id } }"


def node_types_of_exported_schema() -> set[str]:
    schema = build_schema(SDL.read_text())
    return {
        name
        for name, kind in schema.type_map.items()
        if isinstance(kind, GraphQLObjectType) and any(i.name == "Node" for i in kind.interfaces)
    }


def world_ids_by_type(world: World) -> dict[str, list[str]]:
    by_type: dict[str, list[str]] = defaultdict(list)
    for value in world.ids.values():
        by_type[parse_global_id(value)[0]].append(value)
    return by_type


async def refetched(world: World, caller: Caller, ids: list[str]) -> list[dict[str, str] | None]:
    answer = await call(world.api, caller, NODES, {"ids": ids})
    assert "errors" not in answer, answer
    nodes: list[dict[str, str] | None] = answer["data"]["nodes"]
    return nodes


def test_every_node_type_of_the_exported_schema_is_resolved() -> None:
    assert node_types_of_exported_schema() == set(NODE_TYPES)


async def test_the_owner_refetches_one_of_every_node_type(world: World) -> None:
    by_type = world_ids_by_type(world)
    # the world holds a record of every Node type, so a new type cannot go untested here
    assert set(NODE_TYPES) <= set(by_type), set(NODE_TYPES) - set(by_type)
    ids = [by_type[name][0] for name in sorted(NODE_TYPES)]
    found = await refetched(world, world.owner_a, ids)
    assert found == [{"__typename": parse_global_id(i)[0], "id": i} for i in ids], (
        "some Node type does not refetch"
    )
    single = await call(world.api, world.owner_a, NODE, {"id": ids[0]})
    assert single["data"]["node"] == found[0]


async def test_another_organization_and_strangers_refetch_nothing(world: World) -> None:
    ids = [v for v in world.ids.values()]
    for caller in (world.owner_b, world.anonymous):
        assert await refetched(world, caller, ids) == [None] * len(ids), caller.label
    # the widget's key runs no document but the widget's own: refused before any lookup
    answer = await call(world.api, world.publishable_a, NODES, {"ids": ids})
    assert answer["data"] is None
    assert [e["extensions"]["code"] for e in answer["errors"]] == ["DOCUMENT_NOT_TRUSTED"]


async def test_a_client_refetches_their_own_records_and_not_another_clients(
    world: World,
) -> None:
    by_type = world_ids_by_type(world)
    private = ["Appointment", "Payment", "Invoice", "FormRequest", "PaymentMethod"]
    own = [by_type[t][0] for t in private] + [world.ids["packagePurchase"]]
    assert [n and n["id"] for n in await refetched(world, world.client1, own)] == own
    assert await refetched(world, world.client2, own) == [None] * len(own)
    # the practice's own business is not a client's to read
    closed = [world.ids[k] for k in ("apiKey", "oauthClient", "auditEvent", "form", "flow")]
    for caller in (world.client1, world.client2):
        assert await refetched(world, caller, closed) == [None] * len(closed)


async def test_a_key_without_the_areas_scope_refetches_nothing_of_it(world: World) -> None:
    payments = world_ids_by_type(world)["Payment"]
    assert await refetched(world, world.keys["no:billing"], payments) == [None] * len(payments)
    found = await refetched(world, world.keys["ro:billing"], payments)
    assert [n and n["id"] for n in found] == payments


async def test_malformed_and_unknown_ids_are_null_beside_the_found(world: World) -> None:
    client = world.ids["client1"]
    found = await refetched(world, world.owner_a, ["not an id", client, "VW5rbm93bjox"])
    assert found == [None, {"__typename": "Client", "id": client}, None]


async def test_nodes_asks_once_per_type_however_many_ids(world: World, app: Starlette) -> None:
    by_type = world_ids_by_type(world)
    appointments = by_type["Appointment"]
    assert len(appointments) >= 3
    counts = {}
    for ids in (appointments[:1], appointments):
        with count_statements(app) as statements:
            found = await refetched(world, world.owner_a, ids)
        assert [n and n["id"] for n in found] == ids
        counts[len(ids)] = len(statements)
    assert len(set(counts.values())) == 1, counts
