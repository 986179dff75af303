"""Booking: in the portal, by a member, through the widget; series; no double booking."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import DBAPIError, IntegrityError

from carebase.auth.policy import (
    require_authenticated,
    require_member,
    require_publishable,
    scoped,
)
from carebase.auth.principal import Principal
from carebase.auth.tokens import hash_secret, random_token
from carebase.db import UnitOfWork
from carebase.errors import DomainError, ErrorCode, forbidden, invalid
from carebase.gateways.zoom import ZoomGateway
from carebase.hooks import AppointmentsBooked, BookingRequested
from carebase.models import (
    LIVE_STATUSES,
    Account,
    Appointment,
    AppointmentEventKind,
    AppointmentType,
    Organization,
    Role,
    SlotHold,
    VideoProvider,
)
from carebase.resolvers.core import audit
from carebase.resolvers.core.checks import aware, check_email, check_name
from carebase.resolvers.core.idempotency import run_idempotent
from carebase.resolvers.core.lookups import get_client
from carebase.resolvers.core.notifications import portal_link
from carebase.resolvers.core.rate_limits import hit
from carebase.resolvers.scheduling.availability import (
    SlotContext,
    busy_in_windows,
    could_book,
    offered,
    slot_context,
)
from carebase.resolvers.scheduling.events import email_client, plan_reminders, record_event
from carebase.resolvers.scheduling.holds import check_metadata, new_hold, take_hold
from carebase.resolvers.scheduling.manage_tokens import manage_link
from carebase.resolvers.scheduling.slots import Busy

MAX_SERIES = 52
PUBLIC_BOOKINGS_PER_HOUR = 20

# Checks other areas add before a booking (the intake gate), and what they do after one
# (drawing a package credit), without this module importing them.


@dataclass(frozen=True)
class Recurrence:
    interval: int = 1
    count: int = 1


def _check_start(starts_at: datetime) -> datetime:
    starts_at = aware(starts_at, "startsAt")
    if starts_at.second or starts_at.microsecond:
        raise invalid("Appointments start on a whole minute", "startsAt")
    return starts_at


def occurrences(first: datetime, recurrence: Recurrence | None, timezone: str) -> list[datetime]:
    """Weekly starts that keep the wall-clock time across daylight-saving changes."""
    if recurrence is None:
        return [first]
    if not 1 <= recurrence.count <= MAX_SERIES:
        raise invalid(f"A series has 1 to {MAX_SERIES} appointments", ["recurrence", "count"])
    if not 1 <= recurrence.interval <= 12:
        raise invalid("Repeat every 1 to 12 weeks", ["recurrence", "interval"])
    zone = ZoneInfo(timezone)
    local = first.astimezone(zone).replace(tzinfo=None)
    return [
        (local + timedelta(weeks=i * recurrence.interval)).replace(tzinfo=zone).astimezone(UTC)
        for i in range(recurrence.count)
    ]


async def _live_overlapping(
    uow: UnitOfWork,
    provider_id: uuid.UUID,
    spans: Sequence[tuple[datetime, datetime]],
    ignore: uuid.UUID | None = None,
) -> Busy:
    """The provider's live appointments over any of ``spans``, in one statement."""
    stmt = select(Appointment.starts_at, Appointment.ends_at).where(
        Appointment.provider_id == provider_id,
        Appointment.status.in_(LIVE_STATUSES),
        or_(
            *(
                and_(Appointment.starts_at < end, Appointment.ends_at > start)
                for start, end in spans
            )
        ),
    )
    if ignore is not None:
        stmt = stmt.where(Appointment.id != ignore)
    return Busy((s, e) for s, e in (await uow.session.execute(stmt)).all())


