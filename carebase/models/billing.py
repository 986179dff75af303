"""Billing: customers and cards, payments and refunds, invoices, packages and credits,
and the inbox of Stripe webhook events. Money is integer cents plus a currency."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from carebase.models.base import Base, utcnow


class PaymentKind(enum.Enum):
    ONE_TIME = "ONE_TIME"
    SCHEDULED = "SCHEDULED"
    AUTOCHARGE = "AUTOCHARGE"
    PACKAGE = "PACKAGE"
    INVOICE = "INVOICE"
    NO_SHOW_FEE = "NO_SHOW_FEE"
    LATE_CANCELLATION_FEE = "LATE_CANCELLATION_FEE"
    EXTERNAL = "EXTERNAL"
    INSURANCE = "INSURANCE"


class PaymentStatus(enum.Enum):
    SCHEDULED = "SCHEDULED"
    PROCESSING = "PROCESSING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    REFUNDED = "REFUNDED"
    PARTIALLY_REFUNDED = "PARTIALLY_REFUNDED"
    CANCELLED = "CANCELLED"


class PaymentFailure(enum.Enum):
    """Why a payment ended FAILED, kept as a code so no one reads it back from the message."""

    NO_CARD = "NO_CARD"  # no default card when the charge ran
    CARD_DECLINED = "CARD_DECLINED"  # Stripe refused the card (a CardError, a failed intent)
    NOT_CHARGED = "NOT_CHARGED"  # the PaymentIntent ended without a charge (canceled, ...)


CAPTURED = (PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED)


def mark_succeeded(payment: Payment, at: datetime) -> None:
    """Every path that captures money goes through here, so ``succeeded_at`` is never missed."""
    payment.status = PaymentStatus.SUCCEEDED
    payment.succeeded_at = at


class BillingCustomer(Base):
    __tablename__ = "billing_customers"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    client_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), unique=True
    )
    stripe_customer_id: Mapped[str] = mapped_column(String(64), unique=True)


class PaymentMethod(Base):
    __tablename__ = "payment_methods"
    __table_args__ = (Index("ix_payment_methods_client", "client_id"),)

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    stripe_payment_method_id: Mapped[str] = mapped_column(String(64))
    brand: Mapped[str | None] = mapped_column(String(30))
    last4: Mapped[str | None] = mapped_column(String(4))
    exp_month: Mapped[int | None]
    exp_year: Mapped[int | None]
    is_default: Mapped[bool] = mapped_column(default=False)
    removed_at: Mapped[datetime | None]


class Payment(Base):
    __tablename__ = "payments"
    __table_args__ = (
        # an appointment is charged (its autocharge, its fee) at most once per kind
        UniqueConstraint("appointment_id", "kind"),
        Index("ix_payments_org_created", "organization_id", "created_at"),
        Index("ix_payments_client", "client_id"),
        Index("ix_payments_status_scheduled", "status", "scheduled_for"),
        Index("ix_payments_org_succeeded", "organization_id", "succeeded_at"),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    kind: Mapped[PaymentKind]
    status: Mapped[PaymentStatus]
    amount_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    refunded_cents: Mapped[int] = mapped_column(default=0)
    description: Mapped[str | None] = mapped_column(String(500))
    scheduled_for: Mapped[date | None]
    appointment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("appointments.id", ondelete="SET NULL")
    )
    invoice_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("invoices.id", ondelete="SET NULL")
    )
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(String(64), index=True)
    failure_message: Mapped[str | None] = mapped_column(Text)
    failure_code: Mapped[PaymentFailure | None]
    external_method: Mapped[str | None] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(Text)
    disputed: Mapped[bool] = mapped_column(default=False)
    # the card charged, as its receipt shows it (the card may be removed later)
    card_brand: Mapped[str | None] = mapped_column(String(30))
    card_last4: Mapped[str | None] = mapped_column(String(4))
    attempts: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[uuid.UUID | None]
    # an INSURANCE payment belongs to its claim (not to the appointment's one per kind)
    claim_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("claims.id", ondelete="SET NULL"), index=True
    )
    payer_reference: Mapped[str | None] = mapped_column(String(100))
    # when the money was captured (the revenue report's day); kept through later refunds
    succeeded_at: Mapped[datetime | None]


class Refund(Base):
    __tablename__ = "refunds"
    __table_args__ = (Index("ix_refunds_org_refunded", "organization_id", "refunded_at"),)

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    payment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("payments.id", ondelete="CASCADE"), index=True
    )
    amount_cents: Mapped[int]
    reason: Mapped[str | None] = mapped_column(Text)
    stripe_refund_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[uuid.UUID | None]
    # when the refund was made, on the unit of work's clock (``created_at`` is the wall's)
    refunded_at: Mapped[datetime] = mapped_column(default=utcnow)


class InvoiceStatus(enum.Enum):
    DRAFT = "DRAFT"
    OPEN = "OPEN"
    PAID = "PAID"
    VOID = "VOID"


class Invoice(Base):
    __tablename__ = "invoices"
    __table_args__ = (Index("ix_invoices_client_status", "client_id", "status"),)

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    status: Mapped[InvoiceStatus] = mapped_column(default=InvoiceStatus.DRAFT)
    currency: Mapped[str] = mapped_column(String(3))
    total_cents: Mapped[int]
    # captured by its payments net of their refunds; what is due is total_cents - paid_cents
    paid_cents: Mapped[int] = mapped_column(default=0, server_default="0")
    # [{"description", "amount_cents", "quantity"}]
    lines: Mapped[list[Any]] = mapped_column(JSON)
    due_date: Mapped[date | None]
    appointment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("appointments.id", ondelete="SET NULL")
    )
    sent_at: Mapped[datetime | None]
    paid_at: Mapped[datetime | None]
    voided_at: Mapped[datetime | None]


class Package(Base):
    __tablename__ = "packages"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    price_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    # [{"appointment_type_id": str, "quantity": int}]
    items: Mapped[list[Any]] = mapped_column(JSON)
    archived_at: Mapped[datetime | None]


class PackagePurchase(Base):
    __tablename__ = "package_purchases"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    package_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("packages.id", ondelete="CASCADE"))
    client_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    payment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("payments.id", ondelete="SET NULL")
    )
    credits_granted: Mapped[bool] = mapped_column(default=False)


class PackageCredit(Base):
    __tablename__ = "package_credits"
    __table_args__ = (Index("ix_package_credits_client_type", "client_id", "appointment_type_id"),)

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    purchase_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("package_purchases.id", ondelete="CASCADE")
    )
    appointment_type_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("appointment_types.id", ondelete="CASCADE")
    )
    quantity: Mapped[int]
    remaining: Mapped[int]


class CreditUse(Base):
    """One credit paid for one appointment; given back when the cancel is in time."""

    __tablename__ = "credit_uses"

    credit_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("package_credits.id", ondelete="CASCADE")
    )
    appointment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("appointments.id", ondelete="CASCADE"), unique=True
    )
    returned_at: Mapped[datetime | None]


class WebhookEvent(Base):
    """The inbox: each event stored once (unique on source and id), then applied once."""

    __tablename__ = "webhook_events"
    __table_args__ = (UniqueConstraint("source", "event_id"),)

    source: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[str] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    processed_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
