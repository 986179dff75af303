"""No N+1 on appointments: the `Appointments` document, with client, provider, type, video
links and history nested, costs the same number of SQL statements for 10 nodes as for 100."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from starlette.applications import Starlette

from carebase.models import (
    Appointment,
    AppointmentEvent,
    AppointmentEventKind,
    AppointmentStatus,
    AppointmentType,
    ContactType,
    VideoProvider,
)
from tests.conftest import Practice
from tests.fixtures.factories import key_of, make_client, make_member
from tests.fixtures.graphql import GraphQLClient
from tests.fixtures.statements import assert_pinned, count_statements

COUNT = 100


async def test_appointments_with_nested_fields_cost_the_same_for_10_and_100(
    app: Starlette, api: GraphQLClient, practice: Practice
) -> None:
    org = key_of(practice.id)
    base = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    expected: list[tuple[str, str]] = []  # (client name, provider name) in start order
    async with app.state.db.unit_of_work(write=True) as uow:
        providers = [
            await make_member(uow, organization_id=org, name=f"Provider {p}") for p in range(3)
        ]
        clients = [
            await make_client(
                uow, organization_id=org, name=f"Client {c}", provider_id=providers[c % 3].id
            )
            for c in range(7)
        ]
        kind = AppointmentType(
            organization_id=org,
            name="Video session",
            duration_minutes=30,
            price_cents=9000,
            currency="USD",
            contact_type=ContactType.VIDEO,
            video_provider=VideoProvider.BUILT_IN,
        )
        uow.session.add(kind)
        await uow.session.flush()
        for i in range(COUNT):
            provider, client = providers[i % 3], clients[i % 7]
            starts_at = base + timedelta(hours=i)  # distinct times: one order for the page
            appointment = Appointment(
                organization_id=org,
                client_id=client.id,
                provider_id=provider.id,
                appointment_type_id=kind.id,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=30),
                status=AppointmentStatus.BOOKED,
            )
            uow.session.add(appointment)
            await uow.session.flush()
            uow.session.add(
                AppointmentEvent(
                    organization_id=org,
                    appointment_id=appointment.id,
                    kind=AppointmentEventKind.BOOKED,
                    to_starts_at=starts_at,
                    to_status=AppointmentStatus.BOOKED,
                )
            )
            expected.append((client.name, provider.name))
        await uow.session.flush()
        type_id = kind.id

    counts = {}
    for first in (10, COUNT):
        with count_statements(app) as statements:
            data = await api.op("Appointments", {"first": first}, token=practice.owner_token)
        connection = data["appointments"]
        assert connection["totalCount"] == COUNT
        nodes = [edge["node"] for edge in connection["edges"]]
        assert len(nodes) == first
        for node, (client_name, provider_name) in zip(nodes, expected, strict=False):
            assert node["client"]["name"] == client_name
            assert node["provider"]["name"] == provider_name
            assert key_of(node["appointmentType"]["id"]) == type_id
            assert node["appointmentType"]["name"] == "Video session"
            assert node["appointmentType"]["durationMinutes"] == 30
            assert node["video"]["clientJoinUrl"].endswith(f"/video/{key_of(node['id'])}")
            assert node["video"]["hostUrl"].endswith(f"/video/{key_of(node['id'])}?host=1")
            assert [change["kind"] for change in node["history"]] == ["BOOKED"]
        counts[first] = len(statements)
    assert_pinned("appointments", counts)