async def check_time(
    uow: UnitOfWork,
    ctx: SlotContext,
    starts_at: datetime,
    *,
    override: bool,
    ignore: uuid.UUID | None = None,
    ignore_hold: uuid.UUID | None = None,
    field: str = "startsAt",
) -> None:
    """An offered slot, or with ``override`` any time not over another live appointment."""
    [failure] = await check_times(
        uow,
        ctx,
        [starts_at],
        override=override,
        ignore=ignore,
        ignore_hold=ignore_hold,
        field=field,
    )
    if failure is not None:
        raise failure


async def check_times(
    uow: UnitOfWork,
    ctx: SlotContext,
    starts: Sequence[datetime],
    *,
    override: bool,
    ignore: uuid.UUID | None = None,
    ignore_hold: uuid.UUID | None = None,
    field: str = "startsAt",
) -> list[DomainError | None]:
    """``check_time`` for each start (a series), reading what is busy in one statement."""
    duration = timedelta(minutes=ctx.kind.duration_minutes)
    spans = [(start, start + duration) for start in starts]
    if override:
        live = await _live_overlapping(uow, ctx.provider.id, spans, ignore)
        return [
            DomainError(
                ErrorCode.SLOT_UNAVAILABLE, "The provider has another appointment then", field
            )
            if live.overlaps(start, end)
            else None
            for start, end in spans
        ]
    margin = timedelta(days=2)
    busy = await busy_in_windows(
        uow,
        ctx.provider.id,
        [(start - margin, end + margin) for start, end in spans],
        ignore=ignore,
        ignore_hold=ignore_hold,
    )
    failures: list[DomainError | None] = []
    for start in starts:
        in_hours, free = offered(ctx, busy, start, at=uow.now())
        if not in_hours:
            failures.append(
                DomainError(
                    ErrorCode.OUTSIDE_AVAILABILITY,
                    "That time is not one the provider offers",
                    field,
                )
            )
        elif not free:
            failures.append(
                DomainError(ErrorCode.SLOT_UNAVAILABLE, "That time has just been taken", field)
            )
        else:
            failures.append(None)
    return failures


async def save_times(
    uow: UnitOfWork,
    new: Sequence[Appointment] = (),
    *,
    move: tuple[Appointment, datetime, datetime] | None = None,
) -> None:
    """Write new appointments, or ``move`` one to (start, end). The database has the last
    word (PostgreSQL's exclusion constraint): a lost race is SLOT_UNAVAILABLE, never an
    exception. The move is made inside the savepoint: opening one flushes what is pending
    first, and a move flushed there would fail the whole transaction, not the savepoint."""
    try:
        async with uow.session.begin_nested():
            uow.session.add_all(new)
            if move is not None:
                moved, starts_at, ends_at = move
                moved.starts_at, moved.ends_at = starts_at, ends_at
            await uow.session.flush()
    except IntegrityError:
        raise DomainError(
            ErrorCode.SLOT_UNAVAILABLE, "That time has just been taken", "startsAt"
        ) from None
    except DBAPIError as exc:
        # two inserts checking the exclusion constraint for overlapping times can deadlock;
        # PostgreSQL aborts one (40P01) and the other goes on: the aborted one lost the race
        code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
        if code != "40P01":
            raise
        raise DomainError(
            ErrorCode.SLOT_UNAVAILABLE, "That time has just been taken", "startsAt"
        ) from None


async def _create_video(
    uow: UnitOfWork, kind: AppointmentType, rows: list[Appointment], provider: Account
) -> None:
    if kind.video_provider is not VideoProvider.ZOOM:
        return
    gateway = ZoomGateway(uow.settings)
    for appointment in rows:
        meeting = await gateway.create_meeting(
            topic=kind.name,
            starts_at=appointment.starts_at,
            duration_minutes=kind.duration_minutes,
            timezone=provider.timezone,
        )
        appointment.zoom_meeting_id = meeting.id
        appointment.zoom_join_url = meeting.join_url


