"""The booking widget's holds and its manage-booking link: `holdSlot`, `publicBooking`,
`reschedulePublicBooking` and `cancelPublicBooking`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

import strawberry

from carebase.models import SlotHold as SlotHoldModel
from carebase.resolvers.scheduling import booking as booking_ops
from carebase.resolvers.scheduling import manage as manage_ops
from carebase.schema.common import money_or_none
from carebase.schema.context import Info
from carebase.schema.docs import MUTATION_INPUT
from carebase.schema.errors import UserError
from carebase.schema.payloads import Payload, mutate
from carebase.schema.relay import decode_id, to_global_id
from carebase.schema.scheduling.public import (
    PublicAppointment,
    PublicBookingRules,
    public_appointment,
)


@strawberry.type(
    description="A time kept for one widget visitor for 5 minutes while they type their "
    "details: other visitors do not see it offered. Book it with `bookAppointmentPublic(holdId)`."
)
class SlotHold:
    id: strawberry.ID = strawberry.field(description="The hold's id, for `holdId`.")
    starts_at: datetime = strawberry.field(description="The held start (ISO 8601, UTC).")
    ends_at: datetime = strawberry.field(description="The held end (ISO 8601, UTC).")
    expires_at: datetime = strawberry.field(
        description="When the hold lapses (ISO 8601, UTC); booking after it is HOLD_EXPIRED."
    )

    @classmethod
    def from_model(cls, row: SlotHoldModel) -> SlotHold:
        return cls(
            id=to_global_id("SlotHold", row.id),
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            expires_at=row.expires_at,
        )


@strawberry.input(description="The offered time to keep for the visitor.")
class HoldSlotInput:
    provider_id: strawberry.ID = strawberry.field(description="The provider (a Member id).")
    appointment_type_id: strawberry.ID = strawberry.field(
        description="The appointment type (its length sets the held end)."
    )
    starts_at: datetime = strawberry.field(
        description="One of `availableSlots`' starts, with its UTC offset."
    )


@strawberry.type(description="The hold, or why the time cannot be held.")
class HoldSlotPayload(Payload):
    hold: SlotHold | None = strawberry.field(
        default=None, description="The new hold; null with userErrors."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description="SLOT_UNAVAILABLE (booked or held by someone else), OUTSIDE_AVAILABILITY, "
        "BOOKING_DISABLED, RATE_LIMITED (3 live holds from this address), INVALID_INPUT.",
    )

    @classmethod
    async def from_result(cls, result: SlotHoldModel, info: Info) -> Self:
        return cls(hold=SlotHold.from_model(result))


@strawberry.input(description="Move a widget booking with its manage link's token.")
class ReschedulePublicBookingInput:
    token: str = strawberry.field(description="The token of the emailed manage link.")
    starts_at: datetime = strawberry.field(
        description="The new start: one of `availableSlots`' starts, with its UTC offset."
    )
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="Makes a retry safe: the same key and input answer the first response.",
    )


@strawberry.input(description="Cancel a widget booking with its manage link's token.")
class CancelPublicBookingInput:
    token: str = strawberry.field(description="The token of the emailed manage link.")
    reason: str | None = strawberry.field(
        default=None, description="Why, for the practice (at most 2,000 characters)."
    )


@strawberry.type(description="The booking after the change, with what may be done next.")
class ManagedBookingPayload(Payload):
    appointment: PublicAppointment | None = strawberry.field(
        default=None, description="The booking as it is now; null with userErrors."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description="TOKEN_INVALID, TOKEN_EXPIRED (already begun), BOOKING_DISABLED (the "
        "practice does not let clients do it), CANCELLATION_WINDOW_PASSED, SLOT_UNAVAILABLE, "
        "OUTSIDE_AVAILABILITY, INVALID_STATUS_TRANSITION.",
    )

    @classmethod
    async def from_result(cls, result: manage_ops.ManagedBooking, info: Info) -> Self:
        return cls(appointment=await managed_appointment(info, result))


@strawberry.type(description="The moved booking, or why it could not be moved.")
class ReschedulePublicBookingPayload(ManagedBookingPayload):
    pass


@strawberry.type(description="The cancelled booking, or why it could not be cancelled.")
class CancelPublicBookingPayload(ManagedBookingPayload):
    pass


async def managed_appointment(info: Info, managed: manage_ops.ManagedBooking) -> PublicAppointment:
    shown = await public_appointment(info, managed.appointment)
    shown.rules = PublicBookingRules(
        can_reschedule=managed.can_reschedule,
        can_cancel=managed.can_cancel,
        late=managed.late,
        cancellation_window_hours=managed.cancellation_window_hours,
        late_cancellation_fee=money_or_none(managed.late_cancellation_fee_cents, managed.currency),
    )
    return shown


async def hold_slot(
    info: Info, input: Annotated[HoldSlotInput, strawberry.argument(description=MUTATION_INPUT)]
) -> HoldSlotPayload:
    ctx = info.context

    async def op() -> SlotHoldModel:
        return await booking_ops.hold_slot(
            ctx.uow,
            ctx.principal,
            type_id=decode_id(
                input.appointment_type_id, "AppointmentType", field="appointmentTypeId"
            ),
            provider_id=decode_id(input.provider_id, "Member", field="providerId"),
            starts_at=input.starts_at,
        )

    return await mutate(info, HoldSlotPayload, op)


async def public_booking(
    info: Info,
    token: Annotated[str, strawberry.argument(description="The token of the emailed manage link.")],
) -> PublicAppointment | None:
    """The booking a manage link names, with what its visitor may do now; null when the link
    is not valid. No sign-in needed."""
    managed = await manage_ops.public_booking(info.context.uow, info.context.principal, token=token)
    return None if managed is None else await managed_appointment(info, managed)


async def reschedule_public_booking(
    info: Info,
    input: Annotated[ReschedulePublicBookingInput, strawberry.argument(description=MUTATION_INPUT)],
) -> ReschedulePublicBookingPayload:
    ctx = info.context

    async def op() -> manage_ops.ManagedBooking:
        return await manage_ops.reschedule_public_booking(
            ctx.uow,
            ctx.principal,
            token=input.token,
            starts_at=input.starts_at,
            idempotency_key=input.idempotency_key,
        )

    return await mutate(info, ReschedulePublicBookingPayload, op)


async def cancel_public_booking(
    info: Info,
    input: Annotated[CancelPublicBookingInput, strawberry.argument(description=MUTATION_INPUT)],
) -> CancelPublicBookingPayload:
    ctx = info.context

    async def op() -> manage_ops.ManagedBooking:
        return await manage_ops.cancel_public_booking(
            ctx.uow, ctx.principal, token=input.token, reason=input.reason
        )

    return await mutate(info, CancelPublicBookingPayload, op)
