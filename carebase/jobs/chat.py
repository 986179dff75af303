"""``chat.notify_unread``: one "You have a new message" email for a message the client has
not read ten minutes on; no message content in email (no PHI)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from carebase.jobs.declare import actor
from carebase.models import (
    Account,
    ConversationParticipant,
    Message,
    NotificationStatus,
    Organization,
    UnreadNotification,
)
from carebase.resolvers.core.notifications import portal_link, queue_email

if TYPE_CHECKING:
    from carebase.jobs.runtime import JobRuntime


@actor("chat.notify_unread", max_retries=5)
async def notify_unread(runtime: JobRuntime, notification_id: str) -> None:
    db = runtime.database()
    key = uuid.UUID(notification_id)
    async with db.unit_of_work(write=True) as uow:
        claimed = await uow.session.execute(
            update(UnreadNotification)
            .where(
                UnreadNotification.id == key,
                UnreadNotification.status == NotificationStatus.PENDING,
                UnreadNotification.due_at <= uow.now(),
            )
            .values(status=NotificationStatus.SENT)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return
        notification = await uow.session.get_one(UnreadNotification, key)
        message = await uow.session.get_one(Message, notification.message_id)
        read_at = (
            await uow.session.execute(
                select(ConversationParticipant.last_read_at).where(
                    ConversationParticipant.conversation_id == message.conversation_id,
                    ConversationParticipant.account_id == notification.client_id,
                )
            )
        ).scalar_one_or_none()
        if read_at is not None and read_at >= message.created_at:
            notification.status = NotificationStatus.CANCELLED
            return
        client = await uow.session.get_one(Account, notification.client_id)
        org = await uow.session.get_one(Organization, notification.organization_id)
        await queue_email(
            uow,
            to=client.email,
            subject="You have a new message",
            body=(
                f"Hello {client.name},\n\nYou have a new message from {org.name}. "
                f"Read it in your portal:\n\n{portal_link(uow, org, 'messages')}\n\n{org.name}\n"
            ),
            kind="chat_unread",
            organization_id=org.id,
            account_id=client.id,
        )
