"""What follows an appointment change in the same transaction: the event row (the outbox
that billing, reminders and subscriptions read), reminder plans and the client's email."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from carebase import pubsub
from carebase.db import UnitOfWork
from carebase.models import (
    Account,
    Appointment,
    AppointmentEvent,
    AppointmentEventKind,
    AppointmentStatus,
    AppointmentType,
    Organization,
    Reminder,
    ReminderStatus,
    WebhookEventType,
)
from carebase.resolvers.core.notifications import queue_email
from carebase.resolvers.core.outbox import record_change
from carebase.resolvers.scheduling.video import client_join_url

# what a partner's webhook hears of each kind of change (a confirmation is not an event there)
WEBHOOK_TYPES = {
    AppointmentEventKind.BOOKED: WebhookEventType.APPOINTMENT_BOOKED,
    AppointmentEventKind.RESCHEDULED: WebhookEventType.APPOINTMENT_RESCHEDULED,
    AppointmentEventKind.CANCELLED: WebhookEventType.APPOINTMENT_CANCELLED,
    AppointmentEventKind.STATUS_CHANGED: WebhookEventType.APPOINTMENT_STATUS_CHANGED,
}


def record_event(
    uow: UnitOfWork,
    appointment: Appointment,
    kind: AppointmentEventKind,
    *,
    actor_id: uuid.UUID | None,
    from_starts_at: datetime | None = None,
    from_status: AppointmentStatus | None = None,
    note: str | None = None,
) -> AppointmentEvent:
    event = AppointmentEvent(
        id=uuid.uuid4(),  # known now: the live event names it
        organization_id=appointment.organization_id,
        appointment_id=appointment.id,
        kind=kind,
        actor_id=actor_id,
        from_starts_at=from_starts_at,
        to_starts_at=appointment.starts_at,
        from_status=from_status,
        to_status=appointment.status,
        note=note,
    )
    uow.session.add(event)
    webhook_type = WEBHOOK_TYPES.get(kind)
    if webhook_type is not None:
        record_change(
            uow,
            webhook_type,
            organization_id=appointment.organization_id,
            resource_type="Appointment",
            resource_id=appointment.id,
            client_id=appointment.client_id,
            actor_id=actor_id,
        )
    payload = {"appointment_id": str(appointment.id), "change_id": str(event.id)}
    channel = appointments_channel(appointment.organization_id)
    uow.after_commit.append(lambda: pubsub.current().publish(channel, payload))
    return event


def appointments_channel(organization_id: uuid.UUID) -> str:
    return f"organization:{organization_id}:appointments"


async def cancel_reminders(uow: UnitOfWork, appointment_ids: list[uuid.UUID]) -> None:
    await uow.session.execute(
        update(Reminder)
        .where(
            Reminder.appointment_id.in_(appointment_ids), Reminder.status == ReminderStatus.PENDING
        )
        .values(status=ReminderStatus.CANCELLED)
    )


async def plan_reminders(
    uow: UnitOfWork, appointment: Appointment, org: Organization, *, new: bool = False
) -> None:
    """One row per (offset, channel), never for a time already past; replaces pending ones
    (``new``: the appointment was just made in this unit, so it has none to replace)."""
    if not new:
        await cancel_reminders(uow, [appointment.id])
    if appointment.status is not AppointmentStatus.BOOKED:
        return
    moment = uow.now()
    for offset in org.reminder_offsets_minutes:
        due = appointment.starts_at - timedelta(minutes=int(offset))
        if due <= moment:
            continue
        for channel in org.reminder_channels:
            uow.session.add(
                Reminder(
                    organization_id=appointment.organization_id,
                    appointment_id=appointment.id,
                    kind="appointment",
                    offset_minutes=int(offset),
                    channel=str(channel),
                    due_at=due,
                )
            )

    if org.intake_reminder_enabled:
        # sent only if required intake is still pending when it falls due
        due = appointment.starts_at - timedelta(minutes=org.intake_reminder_offset_minutes)
        if due > moment:
            uow.session.add(
                Reminder(
                    organization_id=appointment.organization_id,
                    appointment_id=appointment.id,
                    kind="intake",
                    offset_minutes=org.intake_reminder_offset_minutes,
                    channel="EMAIL",
                    due_at=due,
                )
            )


async def replan_organization_reminders(uow: UnitOfWork, org: Organization) -> None:
    """After the alert settings change, every future booked appointment gets new plans."""
    future = await uow.session.execute(
        select(Appointment).where(
            Appointment.organization_id == org.id,
            Appointment.status == AppointmentStatus.BOOKED,
            Appointment.starts_at > uow.now(),
        )
    )
    for appointment in future.scalars():
        await plan_reminders(uow, appointment, org)


def local_time(moment: datetime, timezone: str) -> str:
    local = moment.astimezone(ZoneInfo(timezone))
    return local.strftime("%A, %B %-d, %Y at %-I:%M %p ") + (local.tzname() or timezone)


async def email_client(
    uow: UnitOfWork,
    appointment: Appointment,
    *,
    subject: str,
    lead: str,
    kind: str,
    extra: str = "",
) -> None:
    client = await uow.session.get_one(Account, appointment.client_id)
    provider = await uow.session.get_one(Account, appointment.provider_id)
    appointment_type = await uow.session.get_one(AppointmentType, appointment.appointment_type_id)
    org = await uow.session.get_one(Organization, appointment.organization_id)
    lines = [
        f"Hello {client.name},",
        "",
        lead,
        "",
        f"What: {appointment_type.name} with {provider.name}",
        f"When: {local_time(appointment.starts_at, client.timezone)}",
    ]
    join = client_join_url(uow, appointment, appointment_type, org)
    if join and appointment.status is AppointmentStatus.BOOKED:
        lines.append(f"Join: {join}")
    if extra:
        lines += ["", extra]
    lines += ["", org.name]
    await queue_email(
        uow,
        to=client.email,
        subject=subject,
        body="\n".join(lines) + "\n",
        kind=kind,
        organization_id=org.id,
        account_id=client.id,
    )
