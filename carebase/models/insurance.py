"""Insurance paperwork: policies, claims (CMS-1500 / 837P) with their history, superbills,
and the per-organization counter the X12 control numbers come from."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from carebase.models.base import Base


class PolicyPriority(enum.Enum):
    PRIMARY = "PRIMARY"
    SECONDARY = "SECONDARY"


class PlanType(enum.Enum):
    MEDICARE = "MEDICARE"
    MEDICAID = "MEDICAID"
    TRICARE = "TRICARE"
    CHAMPVA = "CHAMPVA"
    GROUP_HEALTH = "GROUP_HEALTH"
    FECA_BLACK_LUNG = "FECA_BLACK_LUNG"
    OTHER = "OTHER"


class SubscriberRelationship(enum.Enum):
    SELF = "SELF"
    SPOUSE = "SPOUSE"
    CHILD = "CHILD"
    OTHER = "OTHER"


class ClaimStatus(enum.Enum):
    DRAFT = "DRAFT"
    SUBMITTED = "SUBMITTED"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    PAID = "PAID"
    DENIED = "DENIED"


class InsurancePolicy(Base):
    __tablename__ = "insurance_policies"
    __table_args__ = (Index("ix_insurance_policies_client", "client_id"),)

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    payer_name: Mapped[str] = mapped_column(String(200))
    payer_id: Mapped[str] = mapped_column(String(80))
    member_id: Mapped[str] = mapped_column(String(80))
    group_number: Mapped[str | None] = mapped_column(String(80))
    priority: Mapped[PolicyPriority]
    plan_type: Mapped[PlanType]
    relationship: Mapped[SubscriberRelationship]
    # {"first_name", "last_name", "date_of_birth", "sex", "address"}; None for SELF
    subscriber: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]
    removed_at: Mapped[datetime | None]


class Claim(Base):
    __tablename__ = "claims"
    __table_args__ = (
        Index("ix_claims_org_created", "organization_id", "created_at"),
        Index("ix_claims_client", "client_id"),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    appointment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("appointments.id", ondelete="CASCADE"), index=True
    )
    policy_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("insurance_policies.id", ondelete="RESTRICT")
    )
    rendering_provider_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="RESTRICT")
    )
    status: Mapped[ClaimStatus] = mapped_column(default=ClaimStatus.DRAFT)
    diagnosis_codes: Mapped[list[Any]] = mapped_column(JSON)
    # [{"service_date", "procedure_code", "modifiers", "units", "charge_cents",
    #   "place_of_service", "diagnosis_pointers"}]
    service_lines: Mapped[list[Any]] = mapped_column(JSON)
    total_charge_cents: Mapped[int]
    paid_cents: Mapped[int] = mapped_column(default=0)
    currency: Mapped[str] = mapped_column(String(3))
    submitted_at: Mapped[datetime | None]
    # [{"at", "from", "to", "note"}], oldest first
    history: Mapped[list[Any]] = mapped_column(JSON)


class X12Counter(Base):
    """The last interchange control number an organization used (ISA13, GS06, ST02)."""

    __tablename__ = "x12_counters"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), unique=True
    )
    last_value: Mapped[int] = mapped_column(default=0)


class Superbill(Base):
    __tablename__ = "superbills"
    __table_args__ = (Index("ix_superbills_client", "client_id"),)

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    from_date: Mapped[date]
    to_date: Mapped[date]
    total_cents: Mapped[int]
    paid_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    # the visits as printed: [{"date", "place_of_service", "procedure_codes", "diagnoses",
    #   "charge_cents", "paid_cents", "provider_id"}]
    visits: Mapped[list[Any]] = mapped_column(JSON)
