"""Charges that move money once: a new payment row, the charge to the default card, what
Stripe answered applied to the row, and the one-time charge of a client (chargeClient).

A decline is an outcome, not an error: the payment is kept FAILED with a typed
``failure_code``, and :func:`declined` turns that code into the caller's userError."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import update

from carebase.auth.policy import require_member
from carebase.auth.principal import Principal
from carebase.db import UnitOfWork
from carebase.errors import DomainError, ErrorCode, invalid
from carebase.gateways.stripe import CardDeclined, Charge, StripeUnavailable
from carebase.hooks import PaymentSucceeded
from carebase.models import (
    Account,
    Organization,
    Payment,
    PaymentFailure,
    PaymentKind,
    PaymentStatus,
    WebhookEventType,
    mark_succeeded,
)
from carebase.resolvers.billing.cards import default_card
from carebase.resolvers.billing.customers import customer_id, gateway
from carebase.resolvers.core import audit
from carebase.resolvers.core.checks import practice_currency
from carebase.resolvers.core.idempotency import run_idempotent
from carebase.resolvers.core.lookups import get_client
from carebase.resolvers.core.outbox import record_change

log = logging.getLogger("carebase.billing")

RECONCILE_AFTER_MS = 30_000


def check_amount(cents: int, field: str = "amountCents") -> int:
    if cents <= 0 or cents > 100_000_000:
        raise invalid("An amount is a positive number of cents", field)
    return cents


async def practice_of(uow: UnitOfWork, principal: Principal) -> Organization:
    assert principal.organization_id
    return await uow.session.get_one(Organization, principal.organization_id)


def money_request(**values: Any) -> dict[str, Any]:
    """A money mutation's arguments as the idempotency record compares them."""
    return {
        k: (str(v) if isinstance(v, uuid.UUID | date | datetime) else v) for k, v in values.items()
    }


async def replay_payment(uow: UnitOfWork, saved: dict[str, Any]) -> Payment:
    return await uow.session.get_one(Payment, uuid.UUID(saved["payment"]))


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
        extra["id"] = await _free_derived_id(uow, extra["id"])
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
        succeeded_at=uow.now() if status is PaymentStatus.SUCCEEDED else None,
        **extra,
    )
    uow.session.add(payment)
    await uow.session.flush()
    return payment


async def _free_derived_id(uow: UnitOfWork, derived: uuid.UUID) -> uuid.UUID:
    """A key's id, or (once its 24 hours are over and it is used afresh) the next of a fixed
    sequence after it: a new request under an old key is a new payment, and a retry of that
    new request after a lost commit still lands on the same id (and Stripe key)."""
    candidate = derived
    for generation in range(1, 10_000):
        if await uow.session.get(Payment, candidate) is None:
            return candidate
        candidate = uuid.uuid5(derived, f"generation:{generation}")
    raise RuntimeError("an idempotency key reused ten thousand times")


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


def fail(uow: UnitOfWork, payment: Payment, failure: PaymentFailure, message: str) -> None:
    payment.status = PaymentStatus.FAILED
    payment.failure_code = failure
    payment.failure_message = message
    payment_event(uow, payment, WebhookEventType.PAYMENT_FAILED)


def payment_event(uow: UnitOfWork, payment: Payment, event_type: WebhookEventType) -> None:
    record_change(
        uow,
        event_type,
        organization_id=payment.organization_id,
        resource_type="Payment",
        resource_id=payment.id,
        client_id=payment.client_id,
    )


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
            earlier = await gateway(uow).find_charge(payment_id=str(payment.id))
        except StripeUnavailable:
            uow.enqueue("billing.reconcile", payment.id, delay_ms=RECONCILE_AFTER_MS)
            return payment
        if earlier is not None:
            await apply_charge(uow, payment, earlier)
            return payment
    card = await default_card(uow, payment.client_id)
    client = await uow.session.get_one(Account, payment.client_id)
    if card is None:
        fail(uow, payment, PaymentFailure.NO_CARD, "No card on file")
        return payment
    stripe_customer = await customer_id(uow, client)
    # kept on the payment: its receipt names this card even if it is removed later
    payment.card_brand, payment.card_last4 = card.brand, card.last4
    try:
        result = await gateway(uow).charge(
            payment_id=str(payment.id),
            attempt=payment.attempts,
            amount_cents=payment.amount_cents,
            currency=payment.currency,
            customer_id=stripe_customer,
            payment_method_id=card.stripe_payment_method_id,
            description=payment.description,
        )
    except CardDeclined as refused:
        log.info(
            "payment %s declined: %s",
            payment.id,
            refused.decline_code or refused.code or "no code",
        )
        fail(uow, payment, PaymentFailure.CARD_DECLINED, refused.message)
        payment.stripe_payment_intent_id = refused.intent_id
        return payment
    except StripeUnavailable:
        uow.enqueue("billing.reconcile", payment.id, delay_ms=RECONCILE_AFTER_MS)
        return payment
    await apply_charge(uow, payment, result)
    return payment


async def apply_charge(uow: UnitOfWork, payment: Payment, result: Charge) -> None:
    payment.stripe_payment_intent_id = result.intent_id
    if result.status == "succeeded":
        mark_succeeded(payment, uow.now())
        payment.failure_code = None
        payment.failure_message = None
        await uow.session.flush()
        await uow.emit(PaymentSucceeded(payment))
    elif result.status in ("requires_payment_method", "canceled"):
        fail(
            uow,
            payment,
            payment.failure_code or PaymentFailure.NOT_CHARGED,
            payment.failure_message or "The card was not charged",
        )
    else:  # processing, requires_action: Stripe's webhook (or the reconcile job) finishes it
        uow.enqueue("billing.reconcile", payment.id, delay_ms=RECONCILE_AFTER_MS)


# the userError each way a payment fails: its code, and a message of ours or (None) the row's
# own, Stripe's words to the client; a row failed before codes existed was a decline
ERROR_FOR_FAILURE: dict[PaymentFailure, tuple[ErrorCode, str | None]] = {
    PaymentFailure.NO_CARD: (ErrorCode.NO_PAYMENT_METHOD, "The client has no card on file"),
    PaymentFailure.CARD_DECLINED: (ErrorCode.CARD_DECLINED, None),
    PaymentFailure.NOT_CHARGED: (ErrorCode.CARD_DECLINED, None),
}


def declined(payment: Payment) -> DomainError | None:
    """The userError that goes with a payment left FAILED by this request (or its replay)."""
    if payment.status is not PaymentStatus.FAILED:
        return None
    code, message = ERROR_FOR_FAILURE[payment.failure_code or PaymentFailure.CARD_DECLINED]
    return DomainError(code, message or payment.failure_message or "Declined")


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
    org = await practice_of(uow, principal)

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
        request=money_request(
            client=client_id, amount=amount_cents, currency=currency, description=description
        ),
        execute=execute,
        remember=lambda p: {"payment": str(p.id)},
        replay=lambda saved: replay_payment(uow, saved),
        reserve=True,
    )
