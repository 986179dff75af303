"""Refunds: never more than was captured minus what was refunded, checked under a row lock;
a refund Stripe did not answer is asked again by the ``billing.refund`` job; one Stripe
refused changes nothing. What a refund undoes beside the money is ``refund_effects``'s."""

from __future__ import annotations

import uuid

from carebase.auth.policy import require_member
from carebase.auth.principal import Principal
from carebase.db import UnitOfWork
from carebase.errors import DomainError, ErrorCode, not_found
from carebase.gateways.stripe import RefundRefused, StripeUnavailable
from carebase.models import Payment, PaymentKind, PaymentStatus, Refund, WebhookEventType
from carebase.resolvers.billing.charges import (
    RECONCILE_AFTER_MS,
    check_amount,
    money_request,
    payment_event,
    practice_of,
    replay_payment,
)
from carebase.resolvers.billing.customers import gateway
from carebase.resolvers.billing.payments import scoped_payments
from carebase.resolvers.billing.receipts import send_refund_receipt
from carebase.resolvers.billing.refund_effects import undo_for_refund
from carebase.resolvers.core import audit
from carebase.resolvers.core.idempotency import run_idempotent


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
    org = await practice_of(uow, principal)

    async def execute() -> Payment:
        # the cap is ours, checked under a row lock: never more than captured minus refunded
        payment: Payment | None = (
            await uow.session.execute(
                scoped_payments(principal).where(Payment.id == payment_id).with_for_update()
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
            refunded_at=uow.now(),
        )
        uow.session.add(refund)
        await uow.session.flush()
        if payment.kind is not PaymentKind.EXTERNAL and payment.stripe_payment_intent_id:
            try:
                refund.stripe_refund_id = await gateway(uow).refund(
                    intent_id=payment.stripe_payment_intent_id,
                    amount_cents=amount,
                    refund_id=str(refund.id),
                    payment_id=str(payment.id),
                )
            except StripeUnavailable:
                # Stripe may or may not have done it: the row stays, counted against the cap,
                # and a job asks again under the same idempotency key (refund-<row id>)
                uow.enqueue("billing.refund", refund.id, delay_ms=RECONCILE_AFTER_MS)
            except RefundRefused as refused:
                # raised inside the mutation's savepoint: the refund row goes with it
                raise DomainError(
                    ErrorCode.REFUND_FAILED, f"Stripe refused the refund: {refused}", "paymentId"
                ) from None
        record_refund(payment, amount)
        await undo_for_refund(uow, principal, payment, amount)
        if refund.stripe_refund_id is not None:
            await send_refund_receipt(uow, payment, refund)
        payment_event(uow, payment, WebhookEventType.PAYMENT_REFUNDED)
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
        request=money_request(payment=payment_id, amount=amount_cents, reason=reason),
        execute=execute,
        remember=lambda p: {"payment": str(p.id)},
        replay=lambda saved: replay_payment(uow, saved),
        reserve=True,
    )


def record_refund(payment: Payment, amount: int) -> None:
    payment.refunded_cents += amount
    payment.status = (
        PaymentStatus.REFUNDED
        if payment.refunded_cents >= payment.amount_cents
        else PaymentStatus.PARTIALLY_REFUNDED
    )
