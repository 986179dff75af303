"""Billing jobs: appointment charges, scheduled payments, reconciling attempts in doubt,
and applying Stripe webhook events. Each claims its row with a guarded update first."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from carebase.db import UnitOfWork
from carebase.gateways.stripe import RefundRefused, StripeGateway, StripeUnavailable
from carebase.hooks import PaymentSucceeded
from carebase.jobs.declare import actor
from carebase.models import (
    Account,
    Organization,
    Payment,
    PaymentFailure,
    PaymentKind,
    PaymentStatus,
    Refund,
    Role,
    WebhookEvent,
    WebhookEventType,
    mark_succeeded,
)
from carebase.resolvers.billing import appointment_charges, charges, receipts, refunds
from carebase.resolvers.billing.refund_effects import undo_for_refund
from carebase.resolvers.core.notifications import queue_email

if TYPE_CHECKING:
    from carebase.jobs.runtime import JobRuntime

log = logging.getLogger("carebase.billing")


class StillInDoubt(Exception):
    """Raised so Dramatiq retries later: Stripe could not tell us the outcome yet."""


@actor("billing.charge_appointment", max_retries=8)
async def charge_appointment(runtime: JobRuntime, payment_id: str) -> None:
    async with runtime.database().unit_of_work(write=True) as uow:
        if not await charges.claim(uow, uuid.UUID(payment_id), [PaymentStatus.SCHEDULED]):
            return  # charged, cancelled or being charged: nothing twice
        payment = await uow.session.get_one(Payment, uuid.UUID(payment_id))
        await appointment_charges.charge_appointment_payment(uow, payment)


@actor("billing.charge_scheduled", max_retries=8)
async def charge_scheduled(runtime: JobRuntime, payment_id: str) -> None:
    async with runtime.database().unit_of_work(write=True) as uow:
        if not await charges.claim(uow, uuid.UUID(payment_id), [PaymentStatus.SCHEDULED]):
            return
        payment = await uow.session.get_one(Payment, uuid.UUID(payment_id))
        await charges.charge_now(uow, payment)
        if payment.status is PaymentStatus.FAILED:
            await _tell_of_failure(uow, payment)


def _status(payment: Payment) -> PaymentStatus:
    """Read afresh: the calls before may have moved it."""
    return payment.status


async def _tell_of_failure(uow: UnitOfWork, payment: Payment) -> None:
    client = await uow.session.get_one(Account, payment.client_id)
    org = await uow.session.get_one(Organization, payment.organization_id)
    amount = f"{payment.amount_cents / 100:.2f} {payment.currency.upper()}"
    await queue_email(
        uow,
        to=client.email,
        subject=f"A scheduled payment to {org.name} did not go through",
        body=(
            f"Hello {client.name},\n\nThe scheduled payment of {amount} could not be "
            f"charged to your card on file. Please update your card or contact "
            f"{org.name}.\n"
        ),
        kind="payment_failed",
        organization_id=org.id,
        account_id=client.id,
    )
    managers = await uow.session.execute(
        select(Account).where(
            Account.organization_id == org.id, Account.role.in_((Role.OWNER, Role.ADMIN))
        )
    )
    for manager in managers.scalars():
        await queue_email(
            uow,
            to=manager.email,
            subject=f"Scheduled payment failed: {client.name}",
            body=(
                f"The scheduled payment of {amount} for {client.name} failed: "
                f"{payment.failure_message}.\n"
            ),
            kind="payment_failed",
            organization_id=org.id,
            account_id=manager.id,
        )


@actor("billing.reconcile", max_retries=20, min_backoff=10_000, max_backoff=3_600_000)
async def reconcile(runtime: JobRuntime, payment_id: str) -> None:
    """Settle an attempt left in doubt by finding its PaymentIntent, never by charging blindly."""
    async with runtime.database().unit_of_work(write=True) as uow:
        payment = await uow.session.get(Payment, uuid.UUID(payment_id), with_for_update=True)
        if payment is None or payment.status is not PaymentStatus.PROCESSING:
            return
        gateway = StripeGateway(runtime.settings)
        try:
            found = await gateway.find_charge(payment_id=payment_id)
        except StripeUnavailable as error:
            raise StillInDoubt(str(error)) from error
        if found is None:
            if payment.updated_at > uow.now() - timedelta(seconds=5):
                raise StillInDoubt("the attempt may still be in flight")
            # never reached Stripe: the same attempt again, under the same idempotency key
            await charges.charge_now(uow, payment)
            return
        await charges.apply_charge(uow, payment, found)
        if _status(payment) is PaymentStatus.FAILED and payment.kind is PaymentKind.SCHEDULED:
            await _tell_of_failure(uow, payment)
        if _status(payment) is PaymentStatus.PROCESSING:
            raise StillInDoubt("Stripe is still processing")


@actor("billing.refund", max_retries=20, min_backoff=10_000, max_backoff=3_600_000)
async def retry_refund(runtime: JobRuntime, refund_id: str) -> None:
    """A refund whose answer was lost: asked again with the same key, so made at most once."""
    async with runtime.database().unit_of_work(write=True) as uow:
        refund = await uow.session.get(Refund, uuid.UUID(refund_id), with_for_update=True)
        if refund is None or refund.stripe_refund_id is not None:
            return
        payment = await uow.session.get_one(Payment, refund.payment_id)
        if payment.stripe_payment_intent_id is None:
            return
        try:
            refund.stripe_refund_id = await StripeGateway(runtime.settings).refund(
                intent_id=payment.stripe_payment_intent_id,
                amount_cents=refund.amount_cents,
                refund_id=str(refund.id),
                payment_id=str(payment.id),
            )
        except StripeUnavailable as error:
            raise StillInDoubt(str(error)) from error
        except RefundRefused:
            # counted against the cap until someone looks: asking again would be refused too
            log.warning("refund %s of payment %s refused by Stripe", refund.id, payment.id)
            return
        await receipts.send_refund_receipt(uow, payment, refund)


@actor("billing.apply_webhook", max_retries=10)
async def apply_webhook(runtime: JobRuntime, event_row_id: str) -> None:
    async with runtime.database().unit_of_work(write=True) as uow:
        claimed = await uow.session.execute(
            update(WebhookEvent)
            .where(WebhookEvent.id == uuid.UUID(event_row_id), WebhookEvent.processed_at.is_(None))
            .values(processed_at=uow.now())
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return  # applied already: each event once
        event = await uow.session.get_one(WebhookEvent, uuid.UUID(event_row_id))
        obj = event.payload.get("data", {}).get("object", {})
        if event.type in ("payment_intent.succeeded", "payment_intent.payment_failed"):
            await _intent_event(uow, event.type, obj)
        elif event.type == "charge.refunded":
            await _refunded(uow, obj)
        elif event.type == "charge.dispute.created":
            await _disputed(uow, obj)


async def _payment_for(
    uow: UnitOfWork, intent_id: str | None, metadata: dict[str, Any]
) -> Payment | None:
    """The payment an event is about, locked: a member's refund may be committing meanwhile."""
    ours = metadata.get("carebase_payment")
    if ours:
        found = await uow.session.get(Payment, uuid.UUID(ours), with_for_update=True)
        if found is not None:
            return found
    if intent_id:
        return (
            await uow.session.execute(
                select(Payment)
                .where(Payment.stripe_payment_intent_id == intent_id)
                .with_for_update()
            )
        ).scalar_one_or_none()
    return None


