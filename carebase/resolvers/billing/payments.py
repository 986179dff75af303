"""Payments: cards on file, charges that move money once, refunds within what was captured."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select, update

from carebase.auth.policy import (
    require_authenticated,
    require_client_access,
    require_member,
    scoped,
)
from carebase.auth.principal import Principal
from carebase.db import UnitOfWork
from carebase.errors import DomainError, ErrorCode, invalid, not_found
from carebase.gateways.stripe import (
    CardDeclined,
    Charge,
    PaymentsNotConfigured,
    StripeGateway,
    StripeUnavailable,
    UnknownPaymentMethod,
)
from carebase.hooks import PaymentSucceeded
from carebase.models import (
    Account,
    BillingCustomer,
    Invoice,
    InvoiceStatus,
    Organization,
    Payment,
    PaymentKind,
    PaymentMethod,
    PaymentStatus,
    Refund,
)
from carebase.resolvers.core import audit
from carebase.resolvers.core.checks import now, practice_currency
from carebase.resolvers.core.idempotency import run_idempotent
from carebase.resolvers.core.lookups import get_client
from carebase.resolvers.core.pagination import Page, PageRequest, grouped, paginate

RECONCILE_AFTER_MS = 30_000
# what a Stripe object id looks like (pm_..., card_..., src_...), checked before asking Stripe
STRIPE_ID = re.compile(r"[A-Za-z][A-Za-z0-9_]{2,254}")

# what follows a payment's success elsewhere (an invoice paid, a package's credits granted)


def gateway(uow: UnitOfWork) -> StripeGateway:
    try:
        return StripeGateway(uow.settings)
    except PaymentsNotConfigured:
        raise DomainError(
            ErrorCode.PAYMENTS_NOT_CONFIGURED, "Card payments are not set up for this practice"
        ) from None


def check_amount(cents: int, field: str = "amountCents") -> int:
    if cents <= 0 or cents > 100_000_000:
        raise invalid("An amount is a positive number of cents", field)
    return cents


async def _org(uow: UnitOfWork, principal: Principal) -> Organization:
    assert principal.organization_id
    return await uow.session.get_one(Organization, principal.organization_id)


# --- customers and cards ------------------------------------------------------------------


async def customer_id(uow: UnitOfWork, client: Account) -> str:
    """The client's Stripe customer, created on first need."""
    found = (
        await uow.session.execute(
            select(BillingCustomer.stripe_customer_id).where(BillingCustomer.client_id == client.id)
        )
    ).scalar_one_or_none()
    if found:
        return found
    stripe_id = await asyncio.to_thread(
        gateway(uow).create_customer,
        client_id=str(client.id),
        email=client.email,
        name=client.name,
    )
    uow.session.add(
        BillingCustomer(
            organization_id=client.organization_id,
            client_id=client.id,
            stripe_customer_id=stripe_id,
        )
    )
    await uow.session.flush()
    return stripe_id


async def _billing_client(
    uow: UnitOfWork, principal: Principal, client_id: uuid.UUID, *, write: bool
) -> Account:
    require_authenticated(principal)
    if principal.is_client:
        require_client_access(principal, client_id, write=write)
    else:
        require_member(principal, "billing", write=write)
    return await get_client(uow, principal, client_id, audit_read=False)


async def create_setup_intent(
    uow: UnitOfWork, principal: Principal, *, client_id: uuid.UUID
) -> str:
    client = await _billing_client(uow, principal, client_id, write=True)
    stripe_customer = await customer_id(uow, client)
    return await asyncio.to_thread(gateway(uow).create_setup_intent, customer_id=stripe_customer)


