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


@strawberry.input
class CancelAppointmentInput:
    id: strawberry.ID
    reason: str | None = None
    initiated_by: CancellationInitiator | None = None  # type: ignore[valid-type]


@strawberry.input
class SetAppointmentStatusInput:
    id: strawberry.ID
    status: AppointmentStatus  # type: ignore[valid-type]


@strawberry.input
class AppointmentFilter:
    status: AppointmentStatus | None = None  # type: ignore[valid-type]
    from_: datetime | None = strawberry.field(default=None, name="from")
    to: datetime | None = None
    provider_id: strawberry.ID | None = None
    client_id: strawberry.ID | None = None


@strawberry.type
class AppointmentPayload(Payload):
    appointment: Appointment | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

    @classmethod
    async def from_result(cls, result: AppointmentModel, info: Info) -> Self:
        return cls(appointment=Appointment.from_model(result))


@strawberry.type
class CancelAppointmentPayload(AppointmentPayload):
    pass


@strawberry.type
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
    filter: AppointmentFilter | None = None,
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


async def appointment(info: Info, id: strawberry.ID) -> Appointment | None:
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
