"""Chat between a practice and a client: conversations, messages, read marks, live events."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import and_, func, or_, select, update

from carebase import pubsub
from carebase.auth.policy import require_authenticated, require_member
from carebase.auth.principal import Principal
from carebase.db import UnitOfWork
from carebase.errors import forbidden, invalid, not_found
from carebase.models import (
    MEMBER_ROLES,
    Account,
    Appointment,
    AppointmentType,
    Conversation,
    ConversationParticipant,
    Message,
    NotificationStatus,
    Organization,
    UnreadNotification,
    WebhookEventType,
)
from carebase.resolvers.core import audit
from carebase.resolvers.core.lookups import get_client
from carebase.resolvers.core.outbox import record_change
from carebase.resolvers.core.pagination import Order, Page, PageRequest, asc, desc, paginate
from carebase.resolvers.scheduling.video import client_join_url

MAX_BODY = 10_000
UNREAD_EMAIL_AFTER = timedelta(minutes=10)


def conversation_channel(conversation_id: uuid.UUID) -> str:
    return f"conversation:{conversation_id}"


def _require_chat(principal: Principal, *, write: bool) -> None:
    require_authenticated(principal)
    if not principal.is_client:
        require_member(principal, "chat", write=write)


async def _members(
    uow: UnitOfWork, organization_id: uuid.UUID, ids: Sequence[uuid.UUID]
) -> list[Account]:
    rows = list(
        (
            await uow.session.execute(
                select(Account).where(
                    Account.id.in_(ids),
                    Account.organization_id == organization_id,
                    Account.role.in_(MEMBER_ROLES),
                )
            )
        ).scalars()
    )
    if len(rows) != len(set(ids)):
        raise invalid("Every member must belong to the practice", "memberIds")
    return rows


async def start_conversation(
    uow: UnitOfWork,
    principal: Principal,
    *,
    client_id: uuid.UUID,
    member_ids: Sequence[uuid.UUID] | None = None,
) -> Conversation:
    """One open conversation per client and provider: starting it again returns it."""
    _require_chat(principal, write=True)
    client = await get_client(uow, principal, client_id, audit_read=False)
    if member_ids is None:
        if principal.is_member:
            member_ids = [principal.account_id]  # type: ignore[list-item]
        elif client.provider_id:
            member_ids = [client.provider_id]
        else:
            raise invalid("Name the practice members to talk to", "memberIds")
    members = await _members(uow, client.organization_id, list(dict.fromkeys(member_ids)))
    if principal.is_member and principal.account_id not in {m.id for m in members}:
        members.append(await uow.session.get_one(Account, principal.account_id))
    if len(members) == 1:
        existing = (
            await uow.session.execute(
                select(Conversation)
                .join(
                    ConversationParticipant,
                    ConversationParticipant.conversation_id == Conversation.id,
                )
                .where(
                    Conversation.client_id == client.id,
                    Conversation.closed_at.is_(None),
                    ConversationParticipant.account_id == members[0].id,
                    ConversationParticipant.removed_at.is_(None),
                )
                .order_by(Conversation.created_at)
                .limit(1)
            )
        ).scalar_one_or_none()
        if existing is not None:
            return existing
    conversation = Conversation(
        organization_id=client.organization_id,
        client_id=client.id,
        started_by_id=principal.account_id,
    )
    uow.session.add(conversation)
    await uow.session.flush()
    uow.session.add_all(
        ConversationParticipant(conversation_id=conversation.id, account_id=a.id)
        for a in [client, *members]
    )
    await uow.session.flush()
    audit.record(
        uow,
        principal,
        action="write",
        resource="conversation",
        resource_id=conversation.id,
        client_id=client.id,
        operation="startConversation",
    )
    return conversation


async def get_conversation(
    uow: UnitOfWork,
    principal: Principal,
    conversation_id: uuid.UUID,
    *,
    write: bool = False,
    field: str = "conversationId",
) -> Conversation:
    """Only the conversation's client and its (current) members may read or post."""
    _require_chat(principal, write=write)
    found = (
        await uow.session.execute(
            select(Conversation)
            .join(
                ConversationParticipant, ConversationParticipant.conversation_id == Conversation.id
            )
            .where(
                Conversation.id == conversation_id,
                Conversation.organization_id == principal.organization_id,
                ConversationParticipant.account_id == principal.account_id,
                ConversationParticipant.removed_at.is_(None),
            )
        )
    ).scalar_one_or_none()
    if found is None:
        raise not_found("No such conversation", field)
    return found


