"""Payments: the list, charging now or on a date, cancelling a scheduled one, refunds and
payments received outside Stripe."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Annotated, Self

import strawberry

from carebase.models import Payment as PaymentModel
from carebase.resolvers.billing import charges as charge_ops
from carebase.resolvers.billing import external as external_ops
from carebase.resolvers.billing import payments as payment_ops
from carebase.resolvers.billing import refunds as refund_ops
from carebase.resolvers.billing import scheduled as scheduled_ops
from carebase.resolvers.core.checks import aware
from carebase.resolvers.core.pagination import page_request
from carebase.schema.billing.types import Payment, PaymentKind, PaymentStatus
from carebase.schema.context import Info
from carebase.schema.docs import AFTER, FIRST, MUTATION_INPUT, USER_ERRORS
from carebase.schema.errors import UserError
from carebase.schema.payloads import Payload, mutate
from carebase.schema.relay import Connection, decode_id, decode_optional_id


@strawberry.enum
class ExternalPaymentMethod(enum.Enum):
    CASH = "CASH"
    CHECK = "CHECK"
    OTHER = "OTHER"


@strawberry.input
class ChargeClientInput:
    client_id: strawberry.ID
    amount_cents: int
    currency: str | None = None
    description: str | None = None
    idempotency_key: str | None = None


@strawberry.input
class SchedulePaymentInput:
    client_id: strawberry.ID
    amount_cents: int
    charge_on: date
    currency: str | None = None
    description: str | None = None
    idempotency_key: str | None = None


@strawberry.input
class CancelScheduledPaymentInput:
    payment_id: strawberry.ID


@strawberry.input
class RefundPaymentInput:
    payment_id: strawberry.ID
    amount_cents: int | None = None
    reason: str | None = None
    idempotency_key: str | None = None


@strawberry.input
class RecordExternalPaymentInput:
    client_id: strawberry.ID
    amount_cents: int
    method: ExternalPaymentMethod
    currency: str | None = None
    invoice_id: strawberry.ID | None = None
    note: str | None = None
    idempotency_key: str | None = None


@strawberry.input
class PaymentFilter:
    client_id: strawberry.ID | None = None
    status: PaymentStatus | None = None  # type: ignore[valid-type]
    kind: PaymentKind | None = None  # type: ignore[valid-type]
    from_: datetime | None = strawberry.field(default=None, name="from")
    to: datetime | None = None


def decline_errors(payment: PaymentModel) -> list[UserError]:
    """A decline is an outcome: the payment is kept (FAILED) and the userError says why."""
    error = charge_ops.declined(payment)
    return [UserError.from_domain(error)] if error else []


@strawberry.type
class PaymentPayload(Payload):
    payment: Payment | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

    @classmethod
    async def from_result(cls, result: PaymentModel, info: Info) -> Self:
        return cls(payment=Payment.from_model(result), user_errors=decline_errors(result))


@strawberry.type
class ChargeClientPayload(PaymentPayload):
    pass


@strawberry.type
class SchedulePaymentPayload(PaymentPayload):
    pass


@strawberry.type
class CancelScheduledPaymentPayload(PaymentPayload):
    pass


@strawberry.type
class RefundPaymentPayload(PaymentPayload):
    pass


@strawberry.type
class RecordExternalPaymentPayload(PaymentPayload):
    pass


async def payments(
    info: Info,
    first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
    after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
    filter: PaymentFilter | None = None,
) -> Connection[Payment]:
    f = filter or PaymentFilter()
    page = await payment_ops.list_payments(
        info.context.uow,
        info.context.principal,
        filter=payment_ops.PaymentFilter(
            client_id=decode_optional_id(f.client_id, "Client", field="clientId"),
            status=f.status,
            kind=f.kind,
            start=aware(f.from_, "from"),
            end=aware(f.to, "to"),
        ),
        page=page_request(first, after),
    )
    return Connection.from_page(page, Payment.from_model)


async def charge_client(
    info: Info, input: Annotated[ChargeClientInput, strawberry.argument(description=MUTATION_INPUT)]
) -> ChargeClientPayload:
    ctx = info.context

    async def op() -> PaymentModel:
        return await charge_ops.charge_client(
            ctx.uow,
            ctx.principal,
            client_id=decode_id(input.client_id, "Client", field="clientId"),
            amount_cents=input.amount_cents,
            currency=input.currency,
            description=input.description,
            idempotency_key=input.idempotency_key,
        )

    return await mutate(info, ChargeClientPayload, op)


async def schedule_payment(
    info: Info,
    input: Annotated[SchedulePaymentInput, strawberry.argument(description=MUTATION_INPUT)],
) -> SchedulePaymentPayload:
    ctx = info.context

    async def op() -> PaymentModel:
        return await scheduled_ops.schedule_payment(
            ctx.uow,
            ctx.principal,
            client_id=decode_id(input.client_id, "Client", field="clientId"),
            amount_cents=input.amount_cents,
            currency=input.currency,
            charge_on=input.charge_on,
            description=input.description,
            idempotency_key=input.idempotency_key,
        )

    return await mutate(info, SchedulePaymentPayload, op)


async def cancel_scheduled_payment(
    info: Info,
    input: Annotated[CancelScheduledPaymentInput, strawberry.argument(description=MUTATION_INPUT)],
) -> CancelScheduledPaymentPayload:
    ctx = info.context

    async def op() -> PaymentModel:
        return await scheduled_ops.cancel_scheduled_payment(
            ctx.uow,
            ctx.principal,
            payment_id=decode_id(input.payment_id, "Payment", field="paymentId"),
        )

    return await mutate(info, CancelScheduledPaymentPayload, op)


async def refund_payment(
    info: Info,
    input: Annotated[RefundPaymentInput, strawberry.argument(description=MUTATION_INPUT)],
) -> RefundPaymentPayload:
    ctx = info.context

    async def op() -> PaymentModel:
        return await refund_ops.refund_payment(
            ctx.uow,
            ctx.principal,
            payment_id=decode_id(input.payment_id, "Payment", field="paymentId"),
            amount_cents=input.amount_cents,
            reason=input.reason,
            idempotency_key=input.idempotency_key,
        )

    return await mutate(info, RefundPaymentPayload, op)


async def record_external_payment(
    info: Info,
    input: Annotated[RecordExternalPaymentInput, strawberry.argument(description=MUTATION_INPUT)],
) -> RecordExternalPaymentPayload:
    ctx = info.context

    async def op() -> PaymentModel:
        return await external_ops.record_external_payment(
            ctx.uow,
            ctx.principal,
            client_id=decode_id(input.client_id, "Client", field="clientId"),
            amount_cents=input.amount_cents,
            currency=input.currency,
            method=input.method.value,
            invoice_id=decode_optional_id(input.invoice_id, "Invoice", field="invoiceId"),
            note=input.note,
            idempotency_key=input.idempotency_key,
        )

    return await mutate(info, RecordExternalPaymentPayload, op)