async def attach_payment_method(
    uow: UnitOfWork,
    principal: Principal,
    *,
    client_id: uuid.UUID,
    stripe_payment_method_id: str,
    make_default: bool,
) -> PaymentMethod:
    client = await _billing_client(uow, principal, client_id, write=True)
    if not STRIPE_ID.fullmatch(stripe_payment_method_id):
        raise invalid("Not a Stripe payment method id", "stripePaymentMethodId")
    stripe_customer = await customer_id(uow, client)
    try:
        card = await asyncio.to_thread(
            gateway(uow).attach_card,
            payment_method_id=stripe_payment_method_id,
            customer_id=stripe_customer,
        )
    except UnknownPaymentMethod:
        raise invalid("No such payment method", "stripePaymentMethodId") from None
    except CardDeclined as declined:
        raise DomainError(
            ErrorCode.CARD_DECLINED, declined.message, "stripePaymentMethodId"
        ) from None
    except StripeUnavailable:
        raise DomainError(
            ErrorCode.PAYMENTS_NOT_CONFIGURED, "The payment processor cannot be reached; try again"
        ) from None
    existing = await _cards(uow, client.id)
    method = PaymentMethod(
        organization_id=client.organization_id,
        client_id=client.id,
        stripe_payment_method_id=card.id,
        brand=card.brand,
        last4=card.last4,
        exp_month=card.exp_month,
        exp_year=card.exp_year,
        is_default=make_default or not existing,
    )
    if method.is_default:
        await _clear_default(uow, client.id)
    uow.session.add(method)
    await uow.session.flush()
    audit.record(
        uow,
        principal,
        action="write",
        resource="payment_method",
        resource_id=method.id,
        client_id=client.id,
        operation="attachPaymentMethod",
    )
    return method


async def _clear_default(uow: UnitOfWork, client_id: uuid.UUID) -> None:
    await uow.session.execute(
        update(PaymentMethod).where(PaymentMethod.client_id == client_id).values(is_default=False)
    )


async def _cards(uow: UnitOfWork, client_id: uuid.UUID) -> list[PaymentMethod]:
    rows = await uow.session.execute(
        select(PaymentMethod)
        .where(PaymentMethod.client_id == client_id, PaymentMethod.removed_at.is_(None))
        .order_by(PaymentMethod.created_at)
    )
    return list(rows.scalars())


async def _method(uow: UnitOfWork, principal: Principal, method_id: uuid.UUID) -> PaymentMethod:
    require_authenticated(principal)  # no credentials: UNAUTHENTICATED, not "no such card"
    method = (
        await uow.session.execute(
            select(PaymentMethod).where(
                PaymentMethod.id == method_id,
                PaymentMethod.organization_id == principal.organization_id,
                PaymentMethod.removed_at.is_(None),
            )
        )
    ).scalar_one_or_none()
    if method is None:
        raise not_found("No such card", "id")
    await _billing_client(uow, principal, method.client_id, write=True)
    return method


async def set_default_payment_method(
    uow: UnitOfWork, principal: Principal, *, method_id: uuid.UUID
) -> PaymentMethod:
    method = await _method(uow, principal, method_id)
    await _clear_default(uow, method.client_id)
    method.is_default = True
    audit.record(
        uow,
        principal,
        action="write",
        resource="payment_method",
        resource_id=method.id,
        client_id=method.client_id,
        operation="setDefaultPaymentMethod",
    )
    return method


async def remove_payment_method(
    uow: UnitOfWork, principal: Principal, *, method_id: uuid.UUID
) -> PaymentMethod:
    method = await _method(uow, principal, method_id)
    await asyncio.to_thread(
        gateway(uow).detach_card, payment_method_id=method.stripe_payment_method_id
    )
    method.removed_at = now()
    if method.is_default:
        method.is_default = False
        others = [m for m in await _cards(uow, method.client_id) if m.id != method.id]
        if others:
            others[-1].is_default = True
    audit.record(
        uow,
        principal,
        action="write",
        resource="payment_method",
        resource_id=method.id,
        client_id=method.client_id,
        operation="removePaymentMethod",
    )
    return method


async def default_card(uow: UnitOfWork, client_id: uuid.UUID) -> PaymentMethod | None:
    return (
        await uow.session.execute(
            select(PaymentMethod).where(
                PaymentMethod.client_id == client_id,
                PaymentMethod.is_default.is_(True),
                PaymentMethod.removed_at.is_(None),
            )
        )
    ).scalar_one_or_none()


