"""``reminders.send``: one due reminder, sent exactly once (its claim and its message are one
transaction, so a retried job or a second scheduler finds nothing left to do)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from carebase.jobs.declare import actor
from carebase.models import (
    Account,
    Appointment,
    AppointmentStatus,
    AppointmentType,
    ContactType,
    Organization,
    Reminder,
    ReminderStatus,
    utcnow,
)
from carebase.resolvers.core.notifications import portal_link, queue_email, queue_sms
from carebase.resolvers.intake.requests import has_pending_required
from carebase.resolvers.scheduling.events import local_time
from carebase.resolvers.scheduling.video import client_join_url

if TYPE_CHECKING:
    from carebase.jobs.runtime import JobRuntime


@actor("reminders.send", max_retries=5)
async def send_reminder(runtime: JobRuntime, reminder_id: str) -> None:
    db = runtime.database()
    key = uuid.UUID(reminder_id)
    async with db.unit_of_work(write=True) as uow:
        claimed = await uow.session.execute(
            update(Reminder)
            .where(
                Reminder.id == key,
                Reminder.status == ReminderStatus.PENDING,
                Reminder.due_at <= uow.now(),
            )
            .values(status=ReminderStatus.SENT, sent_at=uow.now())
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return
        reminder = await uow.session.get_one(Reminder, key)
        appointment = await uow.session.get_one(Appointment, reminder.appointment_id)
        if appointment.status is not AppointmentStatus.BOOKED or appointment.starts_at <= uow.now():
            reminder.status = ReminderStatus.CANCELLED
            return
        client = await uow.session.get_one(Account, appointment.client_id)
        provider = await uow.session.get_one(Account, appointment.provider_id)
        kind = await uow.session.get_one(AppointmentType, appointment.appointment_type_id)
        org = await uow.session.get_one(Organization, appointment.organization_id)
        when = local_time(appointment.starts_at, client.timezone)
        if reminder.kind == "intake":
            if not await has_pending_required(uow, client.id):
                reminder.status = ReminderStatus.CANCELLED  # done in time: nothing to send
                return
            await queue_email(
                uow,
                to=client.email,
                subject=f"Reminder: please complete your intake forms before {when}",
                body=(
                    f"Hello {client.name},\n\nYour appointment ({kind.name} with "
                    f"{provider.name}) is on {when}. Some of your intake forms are not done "
                    f"yet; please complete them before then:\n\n"
                    f"{portal_link(uow, org, 'intake')}\n\n{org.name}\n"
                ),
                kind="intake_reminder",
                organization_id=org.id,
                account_id=client.id,
            )
            return
        if kind.contact_type is ContactType.VIDEO:
            # the client's link only: a host link never goes to a client
            how = f"Join by video: {client_join_url(uow, appointment, kind, org)}"
        elif kind.contact_type is ContactType.PHONE:
            how = f"{provider.name} will call you at {client.phone or 'the number on file'}."
        else:
            how = f"In person at {org.name}."
        if reminder.channel == "SMS":
            if client.phone:
                await queue_sms(
                    uow,
                    to=client.phone,
                    kind="appointment_reminder",
                    body=f"Reminder: {kind.name} with {provider.name}, {when}. {how}",
                    organization_id=org.id,
                    account_id=client.id,
                )
            return
        await queue_email(
            uow,
            to=client.email,
            subject=f"Reminder: {kind.name} with {provider.name}, {when}",
            body=(
                f"Hello {client.name},\n\nThis is a reminder of your appointment.\n\n"
                f"What: {kind.name} with {provider.name}\nWhen: {when}\n{how}\n\n{org.name}\n"
            ),
            kind="appointment_reminder",
            organization_id=org.id,
            account_id=client.id,
        )


async def due_reminders(session: AsyncSession, limit: int = 500) -> list[uuid.UUID]:
    rows = await session.execute(
        select(Reminder.id)
        .where(Reminder.status == ReminderStatus.PENDING, Reminder.due_at <= utcnow())
        .order_by(Reminder.due_at)
        .limit(limit)
    )
    return [r for (r,) in rows.all()]
