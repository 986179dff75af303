"""No N+1: a list costs the same number of SQL statements for 10 items as for 100."""

from __future__ import annotations

from starlette.applications import Starlette

from tests.conftest import Practice
from tests.fixtures.factories import key_of, make_client, make_member
from tests.fixtures.graphql import GraphQLClient
from tests.fixtures.statements import assert_pinned, count_statements


async def test_clients_with_providers_cost_the_same_for_10_and_100(
    app: Starlette, api: GraphQLClient, practice: Practice
) -> None:
    org = key_of(practice.id)
    async with app.state.db.unit_of_work(write=True) as uow:
        providers = [await make_member(uow, organization_id=org) for _ in range(3)]
        for i in range(100):
            await make_client(
                uow, organization_id=org, name=f"Client {i:03}", provider_id=providers[i % 3].id
            )
    counts = {}
    for first in (10, 100):
        with count_statements(app) as statements:
            data = await api.op("Clients", {"first": first}, token=practice.owner_token)
        edges = data["clients"]["edges"]
        assert len(edges) == first
        assert all(e["node"]["provider"]["name"] == "Pat Provider" for e in edges)
        counts[first] = len(statements)
    assert_pinned("clients", counts)
