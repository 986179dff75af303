"""Booking by the practice or a client (once or weekly) and rescheduling."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Self

import strawberry

from carebase.models import Appointment as AppointmentModel
from carebase.resolvers.scheduling import appointments as appointment_ops
from carebase.resolvers.scheduling import booking as booking_ops
from carebase.schema.context import Info
from carebase.schema.docs import MUTATION_INPUT, USER_ERRORS
from carebase.schema.errors import UserError
from carebase.schema.payloads import Payload, mutate
from carebase.schema.relay import decode_id, decode_optional_id
from carebase.schema.scheduling.types import Appointment


@strawberry.enum
class RecurrenceFrequency(enum.Enum):
    WEEKLY = "WEEKLY"


@strawberry.input
class RecurrenceInput:
    frequency: RecurrenceFrequency = RecurrenceFrequency.WEEKLY
    interval: int = 1
    count: int = 1


@strawberry.input
class BookAppointmentInput:
    appointment_type_id: strawberry.ID
    provider_id: strawberry.ID
    starts_at: datetime
    client_id: strawberry.ID | None = None
    idempotency_key: str | None = None
    override_availability: bool = False
    recurrence: RecurrenceInput | None = None
    use_package_credit: bool = True


@strawberry.input
class RescheduleAppointmentInput:
    id: strawberry.ID
    starts_at: datetime
    idempotency_key: str | None = None
    override_availability: bool = False


@dataclass(frozen=True)
class Booked:
    """A booking's outcome: its appointments, and whether they were asked for as a series."""

    rows: list[AppointmentModel]
    series: bool


@strawberry.type
class BookAppointmentPayload(Payload):
    appointment: Appointment | None = None
    appointments: list[Appointment] | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

    @classmethod
    async def from_result(cls, result: Booked, info: Info) -> Self:
        if not result.rows:
            return cls()
        rows = [Appointment.from_model(r) for r in result.rows]
        return cls(appointment=rows[0], appointments=rows if result.series else None)


async def book_appointment(
    info: Info,
    input: Annotated[BookAppointmentInput, strawberry.argument(description=MUTATION_INPUT)],
) -> BookAppointmentPayload:
    ctx = info.context

    async def op() -> Booked:
        recurrence = None
        if input.recurrence is not None:
            recurrence = booking_ops.Recurrence(
                interval=input.recurrence.interval, count=input.recurrence.count
            )
        rows = await booking_ops.book_appointment(
            ctx.uow,
            ctx.principal,
            type_id=decode_id(
                input.appointment_type_id, "AppointmentType", field="appointmentTypeId"
            ),
            provider_id=decode_id(input.provider_id, "Member", field="providerId"),
            starts_at=input.starts_at,
            client_id=decode_optional_id(input.client_id, "Client", field="clientId"),
            override=input.override_availability,
            recurrence=recurrence,
            use_package_credit=input.use_package_credit,
            idempotency_key=input.idempotency_key,
        )
        return Booked(rows, series=input.recurrence is not None)

    return await mutate(info, BookAppointmentPayload, op)


async def reschedule_appointment(
    info: Info,
    input: Annotated[RescheduleAppointmentInput, strawberry.argument(description=MUTATION_INPUT)],
) -> BookAppointmentPayload:
    ctx = info.context

    async def op() -> Booked:
        row = await appointment_ops.reschedule_appointment(
            ctx.uow,
            ctx.principal,
            appointment_id=decode_id(input.id, "Appointment"),
            starts_at=input.starts_at,
            override=input.override_availability,
            idempotency_key=input.idempotency_key,
        )
        return Booked([row], series=False)

    return await mutate(info, BookAppointmentPayload, op)
