"""Every actor of every process, listed: the runtime binds exactly these (a test checks that
no `@actor` function is missing)."""

from __future__ import annotations

from carebase.jobs import billing, chat, email, reminders, sms, webhooks
from carebase.jobs.declare import ActorFn, ActorSpec, spec_of

ACTORS: tuple[ActorFn, ...] = (
    email.send_email,
    sms.send_text,
    reminders.send_reminder,
    chat.notify_unread,
    billing.charge_appointment,
    billing.charge_scheduled,
    billing.reconcile,
    billing.retry_refund,
    billing.apply_webhook,
    webhooks.fan_out,
    webhooks.deliver,
)


def specs() -> list[ActorSpec]:
    return [spec_of(fn) for fn in ACTORS]
