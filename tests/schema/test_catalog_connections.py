"""``forms``, ``intakeFlows`` and ``Client.appointments`` as connections: by their order,
paged by keyset cursors, batched, and refused to callers who may not read them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.applications import Starlette

from carebase.models import (
    Appointment,
    AppointmentStatus,
    AppointmentType,
    ContactType,
    VideoProvider,
)
from carebase.schema.relay import to_global_id
from tests.conftest import Practice, sign_up
from tests.fixtures.factories import key_of, make_client, make_member
from tests.fixtures.graphql import GraphQLClient, documents
from tests.fixtures.intake import HISTORY, create_flow, create_form, text
from tests.fixtures.scheduling import make_client_login
from tests.fixtures.smtp import Inbox
from tests.fixtures.statements import assert_pinned, count_statements

START = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=2)


def _codes(result: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in result.get("errors") or []]


async def _all(api: GraphQLClient, token: str, name: str, root: str, **v: Any) -> list[Any]:
    nodes: list[Any] = []
    after = None
    for _ in range(10):
        data = await api.op(name, {**v, "first": 2, "after": after}, token=token)
        connection = data[root]
        nodes.extend(e["node"] for e in connection["edges"])
        if not connection["pageInfo"]["hasNextPage"]:
            return nodes
        after = connection["pageInfo"]["endCursor"]
    raise AssertionError(nodes)


async def test_forms_by_name_archived_left_out_unless_asked(
    api: GraphQLClient, practice: Practice
) -> None:
    token = practice.owner_token
    made = {
        n: await create_form(api, token, n, [text("q")]) for n in ("Consent", "Allergy", "Mood")
    }
    archived = await api.op("ArchiveForm", {"input": {"id": made["Mood"]["id"]}}, token=token)
    assert archived["archiveForm"]["userErrors"] == []
    shown = await _all(api, token, "Forms", "forms")
    assert [f["name"] for f in shown] == ["Allergy", "Consent"]
    assert shown[0]["questions"][0]["key"] == "q" and shown[0]["version"] == 1
    everything = await _all(api, token, "Forms", "forms", includeArchived=True)
    assert [(f["name"], f["archived"]) for f in everything] == [
        ("Allergy", False),
        ("Consent", False),
        ("Mood", True),
    ]


async def test_intake_flows_by_name_with_their_forms(
    api: GraphQLClient, practice: Practice
) -> None:
    token = practice.owner_token
    history = await create_form(api, token, "Health history", HISTORY)
    consent = await create_form(api, token, "Consent", [text("agree")])
    for name in ("Returning", "Adults", "Couples"):
        await create_flow(
            api, token, [history["id"], consent["id"]], name=name, optional=[consent["id"]]
        )
    flows = await _all(api, token, "IntakeFlows", "intakeFlows")
    assert [f["name"] for f in flows] == ["Adults", "Couples", "Returning"]
    assert all(
        [(i["form"]["name"], i["required"]) for i in f["items"]]
        == [("Health history", True), ("Consent", False)]
        for f in flows
    )


async def test_forms_and_flows_are_for_members_with_forms_read(
    api: GraphQLClient, practice: Practice, smtp: Inbox
) -> None:
    token = practice.owner_token
    form = await create_form(api, token, "Secret form", [text("q")])
    await create_flow(api, token, [form["id"]], name="Secret flow")
    _, _, client_token = await make_client_login(api, practice, smtp)
    key = await _key(api, practice, ["clients:read"])
    for name in ("Forms", "IntakeFlows"):
        for caller, code in (
            (key, "FORBIDDEN"),
            (client_token, "FORBIDDEN"),
            (None, "UNAUTHENTICATED"),
        ):
            result = await api.raw(documents()[name], {"first": 5}, token=caller)
            assert _codes(result) == [code] and result["data"] is None, (name, result)
    other = await sign_up(api, "Other Practice")
    for name, root in (("Forms", "forms"), ("IntakeFlows", "intakeFlows")):
        data = await api.op(name, {"first": 5}, token=other.owner_token)
        assert data[root]["totalCount"] == 0


async def test_intake_flows_cost_the_same_for_5_and_40(app: Starlette, api: GraphQLClient) -> None:
    practice = await sign_up(api, "Many Flows")
    token = practice.owner_token
    forms = [await create_form(api, token, f"Form {i}", [text("q")]) for i in range(3)]
    for i in range(40):
        await create_flow(api, token, [f["id"] for f in forms], name=f"Flow {i:02}")
    counts: dict[int, int] = {}
    for first in (5, 40):
        with count_statements(app) as statements:
            data = await api.op("IntakeFlows", {"first": first}, token=token)
        edges = data["intakeFlows"]["edges"]
        assert len(edges) == first and all(len(e["node"]["items"]) == 3 for e in edges)
        counts[first] = len(statements)
    assert_pinned("intake_flows", counts)
    counts = {}
    for first in (1, 3):
        with count_statements(app) as statements:
            data = await api.op("Forms", {"first": first}, token=token)
        assert len(data["forms"]["edges"]) == first
        counts[first] = len(statements)
    assert_pinned("forms", counts)


async def _key(api: GraphQLClient, practice: Practice, scopes: list[str]) -> str:
    payload = (
        await api.op(
            "CreateApiKey",
            {"input": {"name": "scoped", "scopes": scopes}},
            token=practice.owner_token,
        )
    )["createApiKey"]
    assert payload["userErrors"] == [], payload
    return str(payload["secret"])


async def _appointments(app: Starlette, practice: Practice, clients: int, each: int) -> list[Any]:
    """``clients`` clients with ``each`` appointments, one hour apart; the clients' rows."""
    org = key_of(practice.id)
    async with app.state.db.unit_of_work(write=True) as uow:
        provider = await make_member(uow, organization_id=org, name="Pia Provider")
        kind = AppointmentType(
            organization_id=org,
            name="Session",
            duration_minutes=30,
            currency="usd",
            contact_type=ContactType.VIDEO,
            video_provider=VideoProvider.BUILT_IN,
        )
        uow.session.add(kind)
        await uow.session.flush()
        made = []
        for c in range(clients):
            client = await make_client(uow, organization_id=org, name=f"Client {c:03}")
            made.append(client)
            for i in range(each):
                starts_at = START + timedelta(hours=c * each + i)
                uow.session.add(
                    Appointment(
                        organization_id=org,
                        client_id=client.id,
                        provider_id=provider.id,
                        appointment_type_id=kind.id,
                        starts_at=starts_at,
                        ends_at=starts_at + timedelta(minutes=30),
                        status=AppointmentStatus.CANCELLED if i == 1 else AppointmentStatus.BOOKED,
                    )
                )
        return made


