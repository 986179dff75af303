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
from carebase.schema.docs import (
    AFTER,
    CURRENCY_INPUT,
    FIRST,
    IDEMPOTENCY_KEY,
    MUTATION_INPUT,
    USER_ERRORS,
    describe_values,
)
from carebase.schema.errors import UserError
from carebase.schema.payloads import Payload, mutate
from carebase.schema.relay import Connection, decode_id, decode_optional_id


@strawberry.enum(description="How money received outside Stripe was paid.")
class ExternalPaymentMethod(enum.Enum):
    CASH = "CASH"
    CHECK = "CHECK"
    OTHER = "OTHER"


describe_values(
    ExternalPaymentMethod,
    {
        "CASH": "In cash.",
        "CHECK": "By check.",
        "OTHER": "Any other way (say which in `note`).",
    },
)


@strawberry.input(description="Input of `chargeClient`.")
class ChargeClientInput:
    client_id: strawberry.ID = strawberry.field(description="The global id of the client charged.")
    amount_cents: int = strawberry.field(description="The amount in cents (1 or more).")
    currency: str | None = strawberry.field(default=None, description=CURRENCY_INPUT)
    description: str | None = strawberry.field(
        default=None, description="What the charge is for (on the receipt)."
    )
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input(description="Input of `schedulePayment`.")
class SchedulePaymentInput:
    client_id: strawberry.ID = strawberry.field(description="The global id of the client charged.")
    amount_cents: int = strawberry.field(description="The amount in cents (1 or more).")
    charge_on: date = strawberry.field(
        description=(
            "The day to charge (`YYYY-MM-DD`, today or later, in the organization's time zone)."
        )
    )
    currency: str | None = strawberry.field(default=None, description=CURRENCY_INPUT)
    description: str | None = strawberry.field(
        default=None, description="What the charge is for (on the receipt)."
    )
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input(description="Input of `cancelScheduledPayment`.")
class CancelScheduledPaymentInput:
    payment_id: strawberry.ID = strawberry.field(
        description="The global id of the scheduled payment to cancel."
    )


@strawberry.input(description="Input of `refundPayment`.")
class RefundPaymentInput:
    payment_id: strawberry.ID = strawberry.field(
        description="The global id of the succeeded payment to refund."
    )
    amount_cents: int | None = strawberry.field(
        default=None,
        description=("How much to refund in cents; null refunds the rest of what was captured."),
    )
    reason: str | None = strawberry.field(default=None, description="Why (kept with the refund).")
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input(description="Input of `recordExternalPayment`.")
class RecordExternalPaymentInput:
    client_id: strawberry.ID = strawberry.field(description="The global id of the client who paid.")
    amount_cents: int = strawberry.field(
        description=(
            "The amount received in cents (1 or more); to settle an invoice, at least its total."
        )
    )
    method: ExternalPaymentMethod = strawberry.field(description="How it was paid.")
    currency: str | None = strawberry.field(default=None, description=CURRENCY_INPUT)
    invoice_id: strawberry.ID | None = strawberry.field(
        default=None,
        description=("The global id of an open invoice this payment settles, optional."),
    )
    note: str | None = strawberry.field(
        default=None, description="A note for the practice (e.g. the check number)."
    )
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input(description="Which payments to list; fields combine with AND.")
class PaymentFilter:
    client_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only this client's payments (global id)."
    )
    status: PaymentStatus | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Only payments in this status."
    )
    kind: PaymentKind | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Only payments of this kind."
    )
    from_: datetime | None = strawberry.field(
        default=None,
        name="from",
        description=(
            "Only payments created at or after this instant (ISO 8601 "
            "with offset; without one is `INVALID_INPUT`)."
        ),
    )
    to: datetime | None = strawberry.field(
        default=None,
        description=("Only payments created before this instant (ISO 8601 with offset)."),
    )


def decline_errors(payment: PaymentModel) -> list[UserError]:
    """A decline is an outcome: the payment is kept (FAILED) and the userError says why."""
    error = charge_ops.declined(payment)
    return [UserError.from_domain(error)] if error else []


@strawberry.type
class PaymentPayload(Payload):
    payment: Payment | None = strawberry.field(
        default=None, description="The payment after the change; null on failure."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

    @classmethod
    async def from_result(cls, result: PaymentModel, info: Info) -> Self:
        return cls(payment=Payment.from_model(result), user_errors=decline_errors(result))


@strawberry.type(description="Result of `chargeClient`.")
class ChargeClientPayload(PaymentPayload):
    pass


@strawberry.type(description="Result of `schedulePayment`.")
class SchedulePaymentPayload(PaymentPayload):
    pass


@strawberry.type(description="Result of `cancelScheduledPayment`.")
class CancelScheduledPaymentPayload(PaymentPayload):
    pass


@strawberry.type(description="Result of `refundPayment`.")
class RefundPaymentPayload(PaymentPayload):
    pass


@strawberry.type(description="Result of `recordExternalPayment`.")
class RecordExternalPaymentPayload(PaymentPayload):
    pass


async def payments(
    info: Info,
    first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
    after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
    filter: Annotated[
        PaymentFilter | None, strawberry.argument(description="Only the payments that match.")
    ] = None,
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
