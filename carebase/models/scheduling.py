"""Appointment types, provider availability, appointments and their change events."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from carebase.models.base import Base


class ContactType(enum.Enum):
    VIDEO = "VIDEO"
    PHONE = "PHONE"
    IN_PERSON = "IN_PERSON"


class VideoProvider(enum.Enum):
    ZOOM = "ZOOM"
    BUILT_IN = "BUILT_IN"


class AppointmentStatus(enum.Enum):
    BOOKED = "BOOKED"
    OCCURRED = "OCCURRED"
    NO_SHOW = "NO_SHOW"
    CANCELLED = "CANCELLED"


LIVE_STATUSES = (AppointmentStatus.BOOKED, AppointmentStatus.OCCURRED, AppointmentStatus.NO_SHOW)


class Initiator(enum.Enum):
    CLIENT = "CLIENT"
    PRACTICE = "PRACTICE"


class AppointmentType(Base):
    __tablename__ = "appointment_types"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    duration_minutes: Mapped[int]
    price_cents: Mapped[int | None]
    currency: Mapped[str] = mapped_column(String(3))
    contact_type: Mapped[ContactType]
    video_provider: Mapped[VideoProvider | None]
    bookable_by_clients: Mapped[bool] = mapped_column(default=True)
    autocharge_when_occurred: Mapped[bool] = mapped_column(default=False)
    archived_at: Mapped[datetime | None]
    # CPT/HCPCS code a superbill prints for a visit of this type without a claim
    default_procedure_code: Mapped[str | None] = mapped_column(String(5))


class Availability(Base):
    """A provider's bookable hours: weekly windows in a time zone, with date overrides."""

    __tablename__ = "availabilities"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    provider_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), unique=True
    )
    timezone: Mapped[str] = mapped_column(String(64))
    # [{"weekday": 1..7, "start": "HH:MM", "end": "HH:MM"}]
    weekly: Mapped[list[Any]] = mapped_column(JSON)
    # [{"date": "YYYY-MM-DD", "closed": bool, "start": "HH:MM" | None, "end": ...}]
    overrides: Mapped[list[Any]] = mapped_column(JSON)
    buffer_before_minutes: Mapped[int] = mapped_column(default=0)
    buffer_after_minutes: Mapped[int] = mapped_column(default=0)
    minimum_notice_minutes: Mapped[int] = mapped_column(default=120)
    horizon_days: Mapped[int] = mapped_column(default=90)
    slot_step_minutes: Mapped[int | None]


class Appointment(Base):
    __tablename__ = "appointments"
    __table_args__ = (
        Index("ix_appointments_provider_time", "provider_id", "starts_at"),
        Index("ix_appointments_org_time", "organization_id", "starts_at"),
        Index("ix_appointments_client_time", "client_id", "starts_at"),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    provider_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    appointment_type_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("appointment_types.id", ondelete="RESTRICT")
    )
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    status: Mapped[AppointmentStatus] = mapped_column(default=AppointmentStatus.BOOKED)
    series_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    booked_by_id: Mapped[uuid.UUID | None]
    unverified: Mapped[bool] = mapped_column(default=False)
    confirm_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    cancellation_reason: Mapped[str | None] = mapped_column(Text)
    cancelled_by_id: Mapped[uuid.UUID | None]
    cancel_initiated_by: Mapped[Initiator | None]
    late_cancellation: Mapped[bool] = mapped_column(default=False)
    cancelled_at: Mapped[datetime | None]
    # video
    zoom_meeting_id: Mapped[str | None] = mapped_column(String(64))
    zoom_join_url: Mapped[str | None] = mapped_column(String(1000))
    # free-form tags a widget booking brought (UTM and the like); shown to members only
    booking_metadata: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSON)


class SlotHold(Base):
    """A time kept for a widget visitor while they type their details (a few minutes).

    A live hold (not expired, not used) is busy time for everyone but its holder; booking
    with its id uses it up."""

    __tablename__ = "slot_holds"
    __table_args__ = (
        Index("ix_slot_holds_provider_time", "provider_id", "starts_at"),
        Index("ix_slot_holds_address", "organization_id", "address", "expires_at"),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    provider_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    appointment_type_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("appointment_types.id", ondelete="CASCADE")
    )
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    # the visitor's network address: at most a few live holds each
    address: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None]
    appointment_id: Mapped[uuid.UUID | None]


class AppointmentEventKind(enum.Enum):
    BOOKED = "BOOKED"
    RESCHEDULED = "RESCHEDULED"
    CANCELLED = "CANCELLED"
    STATUS_CHANGED = "STATUS_CHANGED"
    CONFIRMED = "CONFIRMED"


class AppointmentEvent(Base):
    """The outbox of appointment changes: written with the change, read by what reacts."""

    __tablename__ = "appointment_events"
    __table_args__ = (Index("ix_appointment_events_appt", "appointment_id", "created_at"),)

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    appointment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("appointments.id", ondelete="CASCADE")
    )
    kind: Mapped[AppointmentEventKind]
    actor_id: Mapped[uuid.UUID | None]
    from_starts_at: Mapped[datetime | None]
    to_starts_at: Mapped[datetime | None]
    from_status: Mapped[AppointmentStatus | None]
    to_status: Mapped[AppointmentStatus | None]
    note: Mapped[str | None] = mapped_column(Text)


class ReminderStatus(enum.Enum):
    PENDING = "PENDING"
    SENDING = "SENDING"
    SENT = "SENT"
    CANCELLED = "CANCELLED"


class Reminder(Base):
    __tablename__ = "reminders"
    # no uniqueness on (appointment, offset, …): a reminder sent before a reschedule and the
    # one planned after it may share them; sending once is the guarded update's job
    __table_args__ = (
        Index("ix_reminders_status_due", "status", "due_at"),
        Index("ix_reminders_appointment", "appointment_id"),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    appointment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("appointments.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(30), default="appointment")  # | "intake"
    offset_minutes: Mapped[int]
    channel: Mapped[str] = mapped_column(String(10))
    due_at: Mapped[datetime]
    status: Mapped[ReminderStatus] = mapped_column(default=ReminderStatus.PENDING)
    sent_at: Mapped[datetime | None]


class IdempotencyRecord(Base):
    """A mutation's first response, kept 24 hours per (organization, operation, key)."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("organization_id", "operation", "key"),)

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    operation: Mapped[str] = mapped_column(String(80))
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    expires_at: Mapped[datetime]


class RateLimitHit(Base):
    __tablename__ = "rate_limit_hits"
    __table_args__ = (Index("ix_rate_limit_hits_key_at", "key", "created_at"),)

    key: Mapped[str] = mapped_column(String(200))
