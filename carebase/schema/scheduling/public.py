"""The booking widget's API: the practice's public profile, booking without an account,
and the confirmation of that booking from the emailed link."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

import strawberry

from carebase.models import Appointment as AppointmentModel
from carebase.models import AppointmentType as AppointmentTypeModel
from carebase.resolvers.scheduling import booking as booking_ops
from carebase.resolvers.scheduling import public as public_ops
from carebase.schema.common import Money
from carebase.schema.context import Info
from carebase.schema.docs import MUTATION_INPUT, USER_ERRORS
from carebase.schema.errors import UserError
from carebase.schema.payloads import Payload, mutate
from carebase.schema.relay import decode_id, to_global_id
from carebase.schema.scheduling.types import AppointmentStatus, ContactType, price_of


@strawberry.type
class PublicAppointmentType:
    id: strawberry.ID
    name: str
    duration_minutes: int
    price: Money | None
    contact_type: ContactType  # type: ignore[valid-type]

    @classmethod
    def from_model(cls, kind: AppointmentTypeModel) -> PublicAppointmentType:
        return cls(
            id=to_global_id("AppointmentType", kind.id),
            name=kind.name,
            duration_minutes=kind.duration_minutes,
            price=price_of(kind),
            contact_type=kind.contact_type,
        )


@strawberry.type
class PublicProvider:
    id: strawberry.ID
    name: str


@strawberry.type
class PublicAppointment:
    id: strawberry.ID
    starts_at: datetime
    ends_at: datetime
    status: AppointmentStatus  # type: ignore[valid-type]
    appointment_type: PublicAppointmentType
    provider: PublicProvider


@strawberry.type
class PublicBookingProfile:
    organization_name: str
    timezone: str
    appointment_types: list[PublicAppointmentType]
    providers: list[PublicProvider]


@strawberry.input
class PublicClientInput:
    name: str
    email: str
    phone: str | None = None


@strawberry.input
class BookAppointmentPublicInput:
    appointment_type_id: strawberry.ID
    provider_id: strawberry.ID
    starts_at: datetime
    client: PublicClientInput
    idempotency_key: str | None = None


@strawberry.input
class ConfirmAppointmentInput:
    token: str


@strawberry.type
class PublicAppointmentPayload(Payload):
    appointment: PublicAppointment | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

    @classmethod
    async def from_result(cls, result: AppointmentModel, info: Info) -> Self:
        return cls(appointment=await public_appointment(info, result))


@strawberry.type
class BookAppointmentPublicPayload(PublicAppointmentPayload):
    pass


@strawberry.type
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
