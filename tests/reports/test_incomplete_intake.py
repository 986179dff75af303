"""clientsWithIncompleteIntake: who still owes required forms before a visit soon."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from starlette.applications import Starlette

from carebase.models import (
    Appointment,
    AppointmentStatus,
    AppointmentType,
    AuditEvent,
    ContactType,
    Form,
    FormRequest,
    FormRequestStatus,
    FormVersion,
)
from carebase.schema.relay import to_global_id
from tests.conftest import Practice
from tests.fixtures.factories import key_of, make_client, make_member
from tests.fixtures.graphql import GraphQLClient
from tests.fixtures.statements import assert_pinned, count_statements


@dataclass
class World:
    org: uuid.UUID
    kind: uuid.UUID
    form: uuid.UUID


async def world(app: Starlette, practice: Practice) -> World:
    org = key_of(practice.id)
    async with app.state.db.unit_of_work(write=True) as uow:
        kind = AppointmentType(
            organization_id=org,
            name="Intake visit",
            duration_minutes=60,
            currency="usd",
            contact_type=ContactType.IN_PERSON,
        )
        form = Form(organization_id=org, name="Health history")
        uow.session.add_all([kind, form])
        await uow.session.flush()
        uow.session.add(FormVersion(form_id=form.id, version=1, name=form.name, questions=[]))
    return World(org, kind.id, form.id)


async def client_with(
    app: Starlette,
    w: World,
    name: str,
    *,
    visits: list[tuple[timedelta, AppointmentStatus]],
    forms: list[tuple[bool, FormRequestStatus]],
) -> tuple[uuid.UUID, list[uuid.UUID], list[uuid.UUID]]:
    """A client with appointments (offset from now, status) and form requests (required,
    status): their id, the appointments' and the requests' ids."""
    now = datetime.now(UTC)
    async with app.state.db.unit_of_work(write=True) as uow:
        client = await make_client(uow, organization_id=w.org, name=name)
        # a provider each: PostgreSQL refuses one provider's live visits overlapping
        provider = await make_member(uow, organization_id=w.org)
        visit_rows = [
            Appointment(
                organization_id=w.org,
                client_id=client.id,
                provider_id=provider.id,
                appointment_type_id=w.kind,
                starts_at=now + offset,
                ends_at=now + offset + timedelta(hours=1),
                status=status,
            )
            for offset, status in visits
        ]
        request_rows = [
            FormRequest(
                organization_id=w.org,
                client_id=client.id,
                form_id=w.form,
                form_version=1,
                required=required,
                status=status,
                position=i,
            )
            for i, (required, status) in enumerate(forms)
        ]
        uow.session.add_all([*visit_rows, *request_rows])
        await uow.session.flush()
        return client.id, [v.id for v in visit_rows], [r.id for r in request_rows]


PENDING = FormRequestStatus.PENDING
BOOKED = AppointmentStatus.BOOKED
H = timedelta(hours=1)


async def test_lists_each_client_once_with_their_soonest_visit_and_pending_forms(
    app: Starlette, api: GraphQLClient, practice: Practice
) -> None:
    w = await world(app, practice)
    # two visits in the window: the soonest is shown; one completed form is not pending
    c1, (_, c1_soon), (c1_form, _) = await client_with(
        app, w, "Uma Soon",
        visits=[(5 * H, BOOKED), (2 * H, BOOKED)],
        forms=[(True, PENDING), (True, FormRequestStatus.COMPLETED)],
    )  # fmt: skip
    c2, (c2_visit,), _ = await client_with(
        app, w, "Vic Later", visits=[(30 * H, BOOKED)], forms=[(True, PENDING)]
    )
    # forms done, only an optional one pending, a cancelled visit, a visit in the past
    await client_with(
        app, w, "Wes Done", visits=[(3 * H, BOOKED)], forms=[(True, FormRequestStatus.COMPLETED)]
    )
    await client_with(app, w, "Xia Optional", visits=[(3 * H, BOOKED)], forms=[(False, PENDING)])
    await client_with(
        app, w, "Yan Cancelled", visits=[(4 * H, AppointmentStatus.CANCELLED)],
        forms=[(True, PENDING)],
    )  # fmt: skip
    await client_with(app, w, "Zoe Past", visits=[(-2 * H, BOOKED)], forms=[(True, PENDING)])
    c6, (c6_visit,), (c6_form,) = await client_with(
        app, w, "Abe First", visits=[(1 * H, BOOKED)], forms=[(True, PENDING)]
    )

    data = await api.op(
        "ClientsWithIncompleteIntake", {"withinHours": 24}, token=practice.owner_token
    )
    page = data["clientsWithIncompleteIntake"]
    assert page["totalCount"] == 2
    items = [e["node"] for e in page["edges"]]
    assert [(i["client"]["id"], i["appointment"]["id"]) for i in items] == [
        (to_global_id("Client", c6), to_global_id("Appointment", c6_visit)),
        (to_global_id("Client", c1), to_global_id("Appointment", c1_soon)),
    ]
    assert [[f["id"] for f in i["pendingForms"]] for i in items] == [
        [to_global_id("FormRequest", c6_form)],
        [to_global_id("FormRequest", c1_form)],
    ]
    assert items[0]["pendingForms"][0]["form"]["name"] == "Health history"

    wider = await api.op(
        "ClientsWithIncompleteIntake", {"withinHours": 48, "first": 2}, token=practice.owner_token
    )
    page = wider["clientsWithIncompleteIntake"]
    assert page["totalCount"] == 3 and page["pageInfo"]["hasNextPage"]
    rest = await api.op(
        "ClientsWithIncompleteIntake",
        {"withinHours": 48, "after": page["pageInfo"]["endCursor"]},
        token=practice.owner_token,
    )
    [last] = rest["clientsWithIncompleteIntake"]["edges"]
    assert last["node"]["appointment"]["id"] == to_global_id("Appointment", c2_visit)
    assert last["node"]["client"]["id"] == to_global_id("Client", c2)

    # the appointments and forms shown are audited reads
    async with app.state.db.unit_of_work() as uow:
        audited = set(
            (
                await uow.session.execute(
                    select(AuditEvent.resource, AuditEvent.resource_id).where(
                        AuditEvent.organization_id == w.org, AuditEvent.action == "read"
                    )
                )
            ).all()
        )
    assert {("appointment", c6_visit), ("form_request", c6_form)} <= audited


async def test_within_hours_out_of_bounds_is_invalid_input(
    api: GraphQLClient, practice: Practice
) -> None:
    for hours in (0, -1, 745):
        errors = await api.errors(
            "ClientsWithIncompleteIntake", {"withinHours": hours}, token=practice.owner_token
        )
        assert [e["extensions"]["code"] for e in errors] == ["INVALID_INPUT"], hours


async def test_costs_the_same_statements_for_5_and_30_items(
    app: Starlette, api: GraphQLClient, practice: Practice
) -> None:
    w = await world(app, practice)
    for i in range(30):
        await client_with(
            app, w, f"Client {i:02}",
            visits=[((i + 1) * H, BOOKED), ((i + 2) * H, BOOKED)],
            forms=[(True, PENDING), (True, PENDING)],
        )  # fmt: skip
    counts = {}
    for first in (5, 30):
        with count_statements(app) as statements:
            data = await api.op(
                "ClientsWithIncompleteIntake",
                {"withinHours": 72, "first": first},
                token=practice.owner_token,
            )
        edges = data["clientsWithIncompleteIntake"]["edges"]
        assert len(edges) == first
        assert all(len(e["node"]["pendingForms"]) == 2 for e in edges)
        counts[first] = len(statements)
    assert_pinned("incomplete_intake", counts)
