"""Appointment types: the list, and creating and changing one."""

from __future__ import annotations

from typing import Annotated, Self

import strawberry

from carebase.models import AppointmentType as AppointmentTypeModel
from carebase.resolvers.scheduling import appointment_types as type_ops
from carebase.schema.common import changes_of
from carebase.schema.context import Info
from carebase.schema.docs import CURRENCY_INPUT, MUTATION_INPUT, USER_ERRORS
from carebase.schema.errors import UserError
from carebase.schema.payloads import Payload, mutate
from carebase.schema.relay import decode_id
from carebase.schema.scheduling.types import AppointmentType, ContactType, VideoProvider


@strawberry.input(description="Input of `createAppointmentType`.")
class CreateAppointmentTypeInput:
    name: str = strawberry.field(
        description=('The type\'s name, as clients see it (e.g. "Initial consultation").')
    )
    duration_minutes: int = strawberry.field(
        description="How long an appointment lasts, in minutes (5 to 1440)."
    )
    contact_type: ContactType = strawberry.field(description="How the client and provider meet.")  # type: ignore[valid-type]
    price_cents: int | None = strawberry.field(
        default=None, description="The price in cents (0 or more), or null for no price."
    )
    currency: str | None = strawberry.field(default=None, description=CURRENCY_INPUT)
    video_provider: VideoProvider | None = strawberry.field(  # type: ignore[valid-type]
        default=None,
        description=(
            "For `VIDEO` types, which video service makes the call "
            "(required for them; `ZOOM` needs Zoom configured)."
        ),
    )
    bookable_by_clients: bool = strawberry.field(
        default=True,
        description=("Whether clients (portal and widget) may book it (default true)."),
    )
    autocharge_when_occurred: bool = strawberry.field(
        default=False,
        description=(
            "Charge the client's default card the price when the "
            "appointment is marked `OCCURRED` (default false)."
        ),
    )
    default_procedure_code: str | None = strawberry.field(
        default=None,
        description="CPT (four digits then a digit, F, T or U) or HCPCS (A-V then four "
        "digits) code a superbill prints for a visit of this type without a claim; a bad one "
        "is `INVALID_CODE`.",
    )


@strawberry.input(
    description=(
        "Input of `updateAppointmentType`: an omitted field keeps its"
        " value; `null` clears a nullable one."
    )
)
class UpdateAppointmentTypeInput:
    id: strawberry.ID = strawberry.field(
        description="The global id of the appointment type to update."
    )
    name: str | None = strawberry.field(default=strawberry.UNSET, description="A new name.")
    duration_minutes: int | None = strawberry.field(
        default=strawberry.UNSET,
        description="A new duration in minutes (booked appointments keep theirs).",
    )
    price_cents: int | None = strawberry.field(
        default=strawberry.UNSET, description="A new price in cents, or null for no price."
    )
    currency: str | None = strawberry.field(default=strawberry.UNSET, description=CURRENCY_INPUT)
    contact_type: ContactType | None = strawberry.field(  # type: ignore[valid-type]
        default=strawberry.UNSET, description="A new contact type."
    )
    video_provider: VideoProvider | None = strawberry.field(  # type: ignore[valid-type]
        default=strawberry.UNSET,
        description="A new video provider, or null (not for `VIDEO` types).",
    )
    bookable_by_clients: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Whether clients may book it."
    )
    autocharge_when_occurred: bool | None = strawberry.field(
        default=strawberry.UNSET,
        description="Whether to charge the price when the appointment occurred.",
    )
    default_procedure_code: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="A new CPT/HCPCS code for superbills of visits without a claim, or null.",
    )


@strawberry.type
class AppointmentTypePayload(Payload):
    appointment_type: AppointmentType | None = strawberry.field(
        default=None, description="The appointment type after the change; null on failure."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

    @classmethod
    async def from_result(cls, result: AppointmentTypeModel, info: Info) -> Self:
        return cls(appointment_type=AppointmentType.from_model(result))


@strawberry.type(description="Result of `createAppointmentType`.")
class CreateAppointmentTypePayload(AppointmentTypePayload):
    pass


@strawberry.type(description="Result of `updateAppointmentType`.")
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
            default_procedure_code=input.default_procedure_code,
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
                "default_procedure_code",
            ),
        )

    return await mutate(info, UpdateAppointmentTypePayload, op)
