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


@strawberry.type(description="A bookable start time.")
class Slot:
    starts_at: datetime = strawberry.field(
        description="When the slot starts (ISO 8601 with offset)."
    )
    ends_at: datetime = strawberry.field(
        description="When it ends (`startsAt` + the type's duration)."
    )


@strawberry.type(description="Hours on one weekday.")
class WeeklyHours:
    weekday: int = strawberry.field(description="The ISO weekday: 1 is Monday, 7 Sunday.")
    start: str = strawberry.field(description="The start, `HH:MM` (24-hour).")
    end: str = strawberry.field(description="The end, `HH:MM` (24-hour).")


@strawberry.type(description="Different hours (or none) on one date.")
class DateOverride:
    date: date = strawberry.field(
        description="The date (`YYYY-MM-DD`, in the availability's time zone)."
    )
    closed: bool = strawberry.field(
        description="True when the provider takes no appointments that day."
    )
    start: str | None = strawberry.field(
        description="The day's start, `HH:MM` (24-hour), or null when closed."
    )
    end: str | None = strawberry.field(
        description="The day's end, `HH:MM` (24-hour), or null when closed."
    )


@strawberry.type(description="A provider's bookable hours and booking rules.")
class Availability:
    provider_id: strawberry.ID = strawberry.field(description="The provider's global id.")
    timezone: str = strawberry.field(description="The IANA time zone the hours are read in.")
    weekly: list[WeeklyHours] = strawberry.field(description="The weekly hours.")
    overrides: list[DateOverride] = strawberry.field(
        description=("Dates whose hours differ from the week's (or that are closed).")
    )
    buffer_before_minutes: int = strawberry.field(
        description="Minutes kept free before each appointment."
    )
    buffer_after_minutes: int = strawberry.field(
        description="Minutes kept free after each appointment."
    )
    minimum_notice_minutes: int = strawberry.field(
        description=("How soon before its start a slot can still be booked, in minutes.")
    )
    horizon_days: int = strawberry.field(description="How many days ahead slots are offered.")
    slot_step_minutes: int | None = strawberry.field(
        description=(
            "Minutes between offered start times; null means the appointment type's duration."
        )
    )

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


@strawberry.input(description="Hours on one weekday.")
class WeeklyHoursInput:
    weekday: int = strawberry.field(description="The ISO weekday, 1 (Monday) to 7 (Sunday).")
    start: str = strawberry.field(description="The start, `HH:MM` (24-hour), e.g. `09:00`.")
    end: str = strawberry.field(description="The end, `HH:MM`, after `start`, e.g. `17:00`.")


@strawberry.input(description="Different hours (or none) on one date.")
class DateOverrideInput:
    date: date = strawberry.field(description="The date, `YYYY-MM-DD`.")
    closed: bool = strawberry.field(
        default=False, description="True to take no appointments that day (default false)."
    )
    start: str | None = strawberry.field(
        default=None, description="The day's start, `HH:MM` (24-hour); needed unless closed."
    )
    end: str | None = strawberry.field(
        default=None, description="The day's end, `HH:MM`, after `start`; needed unless closed."
    )


@strawberry.input(description=("Input of `setAvailability`: replaces the provider's availability."))
class SetAvailabilityInput:
    provider_id: strawberry.ID = strawberry.field(
        description=(
            "The global id of the provider (owners and admins may set "
            "anyone's; a provider only their own)."
        )
    )
    weekly: list[WeeklyHoursInput] = strawberry.field(
        description=("Weekly hours; several ranges on one weekday are allowed, not overlapping.")
    )
    timezone: str | None = strawberry.field(
        default=None,
        description=("The IANA time zone the hours are read in (default: the provider's)."),
    )
    overrides: list[DateOverrideInput] = strawberry.field(
        default_factory=list, description="Dates with other hours, or closed."
    )
    buffer_before_minutes: int = strawberry.field(
        default=0, description="Minutes kept free before each appointment (default 0)."
    )
    buffer_after_minutes: int = strawberry.field(
        default=0, description="Minutes kept free after each appointment (default 0)."
    )
    minimum_notice_minutes: int = strawberry.field(
        default=120, description="Minimum notice for a booking, in minutes (default 0)."
    )
    horizon_days: int = strawberry.field(
        default=90, description="How many days ahead slots are offered (1 or more)."
    )
    slot_step_minutes: int | None = strawberry.field(
        default=None,
        description=(
            "Minutes between offered start times; null (default) uses the type's duration."
        ),
    )


@strawberry.type(description="Result of `setAvailability`.")
class SetAvailabilityPayload(Payload):
    availability: Availability | None = strawberry.field(
        default=None, description="The availability as saved; null on failure."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

    @classmethod
    async def from_result(cls, result: AvailabilityModel, info: Info) -> Self:
        return cls(availability=Availability.from_model(result))


async def availability(
    info: Info,
    provider_id: Annotated[
        strawberry.ID, strawberry.argument(description="The provider's global id.")
    ],
) -> Availability | None:
    row = await availability_ops.get_availability(
        info.context.uow,
        info.context.principal,
        decode_id(provider_id, "Member", field="providerId"),
    )
    return Availability.from_model(row) if row else None


async def available_slots(
    info: Info,
    provider_id: Annotated[
        strawberry.ID, strawberry.argument(description="The provider's global id.")
    ],
    appointment_type_id: Annotated[
        strawberry.ID, strawberry.argument(description="The appointment type's global id.")
    ],
    from_: Annotated[
        datetime,
        strawberry.argument(
            name="from",
            description=(
                "The start of the range (ISO 8601 with offset; a bare date or"
                " no offset is `INVALID_INPUT`)."
            ),
        ),
    ],
    to: Annotated[
        datetime,
        strawberry.argument(
            description="The end of the range (ISO 8601 with offset), after `from`."
        ),
    ],
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
