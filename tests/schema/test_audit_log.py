"""``auditEvents`` for ops: a connection filtered by actor, client, action, resource and time
(`from`/`to` beside `since`/`until`), newest first, its actor and client batch-loaded (the
statement count does not grow with the page), for owners and admins and keys with
``audit:read`` only."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.applications import Starlette

from carebase.models import AuditEvent, Role
from carebase.schema.relay import to_global_id
from tests.conftest import Practice, sign_up
from tests.fixtures.billing import invited_member
from tests.fixtures.factories import key_of, make_client, make_member
from tests.fixtures.graphql import GraphQLClient
from tests.fixtures.scheduling import make_client_login
from tests.fixtures.smtp import Inbox
from tests.fixtures.statements import assert_pinned, count_statements

# far from now, so the rows the requests themselves write never fall inside
BASE = datetime(2031, 3, 1, 12, 0, tzinfo=UTC)


def at(minutes: int) -> str:
    return (BASE + timedelta(minutes=minutes)).isoformat()


async def seed(app: Starlette, practice: Practice, count: int) -> dict[str, Any]:
    """``count`` events a minute apart from BASE: reads and writes by two members about two
    clients, and one event of another organization at the same times."""
    org = key_of(practice.id)
    async with app.state.db.unit_of_work(write=True) as uow:
        alice = await make_member(uow, organization_id=org, name="Alice Admin", role=Role.ADMIN)
        pat = await make_member(uow, organization_id=org, name="Pat Provider")
        cara = await make_client(uow, organization_id=org, name="Cara Client")
        dan = await make_client(uow, organization_id=org, name="Dan Client")
        rows = []
        for i in range(count):
            rows.append(
                AuditEvent(
                    id=uuid.uuid4(),
                    organization_id=org,
                    actor_id=(alice, pat)[i % 2].id,
                    client_id=(cara, dan)[i % 3 % 2].id,
                    action=("read", "write")[i % 4 // 3],
                    resource="client",
                    resource_id=(cara, dan)[i % 3 % 2].id,
                    operation="seeded",
                    ip="198.51.100.9",
                    created_at=BASE + timedelta(minutes=i),
                )
            )
        uow.session.add_all(rows)
    return {"rows": rows, "alice": alice, "pat": pat, "cara": cara, "dan": dan}


async def events(
    api: GraphQLClient, token: str, first: int = 100, /, **filter: Any
) -> list[dict[str, Any]]:
    data = await api.op(
        "AuditLog", {"first": first, "filter": {"from": at(0), **filter}}, token=token
    )
    return [e["node"] for e in data["auditEvents"]["edges"]]


def ids(rows: list[AuditEvent]) -> list[str]:
    """Global ids, newest first (the list's order)."""
    ordered = sorted(rows, key=lambda r: (r.created_at, r.id), reverse=True)
    return [str(to_global_id("AuditEvent", r.id)) for r in ordered]


async def test_the_filters_select_exactly_their_events(
    app: Starlette, api: GraphQLClient, practice: Practice
) -> None:
    world = await seed(app, practice, 24)
    rows: list[AuditEvent] = world["rows"]
    owner = practice.owner_token
    every = await events(api, owner)
    assert [e["id"] for e in every] == ids(rows)
    alice = str(to_global_id("Member", world["alice"].id))
    cara = str(to_global_id("Client", world["cara"].id))
    by_alice = await events(api, owner, actorId=alice)
    assert [e["id"] for e in by_alice] == ids([r for r in rows if r.actor_id == world["alice"].id])
    assert {e["actor"]["name"] for e in by_alice} == {"Alice Admin"}
    about_cara = await events(api, owner, clientId=cara)
    assert [e["id"] for e in about_cara] == ids(
        [r for r in rows if r.client_id == world["cara"].id]
    )
    assert {e["client"]["name"] for e in about_cara} == {"Cara Client"}
    writes = await events(api, owner, action="WRITE")
    assert [e["id"] for e in writes] == ids([r for r in rows if r.action == "write"])
    # from is inclusive, to exclusive; since/until the same, and all given bounds apply
    window = [
        r for r in rows if BASE + timedelta(minutes=5) <= r.created_at < BASE + timedelta(minutes=9)
    ]
    assert [e["id"] for e in await events(api, owner, **{"from": at(5), "to": at(9)})] == ids(
        window
    )
    assert [e["id"] for e in await events(api, owner, since=at(5), until=at(9))] == ids(window)
    narrower = await events(api, owner, **{"from": at(2), "to": at(9)}, since=at(5), until=at(20))
    assert [e["id"] for e in narrower] == ids(window)
    combined = await events(api, owner, actorId=alice, clientId=cara, action="READ", to=at(12))
    assert [e["id"] for e in combined] == ids(
        [
            r
            for r in rows
            if r.actor_id == world["alice"].id
            and r.client_id == world["cara"].id
            and r.action == "read"
            and r.created_at < BASE + timedelta(minutes=12)
        ]
    )
    assert await events(api, owner, resource="payment") == []
    # paged: the pages together are the list, once each
    seen: list[str] = []
    after = None
    while True:
        page = await api.op(
            "AuditLog",
            {"first": 7, "after": after, "filter": {"from": at(0)}},
            token=owner,
        )
        seen += [e["node"]["id"] for e in page["auditEvents"]["edges"]]
        if not page["auditEvents"]["pageInfo"]["hasNextPage"]:
            break
        after = page["auditEvents"]["pageInfo"]["endCursor"]
    assert seen == ids(rows)
    bad = await api.raw(
        'query { auditEvents(filter: {from: "2031-03-01"}) { totalCount } }', token=owner
    )
    assert bad["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_another_organizations_events_are_never_listed(
    app: Starlette, api: GraphQLClient, practice: Practice
) -> None:
    await seed(app, practice, 6)
    other = await sign_up(api, "Elsewhere Practice")
    assert await events(api, other.owner_token) == []
    cara_of_a = await events(api, practice.owner_token, 1)
    client = cara_of_a[0]["client"]["id"]
    assert await events(api, other.owner_token, clientId=client) == []


async def test_actor_and_client_are_batch_loaded(
    app: Starlette, api: GraphQLClient, practice: Practice
) -> None:
    await seed(app, practice, 30)
    counts: dict[int, int] = {}
    for first in (3, 30):
        with count_statements(app) as statements:
            listed = await events(api, practice.owner_token, first)
        assert len(listed) == first
        assert all(e["actor"]["name"] and e["client"]["name"] for e in listed)
        counts[first] = len(statements)
    assert_pinned("audit_events", counts)


async def test_reading_a_client_through_the_log_is_itself_audited(
    app: Starlette, api: GraphQLClient, practice: Practice
) -> None:
    world = await seed(app, practice, 3)
    await events(api, practice.owner_token)
    before_seed = {"from": "2020-01-01T00:00:00Z", "to": at(0)}
    recent = await api.op(
        "AuditLog",
        {"first": 50, "filter": {**before_seed, "resource": "client", "action": "READ"}},
        token=practice.owner_token,
    )
    reads = [e["node"] for e in recent["auditEvents"]["edges"]]
    shown = {str(to_global_id("Client", world[n].id)) for n in ("cara", "dan")}
    assert {r["client"]["id"] for r in reads} == shown
    assert all(r["actor"]["id"] == practice.owner["id"] for r in reads)


async def test_only_owners_admins_and_audit_keys_read_the_log(
    app: Starlette, api: GraphQLClient, practice: Practice, smtp: Inbox
) -> None:
    await seed(app, practice, 4)
    _, admin = await invited_member(api, smtp, practice, "ADMIN")
    assert len(await events(api, admin)) == 4
    for role in ("PROVIDER", "STAFF"):
        _, member = await invited_member(api, smtp, practice, role)
        refused = await api.errors("AuditLog", {"filter": {"from": at(0)}}, token=member)
        assert refused[0]["extensions"]["code"] == "FORBIDDEN", role
    keys = {}
    for name, scopes in (("audit", ["audit:read"]), ("clients", ["clients:read"])):
        made = await api.op(
            "CreateApiKey", {"input": {"name": name, "scopes": scopes}}, token=practice.owner_token
        )
        keys[name] = made["createApiKey"]["secret"]
    assert len(await events(api, keys["audit"])) == 4
    refused = await api.errors("AuditLog", {"filter": {"from": at(0)}}, token=keys["clients"])
    assert refused[0]["extensions"]["code"] == "FORBIDDEN"
    anonymous = await api.errors("AuditLog", {"filter": {"from": at(0)}})
    assert anonymous[0]["extensions"]["code"] == "UNAUTHENTICATED"
    # a client of the practice reads no log, not even of their own records
    _, _, client = await make_client_login(api, practice, smtp)
    refused = await api.errors("AuditLog", {"filter": {"from": at(0)}}, token=client)
    assert refused[0]["extensions"]["code"] == "FORBIDDEN"
    # nor another organization's owner, who sees only their own (empty) log
    other = await sign_up(api, "Elsewhere Practice")
    assert await events(api, other.owner_token) == []