async def send_message(
    uow: UnitOfWork,
    principal: Principal,
    *,
    conversation_id: uuid.UUID,
    body: str,
    appointment_id: uuid.UUID | None = None,
) -> Message:
    conversation = await get_conversation(uow, principal, conversation_id, write=True)
    body = body.strip()
    if not body or len(body) > MAX_BODY:
        raise invalid(f"A message is 1 to {MAX_BODY:,} characters of text", "body")
    join_url = None
    if appointment_id is not None:
        appointment = (
            await uow.session.execute(
                select(Appointment).where(
                    Appointment.id == appointment_id,
                    Appointment.client_id == conversation.client_id,
                )
            )
        ).scalar_one_or_none()
        if appointment is None:
            raise not_found("No such appointment of this client", "appointmentId")
        kind = await uow.session.get_one(AppointmentType, appointment.appointment_type_id)
        org = await uow.session.get_one(Organization, appointment.organization_id)
        # the client's join link: a host link never goes into a conversation
        join_url = client_join_url(uow, appointment, kind, org)
    assert principal.account_id
    message = Message(
        organization_id=conversation.organization_id,
        conversation_id=conversation.id,
        sender_id=principal.account_id,
        body=body,
        appointment_id=appointment_id,
        join_url=join_url,
    )
    uow.session.add(message)
    conversation.last_message_at = uow.now()
    await uow.session.flush()
    record_change(
        uow,
        WebhookEventType.MESSAGE_SENT,
        organization_id=conversation.organization_id,
        resource_type="Message",
        resource_id=message.id,
        client_id=conversation.client_id,
        actor_id=principal.account_id,
    )
    await _mark_read(uow, conversation.id, principal.account_id)
    if principal.account_id != conversation.client_id:
        uow.session.add(
            UnreadNotification(
                organization_id=conversation.organization_id,
                message_id=message.id,
                client_id=conversation.client_id,
                due_at=uow.now() + UNREAD_EMAIL_AFTER,
            )
        )
    audit.record(
        uow,
        principal,
        action="write",
        resource="message",
        resource_id=message.id,
        client_id=conversation.client_id,
        operation="sendMessage",
    )
    event = {"message_id": str(message.id)}
    uow.after_commit.append(
        lambda: pubsub.current().publish(conversation_channel(conversation.id), event)
    )
    return message


async def _mark_read(uow: UnitOfWork, conversation_id: uuid.UUID, account_id: uuid.UUID) -> None:
    await uow.session.execute(
        update(ConversationParticipant)
        .where(
            ConversationParticipant.conversation_id == conversation_id,
            ConversationParticipant.account_id == account_id,
        )
        .values(last_read_at=uow.now())
    )


async def mark_conversation_read(
    uow: UnitOfWork, principal: Principal, *, conversation_id: uuid.UUID
) -> Conversation:
    # a read mark is a write: a key or OAuth client needs chat:write for it
    conversation = await get_conversation(uow, principal, conversation_id, write=True)
    assert principal.account_id
    await _mark_read(uow, conversation.id, principal.account_id)
    return conversation


async def list_conversations(
    uow: UnitOfWork, principal: Principal, *, page: PageRequest
) -> Page[Conversation]:
    """The viewer's conversations, newest activity first."""
    _require_chat(principal, write=False)
    stmt = (
        select(Conversation)
        .join(ConversationParticipant, ConversationParticipant.conversation_id == Conversation.id)
        .where(
            Conversation.organization_id == principal.organization_id,
            ConversationParticipant.account_id == principal.account_id,
            ConversationParticipant.removed_at.is_(None),
        )
    )
    activity = func.coalesce(Conversation.last_message_at, Conversation.created_at)
    return await paginate(
        uow, stmt, page, Order("conversations", desc(activity), asc(Conversation.id))
    )


NEWEST_MESSAGES = Order("messages", desc(Message.created_at), desc(Message.id))


async def list_messages(
    uow: UnitOfWork, principal: Principal, conversation: Conversation, *, page: PageRequest
) -> Page[Message]:
    """Newest first; every read of messages is audited."""
    stmt = select(Message).where(Message.conversation_id == conversation.id)
    result = await paginate(uow, stmt, page, NEWEST_MESSAGES)
    audit.record(
        uow,
        principal,
        action="read",
        resource="conversation",
        resource_id=conversation.id,
        client_id=conversation.client_id,
        operation="messages",
    )
    return result