async def test_a_client_s_appointments_by_start_filtered_and_paged(
    app: Starlette, api: GraphQLClient, practice: Practice
) -> None:
    [client, _] = await _appointments(app, practice, 2, 5)
    client_id = str(to_global_id("Client", client.id))
    token = practice.owner_token
    nodes: list[Any] = []
    after = None
    for _ in range(5):
        data = await api.op(
            "ClientAppointments", {"id": client_id, "first": 2, "after": after}, token=token
        )
        connection = data["client"]["appointments"]
        assert connection["totalCount"] == 5
        nodes.extend(e["node"] for e in connection["edges"])
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    starts = [n["startsAt"] for n in nodes]
    assert len(starts) == 5 and starts == sorted(starts)
    assert {n["provider"]["name"] for n in nodes} == {"Pia Provider"}
    data = await api.op(
        "ClientAppointments",
        {"id": client_id, "filter": {"status": "CANCELLED"}},
        token=token,
    )
    assert [e["node"]["status"] for e in data["client"]["appointments"]["edges"]] == ["CANCELLED"]
    result = await api.raw(
        documents()["ClientAppointments"], {"id": client_id, "after": "bm9wZQ"}, token=token
    )
    assert _codes(result) == ["INVALID_INPUT"]


async def test_a_client_s_appointments_need_appointments_read(
    app: Starlette, api: GraphQLClient, practice: Practice
) -> None:
    [client] = await _appointments(app, practice, 1, 2)
    client_id = str(to_global_id("Client", client.id))
    key = await _key(api, practice, ["clients:read"])
    result = await api.raw(documents()["ClientAppointments"], {"id": client_id}, token=key)
    assert _codes(result) == ["FORBIDDEN"], result
    key = await _key(api, practice, ["clients:read", "appointments:read"])
    result = await api.raw(documents()["ClientAppointments"], {"id": client_id}, token=key)
    assert result["data"]["client"]["appointments"]["totalCount"] == 2, result


async def test_a_client_reads_their_own_appointments_only(
    app: Starlette, api: GraphQLClient, practice: Practice, smtp: Inbox
) -> None:
    [other] = await _appointments(app, practice, 1, 2)
    own_id, _, client_token = await make_client_login(api, practice, smtp)
    data = await api.op("ClientAppointments", {"id": own_id}, token=client_token)
    assert data["client"]["appointments"]["totalCount"] == 0
    other_id = str(to_global_id("Client", other.id))
    result = await api.raw(documents()["ClientAppointments"], {"id": other_id}, token=client_token)
    assert result["data"] == {"client": None}, result


async def test_clients_with_their_appointments_cost_the_same_for_10_and_40(
    app: Starlette, api: GraphQLClient, practice: Practice
) -> None:
    await _appointments(app, practice, 40, 3)
    counts = {}
    for first in (10, 40):
        with count_statements(app) as statements:
            data = await api.op(
                "ClientsAppointments",
                {"first": first, "appointments": 2},
                token=practice.owner_token,
            )
        edges = data["clients"]["edges"]
        assert len(edges) == first
        assert all(len(e["node"]["appointments"]["edges"]) == 2 for e in edges)
        assert all(e["node"]["appointments"]["totalCount"] == 3 for e in edges)
        counts[first] = len(statements)
    assert_pinned("client_appointments", counts)
