"""Appointments after booking: reschedule, cancel, status; reading them, scoped."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, select

from carebase.auth.policy import (
    require_authenticated,
    require_member,
    require_reader,
    scoped,
    sees_member_details,
)
from carebase.auth.principal import Principal
from carebase.db import UnitOfWork
from carebase.errors import DomainError, ErrorCode, forbidden, invalid, not_found
from carebase.gateways.zoom import ZoomGateway
from carebase.hooks import AppointmentCancelled, AppointmentStatusChanged
from carebase.models import (
    Appointment,
    AppointmentEvent,
    AppointmentEventKind,
    AppointmentStatus,
    Initiator,
    Organization,
    VideoProvider,
)
from carebase.resolvers.core import audit
from carebase.resolvers.core.idempotency import run_idempotent
from carebase.resolvers.core.pagination import (
    Load,
    Order,
    Page,
    PageRequest,
    asc,
    grouped,
    in_order,
    paginate,
)
from carebase.resolvers.scheduling.availability import slot_context
from carebase.resolvers.scheduling.booking import _check_start, check_time, save_times
from carebase.resolvers.scheduling.events import (
    cancel_reminders,
    email_client,
    plan_reminders,
    record_event,
)

# what other areas do when an appointment is cancelled or changes status (package credits,
# fees); registered by those modules so this one imports none of them


def scoped_appointments(principal: Principal) -> Select[Any]:
    return scoped(
        select(Appointment), principal, Appointment.organization_id, Appointment.client_id
    )


async def get_appointment(
    uow: UnitOfWork, principal: Principal, appointment_id: uuid.UUID, *, for_update: bool = False
) -> Appointment:
    require_authenticated(principal)
    if principal.is_member:
        require_member(principal, "appointments")
    stmt = scoped_appointments(principal).where(Appointment.id == appointment_id)
    if for_update:
        stmt = stmt.with_for_update()
    found: Appointment | None = (await uow.session.execute(stmt)).scalar_one_or_none()
    if found is None:
        raise not_found("No such appointment", "id")
    return found


async def read_appointment(
    uow: UnitOfWork, principal: Principal, *, appointment_id: uuid.UUID
) -> Appointment:
    """The ``appointment`` query: the appointment, its read audited."""
    found = await get_appointment(uow, principal, appointment_id)
    audit.record(
        uow,
        principal,
        action="read",
        resource="appointment",
        resource_id=found.id,
        client_id=found.client_id,
    )
    return found


async def find_appointment(
    uow: UnitOfWork, principal: Principal, appointment_id: uuid.UUID
) -> Appointment | None:
    """As ``read_appointment``, but None for what the caller may not read."""
    try:
        return await read_appointment(uow, principal, appointment_id=appointment_id)
    except DomainError:
        return None


def appointment_metadata(principal: Principal, appointment: Appointment) -> dict[str, Any] | None:
    """An appointment's booking metadata is for the practice's members (and their keys)."""
    return appointment.booking_metadata if sees_member_details(principal) else None


def _late(org: Organization, appointment: Appointment, at: datetime) -> bool:
    return at > appointment.starts_at - timedelta(hours=org.cancellation_window_hours)


async def reschedule_appointment(
    uow: UnitOfWork,
    principal: Principal,
    *,
    appointment_id: uuid.UUID,
    starts_at: datetime,
    override: bool = False,
    idempotency_key: str | None = None,
) -> Appointment:
    require_authenticated(principal)
    assert principal.organization_id

    async def execute() -> list[Appointment]:
        start = _check_start(starts_at)
        appointment = await get_appointment(uow, principal, appointment_id, for_update=True)
        org = await uow.session.get_one(Organization, appointment.organization_id)
        if principal.is_client:
            if not org.clients_can_reschedule:
                raise DomainError(ErrorCode.BOOKING_DISABLED, "Ask the practice to reschedule")
            if override:
                raise forbidden("Only members may book outside the offered times")
            if _late(org, appointment, uow.now()):
                raise DomainError(
                    ErrorCode.CANCELLATION_WINDOW_PASSED,
                    f"Reschedule at least {org.cancellation_window_hours} hours ahead",
                )
        else:
            require_member(principal, "appointments", write=True)
        if appointment.status is not AppointmentStatus.BOOKED:
            raise DomainError(
                ErrorCode.INVALID_STATUS_TRANSITION, "Only a booked appointment can be moved"
            )
        ctx = await slot_context(
            uow, principal, appointment.provider_id, appointment.appointment_type_id
        )
        await check_time(uow, ctx, start, override=override, ignore=appointment.id)
        previous = appointment.starts_at
        await save_times(uow, move=(appointment, start, start + (appointment.ends_at - previous)))
        if ctx.kind.video_provider is VideoProvider.ZOOM and appointment.zoom_meeting_id:
            await ZoomGateway(uow.settings).update_meeting(
                appointment.zoom_meeting_id,
                starts_at=start,
                duration_minutes=ctx.kind.duration_minutes,
            )
        record_event(
            uow,
            appointment,
            AppointmentEventKind.RESCHEDULED,
            actor_id=principal.account_id,
            from_starts_at=previous,
        )
        await plan_reminders(uow, appointment, org)
        await email_client(
            uow,
            appointment,
            subject="Your appointment has moved",
            lead="Your appointment has a new time.",
            kind="appointment_moved",
        )
        audit.record(
            uow,
            principal,
            action="write",
            resource="appointment",
            resource_id=appointment.id,
            client_id=appointment.client_id,
            operation="rescheduleAppointment",
        )
        return [appointment]

    rows = await run_idempotent(
        uow,
        organization_id=principal.organization_id,
        operation="rescheduleAppointment",
        key=idempotency_key,
        request={
            "id": str(appointment_id),
            "startsAt": starts_at.isoformat(),
            "override": override,
        },
        execute=execute,
        remember=lambda rows: {"appointments": [str(a.id) for a in rows]},
        replay=lambda saved: _one(uow, saved["appointments"][0]),
    )
    return rows[0]


async def _one(uow: UnitOfWork, key: str) -> list[Appointment]:
    return [await uow.session.get_one(Appointment, uuid.UUID(key))]


async def cancel_appointment(
    uow: UnitOfWork,
    principal: Principal,
    *,
    appointment_id: uuid.UUID,
    reason: str | None,
    initiated_by: Initiator | None,
) -> Appointment:
    appointment = await get_appointment(uow, principal, appointment_id, for_update=True)
    org = await uow.session.get_one(Organization, appointment.organization_id)
    if principal.is_client:
        if not org.clients_can_cancel:
            raise DomainError(ErrorCode.BOOKING_DISABLED, "Ask the practice to cancel")
        if initiated_by is Initiator.PRACTICE:
            raise forbidden("A client's cancel is the client's")
        initiated_by = Initiator.CLIENT
    else:
        require_member(principal, "appointments", write=True)
        initiated_by = initiated_by or Initiator.PRACTICE
    if appointment.status is not AppointmentStatus.BOOKED:
        raise DomainError(
            ErrorCode.INVALID_STATUS_TRANSITION, "Only a booked appointment can be cancelled"
        )
    if reason is not None and len(reason) > 2000:
        raise invalid("Keep the reason under 2,000 characters", "reason")
    await _cancel(uow, principal, appointment, org, reason=reason, initiated_by=initiated_by)
    await email_client(
        uow,
        appointment,
        subject="Your appointment is cancelled",
        lead="Your appointment has been cancelled.",
        kind="appointment_cancelled",
    )
    return appointment


async def _cancel(
    uow: UnitOfWork,
    principal: Principal,
    appointment: Appointment,
    org: Organization,
    *,
    reason: str | None,
    initiated_by: Initiator,
) -> None:
    previous = appointment.status
    appointment.status = AppointmentStatus.CANCELLED
    appointment.cancellation_reason = reason
    appointment.cancelled_by_id = principal.account_id
    appointment.cancel_initiated_by = initiated_by
    appointment.cancelled_at = uow.now()
    # only the client's own late change of plans counts against them
    appointment.late_cancellation = initiated_by is Initiator.CLIENT and _late(
        org, appointment, appointment.cancelled_at
    )
    await cancel_reminders(uow, [appointment.id])
    if appointment.zoom_meeting_id:
        await ZoomGateway(uow.settings).delete_meeting(appointment.zoom_meeting_id)
    record_event(
        uow,
        appointment,
        AppointmentEventKind.CANCELLED,
        actor_id=principal.account_id,
        from_status=previous,
        note=reason,
    )
    audit.record(
        uow,
        principal,
        action="write",
        resource="appointment",
        resource_id=appointment.id,
        client_id=appointment.client_id,
        operation="cancelAppointment",
    )
    await uow.emit(AppointmentCancelled(principal, appointment))


TRANSITIONS = {
    AppointmentStatus.BOOKED: {
        AppointmentStatus.OCCURRED,
        AppointmentStatus.NO_SHOW,
        AppointmentStatus.CANCELLED,
    },
    AppointmentStatus.OCCURRED: {AppointmentStatus.NO_SHOW},
    AppointmentStatus.NO_SHOW: {AppointmentStatus.OCCURRED},
    AppointmentStatus.CANCELLED: set(),
}


async def set_appointment_status(
    uow: UnitOfWork,
    principal: Principal,
    *,
    appointment_id: uuid.UUID,
    status: AppointmentStatus,
) -> Appointment:
    require_authenticated(principal)
    if not principal.is_member:
        raise forbidden("Only members set an appointment's status")
    require_member(principal, "appointments", write=True)
    appointment = await get_appointment(uow, principal, appointment_id, for_update=True)
    if status not in TRANSITIONS[appointment.status]:
        raise DomainError(
            ErrorCode.INVALID_STATUS_TRANSITION,
            f"An appointment cannot go from {appointment.status.value} to {status.value}",
            "status",
        )
    if status in (AppointmentStatus.OCCURRED, AppointmentStatus.NO_SHOW) and (
        appointment.starts_at > uow.now()
    ):
        raise DomainError(
            ErrorCode.INVALID_STATUS_TRANSITION,
            "An appointment can be marked only once it has started",
            "status",
        )
    org = await uow.session.get_one(Organization, appointment.organization_id)
    if status is AppointmentStatus.CANCELLED:
        await _cancel(
            uow, principal, appointment, org, reason=None, initiated_by=Initiator.PRACTICE
        )
        return appointment
    previous = appointment.status
    appointment.status = status
    await cancel_reminders(uow, [appointment.id])
    record_event(
        uow,
        appointment,
        AppointmentEventKind.STATUS_CHANGED,
        actor_id=principal.account_id,
        from_status=previous,
    )
    audit.record(
        uow,
        principal,
        action="write",
        resource="appointment",
        resource_id=appointment.id,
        client_id=appointment.client_id,
        operation="setAppointmentStatus",
    )
    await uow.emit(AppointmentStatusChanged(principal, appointment, previous))
    return appointment


@dataclass(frozen=True)
class AppointmentFilter:
    status: AppointmentStatus | None = None
    start: datetime | None = None
    end: datetime | None = None
    provider_id: uuid.UUID | None = None
    client_id: uuid.UUID | None = None


BY_START = Order("appointments", asc(Appointment.starts_at), asc(Appointment.id))


def filtered(stmt: Select[Any], filter: AppointmentFilter) -> Select[Any]:
    if filter.status:
        stmt = stmt.where(Appointment.status == filter.status)
    if filter.start:
        stmt = stmt.where(Appointment.ends_at > filter.start)
    if filter.end:
        stmt = stmt.where(Appointment.starts_at < filter.end)
    if filter.provider_id:
        stmt = stmt.where(Appointment.provider_id == filter.provider_id)
    if filter.client_id:
        stmt = stmt.where(Appointment.client_id == filter.client_id)
    return stmt


async def list_appointments(
    uow: UnitOfWork,
    principal: Principal,
    *,
    filter: AppointmentFilter,
    page: PageRequest,
    upcoming: bool = False,
) -> Page[Appointment]:
    require_authenticated(principal)
    if principal.is_member or principal.kind in ("api_key", "oauth"):
        require_member(principal, "appointments")
    stmt = scoped_appointments(principal)
    if upcoming:
        stmt = stmt.where(
            Appointment.status == AppointmentStatus.BOOKED, Appointment.ends_at > uow.now()
        )
        if principal.is_member and principal.role and principal.role.bookable:
            stmt = stmt.where(Appointment.provider_id == principal.account_id)
    result = await paginate(uow, filtered(stmt, filter), page, BY_START)
    for a in result.items:
        audit.record(
            uow,
            principal,
            action="read",
            resource="appointment",
            resource_id=a.id,
            client_id=a.client_id,
        )
    return result


async def load_history(uow: UnitOfWork, ids: Sequence[uuid.UUID]) -> list[list[AppointmentEvent]]:
    rows = await uow.session.execute(
        select(AppointmentEvent)
        .where(AppointmentEvent.appointment_id.in_(ids))
        .order_by(AppointmentEvent.created_at, AppointmentEvent.id)
    )
    return grouped(rows.scalars(), ids, lambda e: e.appointment_id)


async def load_appointments(
    uow: UnitOfWork, principal: Principal, ids: Sequence[uuid.UUID]
) -> list[Appointment | None]:
    """By id, for DataLoaders: one query whatever the number, only what the principal may
    read (None for the rest); each read audited."""
    rows = (
        (await uow.session.execute(scoped_appointments(principal).where(Appointment.id.in_(ids))))
        .scalars()
        .all()
    )
    for a in rows:
        audit.record(
            uow,
            principal,
            action="read",
            resource="appointment",
            resource_id=a.id,
            client_id=a.client_id,
        )
    return in_order(rows, ids, lambda a: a.id)


async def linked_appointment(
    uow: UnitOfWork,
    principal: Principal,
    *,
    appointment_id: uuid.UUID | None,
    load: Load[uuid.UUID, Appointment | None],
) -> Appointment | None:
    """``Payment.appointment``, ``Message.appointment``: a client reads their own, a member
    or key needs appointments:read. ``load`` is the request's loader over
    ``load_appointments``."""
    require_reader(principal, "appointments")
    return None if appointment_id is None else await load(appointment_id)
