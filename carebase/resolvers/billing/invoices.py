"""Invoices (our own, not Stripe's): draft, send, pay by card or settle by an external payment."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select, update

from carebase.auth.policy import require_authenticated, require_member, require_reader, scoped
from carebase.auth.principal import Principal
from carebase.db import UnitOfWork
from carebase.errors import DomainError, ErrorCode, invalid, not_found
from carebase.models import (
    Account,
    Invoice,
    InvoiceStatus,
    Organization,
    Payment,
    PaymentKind,
    PaymentStatus,
    WebhookEventType,
)
from carebase.resolvers.billing import cards, charges, customers
from carebase.resolvers.core import audit
from carebase.resolvers.core.checks import practice_currency
from carebase.resolvers.core.idempotency import run_idempotent
from carebase.resolvers.core.lookups import get_client
from carebase.resolvers.core.notifications import portal_link, queue_email
from carebase.resolvers.core.outbox import record_change
from carebase.resolvers.core.pagination import (
    Load,
    Order,
    Page,
    PageRequest,
    asc,
    desc,
    in_order,
    paginate,
)


@dataclass(frozen=True)
class Line:
    description: str
    amount_cents: int
    quantity: int = 1


def _lines(lines: Sequence[Line]) -> list[dict[str, Any]]:
    if not lines or len(lines) > 100:
        raise invalid("An invoice has 1 to 100 lines", "items")
    result = []
    for i, line in enumerate(lines):
        if not line.description.strip() or len(line.description) > 500:
            raise invalid("Describe each line (up to 500 characters)", ["items", str(i)])
        if line.amount_cents < 0 or line.quantity < 1 or line.quantity > 10_000:
            raise invalid("A line has a unit price ≥ 0 and a quantity ≥ 1", ["items", str(i)])
        result.append(
            {
                "description": line.description.strip(),
                "amount_cents": line.amount_cents,
                "quantity": line.quantity,
            }
        )
    return result


async def create_invoice_record(
    uow: UnitOfWork,
    client: Account,
    *,
    lines: Sequence[Line],
    currency: str,
    due_date: date | None,
    appointment_id: uuid.UUID | None = None,
) -> Invoice:
    checked = _lines(lines)
    invoice = Invoice(
        organization_id=client.organization_id,
        client_id=client.id,
        currency=currency,
        lines=checked,
        total_cents=sum(x["amount_cents"] * x["quantity"] for x in checked),
        due_date=due_date,
        appointment_id=appointment_id,
    )
    uow.session.add(invoice)
    await uow.session.flush()
    return invoice


async def create_invoice(
    uow: UnitOfWork,
    principal: Principal,
    *,
    client_id: uuid.UUID,
    lines: Sequence[Line],
    due_date: date | None,
    currency: str | None,
) -> Invoice:
    require_member(principal, "billing", write=True)
    client = await get_client(uow, principal, client_id, audit_read=False)
    org = await uow.session.get_one(Organization, client.organization_id)
    invoice = await create_invoice_record(
        uow,
        client,
        lines=lines,
        due_date=due_date,
        currency=practice_currency(currency, org.currency),
    )
    audit.record(
        uow,
        principal,
        action="write",
        resource="invoice",
        resource_id=invoice.id,
        client_id=client.id,
        operation="createInvoice",
    )
    return invoice


async def get_invoice(
    uow: UnitOfWork,
    principal: Principal,
    invoice_id: uuid.UUID,
    *,
    write: bool = False,
    field: str = "id",
) -> Invoice:
    require_authenticated(principal)
    if not principal.is_client:
        require_member(principal, "billing", write=write)
    stmt = scoped(select(Invoice), principal, Invoice.organization_id, Invoice.client_id)
    stmt = stmt.where(Invoice.id == invoice_id)
    if write:
        stmt = stmt.with_for_update()
    found: Invoice | None = (await uow.session.execute(stmt)).scalar_one_or_none()
    if found is None:
        raise not_found("No such invoice", field)
    audit.record(
        uow,
        principal,
        action="write" if write else "read",
        resource="invoice",
        resource_id=found.id,
        client_id=found.client_id,
    )
    return found


async def send_invoice_email(uow: UnitOfWork, invoice: Invoice) -> None:
    client = await uow.session.get_one(Account, invoice.client_id)
    org = await uow.session.get_one(Organization, invoice.organization_id)
    link = portal_link(uow, org, f"invoices/{invoice.id}")
    total = f"{invoice.total_cents / 100:.2f} {invoice.currency.upper()}"
    due = f" It is due on {invoice.due_date.isoformat()}." if invoice.due_date else ""
    await queue_email(
        uow,
        to=client.email,
        subject=f"Invoice from {org.name}",
        body=(
            f"Hello {client.name},\n\n{org.name} sent you an invoice for {total}.{due}\n"
            f"See and pay it here:\n\n{link}\n\n{org.name}\n"
        ),
        kind="invoice",
        organization_id=org.id,
        account_id=client.id,
    )


async def open_and_send(uow: UnitOfWork, invoice: Invoice) -> None:
    invoice.status = InvoiceStatus.OPEN
    invoice.sent_at = uow.now()
    invoice_event(uow, invoice.organization_id, invoice.id, invoice.client_id, "SENT")
    await send_invoice_email(uow, invoice)


async def send_invoice(uow: UnitOfWork, principal: Principal, *, invoice_id: uuid.UUID) -> Invoice:
    require_member(principal, "billing", write=True)
    invoice = await get_invoice(uow, principal, invoice_id, write=True)
    if invoice.status is InvoiceStatus.DRAFT:
        await open_and_send(uow, invoice)
    elif invoice.status is InvoiceStatus.OPEN:
        await send_invoice_email(uow, invoice)  # sending again reminds
    else:
        raise DomainError(ErrorCode.INVOICE_NOT_OPEN, "This invoice is paid or void", "id")
    audit.record(
        uow,
        principal,
        action="write",
        resource="invoice",
        resource_id=invoice.id,
        client_id=invoice.client_id,
        operation="sendInvoice",
    )
    return invoice


async def void_invoice(uow: UnitOfWork, principal: Principal, *, invoice_id: uuid.UUID) -> Invoice:
    require_member(principal, "billing", write=True)
    invoice = await get_invoice(uow, principal, invoice_id, write=True)
    if invoice.status not in (InvoiceStatus.DRAFT, InvoiceStatus.OPEN):
        raise DomainError(
            ErrorCode.INVOICE_NOT_OPEN, "Only a draft or open invoice can be voided", "id"
        )
    invoice.status = InvoiceStatus.VOID
    invoice.voided_at = uow.now()
    audit.record(
        uow,
        principal,
        action="write",
        resource="invoice",
        resource_id=invoice.id,
        client_id=invoice.client_id,
        operation="voidInvoice",
    )
    return invoice


async def pay_invoice(
    uow: UnitOfWork,
    principal: Principal,
    *,
    invoice_id: uuid.UUID,
    idempotency_key: str | None,
) -> tuple[Invoice, Payment]:
    invoice = await get_invoice(uow, principal, invoice_id, write=True)  # the client pays theirs

    async def execute() -> Payment:
        if invoice.status is not InvoiceStatus.OPEN:
            raise DomainError(ErrorCode.INVOICE_NOT_OPEN, "Only an open invoice can be paid", "id")
        # under the invoice's row lock: one card payment at a time (once one worked the
        # invoice is PAID; a refund reopens it for what is still owed)
        under_way = (
            await uow.session.execute(
                select(Payment.id).where(
                    Payment.invoice_id == invoice.id,
                    Payment.status == PaymentStatus.PROCESSING,
                )
            )
        ).first()
        if under_way is not None:
            raise DomainError(
                ErrorCode.PAYMENT_IN_PROGRESS, "A payment of this invoice is under way", "id"
            )
        customers.gateway(uow)
        client = await uow.session.get_one(Account, invoice.client_id)
        if await cards.default_card(uow, client.id) is None:
            raise DomainError(ErrorCode.NO_PAYMENT_METHOD, "No card on file", "id")
        payment = await charges.new_payment(
            uow,
            principal,
            client=client,
            kind=PaymentKind.INVOICE,
            amount_cents=amount_due(invoice),
            currency=invoice.currency,
            description=f"Invoice {invoice.id}",
            invoice_id=invoice.id,
            id=charges.payment_id_for(invoice.organization_id, "payInvoice", idempotency_key),
        )
        return await charges.charge_now(uow, payment, look_first=idempotency_key is not None)

    payment = await run_idempotent(
        uow,
        organization_id=invoice.organization_id,
        operation="payInvoice",
        key=idempotency_key,
        request={"invoice": str(invoice_id)},
        execute=execute,
        remember=lambda p: {"payment": str(p.id)},
        replay=lambda saved: uow.session.get_one(Payment, uuid.UUID(saved["payment"])),
        reserve=True,
    )
    await uow.session.refresh(invoice)
    audit.record(
        uow,
        principal,
        action="write",
        resource="invoice",
        resource_id=invoice.id,
        client_id=invoice.client_id,
        operation="payInvoice",
    )
    return invoice, payment


def amount_due(invoice: Invoice) -> int:
    """What is still owed: the total less what its payments captured net of refunds."""
    if invoice.status not in (InvoiceStatus.DRAFT, InvoiceStatus.OPEN):
        return 0
    return max(0, invoice.total_cents - invoice.paid_cents)


async def settle_invoice(uow: UnitOfWork, payment: Payment) -> None:
    """A succeeded payment for an invoice counts towards it; once nothing is owed it is paid
    (an external one settles it)."""
    if payment.invoice_id is None:
        return
    counted = await uow.session.execute(
        update(Invoice)
        .where(
            Invoice.id == payment.invoice_id,
            Invoice.client_id == payment.client_id,
            Invoice.status.in_((InvoiceStatus.OPEN, InvoiceStatus.DRAFT)),
        )
        .values(paid_cents=Invoice.paid_cents + payment.amount_cents)
    )
    if counted.rowcount != 1:  # type: ignore[attr-defined]
        return
    paid = await uow.session.execute(
        update(Invoice)
        .where(Invoice.id == payment.invoice_id, Invoice.paid_cents >= Invoice.total_cents)
        .values(status=InvoiceStatus.PAID, paid_at=uow.now())
    )
    if paid.rowcount == 1:  # type: ignore[attr-defined]
        invoice_event(uow, payment.organization_id, payment.invoice_id, payment.client_id, "PAID")


def invoice_event(
    uow: UnitOfWork,
    organization_id: uuid.UUID,
    invoice_id: uuid.UUID,
    client_id: uuid.UUID,
    change: str,
) -> None:
    event_type = (
        WebhookEventType.INVOICE_SENT if change == "SENT" else WebhookEventType.INVOICE_PAID
    )
    record_change(
        uow,
        event_type,
        organization_id=organization_id,
        resource_type="Invoice",
        resource_id=invoice_id,
        client_id=client_id,
    )


@dataclass(frozen=True)
class InvoiceFilter:
    client_id: uuid.UUID | None = None
    status: InvoiceStatus | None = None


NEWEST_INVOICES = Order("invoices", desc(Invoice.created_at), asc(Invoice.id))


async def list_invoices(
    uow: UnitOfWork, principal: Principal, *, filter: InvoiceFilter, page: PageRequest
) -> Page[Invoice]:
    require_authenticated(principal)
    if not principal.is_client:
        require_member(principal, "billing")
    stmt = scoped(select(Invoice), principal, Invoice.organization_id, Invoice.client_id)
    if filter.client_id:
        stmt = stmt.where(Invoice.client_id == filter.client_id)
    if filter.status:
        stmt = stmt.where(Invoice.status == filter.status)
    result = await paginate(uow, stmt, page, NEWEST_INVOICES)
    for invoice in result.items:
        audit.record(
            uow,
            principal,
            action="read",
            resource="invoice",
            resource_id=invoice.id,
            client_id=invoice.client_id,
        )
    return result


async def balances(uow: UnitOfWork, client_ids: Sequence[uuid.UUID]) -> list[int]:
    """What each client owes: what is still due on their open invoices."""
    rows = await uow.session.execute(
        select(
            Invoice.client_id,
            func.coalesce(func.sum(Invoice.total_cents - Invoice.paid_cents), 0),
        )
        .where(Invoice.client_id.in_(client_ids), Invoice.status == InvoiceStatus.OPEN)
        .group_by(Invoice.client_id)
    )
    owed = {c: int(t) for c, t in rows.all()}
    return [owed.get(c, 0) for c in client_ids]


async def client_balance(
    uow: UnitOfWork, principal: Principal, *, client_id: uuid.UUID, load: Load[uuid.UUID, int]
) -> int:
    """``Client.balance``, in cents: a client reads their own, a member or key needs
    billing:read. ``load`` is the request's batch loader over ``balances``."""
    require_reader(principal, "billing")
    return await load(client_id)


async def load_invoices(
    uow: UnitOfWork, principal: Principal, ids: Sequence[uuid.UUID]
) -> list[Invoice | None]:
    """Invoices by id, in order, for DataLoaders: those the principal may read."""
    rows = await uow.session.execute(
        scoped(select(Invoice), principal, Invoice.organization_id, Invoice.client_id).where(
            Invoice.id.in_(ids)
        )
    )
    return in_order(rows.scalars(), ids, lambda i: i.id)
