"""Payments made outside Stripe (cash, check, other), recorded by a member: succeeded as
recorded, and settling an open invoice of the client when one is named."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from carebase.auth.policy import require_member
from carebase.auth.principal import Principal
from carebase.db import UnitOfWork
from carebase.errors import DomainError, ErrorCode, invalid, not_found
from carebase.hooks import PaymentSucceeded
from carebase.models import Invoice, InvoiceStatus, Payment, PaymentKind, PaymentStatus
from carebase.resolvers.billing.charges import (
    check_amount,
    money_request,
    new_payment,
    practice_of,
    replay_payment,
)
from carebase.resolvers.billing.invoices import amount_due
from carebase.resolvers.core import audit
from carebase.resolvers.core.checks import practice_currency
from carebase.resolvers.core.idempotency import run_idempotent
from carebase.resolvers.core.lookups import get_client

EXTERNAL_METHODS = ("CASH", "CHECK", "OTHER")


async def record_external_payment(
    uow: UnitOfWork,
    principal: Principal,
    *,
    client_id: uuid.UUID,
    amount_cents: int,
    currency: str | None,
    method: str,
    invoice_id: uuid.UUID | None,
    note: str | None,
    idempotency_key: str | None,
) -> Payment:
    require_member(principal, "billing", write=True)
    org = await practice_of(uow, principal)

    async def execute() -> Payment:
        client = await get_client(uow, principal, client_id, audit_read=False)
        if method not in EXTERNAL_METHODS:
            raise invalid("method is CASH, CHECK or OTHER", "method")
        if invoice_id is not None:
            invoice = (
                await uow.session.execute(
                    select(Invoice)
                    .where(Invoice.id == invoice_id, Invoice.client_id == client.id)
                    .with_for_update()
                )
            ).scalar_one_or_none()
            if invoice is None:
                raise not_found("No such invoice of this client", "invoiceId")
            if invoice.status not in (InvoiceStatus.DRAFT, InvoiceStatus.OPEN):
                raise DomainError(
                    ErrorCode.INVOICE_NOT_OPEN, "This invoice is paid or void", "invoiceId"
                )
            paid_in = practice_currency(currency, org.currency)
            due = amount_due(invoice)
            if amount_cents < due or paid_in != invoice.currency:
                raise invalid(
                    f"Settling the invoice takes {due} cents in {invoice.currency}",
                    "amountCents",
                )
        payment = await new_payment(
            uow,
            principal,
            client=client,
            kind=PaymentKind.EXTERNAL,
            amount_cents=check_amount(amount_cents),
            currency=practice_currency(currency, org.currency),
            status=PaymentStatus.SUCCEEDED,
            external_method=method,
            note=note,
            invoice_id=invoice_id,
        )
        await uow.emit(PaymentSucceeded(payment))
        audit.record(
            uow,
            principal,
            action="write",
            resource="payment",
            resource_id=payment.id,
            client_id=client.id,
            operation="recordExternalPayment",
        )
        return payment

    return await run_idempotent(
        uow,
        organization_id=org.id,
        operation="recordExternalPayment",
        key=idempotency_key,
        request=money_request(
            client=client_id,
            amount=amount_cents,
            currency=currency,
            method=method,
            invoice=invoice_id,
            note=note,
        ),
        execute=execute,
        remember=lambda p: {"payment": str(p.id)},
        replay=lambda saved: replay_payment(uow, saved),
        reserve=True,
    )