async def load_cards(uow: UnitOfWork, client_ids: Sequence[uuid.UUID]) -> list[list[PaymentMethod]]:
    rows = await uow.session.execute(
        select(PaymentMethod)
        .where(PaymentMethod.client_id.in_(client_ids), PaymentMethod.removed_at.is_(None))
        .order_by(PaymentMethod.created_at)
    )
    return grouped(rows.scalars(), client_ids, lambda m: m.client_id)


# --- charging -----------------------------------------------------------------------------


async def claim(
    uow: UnitOfWork, payment_id: uuid.UUID, from_statuses: Sequence[PaymentStatus]
) -> bool:
    """Move a payment to PROCESSING unless another attempt holds it: the guarded update."""
    stmt = (
        update(Payment)
        .where(Payment.id == payment_id, Payment.status.in_(from_statuses))
        .values(status=PaymentStatus.PROCESSING, attempts=Payment.attempts + 1)
    )
    claimed = await uow.session.execute(stmt)
    return claimed.rowcount == 1  # type: ignore[attr-defined,no-any-return]


async def charge_now(uow: UnitOfWork, payment: Payment, *, look_first: bool = False) -> Payment:
    """Charge a PROCESSING payment to the client's default card. A decline is an outcome
    (FAILED, kept); an unreachable Stripe leaves it PROCESSING for the reconcile job.

    ``look_first``: the payment's id may have reached Stripe before (a retry whose first
    commit was lost): find that PaymentIntent by our metadata and adopt it, never charge again.
    """
    await uow.session.refresh(payment)
    if payment.status is not PaymentStatus.PROCESSING:
        return payment  # decided already: nothing to charge
    if look_first:
        try:
            earlier = await asyncio.to_thread(gateway(uow).find_charge, payment_id=str(payment.id))
        except StripeUnavailable:
            uow.enqueue("billing.reconcile", payment.id, delay_ms=RECONCILE_AFTER_MS)
            return payment
        if earlier is not None:
            await apply_charge(uow, payment, earlier)
            return payment
    card = await default_card(uow, payment.client_id)
    client = await uow.session.get_one(Account, payment.client_id)
    if card is None:
        payment.status = PaymentStatus.FAILED
        payment.failure_message = "No card on file"
        return payment
    stripe_customer = await customer_id(uow, client)
    try:
        result = await asyncio.to_thread(
            gateway(uow).charge,
            payment_id=str(payment.id),
            attempt=payment.attempts,
            amount_cents=payment.amount_cents,
            currency=payment.currency,
            customer_id=stripe_customer,
            payment_method_id=card.stripe_payment_method_id,
            description=payment.description,
        )
    except CardDeclined as declined:
        payment.status = PaymentStatus.FAILED
        payment.failure_message = declined.message
        payment.stripe_payment_intent_id = declined.intent_id
        return payment
    except StripeUnavailable:
        uow.enqueue("billing.reconcile", payment.id, delay_ms=RECONCILE_AFTER_MS)
        return payment
    await apply_charge(uow, payment, result)
    return payment


async def apply_charge(uow: UnitOfWork, payment: Payment, result: Charge) -> None:
    payment.stripe_payment_intent_id = result.intent_id
    if result.status == "succeeded":
        payment.status = PaymentStatus.SUCCEEDED
        payment.failure_message = None
        await uow.session.flush()
        await uow.emit(PaymentSucceeded(payment))
    elif result.status in ("requires_payment_method", "canceled"):
        payment.status = PaymentStatus.FAILED
        payment.failure_message = payment.failure_message or "The card was not charged"
    else:  # processing, requires_action: Stripe's webhook (or the reconcile job) finishes it
        uow.enqueue("billing.reconcile", payment.id, delay_ms=RECONCILE_AFTER_MS)


def payment_id_for(organization_id: uuid.UUID, operation: str, key: str | None) -> uuid.UUID:
    """With an idempotency key the payment id is derived from it, so a retry after a commit
    that never happened sends Stripe the very same idempotency key: no second charge."""
    if key is None:
        return uuid.uuid4()
    return uuid.uuid5(uuid.NAMESPACE_URL, f"carebase:{organization_id}:{operation}:{key}")


