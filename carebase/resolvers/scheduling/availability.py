"""Provider availability: set it, read it, and the slots it offers."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, or_, select, union_all

from carebase.auth.policy import require_authenticated, require_member, require_reader
from carebase.auth.principal import Principal
from carebase.db import UnitOfWork
from carebase.errors import forbidden, invalid, not_found
from carebase.models import (
    LIVE_STATUSES,
    Account,
    Appointment,
    AppointmentType,
    Availability,
    Organization,
    SlotHold,
)
from carebase.resolvers.core.checks import check_timezone
from carebase.resolvers.scheduling.appointment_types import get_appointment_type
from carebase.resolvers.scheduling.slots import Busy, Rules, parse_hhmm, slots

MAX_RANGE = timedelta(days=62)
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")


@dataclass(frozen=True)
class WeeklyHours:
    weekday: int
    start: str
    end: str


@dataclass(frozen=True)
class DateOverride:
    date: date
    closed: bool = False
    start: str | None = None
    end: str | None = None


def _check_span(start: str, end: str, field: str) -> None:
    if not HHMM.match(start) or not HHMM.match(end):
        raise invalid('Times are "HH:MM" (00:00 to 24:00)', field)
    if parse_hhmm(start) >= parse_hhmm(end):
        raise invalid("A window must end after it starts", field)


async def get_provider(
    uow: UnitOfWork, organization_id: uuid.UUID, provider_id: uuid.UUID, field: str = "providerId"
) -> Account:
    found = (
        await uow.session.execute(
            select(Account).where(
                Account.id == provider_id, Account.organization_id == organization_id
            )
        )
    ).scalar_one_or_none()
    if found is None or not found.role.bookable:
        raise not_found("No such provider", field)
    return found


async def set_availability(
    uow: UnitOfWork,
    principal: Principal,
    *,
    provider_id: uuid.UUID,
    timezone: str | None,
    weekly: list[WeeklyHours],
    overrides: list[DateOverride],
    buffer_before_minutes: int = 0,
    buffer_after_minutes: int = 0,
    minimum_notice_minutes: int = 120,
    horizon_days: int = 90,
    slot_step_minutes: int | None = None,
) -> Availability:
    require_member(principal, "appointments", write=True)
    is_self = principal.account_id == provider_id
    if not is_self and not (principal.role and principal.role.manages):
        raise forbidden("Providers set their own availability; owners and admins set anyone's")
    assert principal.organization_id
    provider = await get_provider(uow, principal.organization_id, provider_id)
    for i, hours in enumerate(weekly):
        if not 1 <= hours.weekday <= 7:
            raise invalid("weekday is 1 (Monday) to 7 (Sunday)", ["weekly", str(i), "weekday"])
        _check_span(hours.start, hours.end, f"weekly.{i}")
    for i, override in enumerate(overrides):
        if not override.closed:
            if override.start is None or override.end is None:
                raise invalid("An open override needs start and end", f"overrides.{i}")
            _check_span(override.start, override.end, f"overrides.{i}")
    for name, value, low, high in (
        ("bufferBeforeMinutes", buffer_before_minutes, 0, 240),
        ("bufferAfterMinutes", buffer_after_minutes, 0, 240),
        ("minimumNoticeMinutes", minimum_notice_minutes, 0, 60 * 24 * 60),
        ("horizonDays", horizon_days, 1, 730),
    ):
        if not low <= value <= high:
            raise invalid(f"{name} must be between {low} and {high}", name)
    if slot_step_minutes is not None and not 5 <= slot_step_minutes <= 480:
        raise invalid("slotStepMinutes must be between 5 and 480", "slotStepMinutes")
    row = (
        await uow.session.execute(
            select(Availability).where(Availability.provider_id == provider_id)
        )
    ).scalar_one_or_none()
    if row is None:
        row = Availability(organization_id=provider.organization_id, provider_id=provider_id)
        uow.session.add(row)
    row.timezone = check_timezone(timezone) if timezone else provider.timezone
    row.weekly = [{"weekday": h.weekday, "start": h.start, "end": h.end} for h in weekly]
    row.overrides = [
        {"date": o.date.isoformat(), "closed": o.closed, "start": o.start, "end": o.end}
        for o in overrides
    ]
    row.buffer_before_minutes = buffer_before_minutes
    row.buffer_after_minutes = buffer_after_minutes
    row.minimum_notice_minutes = minimum_notice_minutes
    row.horizon_days = horizon_days
    row.slot_step_minutes = slot_step_minutes
    await uow.session.flush()
    return row


async def get_availability(
    uow: UnitOfWork, principal: Principal, provider_id: uuid.UUID
) -> Availability | None:
    """A provider's hours: clients of the practice may read them; members and keys need
    appointments:read."""
    require_reader(principal, "appointments")
    return (
        await uow.session.execute(
            select(Availability).where(
                Availability.provider_id == provider_id,
                Availability.organization_id == principal.organization_id,
            )
        )
    ).scalar_one_or_none()


def rules_of(row: Availability) -> Rules:
    return Rules(
        timezone=row.timezone,
        weekly=row.weekly,
        overrides=row.overrides,
        buffer_before=timedelta(minutes=row.buffer_before_minutes),
        buffer_after=timedelta(minutes=row.buffer_after_minutes),
        minimum_notice=timedelta(minutes=row.minimum_notice_minutes),
        horizon=timedelta(days=row.horizon_days),
        step=timedelta(minutes=row.slot_step_minutes) if row.slot_step_minutes else None,
    )


async def busy_intervals(
    uow: UnitOfWork,
    provider_id: uuid.UUID,
    start: datetime,
    end: datetime,
    *,
    ignore: uuid.UUID | None = None,
    ignore_hold: uuid.UUID | None = None,
) -> Busy:
    """Live appointments and live slot holds (but ``ignore_hold``, the caller's own), in one
    statement."""
    return await busy_in_windows(
        uow, provider_id, [(start, end)], ignore=ignore, ignore_hold=ignore_hold
    )


async def busy_in_windows(
    uow: UnitOfWork,
    provider_id: uuid.UUID,
    windows: Sequence[tuple[datetime, datetime]],
    *,
    ignore: uuid.UUID | None = None,
    ignore_hold: uuid.UUID | None = None,
) -> Busy:
    """``busy_intervals`` over several windows (a series' weeks) in one statement."""
    booked = select(Appointment.starts_at, Appointment.ends_at).where(
        Appointment.provider_id == provider_id,
        Appointment.status.in_(LIVE_STATUSES),
        or_(
            *(
                and_(Appointment.starts_at < end, Appointment.ends_at > start)
                for start, end in windows
            )
        ),
    )
    if ignore is not None:
        booked = booked.where(Appointment.id != ignore)
    held = select(SlotHold.starts_at, SlotHold.ends_at).where(
        SlotHold.provider_id == provider_id,
        SlotHold.used_at.is_(None),
        SlotHold.expires_at > uow.now(),
        or_(*(and_(SlotHold.starts_at < e, SlotHold.ends_at > s) for s, e in windows)),
    )
    if ignore_hold is not None:
        held = held.where(SlotHold.id != ignore_hold)
    rows = (await uow.session.execute(union_all(booked, held))).all()
    return Busy((s, e) for s, e in rows)


@dataclass(frozen=True)
class SlotContext:
    provider: Account
    kind: AppointmentType
    availability: Availability | None
    organization: Organization


async def slot_context(
    uow: UnitOfWork, principal: Principal, provider_id: uuid.UUID, type_id: uuid.UUID
) -> SlotContext:
    if principal.kind != "publishable":
        require_authenticated(principal)
    assert principal.organization_id
    kind = await get_appointment_type(uow, principal, type_id)
    provider = await get_provider(uow, principal.organization_id, provider_id)
    availability = (
        await uow.session.execute(
            select(Availability).where(Availability.provider_id == provider_id)
        )
    ).scalar_one_or_none()
    org = await uow.session.get_one(Organization, principal.organization_id)
    return SlotContext(provider, kind, availability, org)


def could_book(principal: Principal, ctx: SlotContext) -> bool:
    """Whether booking would let the caller take a slot at all: slots are offered only then,
    so the portal and the widget never show a time that booking then refuses."""
    if principal.kind == "publishable":
        return ctx.organization.booking_outside_portal and ctx.kind.bookable_by_clients
    if principal.is_client:
        return ctx.organization.clients_can_book and ctx.kind.bookable_by_clients
    return True


async def available_slots(
    uow: UnitOfWork,
    principal: Principal,
    *,
    provider_id: uuid.UUID,
    type_id: uuid.UUID,
    start: datetime,
    end: datetime,
) -> list[tuple[datetime, datetime]]:
    if end <= start:
        raise invalid("to must be after from", "to")
    if end - start > MAX_RANGE:
        raise invalid("Ask for at most 62 days at a time", "to")
    ctx = await slot_context(uow, principal, provider_id, type_id)
    if ctx.availability is None or not could_book(principal, ctx):
        return []
    rules = rules_of(ctx.availability)
    duration = timedelta(minutes=ctx.kind.duration_minutes)
    margin = max(rules.buffer_before, rules.buffer_after) + duration
    busy = await busy_intervals(uow, provider_id, start - margin, end + margin)
    return slots(rules, duration=duration, busy=busy, start=start, end=end, now=uow.now())


def offered(
    ctx: SlotContext, busy: Busy, starts_at: datetime, *, at: datetime
) -> tuple[bool, bool]:
    """(inside the hours, free): whether ``starts_at`` is an offered slot, and if not, why."""
    if ctx.availability is None:
        return False, False
    rules = rules_of(ctx.availability)
    duration = timedelta(minutes=ctx.kind.duration_minutes)
    window = (starts_at - timedelta(days=1), starts_at + timedelta(days=1))
    nothing = Busy(())
    in_hours = any(
        s == starts_at
        for s, _ in slots(
            rules, duration=duration, busy=nothing, start=window[0], end=window[1], now=at
        )
    )
    free = in_hours and any(
        s == starts_at
        for s, _ in slots(
            rules, duration=duration, busy=busy, start=window[0], end=window[1], now=at
        )
    )
    return in_hours, free
