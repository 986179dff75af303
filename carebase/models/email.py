"""The email outbox: every email is a row first, then the ``email.send`` job delivers it."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from carebase.models.base import Base


class EmailStatus(enum.Enum):
    PENDING = "PENDING"
    SENDING = "SENDING"
    SENT = "SENT"
    LOGGED = "LOGGED"  # no SMTP configured: kept here and written to the log
    FAILED = "FAILED"


class Email(Base):
    __tablename__ = "emails"
    __table_args__ = (Index("ix_emails_status_next", "status", "next_attempt_at"),)

    organization_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(60))
    # once-only emails (a receipt per payment or refund) carry a key; two senders, one row
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    status: Mapped[EmailStatus] = mapped_column(default=EmailStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