async def new_payment(
    uow: UnitOfWork,
    principal: Principal | None,
    *,
    client: Account,
    kind: PaymentKind,
    amount_cents: int,
    currency: str,
    description: str | None = None,
    status: PaymentStatus = PaymentStatus.PROCESSING,
    **extra: Any,
) -> Payment:
    if extra.get("id") is not None:
        # the same idempotency key again, past its record: the payment it made, as it is
        found = await uow.session.get(Payment, extra["id"])
        if found is not None:
            return found
    payment = Payment(
        organization_id=client.organization_id,
        client_id=client.id,
        kind=kind,
        status=status,
        amount_cents=amount_cents,
        currency=currency,
        description=description,
        attempts=1 if status is PaymentStatus.PROCESSING else 0,
        created_by_id=principal.account_id if principal else None,
        **extra,
    )
    uow.session.add(payment)
    await uow.session.flush()
    return payment


def declined(payment: Payment) -> DomainError | None:
    """The userError that goes with a payment left FAILED by this request."""
    if payment.status is not PaymentStatus.FAILED:
        return None
    if payment.failure_message == "No card on file":
        return DomainError(ErrorCode.NO_PAYMENT_METHOD, "The client has no card on file")
    return DomainError(ErrorCode.CARD_DECLINED, payment.failure_message or "Declined")


def _money_request(**values: Any) -> dict[str, Any]:
    return {
        k: (str(v) if isinstance(v, uuid.UUID | date | datetime) else v) for k, v in values.items()
    }


async def _replay_payment(uow: UnitOfWork, saved: dict[str, Any]) -> Payment:
    return await uow.session.get_one(Payment, uuid.UUID(saved["payment"]))


async def charge_client(
    uow: UnitOfWork,
    principal: Principal,
    *,
    client_id: uuid.UUID,
    amount_cents: int,
    currency: str | None,
    description: str | None,
    idempotency_key: str | None,
) -> Payment:
    require_member(principal, "billing", write=True)
    org = await _org(uow, principal)

    async def execute() -> Payment:
        client = await get_client(uow, principal, client_id, audit_read=False)
        amount = check_amount(amount_cents)
        money = practice_currency(currency, org.currency)
        gateway(uow)  # PAYMENTS_NOT_CONFIGURED before anything is written
        if await default_card(uow, client.id) is None:
            raise DomainError(
                ErrorCode.NO_PAYMENT_METHOD, "The client has no card on file", "clientId"
            )
        payment = await new_payment(
            uow,
            principal,
            client=client,
            kind=PaymentKind.ONE_TIME,
            amount_cents=amount,
            currency=money,
            description=description,
            id=payment_id_for(org.id, "chargeClient", idempotency_key),
        )
        audit.record(
            uow,
            principal,
            action="write",
            resource="payment",
            resource_id=payment.id,
            client_id=client.id,
            operation="chargeClient",
        )
        return await charge_now(uow, payment, look_first=idempotency_key is not None)

    return await run_idempotent(
        uow,
        organization_id=org.id,
        operation="chargeClient",
        key=idempotency_key,
        request=_money_request(
            client=client_id, amount=amount_cents, currency=currency, description=description
        ),
        execute=execute,
        remember=lambda p: {"payment": str(p.id)},
        replay=lambda saved: _replay_payment(uow, saved),
        reserve=True,
    )


def org_today(org: Organization) -> date:
    return datetime.now(ZoneInfo(org.timezone)).date()