async def _book(
    uow: UnitOfWork,
    principal: Principal,
    *,
    ctx: SlotContext,
    client: Account,
    starts: list[datetime],
    override: bool,
    use_package_credit: bool,
    unverified: bool = False,
    hold_id: uuid.UUID | None = None,
    metadata: dict[str, Any] | None = None,
) -> list[Appointment]:
    errors: list[str] = []
    first_error: DomainError | None = None
    checked = await check_times(uow, ctx, starts, override=override, ignore_hold=hold_id)
    for start, error in zip(starts, checked, strict=True):
        if error is not None:
            first_error = first_error or error
            zone = ZoneInfo(ctx.availability.timezone if ctx.availability else client.timezone)
            errors.append(start.astimezone(zone).date().isoformat())
    if first_error is not None:
        if len(starts) > 1:
            raise DomainError(
                first_error.code,
                f"These dates cannot be booked: {', '.join(errors)}",
                "startsAt",
            )
        raise first_error
    series = uuid.uuid4() if len(starts) > 1 else None
    duration = timedelta(minutes=ctx.kind.duration_minutes)
    rows = [
        Appointment(
            id=uuid.uuid4(),
            organization_id=ctx.organization.id,
            client_id=client.id,
            provider_id=ctx.provider.id,
            appointment_type_id=ctx.kind.id,
            starts_at=start,
            ends_at=start + duration,
            series_id=series,
            booked_by_id=principal.account_id,
            unverified=unverified,
            booking_metadata=metadata,
        )
        for start in starts
    ]
    await save_times(uow, rows)
    await _create_video(uow, ctx.kind, rows, ctx.provider)
    for appointment in rows:
        record_event(uow, appointment, AppointmentEventKind.BOOKED, actor_id=principal.account_id)
        await plan_reminders(uow, appointment, ctx.organization, new=True)
        audit.record(
            uow,
            principal,
            action="write",
            resource="appointment",
            resource_id=appointment.id,
            client_id=client.id,
            operation="bookAppointment",
        )
    await uow.emit(AppointmentsBooked(principal, rows, use_package_credit))
    return rows


async def book_appointment(
    uow: UnitOfWork,
    principal: Principal,
    *,
    type_id: uuid.UUID,
    provider_id: uuid.UUID,
    starts_at: datetime,
    client_id: uuid.UUID | None = None,
    override: bool = False,
    recurrence: Recurrence | None = None,
    use_package_credit: bool = True,
    idempotency_key: str | None = None,
) -> list[Appointment]:
    require_authenticated(principal)
    assert principal.organization_id
    request: dict[str, Any] = {
        "type": str(type_id),
        "provider": str(provider_id),
        "startsAt": starts_at.isoformat(),
        "client": str(client_id) if client_id else None,
        "override": override,
        "recurrence": [recurrence.interval, recurrence.count] if recurrence else None,
        "credit": use_package_credit,
        "by": str(principal.account_id),
    }

    async def execute() -> list[Appointment]:
        start = _check_start(starts_at)
        org = await uow.session.get_one(Organization, principal.organization_id)
        if principal.is_client:
            if client_id is not None and client_id != principal.client_id:
                raise forbidden("Clients book only for themselves")
            if override:
                raise forbidden("Only members may book outside the offered times")
            if not org.clients_can_book:
                raise DomainError(
                    ErrorCode.BOOKING_DISABLED, "This practice takes bookings by its staff only"
                )
            assert principal.client_id
            client = await get_client(uow, principal, principal.client_id, audit_read=False)
        else:
            require_member(principal, "appointments", write=True)
            if client_id is None:
                raise invalid("Name the client to book for", "clientId")
            client = await get_client(uow, principal, client_id, audit_read=False)
            if client.archived_at is not None:
                raise invalid("This client is archived", "clientId")
        await uow.emit(BookingRequested(principal, client, org))
        ctx = await slot_context(uow, principal, provider_id, type_id)
        if principal.is_client and not ctx.kind.bookable_by_clients:
            raise DomainError(
                ErrorCode.BOOKING_DISABLED,
                "This type is booked by the practice",
                "appointmentTypeId",
            )
        zone = ctx.availability.timezone if ctx.availability else ctx.provider.timezone
        rows = await _book(
            uow,
            principal,
            ctx=ctx,
            client=client,
            starts=occurrences(start, recurrence, zone),
            override=override,
            use_package_credit=use_package_credit,
        )
        await email_client(
            uow,
            rows[0],
            subject="Your appointment is booked"
            if len(rows) == 1
            else f"Your {len(rows)} appointments are booked",
            lead="Your appointment is booked."
            if len(rows) == 1
            else f"Your series of {len(rows)} weekly appointments is booked; the first is below.",
            kind="appointment_booked",
        )
        return rows

    return await run_idempotent(
        uow,
        organization_id=principal.organization_id,
        operation="bookAppointment",
        key=idempotency_key,
        request=request,
        execute=execute,
        remember=lambda rows: {"appointments": [str(a.id) for a in rows]},
        replay=lambda saved: _reload(uow, principal, saved["appointments"]),
    )


