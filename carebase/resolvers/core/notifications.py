"""Emails go out through the outbox: a row in this transaction, the send job after commit."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from carebase.db import UnitOfWork
from carebase.models import Email, Organization, SmsMessage


def portal_base(uow: UnitOfWork, org: Organization) -> str:
    return (org.portal_url or uow.settings.portal_url).rstrip("/")


def portal_link(uow: UnitOfWork, org: Organization, path: str, **query: str) -> str:
    link = f"{portal_base(uow, org)}/{path.lstrip('/')}"
    return f"{link}?{urlencode(query)}" if query else link


async def queue_email(
    uow: UnitOfWork,
    *,
    to: str,
    subject: str,
    body: str,
    kind: str,
    organization_id: uuid.UUID | None,
    account_id: uuid.UUID | None = None,
) -> Email:
    email = Email(
        organization_id=organization_id,
        account_id=account_id,
        to_address=to,
        subject=subject,
        body=body,
        kind=kind,
    )
    uow.session.add(email)
    await uow.session.flush()
    uow.enqueue("email.send", email.id)
    return email


async def queue_email_once(
    uow: UnitOfWork,
    *,
    dedupe_key: str,
    to: str,
    subject: str,
    body: str,
    kind: str,
    organization_id: uuid.UUID | None,
    account_id: uuid.UUID | None = None,
) -> Email | None:
    """Queue an email at most once ever under ``dedupe_key`` (the outbox column is unique):
    another path that saw the same success queues nothing and gets None."""
    sent = await uow.session.execute(select(Email.id).where(Email.dedupe_key == dedupe_key))
    if sent.first() is not None:
        return None
    email = Email(
        organization_id=organization_id,
        account_id=account_id,
        to_address=to,
        subject=subject,
        body=body,
        kind=kind,
        dedupe_key=dedupe_key,
    )
    try:
        # a concurrent writer of the same key loses here, not its whole transaction
        async with uow.session.begin_nested():
            uow.session.add(email)
    except IntegrityError:
        return None
    uow.enqueue("email.send", email.id)
    return email


async def queue_sms(
    uow: UnitOfWork,
    *,
    to: str,
    body: str,
    kind: str,
    organization_id: uuid.UUID | None,
    account_id: uuid.UUID | None = None,
) -> SmsMessage:
    sms = SmsMessage(
        organization_id=organization_id, account_id=account_id, to_number=to, body=body, kind=kind
    )
    uow.session.add(sms)
    await uow.session.flush()
    uow.enqueue("sms.send", sms.id)
    return sms
