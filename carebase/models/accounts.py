"""Organizations and the accounts that belong to them: members and clients."""

from __future__ import annotations

import enum
import secrets
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from carebase.models.base import Base


class Role(enum.Enum):
    OWNER = "OWNER"
    ADMIN = "ADMIN"
    PROVIDER = "PROVIDER"
    STAFF = "STAFF"
    CLIENT = "CLIENT"

    @property
    def is_member(self) -> bool:
        return self is not Role.CLIENT

    @property
    def manages(self) -> bool:
        """Owners and admins manage settings, members, keys and the audit log."""
        return self in (Role.OWNER, Role.ADMIN)

    @property
    def bookable(self) -> bool:
        return self in (Role.OWNER, Role.ADMIN, Role.PROVIDER)


MEMBER_ROLES = (Role.OWNER, Role.ADMIN, Role.PROVIDER, Role.STAFF)


class IntakeGate(enum.Enum):
    PORTAL = "PORTAL"
    BOOKING = "BOOKING"
    OFF = "OFF"


def new_publishable_key() -> str:
    return "pk_" + secrets.token_urlsafe(24)


class Organization(Base):
    __tablename__ = "organizations"

    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3), default="usd")
    portal_url: Mapped[str | None] = mapped_column(String(500))
    publishable_key: Mapped[str] = mapped_column(
        String(80), unique=True, default=new_publishable_key
    )

    # portal settings
    clients_can_book: Mapped[bool] = mapped_column(default=True)
    clients_can_reschedule: Mapped[bool] = mapped_column(default=True)
    clients_can_cancel: Mapped[bool] = mapped_column(default=True)
    booking_outside_portal: Mapped[bool] = mapped_column(default=False)
    cancellation_window_hours: Mapped[int] = mapped_column(default=24)
    late_cancellation_fee_cents: Mapped[int | None]
    no_show_fee_cents: Mapped[int | None]
    intake_gate: Mapped[IntakeGate] = mapped_column(default=IntakeGate.PORTAL)
    # the sites (origins) that may embed the booking widget, beside CAREBASE_ALLOWED_ORIGINS
    widget_origins: Mapped[list[Any]] = mapped_column(JSON, default=list)

    # appointment alert settings
    reminder_offsets_minutes: Mapped[list[Any]] = mapped_column(JSON, default=lambda: [1440, 60])
    reminder_channels: Mapped[list[Any]] = mapped_column(JSON, default=lambda: ["EMAIL"])
    intake_reminder_enabled: Mapped[bool] = mapped_column(default=True)
    intake_reminder_offset_minutes: Mapped[int] = mapped_column(default=1440)

    # billing identity (CMS-1500 boxes 25 and 33, the 837P's 2010AA): {"legal_name", "tax_id",
    # "tax_id_type", "npi", "taxonomy_code", "address", "phone", "default_place_of_service"}
    billing_profile: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Account(Base):
    """A member or a client of one organization; the username is the email."""

    __tablename__ = "accounts"
    __table_args__ = (
        UniqueConstraint("organization_id", "email"),
        Index("ix_accounts_email", "email"),
        Index("ix_accounts_org_role", "organization_id", "role"),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role]
    timezone: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    invited_at: Mapped[datetime | None]
    invitation_accepted_at: Mapped[datetime | None]

    # clients only
    phone: Mapped[str | None] = mapped_column(String(40))
    date_of_birth: Mapped[date | None]
    provider_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    archived_at: Mapped[datetime | None]
    # legal identity for insurance paperwork (``name`` stays the display name)
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    sex: Mapped[str | None] = mapped_column(String(10))  # FEMALE, MALE, UNKNOWN
    # {"line1", "line2", "city", "state", "postal_code", "country"}
    address: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    # members only: a rendering provider's identifiers
    npi: Mapped[str | None] = mapped_column(String(10))
    taxonomy_code: Mapped[str | None] = mapped_column(String(10))

    @property
    def is_member(self) -> bool:
        return self.role.is_member