async def _reload(uow: UnitOfWork, principal: Principal, ids: list[str]) -> list[Appointment]:
    """A replayed response, read again as the caller may read it."""
    keys = [uuid.UUID(i) for i in ids]
    stmt = select(Appointment).where(Appointment.id.in_(keys))
    if principal.kind != "publishable":
        stmt = scoped(stmt, principal, Appointment.organization_id, Appointment.client_id)
    rows = await uow.session.execute(stmt)
    found = {a.id: a for a in rows.scalars()}
    return [found[k] for k in keys if k in found]


async def hold_slot(
    uow: UnitOfWork,
    principal: Principal,
    *,
    type_id: uuid.UUID,
    provider_id: uuid.UUID,
    starts_at: datetime,
) -> SlotHold:
    """Keep an offered time for a few minutes: for the widget (publishable key) while its
    visitor types, or for a signed-in caller who may book it."""
    if principal.kind != "publishable":
        require_authenticated(principal)
    assert principal.organization_id
    start = _check_start(starts_at)
    ctx = await slot_context(uow, principal, provider_id, type_id)
    if not could_book(principal, ctx):
        raise DomainError(
            ErrorCode.BOOKING_DISABLED,
            "Online booking is turned off"
            if principal.kind == "publishable"
            else "This time cannot be booked here",
        )
    await check_time(uow, ctx, start, override=False)
    return await new_hold(
        uow,
        organization_id=principal.organization_id,
        provider_id=ctx.provider.id,
        type_id=ctx.kind.id,
        starts_at=start,
        ends_at=start + timedelta(minutes=ctx.kind.duration_minutes),
        address=principal.ip or str(principal.account_id or "unknown"),
    )


@dataclass(frozen=True)
class PublicClient:
    name: str
    email: str
    phone: str | None = None


