"""The booking widget's API: the practice's public profile, booking without an account,
and the confirmation of that booking from the emailed link."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

import strawberry
from strawberry.scalars import JSON

from carebase.models import Appointment as AppointmentModel
from carebase.models import AppointmentType as AppointmentTypeModel
from carebase.resolvers.scheduling import booking as booking_ops
from carebase.resolvers.scheduling import public as public_ops
from carebase.schema.common import Money
from carebase.schema.context import Info
from carebase.schema.docs import IDEMPOTENCY_KEY, MUTATION_INPUT, USER_ERRORS
from carebase.schema.errors import UserError
from carebase.schema.payloads import Payload, mutate
from carebase.schema.relay import decode_id, decode_optional_id, to_global_id
from carebase.schema.scheduling.types import AppointmentStatus, ContactType, price_of


@strawberry.type(description="An appointment type as the widget shows it.")
class PublicAppointmentType:
    id: strawberry.ID = strawberry.field(description="The type's global id.")
    name: str = strawberry.field(description="The type's name.")
    duration_minutes: int = strawberry.field(description="How long it lasts, in minutes.")
    price: Money | None = strawberry.field(description="Its price, or null.")
    contact_type: ContactType = strawberry.field(description="How the client and provider meet.")  # type: ignore[valid-type]

    @classmethod
    def from_model(cls, kind: AppointmentTypeModel) -> PublicAppointmentType:
        return cls(
            id=to_global_id("AppointmentType", kind.id),
            name=kind.name,
            duration_minutes=kind.duration_minutes,
            price=price_of(kind),
            contact_type=kind.contact_type,
        )


@strawberry.type(description="A provider as the widget shows them.")
class PublicProvider:
    id: strawberry.ID = strawberry.field(description="The provider's global id.")
    name: str = strawberry.field(description="The provider's name.")


@strawberry.type(
    description="What the manage link may do with its booking now, under the practice's "
    "portal rules. Only answered through `publicBooking` and the manage mutations."
)
class PublicBookingRules:
    can_reschedule: bool = strawberry.field(
        description="Whether `reschedulePublicBooking` may move it now: the practice lets "
        "clients reschedule, it is BOOKED, and the cancellation window has not begun."
    )
    can_cancel: bool = strawberry.field(
        description="Whether `cancelPublicBooking` may cancel it now (the practice lets "
        "clients cancel and it is BOOKED and ahead)."
    )
    late: bool = strawberry.field(
        description="Whether now is inside the cancellation window: a cancel now is a late "
        "cancellation, and `lateCancellationFee` (if any) is charged."
    )
    cancellation_window_hours: int = strawberry.field(
        description="Hours before the start inside which a cancel is late and moving is closed."
    )
    late_cancellation_fee: Money | None = strawberry.field(
        description="The fee a late cancellation costs; null when the practice charges none."
    )


@strawberry.type(
    description=("What the booking widget may show of an appointment (no client details).")
)
class PublicAppointment:
    id: strawberry.ID = strawberry.field(description="The appointment's global id.")
    starts_at: datetime = strawberry.field(description="When it starts (ISO 8601 with offset).")
    ends_at: datetime = strawberry.field(description="When it ends.")
    status: AppointmentStatus = strawberry.field(description="Where it stands.")  # type: ignore[valid-type]
    appointment_type: PublicAppointmentType = strawberry.field(description="What is booked.")
    provider: PublicProvider = strawberry.field(description="With whom.")
    rules: PublicBookingRules | None = strawberry.field(
        default=None,
        description="What the visitor may do with this booking now; only through the manage "
        "link (`publicBooking`, `reschedulePublicBooking`, `cancelPublicBooking`), else null.",
    )


@strawberry.type(
    description=(
        "What the booking widget needs to offer bookings: the "
        "practice, its bookable types and providers."
    )
)
class PublicBookingProfile:
    organization_name: str = strawberry.field(description="The practice's name.")
    timezone: str = strawberry.field(description="The practice's IANA time zone.")
    appointment_types: list[PublicAppointmentType] = strawberry.field(
        description="The appointment types clients may book."
    )
    providers: list[PublicProvider] = strawberry.field(description="The providers who take them.")
    booking_open: bool = strawberry.field(
        description="Whether visitors may book here now (the practice's `bookingOutsidePortal`): "
        "when false, `availableSlots` offers nothing and the widget shows how to reach the "
        "practice instead."
    )


@strawberry.input(description="Who books from the widget.")
class PublicClientInput:
    name: str = strawberry.field(description="Their name.")
    email: str = strawberry.field(
        description=(
            "Their email address (the booking attaches to the client with"
            " this address, or creates one)."
        )
    )
    phone: str | None = strawberry.field(default=None, description="Their phone number, optional.")


@strawberry.input(description="Input of `bookAppointmentPublic`.")
class BookAppointmentPublicInput:
    appointment_type_id: strawberry.ID = strawberry.field(
        description="The global id of an appointment type bookable by clients."
    )
    provider_id: strawberry.ID = strawberry.field(
        description="The global id of a provider from `publicBookingProfile`."
    )
    starts_at: datetime = strawberry.field(
        description="The start, one of `availableSlots` (ISO 8601 with offset)."
    )
    client: PublicClientInput = strawberry.field(description="Who is booking.")
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)
    hold_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The `holdSlot` hold for this provider, type and start; it is used up by "
        "the booking. An expired or used hold is HOLD_EXPIRED. Without one, the time must "
        "still be free and not held by another visitor.",
    )
    metadata: JSON | None = strawberry.field(
        default=None,
        description="Free-form tags kept on the appointment and shown to members only, e.g. "
        '{"utm_source": "newsletter"}: an object of at most 20 keys (1-64 characters) with '
        "string (at most 500 characters), number or boolean values.",
    )


@strawberry.input(description="Input of `confirmAppointment`.")
class ConfirmAppointmentInput:
    token: str = strawberry.field(description="The token from the confirmation email's link.")


@strawberry.type
class PublicAppointmentPayload(Payload):
    appointment: PublicAppointment | None = strawberry.field(
        default=None, description="What the widget may show of the booking; null on failure."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

    @classmethod
    async def from_result(cls, result: AppointmentModel, info: Info) -> Self:
        return cls(appointment=await public_appointment(info, result))


@strawberry.type(description="Result of `bookAppointmentPublic`.")
class BookAppointmentPublicPayload(PublicAppointmentPayload):
    pass


@strawberry.type(description="Result of `confirmAppointment`.")
class ConfirmAppointmentPayload(PublicAppointmentPayload):
    pass


async def public_appointment(info: Info, row: AppointmentModel) -> PublicAppointment:
    kind = await info.context.loaders.appointment_type.load(row.appointment_type_id)
    provider = await public_ops.provider_name(info.context.uow, row.provider_id)
    assert kind is not None
    return PublicAppointment(
        id=to_global_id("Appointment", row.id),
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        status=row.status,
        appointment_type=PublicAppointmentType.from_model(kind),
        provider=PublicProvider(id=to_global_id("Member", row.provider_id), name=provider),
    )


async def public_booking_profile(info: Info) -> PublicBookingProfile | None:
    profile = await public_ops.booking_profile(info.context.uow, info.context.principal)
    return PublicBookingProfile(
        organization_name=profile.organization.name,
        timezone=profile.organization.timezone,
        appointment_types=[PublicAppointmentType.from_model(t) for t in profile.types],
        providers=[
            PublicProvider(id=to_global_id("Member", p.id), name=p.name) for p in profile.providers
        ],
        booking_open=profile.organization.booking_outside_portal,
    )


async def book_appointment_public(
    info: Info,
    input: Annotated[BookAppointmentPublicInput, strawberry.argument(description=MUTATION_INPUT)],
) -> BookAppointmentPublicPayload:
    ctx = info.context

    async def op() -> AppointmentModel:
        return await booking_ops.book_appointment_public(
            ctx.uow,
            ctx.principal,
            type_id=decode_id(
                input.appointment_type_id, "AppointmentType", field="appointmentTypeId"
            ),
            provider_id=decode_id(input.provider_id, "Member", field="providerId"),
            starts_at=input.starts_at,
            client=booking_ops.PublicClient(
                name=input.client.name, email=input.client.email, phone=input.client.phone
            ),
            idempotency_key=input.idempotency_key,
            hold_id=decode_optional_id(input.hold_id, "SlotHold", field="holdId"),
            metadata=input.metadata,
        )

    return await mutate(info, BookAppointmentPublicPayload, op)


async def confirm_appointment(
    info: Info,
    input: Annotated[ConfirmAppointmentInput, strawberry.argument(description=MUTATION_INPUT)],
) -> ConfirmAppointmentPayload:
    ctx = info.context

    async def op() -> AppointmentModel:
        return await booking_ops.confirm_appointment(ctx.uow, token=input.token)

    return await mutate(info, ConfirmAppointmentPayload, op)
