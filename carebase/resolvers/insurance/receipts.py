"""Receipts: a succeeded payment as the document a client keeps (what for, how paid, the
practice's details, the refunds against it)."""

from __future__ import annotations

import asyncio
import logging
from zoneinfo import ZoneInfo

from sqlalchemy import select

from carebase.db import UnitOfWork
from carebase.documents import receipt
from carebase.documents.statement_pdf import Practice
from carebase.gateways.stripe import PaymentsNotConfigured, StripeGateway, StripeUnavailable
from carebase.models import (
    Account,
    Appointment,
    AppointmentType,
    Organization,
    Payment,
    PaymentKind,
    PaymentMethod,
    PaymentStatus,
    Refund,
)
from carebase.resolvers.insurance.superbills import practice_of

log = logging.getLogger(__name__)

WITH_RECEIPT = (PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED)
KIND_LABELS = {
    PaymentKind.ONE_TIME: "Payment",
    PaymentKind.SCHEDULED: "Scheduled payment",
    PaymentKind.AUTOCHARGE: "Visit",
    PaymentKind.PACKAGE: "Package purchase",
    PaymentKind.INVOICE: "Invoice payment",
    PaymentKind.NO_SHOW_FEE: "No-show fee",
    PaymentKind.LATE_CANCELLATION_FEE: "Late cancellation fee",
    PaymentKind.EXTERNAL: "Payment",
    PaymentKind.INSURANCE: "Insurance payment",
}


def has_receipt(payment: Payment) -> bool:
    return payment.status in WITH_RECEIPT


async def _card(uow: UnitOfWork, payment: Payment) -> str:
    """ "Visa ending in 4242": the card the PaymentIntent charged, as kept on file."""
    if not payment.stripe_payment_intent_id:
        return "Card"
    try:
        method_id = await StripeGateway(uow.settings).charged_card(
            intent_id=payment.stripe_payment_intent_id
        )
    except (PaymentsNotConfigured, StripeUnavailable):
        log.warning("receipt for payment %s names no card: Stripe unreachable", payment.id)
        return "Card"
    card: PaymentMethod | None = (
        await uow.session.execute(
            select(PaymentMethod).where(
                PaymentMethod.organization_id == payment.organization_id,
                PaymentMethod.stripe_payment_method_id == method_id,
            )
        )
    ).scalar_one_or_none()
    if card is None or not card.last4:
        return "Card"
    return f"{(card.brand or 'card').title()} ending in {card.last4}"


async def _method(uow: UnitOfWork, payment: Payment) -> str:
    if payment.kind is PaymentKind.INSURANCE:
        return "Insurance"
    if payment.kind is PaymentKind.EXTERNAL or payment.external_method:
        return (payment.external_method or "Other").title()
    return await _card(uow, payment)


async def _what_for(uow: UnitOfWork, payment: Payment, tz: ZoneInfo) -> str:
    label = payment.description or KIND_LABELS[payment.kind]
    if payment.appointment_id is None:
        return label
    appointment = await uow.session.get(Appointment, payment.appointment_id)
    if appointment is None:
        return label
    kind = await uow.session.get(AppointmentType, appointment.appointment_type_id)
    visit = f"{kind.name if kind else 'Visit'} on {appointment.starts_at.astimezone(tz):%Y-%m-%d}"
    return f"{label} ({visit})" if payment.description else visit


async def render_receipt(uow: UnitOfWork, payment: Payment) -> bytes:
    org = await uow.session.get_one(Organization, payment.organization_id)
    client = await uow.session.get_one(Account, payment.client_id)
    tz = ZoneInfo(org.timezone)
    refunds = (
        await uow.session.execute(
            select(Refund)
            .where(Refund.payment_id == payment.id)
            .order_by(Refund.created_at, Refund.id)
        )
    ).scalars()
    doc = receipt.ReceiptDocument(
        practice=Practice(
            name=org.name,
            address=practice_of(org).address,
            phone=(org.billing_profile or {}).get("phone"),
        ),
        receipt_number=payment.id.hex[:12].upper(),
        paid_at=payment.created_at.astimezone(tz),
        client_name=client.name,
        description=await _what_for(uow, payment, tz),
        amount_cents=payment.amount_cents,
        currency=payment.currency,
        method=await _method(uow, payment),
        refunds=tuple(
            receipt.RefundLine(at=r.created_at.astimezone(tz), amount_cents=r.amount_cents)
            for r in refunds
        ),
    )
    return await asyncio.to_thread(receipt.render, doc)
