"""Outbound events: the outbox every change writes in its own transaction, the partners'
webhook endpoints, one delivery row per (endpoint, event) and every attempt of it."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from carebase.models.base import Base


class WebhookEventType(enum.Enum):
    APPOINTMENT_BOOKED = "APPOINTMENT_BOOKED"
    APPOINTMENT_RESCHEDULED = "APPOINTMENT_RESCHEDULED"
    APPOINTMENT_CANCELLED = "APPOINTMENT_CANCELLED"
    APPOINTMENT_STATUS_CHANGED = "APPOINTMENT_STATUS_CHANGED"
    FORM_REQUESTED = "FORM_REQUESTED"
    FORM_COMPLETED = "FORM_COMPLETED"
    FORM_SKIPPED = "FORM_SKIPPED"
    PAYMENT_SUCCEEDED = "PAYMENT_SUCCEEDED"
    PAYMENT_FAILED = "PAYMENT_FAILED"
    PAYMENT_REFUNDED = "PAYMENT_REFUNDED"
    INVOICE_SENT = "INVOICE_SENT"
    INVOICE_PAID = "INVOICE_PAID"
    MESSAGE_SENT = "MESSAGE_SENT"
    CLIENT_CREATED = "CLIENT_CREATED"
    CLIENT_UPDATED = "CLIENT_UPDATED"
    CLAIM_STATUS_CHANGED = "CLAIM_STATUS_CHANGED"
    TEST = "TEST"

    @property
    def wire_name(self) -> str:
        """``APPOINTMENT_STATUS_CHANGED`` -> ``appointment.status_changed``."""
        return self.value.lower().replace("_", ".", 1)


class OutboxEvent(Base):
    """One change others react to, written in the transaction of the change itself: a change
    that rolls back leaves none, and one that commits is never lost. The scheduler fans each
    out into webhook deliveries (``fanned_out_at``)."""

    __tablename__ = "outbox_events"
    __table_args__ = (
        Index("ix_outbox_events_pending", "fanned_out_at", "created_at"),
        Index("ix_outbox_events_resource", "resource_id", "created_at"),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    type: Mapped[WebhookEventType]
    # the GraphQL type of the resource ("Appointment", "Payment", ...) and its row id
    resource_type: Mapped[str] = mapped_column(String(40))
    resource_id: Mapped[uuid.UUID]
    client_id: Mapped[uuid.UUID | None]
    actor_id: Mapped[uuid.UUID | None]
    occurred_at: Mapped[datetime]
    fanned_out_at: Mapped[datetime | None]


class WebhookEndpoint(Base):
    __tablename__ = "webhook_endpoints"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    # whose view data.object shows (includePhi): the member who made it, or the key's creator
    created_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    events: Mapped[list[Any]] = mapped_column(JSON)
    include_phi: Mapped[bool] = mapped_column(default=False)
    enabled: Mapped[bool] = mapped_column(default=True)
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    # the signing secret ("whsec_..."), sealed under CAREBASE_SECRET_KEY
    secret_sealed: Mapped[str] = mapped_column(Text)
    # the first failed attempt since the last success: three days of failures disable it
    failing_since: Mapped[datetime | None]


class WebhookDeliveryStatus(enum.Enum):
    PENDING = "PENDING"
    RETRYING = "RETRYING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class WebhookDelivery(Base):
    """One event to one endpoint; due at ``next_attempt_at`` (swept by the scheduler)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "event_id", name="uq_webhook_deliveries_endpoint_event"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_order", "endpoint_id", "resource_id", "event_at"),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    endpoint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE")
    )
    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("outbox_events.id", ondelete="CASCADE"))
    event_type: Mapped[WebhookEventType]
    # copied from the event: a resource's deliveries to one endpoint go out in this order
    resource_id: Mapped[uuid.UUID]
    event_at: Mapped[datetime]
    status: Mapped[WebhookDeliveryStatus] = mapped_column(default=WebhookDeliveryStatus.PENDING)
    next_attempt_at: Mapped[datetime | None]
    attempt_count: Mapped[int] = mapped_column(default=0)


class WebhookAttempt(Base):
    __tablename__ = "webhook_attempts"
    __table_args__ = (Index("ix_webhook_attempts_delivery", "delivery_id", "created_at"),)

    delivery_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE")
    )
    at: Mapped[datetime]
    response_status: Mapped[int | None]
    duration_ms: Mapped[int]
    error: Mapped[str | None] = mapped_column(Text)
    # the first kilobyte of the receiver's answer
    response_excerpt: Mapped[str | None] = mapped_column(Text)