async def schedule_payment(
    uow: UnitOfWork,
    principal: Principal,
    *,
    client_id: uuid.UUID,
    amount_cents: int,
    currency: str | None,
    charge_on: date,
    description: str | None,
    idempotency_key: str | None,
) -> Payment:
    require_member(principal, "billing", write=True)
    org = await _org(uow, principal)

    async def execute() -> Payment:
        client = await get_client(uow, principal, client_id, audit_read=False)
        if charge_on < org_today(org):
            raise invalid("chargeOn is today or a later date", "chargeOn")
        gateway(uow)
        payment = await new_payment(
            uow,
            principal,
            client=client,
            kind=PaymentKind.SCHEDULED,
            amount_cents=check_amount(amount_cents),
            currency=practice_currency(currency, org.currency),
            description=description,
            status=PaymentStatus.SCHEDULED,
            scheduled_for=charge_on,
        )
        audit.record(
            uow,
            principal,
            action="write",
            resource="payment",
            resource_id=payment.id,
            client_id=client.id,
            operation="schedulePayment",
        )
        return payment

    return await run_idempotent(
        uow,
        organization_id=org.id,
        operation="schedulePayment",
        key=idempotency_key,
        request=_money_request(
            client=client_id,
            amount=amount_cents,
            currency=currency,
            on=charge_on,
            description=description,
        ),
        execute=execute,
        remember=lambda p: {"payment": str(p.id)},
        replay=lambda saved: _replay_payment(uow, saved),
        reserve=True,
    )


async def get_payment(
    uow: UnitOfWork, principal: Principal, payment_id: uuid.UUID, field: str = "paymentId"
) -> Payment:
    require_authenticated(principal)
    if not principal.is_client:
        require_member(principal, "billing")
    stmt = _payments(principal).where(Payment.id == payment_id)
    found: Payment | None = (await uow.session.execute(stmt)).scalar_one_or_none()
    if found is None:
        raise not_found("No such payment", field)
    audit.record(
        uow,
        principal,
        action="read",
        resource="payment",
        resource_id=found.id,
        client_id=found.client_id,
    )
    return found


async def cancel_scheduled_payment(
    uow: UnitOfWork, principal: Principal, *, payment_id: uuid.UUID
) -> Payment:
    require_member(principal, "billing", write=True)
    payment = await get_payment(uow, principal, payment_id)
    cancelled = await uow.session.execute(
        update(Payment)
        .where(Payment.id == payment.id, Payment.status == PaymentStatus.SCHEDULED)
        .values(status=PaymentStatus.CANCELLED)
    )
    if cancelled.rowcount != 1:  # type: ignore[attr-defined]
        raise DomainError(
            ErrorCode.PAYMENT_IN_PROGRESS,
            "Only a payment that has not run yet can be cancelled",
            "paymentId",
        )
    await uow.session.refresh(payment)
    audit.record(
        uow,
        principal,
        action="write",
        resource="payment",
        resource_id=payment.id,
        client_id=payment.client_id,
        operation="cancelScheduledPayment",
    )
    return payment


async def refund_payment(
    uow: UnitOfWork,
    principal: Principal,
    *,
    payment_id: uuid.UUID,
    amount_cents: int | None,
    reason: str | None,
    idempotency_key: str | None,
) -> Payment:
    require_member(principal, "billing", write=True)
    org = await _org(uow, principal)

    async def execute() -> Payment:
        # the cap is ours, checked under a row lock: never more than captured minus refunded
        payment: Payment | None = (
            await uow.session.execute(
                _payments(principal).where(Payment.id == payment_id).with_for_update()
            )
        ).scalar_one_or_none()
        if payment is None:
            raise not_found("No such payment", "paymentId")
        await uow.session.refresh(payment)
        if payment.status not in (PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED):
            raise DomainError(
                ErrorCode.REFUND_EXCEEDS_CAPTURED, "Nothing captured is left to refund", "paymentId"
            )
        left = payment.amount_cents - payment.refunded_cents
        amount = left if amount_cents is None else check_amount(amount_cents)
        if amount > left:
            raise DomainError(
                ErrorCode.REFUND_EXCEEDS_CAPTURED,
                f"At most {left} cents can still be refunded",
                "amountCents",
            )
        refund = Refund(
            organization_id=payment.organization_id,
            payment_id=payment.id,
            amount_cents=amount,
            reason=reason,
            created_by_id=principal.account_id,
        )
        uow.session.add(refund)
        await uow.session.flush()
        if payment.kind is not PaymentKind.EXTERNAL and payment.stripe_payment_intent_id:
            try:
                refund.stripe_refund_id = await asyncio.to_thread(
                    gateway(uow).refund,
                    intent_id=payment.stripe_payment_intent_id,
                    amount_cents=amount,
                    refund_id=str(refund.id),
                    payment_id=str(payment.id),
                )
            except StripeUnavailable:
                # Stripe may or may not have done it: the row stays, counted against the cap,
                # and a job asks again under the same idempotency key (refund-<row id>)
                uow.enqueue("billing.refund", refund.id, delay_ms=RECONCILE_AFTER_MS)
        record_refund(payment, amount)
        audit.record(
            uow,
            principal,
            action="write",
            resource="payment",
            resource_id=payment.id,
            client_id=payment.client_id,
            operation="refundPayment",
        )
        return payment

    return await run_idempotent(
        uow,
        organization_id=org.id,
        operation="refundPayment",
        key=idempotency_key,
        request=_money_request(payment=payment_id, amount=amount_cents, reason=reason),
        execute=execute,
        remember=lambda p: {"payment": str(p.id)},
        replay=lambda saved: _replay_payment(uow, saved),
        reserve=True,
    )


