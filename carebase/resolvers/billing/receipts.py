"""Receipt emails: one for every succeeded card charge and one for every refund made at
Stripe, each queued at most once (the outbox row's ``dedupe_key`` names the payment or the
refund), whichever path saw the success first (the mutation, a job, Stripe's webhook)."""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from carebase.db import UnitOfWork
from carebase.models import (
    Account,
    Appointment,
    AppointmentType,
    Invoice,
    Organization,
    Package,
    PackagePurchase,
    Payment,
    PaymentKind,
    Refund,
)
from carebase.resolvers.billing.cards import default_card
from carebase.resolvers.core.notifications import queue_email_once

# money received outside Stripe and from insurers gets no receipt from us
NO_RECEIPT = (PaymentKind.EXTERNAL, PaymentKind.INSURANCE)


def payment_key(payment_id: uuid.UUID) -> str:
    return f"receipt:payment:{payment_id}"


def refund_key(refund_id: uuid.UUID) -> str:
    return f"receipt:refund:{refund_id}"


def amount_text(cents: int, currency: str) -> str:
    return f"{cents / 100:,.2f} {currency.upper()}"


def invoice_number(invoice_id: uuid.UUID) -> str:
    """Invoices have no number of their own yet: the first digits of the id, as printed."""
    return f"INV-{invoice_id.hex[:8].upper()}"


def _local(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(ZoneInfo(zone))


async def what_for(uow: UnitOfWork, payment: Payment, org: Organization) -> str:
    """The appointment type and date, the package, or the invoice a payment paid."""
    if payment.appointment_id is not None:
        found = (
            await uow.session.execute(
                select(AppointmentType.name, Appointment.starts_at)
                .join(AppointmentType, AppointmentType.id == Appointment.appointment_type_id)
                .where(Appointment.id == payment.appointment_id)
            )
        ).first()
        if found is not None:
            name, starts_at = found
            when = _local(starts_at, org.timezone).strftime("%B %-d, %Y at %-I:%M %p")
            label = {
                PaymentKind.NO_SHOW_FEE: "No-show fee: ",
                PaymentKind.LATE_CANCELLATION_FEE: "Late cancellation fee: ",
            }.get(payment.kind, "")
            return f"{label}{name} on {when}"
    if payment.kind is PaymentKind.PACKAGE:
        package = (
            await uow.session.execute(
                select(Package.name)
                .join(PackagePurchase, PackagePurchase.package_id == Package.id)
                .where(PackagePurchase.payment_id == payment.id)
            )
        ).scalar_one_or_none()
        if package is not None:
            return f"Package: {package}"
    if payment.invoice_id is not None:
        invoice = await uow.session.get(Invoice, payment.invoice_id)
        if invoice is not None:
            return f"Invoice {invoice_number(invoice.id)}"
    return payment.description or "Payment"


async def card_text(uow: UnitOfWork, payment: Payment) -> str:
    brand, last4 = payment.card_brand, payment.card_last4
    if last4 is None:  # charged before the card was kept on the payment
        card = await default_card(uow, payment.client_id)
        if card is not None:
            brand, last4 = card.brand, card.last4
    if last4 is None:
        return "Card"
    return f"{(brand or 'card').title()} ending in {last4}"


def practice_lines(org: Organization) -> list[str]:
    """The practice as its billing profile names it: legal name, address and phone when set."""
    profile = org.billing_profile or {}
    lines = [profile.get("legal_name") or org.name]
    address = profile.get("address") or {}
    if address:
        lines.append(address.get("line1", ""))
        if address.get("line2"):
            lines.append(address["line2"])
        postal = str(address.get("postal_code", ""))
        if address.get("country", "US") == "US" and len(postal) == 9:
            postal = f"{postal[:5]}-{postal[5:]}"
        lines.append(f"{address.get('city', '')}, {address.get('state', '')} {postal}".strip())
    phone = str(profile.get("phone") or "")
    if len(phone) == 10:
        lines.append(f"Phone: ({phone[:3]}) {phone[3:6]}-{phone[6:]}")
    elif phone:
        lines.append(f"Phone: +{phone}")
    return [line for line in lines if line]


async def _parties(uow: UnitOfWork, payment: Payment) -> tuple[Account, Organization]:
    client = await uow.session.get_one(Account, payment.client_id)
    org = await uow.session.get_one(Organization, payment.organization_id)
    return client, org


async def send_payment_receipt(uow: UnitOfWork, payment: Payment) -> None:
    """Called on every success (``PaymentSucceeded``); the key makes the second call a no-op."""
    if payment.kind in NO_RECEIPT:
        return
    client, org = await _parties(uow, payment)
    paid_on = _local(uow.now(), org.timezone).strftime("%B %-d, %Y")
    body = "\n".join(
        [
            f"Hello {client.name},",
            "",
            f"Thank you for your payment to {org.name}. This is your receipt.",
            "",
            f"Amount paid: {amount_text(payment.amount_cents, payment.currency)}",
            f"For: {await what_for(uow, payment, org)}",
            f"Paid with: {await card_text(uow, payment)}",
            f"Date: {paid_on}",
            f"Receipt number: {payment.id}",
            "",
            *practice_lines(org),
            "",
        ]
    )
    await queue_email_once(
        uow,
        to=client.email,
        subject=f"Your receipt from {org.name}",
        body=body,
        kind="payment_receipt",
        organization_id=org.id,
        account_id=client.id,
        dedupe_key=payment_key(payment.id),
    )


async def send_refund_receipt(uow: UnitOfWork, payment: Payment, refund: Refund) -> None:
    """Called once the refund is made at Stripe (by the mutation, the retry job or Stripe's
    own report of a dashboard refund)."""
    if payment.kind in NO_RECEIPT:
        return
    client, org = await _parties(uow, payment)
    refunded_on = _local(uow.now(), org.timezone).strftime("%B %-d, %Y")
    body = "\n".join(
        [
            f"Hello {client.name},",
            "",
            f"{org.name} refunded part or all of a payment. This is your refund receipt.",
            "",
            f"Amount refunded: {amount_text(refund.amount_cents, payment.currency)}",
            f"Of the payment of: {amount_text(payment.amount_cents, payment.currency)}",
            f"For: {await what_for(uow, payment, org)}",
            f"Refunded to: {await card_text(uow, payment)}",
            f"Date: {refunded_on}",
            f"Refund number: {refund.id} (receipt {payment.id})",
            "",
            "A refund can take 5 to 10 business days to reach your account.",
            "",
            *practice_lines(org),
            "",
        ]
    )
    await queue_email_once(
        uow,
        to=client.email,
        subject=f"Your refund receipt from {org.name}",
        body=body,
        kind="refund_receipt",
        organization_id=org.id,
        account_id=client.id,
        dedupe_key=refund_key(refund.id),
    )