async def book_appointment_public(
    uow: UnitOfWork,
    principal: Principal,
    *,
    type_id: uuid.UUID,
    provider_id: uuid.UUID,
    starts_at: datetime,
    client: PublicClient,
    idempotency_key: str | None = None,
    hold_id: uuid.UUID | None = None,
    metadata: Any = None,
) -> Appointment:
    require_publishable(principal, "The widget books with the practice's publishable key")
    org_key = principal.organization_id
    assert org_key is not None
    tags = check_metadata(metadata)
    request = {
        "type": str(type_id),
        "provider": str(provider_id),
        "startsAt": starts_at.isoformat(),
        "client": [client.name, client.email.strip().lower(), client.phone],
        "hold": str(hold_id) if hold_id else None,
        "metadata": tags,
    }

    async def execute() -> list[Appointment]:
        start = _check_start(starts_at)
        org = await uow.session.get_one(Organization, org_key)
        if not org.booking_outside_portal:
            raise DomainError(ErrorCode.BOOKING_DISABLED, "Online booking is turned off")
        email = check_email(client.email, ["client", "email"])
        name = check_name(client.name, ["client", "name"])
        ctx = await slot_context(uow, principal, provider_id, type_id)
        hold = (
            await take_hold(
                uow, org.id, hold_id, provider_id=provider_id, type_id=type_id, starts_at=start
            )
            if hold_id is not None
            else None
        )
        await hit(
            uow,
            f"public-booking:{principal.ip}",
            limit=PUBLIC_BOOKINGS_PER_HOUR,
            window=timedelta(hours=1),
            message="Too many bookings from this address; try later",
            count_failures=True,
        )
        existing = (
            await uow.session.execute(
                select(Account).where(Account.organization_id == org.id, Account.email == email)
            )
        ).scalar_one_or_none()
        if existing is not None and (
            existing.role is not Role.CLIENT or existing.archived_at is not None
        ):
            raise DomainError(
                ErrorCode.BOOKING_DISABLED,
                "This booking cannot be made online; please contact the practice",
                ["client", "email"],
            )
        unverified = existing is not None
        if existing is None:
            from carebase.resolvers.people.clients import create_client_record

            booked_for = await create_client_record(
                uow,
                principal,
                org,
                name=name,
                email=email,
                phone=client.phone,
                send_invitation_email=True,
            )
        else:
            booked_for = existing
        [appointment] = await _book(
            uow,
            principal,
            ctx=ctx,
            client=booked_for,
            starts=[start],
            override=False,
            use_package_credit=True,
            unverified=unverified,
            hold_id=hold.id if hold else None,
            metadata=tags,
        )
        if hold is not None:
            hold.used_at = uow.now()
            hold.appointment_id = appointment.id
        manage = f"Change or cancel: {manage_link(uow, appointment)}"
        if unverified:
            token = random_token()
            appointment.confirm_token_hash = hash_secret(token)
            link = portal_link(uow, org, "confirm-appointment", token=token)
            await email_client(
                uow,
                appointment,
                subject="Please confirm your appointment",
                lead="Someone booked this appointment with your email address. "
                "Please confirm it was you:",
                kind="appointment_confirm",
                extra=f"Confirm: {link}\n\n{manage}",
            )
        else:
            await email_client(
                uow,
                appointment,
                subject="Your appointment is booked",
                lead="Your appointment is booked.",
                kind="appointment_booked",
                extra=manage,
            )
        return [appointment]

    rows = await run_idempotent(
        uow,
        organization_id=org_key,
        operation="bookAppointmentPublic",
        key=idempotency_key,
        request=request,
        execute=execute,
        remember=lambda rows: {"appointments": [str(a.id) for a in rows]},
        replay=lambda saved: _reload(uow, principal, saved["appointments"]),
    )
    return rows[0]


async def confirm_appointment(uow: UnitOfWork, *, token: str) -> Appointment:
    found = (
        await uow.session.execute(
            select(Appointment).where(Appointment.confirm_token_hash == hash_secret(token))
        )
    ).scalar_one_or_none()
    if found is None:
        raise DomainError(ErrorCode.TOKEN_INVALID, "This link is not valid", "token")
    if found.starts_at <= uow.now():
        raise DomainError(ErrorCode.TOKEN_EXPIRED, "This appointment has already begun", "token")
    found.unverified = False
    found.confirm_token_hash = None
    record_event(uow, found, AppointmentEventKind.CONFIRMED, actor_id=found.client_id)
    client_principal = Principal(
        kind="user",
        organization_id=found.organization_id,
        account_id=found.client_id,
        role=Role.CLIENT,
    )
    await uow.emit(AppointmentsBooked(client_principal, [found], True))
    audit.record(
        uow,
        client_principal,
        action="write",
        resource="appointment",
        resource_id=found.id,
        client_id=found.client_id,
        operation="confirmAppointment",
    )
    return found