def record_refund(payment: Payment, amount: int) -> None:
    payment.refunded_cents += amount
    payment.status = (
        PaymentStatus.REFUNDED
        if payment.refunded_cents >= payment.amount_cents
        else PaymentStatus.PARTIALLY_REFUNDED
    )


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
    org = await _org(uow, principal)

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
            if amount_cents < invoice.total_cents or paid_in != invoice.currency:
                raise invalid(
                    f"Settling the invoice takes {invoice.total_cents} cents in {invoice.currency}",
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
        request=_money_request(
            client=client_id,
            amount=amount_cents,
            currency=currency,
            method=method,
            invoice=invoice_id,
            note=note,
        ),
        execute=execute,
        remember=lambda p: {"payment": str(p.id)},
        replay=lambda saved: _replay_payment(uow, saved),
        reserve=True,
    )


# --- reading ------------------------------------------------------------------------------


def _payments(principal: Principal) -> Select[Any]:
    return scoped(select(Payment), principal, Payment.organization_id, Payment.client_id)


@dataclass(frozen=True)
class PaymentFilter:
    client_id: uuid.UUID | None = None
    status: PaymentStatus | None = None
    kind: PaymentKind | None = None
    start: datetime | None = None
    end: datetime | None = None


async def list_payments(
    uow: UnitOfWork, principal: Principal, *, filter: PaymentFilter, page: PageRequest
) -> Page[Payment]:
    require_authenticated(principal)
    if not principal.is_client:
        require_member(principal, "billing")
    stmt = _payments(principal)
    if filter.client_id:
        stmt = stmt.where(Payment.client_id == filter.client_id)
    if filter.status:
        stmt = stmt.where(Payment.status == filter.status)
    if filter.kind:
        stmt = stmt.where(Payment.kind == filter.kind)
    if filter.start:
        stmt = stmt.where(Payment.created_at >= filter.start)
    if filter.end:
        stmt = stmt.where(Payment.created_at < filter.end)
    result = await paginate(uow, stmt.order_by(Payment.created_at.desc(), Payment.id), page)
    for p in result.items:
        audit.record(
            uow,
            principal,
            action="read",
            resource="payment",
            resource_id=p.id,
            client_id=p.client_id,
        )
    return result


async def load_appointment_payments(
    uow: UnitOfWork, principal: Principal, ids: Sequence[uuid.UUID]
) -> list[list[Payment]]:
    rows = await uow.session.execute(
        _payments(principal).where(Payment.appointment_id.in_(ids)).order_by(Payment.created_at)
    )
    grouped: dict[uuid.UUID, list[Payment]] = {i: [] for i in ids}
    for p in rows.scalars():
        assert p.appointment_id
        grouped[p.appointment_id].append(p)
        audit.record(
            uow,
            principal,
            action="read",
            resource="payment",
            resource_id=p.id,
            client_id=p.client_id,
        )
    return [grouped[i] for i in ids]