async def unread_counts(
    uow: UnitOfWork, principal: Principal, conversation_ids: Sequence[uuid.UUID]
) -> list[int]:
    rows = await uow.session.execute(
        select(Message.conversation_id, func.count())
        .join(
            ConversationParticipant,
            and_(
                ConversationParticipant.conversation_id == Message.conversation_id,
                ConversationParticipant.account_id == principal.account_id,
            ),
        )
        .where(
            Message.conversation_id.in_(conversation_ids),
            Message.sender_id != principal.account_id,
            or_(
                ConversationParticipant.last_read_at.is_(None),
                Message.created_at > ConversationParticipant.last_read_at,
            ),
        )
        .group_by(Message.conversation_id)
    )
    counts = {cid: int(n) for cid, n in rows.all()}
    return [counts.get(c, 0) for c in conversation_ids]


async def message_for_subscriber(
    uow: UnitOfWork, principal: Principal, message_id: uuid.UUID
) -> Message | None:
    """A published message, if the subscriber may still read it (removal ends access)."""
    message = await uow.session.get(Message, message_id)
    if message is None:
        return None
    try:
        conversation = await get_conversation(uow, principal, message.conversation_id)
    except Exception:
        return None
    audit.record(
        uow,
        principal,
        action="read",
        resource="message",
        resource_id=message.id,
        client_id=conversation.client_id,
        operation="messageReceived",
    )
    return message


async def still_participant(
    uow: UnitOfWork, principal: Principal, conversation_id: uuid.UUID
) -> bool:
    try:
        await get_conversation(uow, principal, conversation_id)
    except Exception:
        return False
    return True


async def remove_participant(
    uow: UnitOfWork,
    principal: Principal,
    *,
    conversation_id: uuid.UUID,
    member_id: uuid.UUID,
) -> Conversation:
    conversation = await get_conversation(uow, principal, conversation_id, write=True)
    if not principal.is_member:
        raise forbidden("Only the practice changes who is in a conversation")
    if member_id == conversation.client_id:
        raise invalid("The client stays in their conversation", "memberId")
    await uow.session.execute(
        update(ConversationParticipant)
        .where(
            ConversationParticipant.conversation_id == conversation.id,
            ConversationParticipant.account_id == member_id,
        )
        .values(removed_at=uow.now())
    )
    uow.after_commit.append(
        lambda: pubsub.current().publish(
            conversation_channel(conversation.id), {"removed": str(member_id)}
        )
    )
    return conversation


async def due_unread_notifications(uow: UnitOfWork, limit: int = 500) -> list[uuid.UUID]:
    rows = await uow.session.execute(
        select(UnreadNotification.id)
        .where(
            UnreadNotification.status == NotificationStatus.PENDING,
            UnreadNotification.due_at <= uow.now(),
        )
        .limit(limit)
    )
    return [r for (r,) in rows.all()]


# a reconnecting subscriber is given at most this many missed messages; for more it pages
# through `conversation.messages`
MAX_CATCH_UP = 500


async def messages_after(
    uow: UnitOfWork,
    principal: Principal,
    *,
    conversation_id: uuid.UUID,
    after_message_id: uuid.UUID,
    limit: int = MAX_CATCH_UP,
) -> list[Message]:
    """What a reconnecting ``messageReceived`` subscriber missed: the conversation's messages
    after the one it names, oldest first (the order messages are kept in: sent time, then
    id), the read audited once."""
    conversation = await get_conversation(uow, principal, conversation_id)
    anchor = await uow.session.get(Message, after_message_id)
    if anchor is None or anchor.conversation_id != conversation.id:
        raise invalid("`after` must be the id of a message of this conversation", "after")
    rows = (
        await uow.session.execute(
            select(Message)
            .where(
                Message.conversation_id == conversation.id,
                or_(
                    Message.created_at > anchor.created_at,
                    and_(Message.created_at == anchor.created_at, Message.id > anchor.id),
                ),
            )
            .order_by(Message.created_at, Message.id)
            .limit(limit)
        )
    ).scalars()
    missed = list(rows)
    if missed:
        audit.record(
            uow,
            principal,
            action="read",
            resource="conversation",
            resource_id=conversation.id,
            client_id=conversation.client_id,
            operation="messageReceived",
        )
    return missed
