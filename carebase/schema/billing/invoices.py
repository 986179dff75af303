"""Invoices: the list, creating, sending, voiding and paying one."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Self

import strawberry

from carebase.models import Invoice as InvoiceModel
from carebase.models import Payment as PaymentModel
from carebase.resolvers.billing import invoices as invoice_ops
from carebase.resolvers.core.pagination import page_request
from carebase.schema.billing.payments import decline_errors
from carebase.schema.billing.types import Invoice, InvoiceStatus, Payment
from carebase.schema.context import Info
from carebase.schema.docs import (
    AFTER,
    CURRENCY_INPUT,
    FIRST,
    IDEMPOTENCY_KEY,
    MUTATION_INPUT,
    USER_ERRORS,
)
from carebase.schema.errors import UserError
from carebase.schema.payloads import Payload, mutate
from carebase.schema.relay import Connection, decode_id, decode_optional_id


@strawberry.input(
    description=("One line of a new invoice; its total is `amountCents` × `quantity`.")
)
class InvoiceItemInput:
    description: str = strawberry.field(description="What the line is for, as the client reads it.")
    amount_cents: int = strawberry.field(
        description=("The unit price in cents of the invoice's currency (0 or more).")
    )
    quantity: int = strawberry.field(default=1, description="How many units (1 or more).")


@strawberry.input(description="Input of `createInvoice`.")
class CreateInvoiceInput:
    client_id: strawberry.ID = strawberry.field(description="The global id of the client billed.")
    items: list[InvoiceItemInput] = strawberry.field(
        description="The invoice's lines (at least one)."
    )
    due_date: date | None = strawberry.field(
        default=None,
        description=("When the invoice is due (`YYYY-MM-DD`, in the organization's time zone)."),
    )
    currency: str | None = strawberry.field(default=None, description=CURRENCY_INPUT)


@strawberry.input(description="Input of `sendInvoice`.")
class SendInvoiceInput:
    id: strawberry.ID = strawberry.field(description="The global id of the draft invoice to send.")


@strawberry.input(description="Input of `voidInvoice`.")
class VoidInvoiceInput:
    id: strawberry.ID = strawberry.field(description="The global id of the invoice to void.")


@strawberry.input(description="Input of `payInvoice`.")
class PayInvoiceInput:
    id: strawberry.ID = strawberry.field(description="The global id of the open invoice to pay.")
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input(description="Which invoices to list; fields combine with AND.")
class InvoiceFilter:
    client_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only this client's invoices (global id)."
    )
    status: InvoiceStatus | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Only invoices in this status."
    )


@strawberry.type
class InvoicePayload(Payload):
    invoice: Invoice | None = strawberry.field(
        default=None, description="The invoice after the change; null on failure."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

    @classmethod
    async def from_result(cls, result: InvoiceModel, info: Info) -> Self:
        return cls(invoice=Invoice.from_model(result))


@strawberry.type(description="Result of `createInvoice`.")
class CreateInvoicePayload(InvoicePayload):
    pass


@strawberry.type(description="Result of `sendInvoice`.")
class SendInvoicePayload(InvoicePayload):
    pass


@strawberry.type(description="Result of `voidInvoice`.")
class VoidInvoicePayload(InvoicePayload):
    pass


@strawberry.type(description="Result of `payInvoice`.")
class PayInvoicePayload(Payload):
    invoice: Invoice | None = strawberry.field(
        default=None,
        description=("The invoice (`PAID` when the charge succeeded); null on failure."),
    )
    payment: Payment | None = strawberry.field(
        default=None, description="The card payment made for the invoice; null on failure."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

    @classmethod
    async def from_result(cls, result: tuple[InvoiceModel, PaymentModel], info: Info) -> Self:
        invoice, payment = result
        return cls(
            invoice=Invoice.from_model(invoice),
            payment=Payment.from_model(payment),
            user_errors=decline_errors(payment),
        )


async def invoices(
    info: Info,
    first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
    after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
    filter: Annotated[
        InvoiceFilter | None, strawberry.argument(description="Only the invoices that match.")
    ] = None,
) -> Connection[Invoice]:
    f = filter or InvoiceFilter()
    page = await invoice_ops.list_invoices(
        info.context.uow,
        info.context.principal,
        filter=invoice_ops.InvoiceFilter(
            client_id=decode_optional_id(f.client_id, "Client", field="clientId"),
            status=f.status,
        ),
        page=page_request(first, after),
    )
    return Connection.from_page(page, Invoice.from_model)


async def create_invoice(
    info: Info,
    input: Annotated[CreateInvoiceInput, strawberry.argument(description=MUTATION_INPUT)],
) -> CreateInvoicePayload:
    ctx = info.context

    async def op() -> InvoiceModel:
        return await invoice_ops.create_invoice(
            ctx.uow,
            ctx.principal,
            client_id=decode_id(input.client_id, "Client", field="clientId"),
            lines=[
                invoice_ops.Line(i.description, i.amount_cents, i.quantity) for i in input.items
            ],
            due_date=input.due_date,
            currency=input.currency,
        )

    return await mutate(info, CreateInvoicePayload, op)


async def send_invoice(
    info: Info, input: Annotated[SendInvoiceInput, strawberry.argument(description=MUTATION_INPUT)]
) -> SendInvoicePayload:
    ctx = info.context

    async def op() -> InvoiceModel:
        return await invoice_ops.send_invoice(
            ctx.uow, ctx.principal, invoice_id=decode_id(input.id, "Invoice")
        )

    return await mutate(info, SendInvoicePayload, op)


async def void_invoice(
    info: Info, input: Annotated[VoidInvoiceInput, strawberry.argument(description=MUTATION_INPUT)]
) -> VoidInvoicePayload:
    ctx = info.context

    async def op() -> InvoiceModel:
        return await invoice_ops.void_invoice(
            ctx.uow, ctx.principal, invoice_id=decode_id(input.id, "Invoice")
        )

    return await mutate(info, VoidInvoicePayload, op)


async def pay_invoice(
    info: Info, input: Annotated[PayInvoiceInput, strawberry.argument(description=MUTATION_INPUT)]
) -> PayInvoicePayload:
    ctx = info.context

    async def op() -> tuple[InvoiceModel, PaymentModel]:
        return await invoice_ops.pay_invoice(
            ctx.uow,
            ctx.principal,
            invoice_id=decode_id(input.id, "Invoice"),
            idempotency_key=input.idempotency_key,
        )

    return await mutate(info, PayInvoicePayload, op)
