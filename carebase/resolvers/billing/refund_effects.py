"""What a refund undoes beside the money: a fully refunded package purchase takes back the
credits it gave that are still unused (used ones stay used), and a refunded invoice payment
reopens its invoice for what is still owed. Each undo is an audit row of its own."""

from __future__ import annotations

import logging

from sqlalchemy import select, update

from carebase.auth.principal import Principal
from carebase.db import UnitOfWork
from carebase.models import (
    Invoice,
    InvoiceStatus,
    PackageCredit,
    PackagePurchase,
    Payment,
    PaymentKind,
    PaymentStatus,
)
from carebase.resolvers.core import audit

log = logging.getLogger("carebase.billing")


async def undo_for_refund(
    uow: UnitOfWork, principal: Principal | None, payment: Payment, amount_cents: int
) -> None:
    """Run after ``record_refund`` moved the payment (under its row lock)."""
    actor = principal or Principal()  # a refund made in Stripe's dashboard: no actor of ours
    if payment.kind is PaymentKind.PACKAGE and payment.status is PaymentStatus.REFUNDED:
        await _take_back_credits(uow, actor, payment)
    if payment.invoice_id is not None:
        await _reopen_invoice(uow, actor, payment, amount_cents)


async def _take_back_credits(uow: UnitOfWork, actor: Principal, payment: Payment) -> None:
    purchase = (
        await uow.session.execute(
            select(PackagePurchase).where(PackagePurchase.payment_id == payment.id)
        )
    ).scalar_one_or_none()
    if purchase is None:
        return
    taken = await uow.session.execute(
        update(PackageCredit)
        .where(PackageCredit.purchase_id == purchase.id, PackageCredit.remaining > 0)
        .values(remaining=0)
    )
    log.info(
        "package purchase %s refunded: unused credits of %s credit rows taken back",
        purchase.id,
        taken.rowcount,  # type: ignore[attr-defined]
    )
    audit.record(
        uow,
        actor,
        action="write",
        resource="package_credits",
        resource_id=purchase.id,
        client_id=purchase.client_id,
        operation="refundPayment",
        organization_id=payment.organization_id,
    )


async def _reopen_invoice(
    uow: UnitOfWork, actor: Principal, payment: Payment, amount_cents: int
) -> None:
    invoice = (
        await uow.session.execute(
            select(Invoice)
            .where(Invoice.id == payment.invoice_id, Invoice.client_id == payment.client_id)
            .with_for_update()
        )
    ).scalar_one_or_none()
    if invoice is None:
        return
    invoice.paid_cents = max(0, invoice.paid_cents - amount_cents)
    if invoice.status is InvoiceStatus.PAID and invoice.paid_cents < invoice.total_cents:
        invoice.status = InvoiceStatus.OPEN
        invoice.paid_at = None
        log.info("invoice %s reopened by a refund of payment %s", invoice.id, payment.id)
    audit.record(
        uow,
        actor,
        action="write",
        resource="invoice",
        resource_id=invoice.id,
        client_id=invoice.client_id,
        operation="refundPayment",
        organization_id=payment.organization_id,
    )