async def _intent_event(uow: UnitOfWork, kind: str, intent: dict[str, Any]) -> None:
    payment = await _payment_for(uow, intent.get("id"), intent.get("metadata") or {})
    if payment is None or payment.status is not PaymentStatus.PROCESSING:
        return
    payment.stripe_payment_intent_id = intent.get("id")
    if kind == "payment_intent.succeeded":
        mark_succeeded(payment, uow.now())
        await uow.session.flush()
        await uow.emit(PaymentSucceeded(payment))
    else:
        error = intent.get("last_payment_error") or {}
        message = error.get("message") or "The card was declined"
        charges.fail(uow, payment, PaymentFailure.CARD_DECLINED, message)
        if payment.kind is PaymentKind.SCHEDULED:
            await _tell_of_failure(uow, payment)


async def _refunded(uow: UnitOfWork, charge: dict[str, Any]) -> None:
    """Refunds made in Stripe's dashboard: recorded so our total matches what Stripe reports.

    Current API versions send the charge without its refunds list, so the charge's
    ``amount_refunded`` is the truth; a list, when present, names the refunds."""
    payment = await _payment_for(uow, charge.get("payment_intent"), charge.get("metadata") or {})
    if payment is None:
        return
    for refund in (charge.get("refunds") or {}).get("data") or []:
        ours = (refund.get("metadata") or {}).get("carebase_refund")
        if ours:  # our own refund, its answer perhaps lost: name it now
            row = await uow.session.get(Refund, uuid.UUID(ours))
            if row is not None and row.stripe_refund_id is None:
                row.stripe_refund_id = refund.get("id")
                await receipts.send_refund_receipt(uow, payment, row)
    reported = int(charge.get("amount_refunded") or 0)
    missing = min(reported, payment.amount_cents) - payment.refunded_cents
    if missing <= 0:
        return  # nothing Stripe knows that we do not (or this event is older than us)
    made = Refund(
        organization_id=payment.organization_id,
        payment_id=payment.id,
        amount_cents=missing,
        reason="Refunded in Stripe",
        refunded_at=uow.now(),
        # made at Stripe already: marked so, or the retry sweep would ask for it again
        stripe_refund_id=f"dashboard:{charge.get('id')}:{reported}",
    )
    uow.session.add(made)
    await uow.session.flush()
    refunds.record_refund(payment, missing)
    await undo_for_refund(uow, None, payment, missing)
    await receipts.send_refund_receipt(uow, payment, made)
    charges.payment_event(uow, payment, WebhookEventType.PAYMENT_REFUNDED)


