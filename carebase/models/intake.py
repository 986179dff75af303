"""Forms (versioned), intake flows, and the requests a client answers."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from carebase.models.base import Base


class QuestionType(enum.Enum):
    TEXT = "TEXT"
    LONG_TEXT = "LONG_TEXT"
    SINGLE_CHOICE = "SINGLE_CHOICE"
    MULTIPLE_CHOICE = "MULTIPLE_CHOICE"
    DATE = "DATE"
    NUMBER = "NUMBER"
    YES_NO = "YES_NO"
    SIGNATURE = "SIGNATURE"


class Form(Base):
    __tablename__ = "forms"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(default=1)
    archived_at: Mapped[datetime | None]


class FormVersion(Base):
    """The questions of one version: a request answers the version it was sent."""

    __tablename__ = "form_versions"
    __table_args__ = (UniqueConstraint("form_id", "version"),)

    form_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("forms.id", ondelete="CASCADE"))
    version: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    # [{"key", "label", "type", "required", "options"}]
    questions: Mapped[list[Any]] = mapped_column(JSON)


class IntakeFlow(Base):
    __tablename__ = "intake_flows"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    is_default: Mapped[bool] = mapped_column(default=False)
    # [{"form_id": str, "required": bool}] in order
    items: Mapped[list[Any]] = mapped_column(JSON)


class FormRequestStatus(enum.Enum):
    PENDING = "PENDING"
    COMPLETED = "COMPLETED"
    SKIPPED = "SKIPPED"


class FormRequest(Base):
    __tablename__ = "form_requests"
    __table_args__ = (Index("ix_form_requests_client_status", "client_id", "status"),)

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    form_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("forms.id", ondelete="CASCADE"))
    form_version: Mapped[int]
    intake_flow_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("intake_flows.id", ondelete="SET NULL")
    )
    position: Mapped[int] = mapped_column(default=0)
    required: Mapped[bool] = mapped_column(default=True)
    status: Mapped[FormRequestStatus] = mapped_column(default=FormRequestStatus.PENDING)
    answers: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    filled_by_id: Mapped[uuid.UUID | None]
    completed_at: Mapped[datetime | None]
    skipped_by_id: Mapped[uuid.UUID | None]
    skip_reason: Mapped[str | None] = mapped_column(Text)
