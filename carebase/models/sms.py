"""The SMS outbox: like email, a row first, then ``sms.send`` delivers it through Twilio."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from carebase.models.base import Base
from carebase.models.email import EmailStatus


class SmsMessage(Base):
    __tablename__ = "sms_messages"

    organization_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    to_number: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(60))
    status: Mapped[EmailStatus] = mapped_column(default=EmailStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    provider_id: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None]
