"""Manage a widget booking without an account: the emailed manage link's token reads the
appointment, moves it and cancels it under the practice's portal rules (whether clients may
reschedule or cancel, the cancellation window, the late-cancellation fee)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from carebase.auth.principal import Principal
from carebase.db import UnitOfWork
from carebase.errors import DomainError, ErrorCode
from carebase.models import Account, Appointment, AppointmentStatus, Organization, Role
from carebase.resolvers.core import audit
from carebase.resolvers.scheduling.appointments import cancel_appointment, reschedule_appointment
from carebase.resolvers.scheduling.manage_tokens import appointment_of


@dataclass(frozen=True)
class ManagedBooking:
    appointment: Appointment
    can_reschedule: bool
    can_cancel: bool
    # a cancel now falls inside the cancellation window (the late fee applies, if any)
    late: bool
    cancellation_window_hours: int
    late_cancellation_fee_cents: int | None
    currency: str


def _invalid_token() -> DomainError:
    return DomainError(ErrorCode.TOKEN_INVALID, "This link is not valid", "token")


async def _open(
    uow: UnitOfWork, principal: Principal, token: str, *, for_update: bool = False
) -> tuple[Principal, Appointment, Organization]:
    """The appointment the token names, and a principal acting as its client."""
    named = appointment_of(uow.settings, token)
    if named is None:
        raise _invalid_token()
    organization_id, appointment_id = named
    stmt = (
        select(Appointment, Account)
        .join(Account, Account.id == Appointment.client_id)
        .where(Appointment.id == appointment_id, Appointment.organization_id == organization_id)
    )
    if for_update:
        stmt = stmt.with_for_update(of=Appointment)
    row = (await uow.session.execute(stmt)).first()
    if row is None or row[1].archived_at is not None:
        raise _invalid_token()
    appointment, client = row
    org = await uow.session.get_one(Organization, organization_id)
    acting = Principal(
        kind="user",
        organization_id=organization_id,
        account_id=client.id,
        role=Role.CLIENT,
        ip=principal.ip,
    )
    return acting, appointment, org


def _managed(uow: UnitOfWork, org: Organization, appointment: Appointment) -> ManagedBooking:
    now = uow.now()
    ahead = appointment.status is AppointmentStatus.BOOKED and appointment.starts_at > now
    late = now > appointment.starts_at - timedelta(hours=org.cancellation_window_hours)
    return ManagedBooking(
        appointment=appointment,
        can_reschedule=ahead and org.clients_can_reschedule and not late,
        can_cancel=ahead and org.clients_can_cancel,
        late=late,
        cancellation_window_hours=org.cancellation_window_hours,
        late_cancellation_fee_cents=org.late_cancellation_fee_cents,
        currency=org.currency,
    )


async def public_booking(
    uow: UnitOfWork, principal: Principal, *, token: str
) -> ManagedBooking | None:
    """The ``publicBooking`` query: None for a token that is not valid."""
    try:
        acting, appointment, org = await _open(uow, principal, token)
    except DomainError:
        return None
    audit.record(
        uow,
        acting,
        action="read",
        resource="appointment",
        resource_id=appointment.id,
        client_id=appointment.client_id,
        operation="publicBooking",
    )
    return _managed(uow, org, appointment)


async def reschedule_public_booking(
    uow: UnitOfWork,
    principal: Principal,
    *,
    token: str,
    starts_at: datetime,
    idempotency_key: str | None = None,
) -> ManagedBooking:
    acting, appointment, org = await _open(uow, principal, token, for_update=True)
    if appointment.starts_at <= uow.now():
        raise DomainError(ErrorCode.TOKEN_EXPIRED, "This appointment has already begun", "token")
    moved = await reschedule_appointment(
        uow,
        acting,
        appointment_id=appointment.id,
        starts_at=starts_at,
        idempotency_key=idempotency_key,
    )
    return _managed(uow, org, moved)


async def cancel_public_booking(
    uow: UnitOfWork, principal: Principal, *, token: str, reason: str | None
) -> ManagedBooking:
    acting, appointment, org = await _open(uow, principal, token, for_update=True)
    if appointment.starts_at <= uow.now():
        raise DomainError(ErrorCode.TOKEN_EXPIRED, "This appointment has already begun", "token")
    cancelled = await cancel_appointment(
        uow, acting, appointment_id=appointment.id, reason=reason, initiated_by=None
    )
    return _managed(uow, org, cancelled)
