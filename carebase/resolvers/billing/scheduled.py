"""Scheduled payments: one charge planned for a day in the practice's time zone, run by the
``billing.charge_scheduled`` job, and cancelled while it has not run yet."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import update

from carebase.auth.policy import require_member
from carebase.auth.principal import Principal
from carebase.db import UnitOfWork
from carebase.errors import DomainError, ErrorCode, invalid
from carebase.models import Organization, Payment, PaymentKind, PaymentStatus
from carebase.resolvers.billing.charges import (
    check_amount,
    money_request,
    new_payment,
    practice_of,
    replay_payment,
)
from carebase.resolvers.billing.customers import gateway
from carebase.resolvers.billing.payments import get_payment
from carebase.resolvers.core import audit
from carebase.resolvers.core.checks import practice_currency
from carebase.resolvers.core.idempotency import run_idempotent
from carebase.resolvers.core.lookups import get_client


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
    org = await practice_of(uow, principal)

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
        request=money_request(
            client=client_id,
            amount=amount_cents,
            currency=currency,
            on=charge_on,
            description=description,
        ),
        execute=execute,
        remember=lambda p: {"payment": str(p.id)},
        replay=lambda saved: replay_payment(uow, saved),
        reserve=True,
    )


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
