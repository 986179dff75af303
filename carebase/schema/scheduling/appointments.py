"""Appointments: listing and reading them, cancelling one and moving its status."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

import strawberry

from carebase.models import Appointment as AppointmentModel
from carebase.resolvers.core.checks import aware
from carebase.resolvers.core.pagination import page_request
from carebase.resolvers.scheduling import appointments as appointment_ops
from carebase.schema.context import Info
from carebase.schema.docs import AFTER, FIRST, MUTATION_INPUT, USER_ERRORS
from carebase.schema.errors import UserError
from carebase.schema.payloads import Payload, mutate
from carebase.schema.relay import Connection, decode_id, decode_optional_id
from carebase.schema.scheduling.types import Appointment, AppointmentStatus, CancellationInitiator


@strawberry.input(description="Input of `cancelAppointment`.")
class CancelAppointmentInput:
    id: strawberry.ID = strawberry.field(description="The global id of the appointment to cancel.")
    reason: str | None = strawberry.field(
        default=None, description="Why (kept on the appointment, shown to members)."
    )
    initiated_by: CancellationInitiator | None = strawberry.field(  # type: ignore[valid-type]
        default=None,
        description=(
            "Who asked for the cancel: a client's own cancel is always "
            "`CLIENT`; a member chooses (default `PRACTICE`). Only a "
            "client's late cancel is charged the late-cancel fee."
        ),
    )


@strawberry.input(description="Input of `setAppointmentStatus`.")
class SetAppointmentStatusInput:
    id: strawberry.ID = strawberry.field(description="The global id of the appointment.")
    status: AppointmentStatus = strawberry.field(  # type: ignore[valid-type]
        description=(
            "The new status: `OCCURRED` (may autocharge), `NO_SHOW` (may "
            "charge the no-show fee) or `CANCELLED`."
        )
    )


@strawberry.input(description="Which appointments to list; fields combine with AND.")
class AppointmentFilter:
    status: AppointmentStatus | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Only appointments in this status."
    )
    from_: datetime | None = strawberry.field(
        default=None,
        name="from",
        description=(
            "Only appointments starting at or after this instant (ISO "
            "8601 with offset; without one is `INVALID_INPUT`)."
        ),
    )
    to: datetime | None = strawberry.field(
        default=None,
        description=("Only appointments starting before this instant (ISO 8601 with offset)."),
    )
    provider_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only this provider's appointments (global id of a member)."
    )
    client_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only this client's appointments (global id)."
    )


@strawberry.type
class AppointmentPayload(Payload):
    appointment: Appointment | None = strawberry.field(
        default=None, description="The appointment after the change; null on failure."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

    @classmethod
    async def from_result(cls, result: AppointmentModel, info: Info) -> Self:
        return cls(appointment=Appointment.from_model(result))


@strawberry.type(description="Result of `cancelAppointment`.")
class CancelAppointmentPayload(AppointmentPayload):
    pass


@strawberry.type(description="Result of `setAppointmentStatus`.")
class SetAppointmentStatusPayload(AppointmentPayload):
    pass


def resolver_filter(filter: AppointmentFilter | None) -> appointment_ops.AppointmentFilter:
    f = filter or AppointmentFilter()
    return appointment_ops.AppointmentFilter(
        status=f.status,
        start=aware(f.from_, "from"),
        end=aware(f.to, "to"),
        provider_id=decode_optional_id(f.provider_id, "Member", field="providerId"),
        client_id=decode_optional_id(f.client_id, "Client", field="clientId"),
    )


async def appointments(
    info: Info,
    first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
    after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
    filter: Annotated[
        AppointmentFilter | None,
        strawberry.argument(description="Only the appointments that match."),
    ] = None,
) -> Connection[Appointment]:
    page = await appointment_ops.list_appointments(
        info.context.uow,
        info.context.principal,
        filter=resolver_filter(filter),
        page=page_request(first, after),
    )
    return Connection.from_page(page, Appointment.from_model)


async def upcoming_appointments(
    info: Info,
    first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
    after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
) -> Connection[Appointment]:
    page = await appointment_ops.list_appointments(
        info.context.uow,
        info.context.principal,
        filter=appointment_ops.AppointmentFilter(),
        page=page_request(first, after),
        upcoming=True,
    )
    return Connection.from_page(page, Appointment.from_model)


async def appointment(
    info: Info,
    id: Annotated[strawberry.ID, strawberry.argument(description="The appointment's global id.")],
) -> Appointment | None:
    ctx = info.context
    row = await appointment_ops.read_appointment(
        ctx.uow, ctx.principal, appointment_id=decode_id(id, "Appointment")
    )
    return Appointment.from_model(row)


async def cancel_appointment(
    info: Info,
    input: Annotated[CancelAppointmentInput, strawberry.argument(description=MUTATION_INPUT)],
) -> CancelAppointmentPayload:
    ctx = info.context

    async def op() -> AppointmentModel:
        return await appointment_ops.cancel_appointment(
            ctx.uow,
            ctx.principal,
            appointment_id=decode_id(input.id, "Appointment"),
            reason=input.reason,
            initiated_by=input.initiated_by,
        )

    return await mutate(info, CancelAppointmentPayload, op)


async def set_appointment_status(
    info: Info,
    input: Annotated[SetAppointmentStatusInput, strawberry.argument(description=MUTATION_INPUT)],
) -> SetAppointmentStatusPayload:
    ctx = info.context

    async def op() -> AppointmentModel:
        return await appointment_ops.set_appointment_status(
            ctx.uow,
            ctx.principal,
            appointment_id=decode_id(input.id, "Appointment"),
            status=input.status,
        )

    return await mutate(info, SetAppointmentStatusPayload, op)