async def _disputed(uow: UnitOfWork, dispute: dict[str, Any]) -> None:
    payment = await _payment_for(uow, dispute.get("payment_intent"), dispute.get("metadata") or {})
    if payment is not None:
        payment.disputed = True
        log.warning("payment %s is disputed", payment.id)


async def due_scheduled_payments(uow: UnitOfWork) -> list[uuid.UUID]:
    """Due from the start of their day in the organization's time zone."""
    rows = await uow.session.execute(
        select(Payment.id, Payment.scheduled_for, Organization.timezone)
        .join(Organization, Organization.id == Payment.organization_id)
        .where(
            Payment.status == PaymentStatus.SCHEDULED,
            Payment.kind == PaymentKind.SCHEDULED,
            Payment.scheduled_for <= (uow.now() + timedelta(days=1)).date(),
        )
    )
    return [
        pid
        for pid, day, zone in rows.all()
        if day is not None and day <= uow.now().astimezone(ZoneInfo(zone)).date()
    ]


async def unapplied_webhooks(uow: UnitOfWork) -> list[uuid.UUID]:
    """Events stored but not applied a minute on (their job was lost): enqueued again."""
    rows = await uow.session.execute(
        select(WebhookEvent.id)
        .where(
            WebhookEvent.processed_at.is_(None),
            WebhookEvent.created_at <= uow.now() - timedelta(minutes=1),
        )
        .limit(500)
    )
    return [r for (r,) in rows.all()]


async def stalled_payments(uow: UnitOfWork) -> list[tuple[str, uuid.UUID]]:
    """Work whose message was lost: appointment charges still waiting a minute on, attempts
    in doubt untouched for five minutes (a spent reconcile job), and refunds Stripe never
    answered. Each job checks its row first, so finding one twice does nothing twice."""
    moment = uow.now()
    waiting = await uow.session.execute(
        select(Payment.id)
        .where(
            Payment.status == PaymentStatus.SCHEDULED,
            Payment.appointment_id.is_not(None),
            Payment.created_at <= moment - timedelta(minutes=1),
        )
        .limit(500)
    )
    in_doubt = await uow.session.execute(
        select(Payment.id)
        .where(
            Payment.status == PaymentStatus.PROCESSING,
            Payment.updated_at <= moment - timedelta(minutes=5),
        )
        .limit(500)
    )
    unanswered = await uow.session.execute(
        select(Refund.id)
        .join(Payment, Payment.id == Refund.payment_id)
        .where(
            Refund.stripe_refund_id.is_(None),
            Payment.kind != PaymentKind.EXTERNAL,
            Payment.stripe_payment_intent_id.is_not(None),
            Refund.created_at <= moment - timedelta(minutes=5),
        )
        .limit(500)
    )
    return (
        [("billing.charge_appointment", pid) for (pid,) in waiting.all()]
        + [("billing.reconcile", pid) for (pid,) in in_doubt.all()]
        + [("billing.refund", rid) for (rid,) in unanswered.all()]
    )
