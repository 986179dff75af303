"""``Payment.appointment`` and ``Message.appointment``: the appointment itself, read as the
caller may read appointments, batched (``appointmentId`` stays, deprecated)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.applications import Starlette

from carebase.models import (
    Appointment,
    AppointmentStatus,
    AppointmentType,
    AuditEvent,
    ContactType,
    Conversation,
    ConversationParticipant,
    Message,
    Payment,
    PaymentKind,
    PaymentStatus,
    VideoProvider,
)
from carebase.schema.relay import to_global_id
from tests.conftest import Practice
from tests.fixtures.factories import key_of, make_client, make_member
from tests.fixtures.graphql import GraphQLClient, documents
from tests.fixtures.statements import assert_pinned, count_statements

START = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=3)


@dataclass
class Linked:
    appointments: list[uuid.UUID]
    conversation: str


async def linked_rows(app: Starlette, practice: Practice, count: int) -> Linked:
    """``count`` appointments, each with a payment and a message that name it."""
    org = key_of(practice.id)
    async with app.state.db.unit_of_work(write=True) as uow:
        provider = await make_member(uow, organization_id=org)
        client = await make_client(uow, organization_id=org, name="Linked Client")
        kind = AppointmentType(
            organization_id=org,
            name="Session",
            duration_minutes=30,
            currency="usd",
            contact_type=ContactType.VIDEO,
            video_provider=VideoProvider.BUILT_IN,
        )
        conversation = Conversation(organization_id=org, client_id=client.id)
        uow.session.add_all([kind, conversation])
        await uow.session.flush()
        uow.session.add(
            ConversationParticipant(
                conversation_id=conversation.id, account_id=key_of(practice.owner["id"])
            )
        )
        ids = []
        for i in range(count):
            starts_at = START + timedelta(hours=i)
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
            ids.append(appointment.id)
            uow.session.add_all(
                [
                    Payment(
                        organization_id=org,
                        client_id=client.id,
                        kind=PaymentKind.EXTERNAL,
                        status=PaymentStatus.SUCCEEDED,
                        amount_cents=1000 + i,
                        currency="usd",
                        appointment_id=appointment.id,
                        created_at=START - timedelta(minutes=i),
                    ),
                    Message(
                        organization_id=org,
                        conversation_id=conversation.id,
                        sender_id=key_of(practice.owner["id"]),
                        body=f"see you at {i}",
                        appointment_id=appointment.id,
                        created_at=START - timedelta(minutes=i),
                    ),
                ]
            )
        return Linked(ids, str(to_global_id("Conversation", conversation.id)))


async def test_payments_and_messages_show_their_appointment(
    app: Starlette, api: GraphQLClient, practice: Practice
) -> None:
    linked = await linked_rows(app, practice, 3)
    expected = [str(to_global_id("Appointment", a)) for a in linked.appointments]
    data = await api.op("PaymentAppointments", {"first": 10}, token=practice.owner_token)
    shown = [e["node"]["appointment"] for e in data["payments"]["edges"]]
    assert [a["id"] for a in shown] == expected  # newest payment first: the first appointment
    assert all(a["client"]["name"] == "Linked Client" for a in shown)
    data = await api.op(
        "MessageAppointments", {"id": linked.conversation, "first": 10}, token=practice.owner_token
    )
    edges = data["conversation"]["messages"]["edges"]
    assert [e["node"]["appointment"]["id"] for e in edges] == expected
    assert {e["node"]["appointment"]["status"] for e in edges} == {"BOOKED"}
    async with app.state.db.unit_of_work() as uow:
        audited = await uow.session.execute(
            AuditEvent.__table__.select().where(
                AuditEvent.resource == "appointment",
                AuditEvent.resource_id.in_(linked.appointments),
            )
        )
        assert {row.resource_id for row in audited} == set(linked.appointments)


async def _key(api: GraphQLClient, practice: Practice, scopes: list[str]) -> str:
    payload = (
        await api.op(
            "CreateApiKey",
            {"input": {"name": "linked", "scopes": scopes}},
            token=practice.owner_token,
        )
    )["createApiKey"]
    assert payload["userErrors"] == [], payload
    return str(payload["secret"])


def _codes(result: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in result.get("errors") or []]


async def test_a_key_without_appointments_read_is_refused_the_appointment(
    app: Starlette, api: GraphQLClient, practice: Practice
) -> None:
    linked = await linked_rows(app, practice, 1)
    no_appointments = await _key(api, practice, ["billing:read", "chat:read"])
    result = await api.raw(documents()["PaymentAppointments"], {"first": 5}, token=no_appointments)
    assert _codes(result) == ["FORBIDDEN"]
    assert result["data"]["payments"]["edges"][0]["node"]["appointment"] is None
    result = await api.raw(
        documents()["MessageAppointments"], {"id": linked.conversation}, token=no_appointments
    )
    assert _codes(result) == ["FORBIDDEN"]
    with_appointments = await _key(api, practice, ["billing:read", "appointments:read"])
    result = await api.raw(
        documents()["PaymentAppointments"], {"first": 5}, token=with_appointments
    )
    assert _codes(result) == []
    node = result["data"]["payments"]["edges"][0]["node"]
    assert node["appointment"]["id"] == to_global_id("Appointment", linked.appointments[0])


async def test_payment_appointments_cost_the_same_for_10_and_60(
    app: Starlette, api: GraphQLClient, practice: Practice
) -> None:
    await linked_rows(app, practice, 60)
    counts = {}
    for first in (10, 60):
        with count_statements(app) as statements:
            data = await api.op("PaymentAppointments", {"first": first}, token=practice.owner_token)
        edges = data["payments"]["edges"]
        assert len(edges) == first and all(e["node"]["appointment"] for e in edges)
        counts[first] = len(statements)
    assert_pinned("payment_appointments", counts)
