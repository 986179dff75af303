"""The scheduler tick: select what is due, enqueue one job per row; a lost message is resent."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from sqlalchemy import and_, func, or_, select

from carebase import metrics
from carebase.db import Database
from carebase.jobs.billing import due_scheduled_payments, stalled_payments, unapplied_webhooks
from carebase.jobs.reminders import due_reminders
from carebase.jobs.sms import stalled_sms
from carebase.models import Email, EmailStatus, Reminder, ReminderStatus
from carebase.resolvers.chat.conversations import due_unread_notifications
from carebase.resolvers.webhooks.deliveries import due_deliveries, has_unfanned_events

log = logging.getLogger("carebase.scheduler")

# a pending email younger than this is still on its way from the request that made it
LOST_AFTER = timedelta(seconds=60)


async def tick(db: Database) -> int:
    """One pass. Jobs claim their rows with guarded updates, so two schedulers are safe."""
    now = db.clock.now()
    queued = 0
    async with db.unit_of_work() as uow:
        due = await uow.session.execute(
            select(Email.id)
            .where(
                or_(
                    and_(
                        Email.status == EmailStatus.PENDING,
                        Email.created_at <= now - LOST_AFTER,
                        or_(Email.next_attempt_at.is_(None), Email.next_attempt_at <= now),
                    ),
                    and_(Email.status == EmailStatus.SENDING, Email.next_attempt_at <= now),
                )
            )
            .limit(500)
        )
        for (email_id,) in due:
            uow.enqueue("email.send", email_id)
            queued += 1
        for reminder_id in await due_reminders(uow.session):
            uow.enqueue("reminders.send", reminder_id)
            queued += 1
        for payment_id in await due_scheduled_payments(uow):
            uow.enqueue("billing.charge_scheduled", payment_id)
            queued += 1
        for actor_name, payment_id in await stalled_payments(uow):
            uow.enqueue(actor_name, payment_id)
            queued += 1
        for sms_id in await stalled_sms(uow.session):
            uow.enqueue("sms.send", sms_id)
            queued += 1
        for event_id in await unapplied_webhooks(uow):
            uow.enqueue("billing.apply_webhook", event_id)
            queued += 1
        for notification_id in await due_unread_notifications(uow):
            uow.enqueue("chat.notify_unread", notification_id)
            queued += 1
        if await has_unfanned_events(uow):
            uow.enqueue("webhooks.fan_out")
            queued += 1
        for delivery_id in await due_deliveries(uow):
            uow.enqueue("webhooks.deliver", delivery_id)
            queued += 1
    return queued


async def run_forever(db: Database, interval: float, stop: asyncio.Event | None = None) -> None:
    stop = stop or asyncio.Event()
    while not stop.is_set():
        try:
            await tick(db)
        except Exception:
            metrics.record_tick(ok=False)
            log.exception("scheduler tick failed")
        else:
            metrics.record_tick(ok=True)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)


async def lag_seconds(db: Database) -> float:
    """How long the oldest due, unsent reminder has waited past its due time (0: none)."""
    now = db.clock.now()
    async with db.sessionmaker() as session:
        oldest = await session.scalar(
            select(func.min(Reminder.due_at)).where(
                Reminder.status == ReminderStatus.PENDING, Reminder.due_at <= now
            )
        )
    if oldest is None:
        return 0.0
    if oldest.tzinfo is None:  # SQLite hands back naive UTC
        oldest = oldest.replace(tzinfo=now.tzinfo)
    return float(max((now - oldest).total_seconds(), 0.0))
