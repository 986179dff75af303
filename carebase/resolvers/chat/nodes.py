"""What ``node`` reads of the chat area: conversations and messages, for their participants."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from carebase.auth.policy import org_id, require_authenticated, require_member
from carebase.auth.principal import Principal
from carebase.models import Conversation, ConversationParticipant, Message
from carebase.resolvers.core.nodes import NodeSource


def _participating(principal: Principal, stmt: Select[Any]) -> Select[Any]:
    """Only the conversation's client and its current members, as ``conversation`` reads."""
    require_authenticated(principal)
    if not principal.is_client:
        require_member(principal, "chat")
    return stmt.join(
        ConversationParticipant, ConversationParticipant.conversation_id == Conversation.id
    ).where(
        Conversation.organization_id == org_id(principal),
        ConversationParticipant.account_id == principal.account_id,
        ConversationParticipant.removed_at.is_(None),
    )


def _conversations(principal: Principal) -> Select[Any]:
    return _participating(principal, select(Conversation))


def _messages(principal: Principal) -> Select[Any]:
    return _participating(
        principal, select(Message).join(Conversation, Conversation.id == Message.conversation_id)
    )


CONVERSATIONS = NodeSource(Conversation.id, _conversations)
MESSAGES = NodeSource(Message.id, _messages, audited="message", client_id=Conversation.client_id)
