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
from carebase.schema.docs import IDEMPOTENCY_KEY, MUTATION_INPUT, USER_ERRORS, describe_values
from carebase.schema.errors import UserError
from carebase.schema.payloads import Payload, mutate
from carebase.schema.relay import decode_id, decode_optional_id
from carebase.schema.scheduling.types import Appointment


@strawberry.enum(description="How often a series repeats.")
class RecurrenceFrequency(enum.Enum):
    WEEKLY = "WEEKLY"


describe_values(
    RecurrenceFrequency,
    {
        "WEEKLY": "Every `interval` weeks.",
    },
)


@strawberry.input(description="A series of appointments at the same time.")
class RecurrenceInput:
    frequency: RecurrenceFrequency = strawberry.field(
        default=RecurrenceFrequency.WEEKLY, description="How often it repeats."
    )
    interval: int = strawberry.field(
        default=1, description="Every how many periods (1 or more; 2 is every other week)."
    )
    count: int = strawberry.field(
        default=1, description="How many appointments in all, the first included (2 to 52)."
    )


@strawberry.input(description="Input of `bookAppointment`.")
class BookAppointmentInput:
    appointment_type_id: strawberry.ID = strawberry.field(
        description="The global id of the appointment type."
    )
    provider_id: strawberry.ID = strawberry.field(
        description="The global id of the provider (an owner, admin or provider)."
    )
    starts_at: datetime = strawberry.field(
        description=(
            "The start (ISO 8601 with offset), one of `availableSlots` "
            "unless `overrideAvailability`."
        )
    )
    client_id: strawberry.ID | None = strawberry.field(
        default=None,
        description=("The global id of the client (members only; a client books for themself)."),
    )
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)
    override_availability: bool = strawberry.field(
        default=False,
        description=(
            "Members only: book outside the hours, inside the notice or "
            "in the past (never over another live appointment; any "
            "whole-minute start). Default false."
        ),
    )
    recurrence: RecurrenceInput | None = strawberry.field(
        default=None, description="Book a series instead of one appointment."
    )
    use_package_credit: bool = strawberry.field(
        default=True,
        description=(
            "Draw a package credit when the client holds one for the type (default true)."
        ),
    )


@strawberry.input(description=("Input of `rescheduleAppointment`: the appointment keeps its id."))
class RescheduleAppointmentInput:
    id: strawberry.ID = strawberry.field(description="The global id of the appointment.")
    starts_at: datetime = strawberry.field(description="The new start (ISO 8601 with offset).")
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)
    override_availability: bool = strawberry.field(
        default=False, description="Members only, as in `bookAppointment`."
    )


@dataclass(frozen=True)
class Booked:
    """A booking's outcome: its appointments, and whether they were asked for as a series."""

    rows: list[AppointmentModel]
    series: bool


@strawberry.type(description="Result of `bookAppointment` and `rescheduleAppointment`.")
class BookAppointmentPayload(Payload):
    appointment: Appointment | None = strawberry.field(
        default=None, description="The appointment (the first of a series); null on failure."
    )
    appointments: list[Appointment] | None = strawberry.field(
        default=None,
        description=(
            "Every appointment of the series (one without `recurrence`); null on failure."
        ),
    )
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
