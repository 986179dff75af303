"""Appointment types: the list, and creating and changing one."""

from __future__ import annotations

from typing import Annotated, Self

import strawberry

from carebase.models import AppointmentType as AppointmentTypeModel
from carebase.resolvers.scheduling import appointment_types as type_ops
from carebase.schema.common import changes_of
from carebase.schema.context import Info
from carebase.schema.docs import MUTATION_INPUT, USER_ERRORS
from carebase.schema.errors import UserError
from carebase.schema.payloads import Payload, mutate
from carebase.schema.relay import decode_id
from carebase.schema.scheduling.types import AppointmentType, ContactType, VideoProvider


@strawberry.input
class CreateAppointmentTypeInput:
    name: str
    duration_minutes: int
    contact_type: ContactType  # type: ignore[valid-type]
    price_cents: int | None = None
    currency: str | None = None
    video_provider: VideoProvider | None = None  # type: ignore[valid-type]
    bookable_by_clients: bool = True
    autocharge_when_occurred: bool = False


@strawberry.input
class UpdateAppointmentTypeInput:
    id: strawberry.ID
    name: str | None = strawberry.UNSET
    duration_minutes: int | None = strawberry.UNSET
    price_cents: int | None = strawberry.UNSET
    currency: str | None = strawberry.UNSET
    contact_type: ContactType | None = strawberry.UNSET  # type: ignore[valid-type]
    video_provider: VideoProvider | None = strawberry.UNSET  # type: ignore[valid-type]
    bookable_by_clients: bool | None = strawberry.UNSET
    autocharge_when_occurred: bool | None = strawberry.UNSET


@strawberry.type
class AppointmentTypePayload(Payload):
    appointment_type: AppointmentType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

    @classmethod
    async def from_result(cls, result: AppointmentTypeModel, info: Info) -> Self:
        return cls(appointment_type=AppointmentType.from_model(result))


@strawberry.type
class CreateAppointmentTypePayload(AppointmentTypePayload):
    pass


@strawberry.type
class UpdateAppointmentTypePayload(AppointmentTypePayload):
    pass


async def appointment_types(info: Info) -> list[AppointmentType]:
    rows = await type_ops.list_appointment_types(info.context.uow, info.context.principal)
    return [AppointmentType.from_model(r) for r in rows]


async def create_appointment_type(
    info: Info,
    input: Annotated[CreateAppointmentTypeInput, strawberry.argument(description=MUTATION_INPUT)],
) -> CreateAppointmentTypePayload:
    ctx = info.context

    async def op() -> AppointmentTypeModel:
        return await type_ops.create_appointment_type(
            ctx.uow,
            ctx.principal,
            name=input.name,
            duration_minutes=input.duration_minutes,
            price_cents=input.price_cents,
            currency=input.currency,
            contact_type=input.contact_type,
            video_provider=input.video_provider,
            bookable_by_clients=input.bookable_by_clients,
            autocharge_when_occurred=input.autocharge_when_occurred,
        )

    return await mutate(info, CreateAppointmentTypePayload, op)


async def update_appointment_type(
    info: Info,
    input: Annotated[UpdateAppointmentTypeInput, strawberry.argument(description=MUTATION_INPUT)],
) -> UpdateAppointmentTypePayload:
    ctx = info.context

    async def op() -> AppointmentTypeModel:
        return await type_ops.update_appointment_type(
            ctx.uow,
            ctx.principal,
            type_id=decode_id(input.id, "AppointmentType"),
            changes=changes_of(
                input,
                "name",
                "duration_minutes",
                "price_cents",
                "currency",
                "contact_type",
                "video_provider",
                "bookable_by_clients",
                "autocharge_when_occurred",
            ),
        )

    return await mutate(info, UpdateAppointmentTypePayload, op)
