"""Schema of the chat area: conversations, messages and the live subscriptions."""

from carebase.schema.chat.conversations import ChatMutation, ChatQuery, Subscription

__all__ = ["ChatMutation", "ChatQuery", "Subscription"]
