"""Global ids as the API shows them (``base64("Type:uuid")``), for thin payloads."""

from __future__ import annotations

import base64
import uuid


def global_id(type_name: str, key: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{key}".encode()).decode()


def message_id(event_id: uuid.UUID) -> str:
    """An event's ``webhook-id`` and ``WebhookDelivery.eventId``."""
    return f"evt_{event_id.hex}"
