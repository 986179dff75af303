"""A provider's weekly hours and date overrides, and the open slots they leave."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Self

import strawberry

from carebase.models import Availability as AvailabilityModel
from carebase.resolvers.core.checks import aware
from carebase.resolvers.scheduling import availability as availability_ops
from carebase.schema.context import Info
from carebase.schema.docs import MUTATION_INPUT, USER_ERRORS
from carebase.schema.errors import UserError
from carebase.schema.payloads import Payload, mutate
from carebase.schema.relay import decode_id, to_global_id


@strawberry.type
class Slot:
    starts_at: datetime
    ends_at: datetime


@strawberry.type
class WeeklyHours:
    weekday: int
    start: str
    end: str


@strawberry.type
class DateOverride:
    date: date
    closed: bool
    start: str | None
    end: str | None


@strawberry.type
class Availability:
    provider_id: strawberry.ID
    timezone: str
    weekly: list[WeeklyHours]
    overrides: list[DateOverride]
    buffer_before_minutes: int
    buffer_after_minutes: int
    minimum_notice_minutes: int
    horizon_days: int
    slot_step_minutes: int | None

    @classmethod
    def from_model(cls, row: AvailabilityModel) -> Availability:
        return cls(
            provider_id=to_global_id("Member", row.provider_id),
            timezone=row.timezone,
            weekly=[WeeklyHours(**w) for w in row.weekly],
            overrides=[
                DateOverride(
                    date=date.fromisoformat(o["date"]),
                    closed=o["closed"],
                    start=o["start"],
                    end=o["end"],
                )
                for o in row.overrides
            ],
            buffer_before_minutes=row.buffer_before_minutes,
            buffer_after_minutes=row.buffer_after_minutes,
            minimum_notice_minutes=row.minimum_notice_minutes,
            horizon_days=row.horizon_days,
            slot_step_minutes=row.slot_step_minutes,
        )


@strawberry.input
class WeeklyHoursInput:
    weekday: int
    start: str
    end: str


@strawberry.input
class DateOverrideInput:
    date: date
    closed: bool = False
    start: str | None = None
    end: str | None = None


@strawberry.input
class SetAvailabilityInput:
    provider_id: strawberry.ID
    weekly: list[WeeklyHoursInput]
    timezone: str | None = None
    overrides: list[DateOverrideInput] = strawberry.field(default_factory=list)
    buffer_before_minutes: int = 0
    buffer_after_minutes: int = 0
    minimum_notice_minutes: int = 120
    horizon_days: int = 90
    slot_step_minutes: int | None = None


@strawberry.type
class SetAvailabilityPayload(Payload):
    availability: Availability | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

    @classmethod
    async def from_result(cls, result: AvailabilityModel, info: Info) -> Self:
        return cls(availability=Availability.from_model(result))


async def availability(info: Info, provider_id: strawberry.ID) -> Availability | None:
    row = await availability_ops.get_availability(
        info.context.uow,
        info.context.principal,
        decode_id(provider_id, "Member", field="providerId"),
    )
    return Availability.from_model(row) if row else None


async def available_slots(
    info: Info,
    provider_id: strawberry.ID,
    appointment_type_id: strawberry.ID,
    from_: Annotated[datetime, strawberry.argument(name="from")],
    to: datetime,
) -> list[Slot]:
    found = await availability_ops.available_slots(
        info.context.uow,
        info.context.principal,
        provider_id=decode_id(provider_id, "Member", field="providerId"),
        type_id=decode_id(appointment_type_id, "AppointmentType", field="appointmentTypeId"),
        start=aware(from_, "from"),
        end=aware(to, "to"),
    )
    return [Slot(starts_at=s, ends_at=e) for s, e in found]


async def set_availability(
    info: Info,
    input: Annotated[SetAvailabilityInput, strawberry.argument(description=MUTATION_INPUT)],
) -> SetAvailabilityPayload:
    ctx = info.context

    async def op() -> AvailabilityModel:
        return await availability_ops.set_availability(
            ctx.uow,
            ctx.principal,
            provider_id=decode_id(input.provider_id, "Member", field="providerId"),
            timezone=input.timezone,
            weekly=[availability_ops.WeeklyHours(w.weekday, w.start, w.end) for w in input.weekly],
            overrides=[
                availability_ops.DateOverride(o.date, o.closed, o.start, o.end)
                for o in input.overrides
            ],
            buffer_before_minutes=input.buffer_before_minutes,
            buffer_after_minutes=input.buffer_after_minutes,
            minimum_notice_minutes=input.minimum_notice_minutes,
            horizon_days=input.horizon_days,
            slot_step_minutes=input.slot_step_minutes,
        )

    return await mutate(info, SetAvailabilityPayload, op)
