"""``email.send``: deliver one outbox row, exactly one worker at a time, retried on failure."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import or_, select, update

from carebase.gateways.email import send_smtp
from carebase.jobs.declare import actor
from carebase.models import Email, EmailStatus, utcnow

if TYPE_CHECKING:
    from carebase.jobs.runtime import JobRuntime

log = logging.getLogger("carebase.email")

MAX_ATTEMPTS = 8
CLAIM_TIMEOUT = timedelta(minutes=5)


class EmailNotSent(Exception):
    """Raised so Dramatiq retries with backoff; the row keeps the error."""


@actor("email.send", max_retries=MAX_ATTEMPTS, min_backoff=2_000, max_backoff=300_000)
async def send_email(runtime: JobRuntime, email_id: str) -> None:
    db = runtime.database()
    key = uuid.UUID(email_id)
    now = utcnow()
    async with db.unit_of_work(write=True) as uow:
        # the claim: a pending row, or one whose earlier sender vanished mid-send
        claimed = await uow.session.execute(
            update(Email)
            .where(
                Email.id == key,
                or_(
                    Email.status == EmailStatus.PENDING,
                    (Email.status == EmailStatus.SENDING) & (Email.next_attempt_at <= now),
                ),
            )
            .values(
                status=EmailStatus.SENDING,
                attempts=Email.attempts + 1,
                next_attempt_at=now + CLAIM_TIMEOUT,
            )
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return
        email = (await uow.session.execute(select(Email).where(Email.id == key))).scalar_one()
    settings = runtime.settings
    try:
        if settings.smtp_url.get_secret_value():
            await asyncio.to_thread(
                send_smtp,
                settings.smtp_url.get_secret_value(),
                sender=settings.email_from,
                to=email.to_address,
                subject=email.subject,
                body=email.body,
            )
            status = EmailStatus.SENT
        else:
            # the address, subject and body stay in the outbox row: they carry names and links
            log.info("email %s (%s) kept in the outbox: no SMTP configured", email.id, email.kind)
            status = EmailStatus.LOGGED
    except Exception as exc:
        final = email.attempts >= MAX_ATTEMPTS
        async with db.unit_of_work(write=True) as uow:
            await uow.session.execute(
                update(Email)
                .where(Email.id == key, Email.status == EmailStatus.SENDING)
                .values(
                    status=EmailStatus.FAILED if final else EmailStatus.PENDING,
                    last_error=f"{type(exc).__name__}: {exc}"[:2000],
                    # Dramatiq retries sooner; the scheduler picks it up after this if not
                    next_attempt_at=uow.now() + timedelta(minutes=10),
                )
            )
        # the error's text can name the recipient (a refused address): the row keeps it
        log.warning(
            "email %s (%s) not sent (attempt %s): %s",
            email_id,
            email.kind,
            email.attempts,
            type(exc).__name__,
        )
        if final:
            return
        raise EmailNotSent(f"email {email_id} not sent: {type(exc).__name__}") from None
    async with db.unit_of_work(write=True) as uow:
        await uow.session.execute(
            update(Email)
            .where(Email.id == key, Email.status == EmailStatus.SENDING)
            .values(status=status, sent_at=uow.now(), last_error=None, next_attempt_at=None)
        )
