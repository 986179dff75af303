"""``sms.send``: deliver one SMS outbox row through Twilio, or log it when not configured."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from carebase.gateways.sms import send_sms, twilio_configured
from carebase.jobs.declare import actor
from carebase.models import EmailStatus, SmsMessage, utcnow

if TYPE_CHECKING:
    from carebase.jobs.runtime import JobRuntime

log = logging.getLogger("carebase.sms")
MAX_ATTEMPTS = 6


class SmsNotSent(Exception):
    pass


@actor("sms.send", max_retries=MAX_ATTEMPTS, min_backoff=2_000, max_backoff=300_000)
async def send_text(runtime: JobRuntime, sms_id: str) -> None:
    db = runtime.database()
    key = uuid.UUID(sms_id)
    async with db.unit_of_work(write=True) as uow:
        claimed = await uow.session.execute(
            update(SmsMessage)
            .where(
                SmsMessage.id == key,
                or_(
                    SmsMessage.status == EmailStatus.PENDING,
                    and_(
                        SmsMessage.status == EmailStatus.SENDING,
                        SmsMessage.updated_at <= uow.now() - timedelta(minutes=10),
                    ),
                ),
            )
            .values(status=EmailStatus.SENDING, attempts=SmsMessage.attempts + 1)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return
        sms = (
            await uow.session.execute(select(SmsMessage).where(SmsMessage.id == key))
        ).scalar_one()
    settings = runtime.settings
    sid: str | None = None
    try:
        if twilio_configured(settings):
            sid = await asyncio.to_thread(send_sms, settings, to=sms.to_number, body=sms.body)
            status = EmailStatus.SENT
        else:
            # the number and body stay in the outbox row
            log.info("sms %s (%s) kept in the outbox: no Twilio configured", sms.id, sms.kind)
            status = EmailStatus.LOGGED
    except Exception as exc:
        final = sms.attempts >= MAX_ATTEMPTS
        async with db.unit_of_work(write=True) as uow:
            await uow.session.execute(
                update(SmsMessage)
                .where(SmsMessage.id == key)
                .values(
                    status=EmailStatus.FAILED if final else EmailStatus.PENDING,
                    last_error=f"{type(exc).__name__}: {exc}"[:2000],
                )
            )
        # Twilio's error text can quote the number: the row keeps it, the log gets the kind
        log.warning(
            "sms %s (%s) not sent (attempt %s): %s",
            sms_id,
            sms.kind,
            sms.attempts,
            type(exc).__name__,
        )
        if final:
            return
        raise SmsNotSent(f"sms {sms_id} not sent: {type(exc).__name__}") from None
    async with db.unit_of_work(write=True) as uow:
        await uow.session.execute(
            update(SmsMessage)
            .where(SmsMessage.id == key)
            .values(status=status, sent_at=uow.now(), provider_id=sid, last_error=None)
        )


async def stalled_sms(session: AsyncSession) -> list[uuid.UUID]:
    """Texts still pending a minute on (their message was lost), or left mid-send."""
    moment = utcnow()
    rows = await session.execute(
        select(SmsMessage.id)
        .where(
            or_(
                and_(
                    SmsMessage.status == EmailStatus.PENDING,
                    SmsMessage.created_at <= moment - timedelta(minutes=1),
                ),
                and_(
                    SmsMessage.status == EmailStatus.SENDING,
                    SmsMessage.updated_at <= moment - timedelta(minutes=10),
                ),
            )
        )
        .limit(500)
    )
    return [r for (r,) in rows.all()]
