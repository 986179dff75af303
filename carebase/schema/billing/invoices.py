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
from carebase.schema.docs import AFTER, FIRST, MUTATION_INPUT, USER_ERRORS
from carebase.schema.errors import UserError
from carebase.schema.payloads import Payload, mutate
from carebase.schema.relay import Connection, decode_id, decode_optional_id


@strawberry.input
class InvoiceItemInput:
    description: str
    amount_cents: int
    quantity: int = 1


@strawberry.input
class CreateInvoiceInput:
    client_id: strawberry.ID
    items: list[InvoiceItemInput]
    due_date: date | None = None
    currency: str | None = None


@strawberry.input
class SendInvoiceInput:
    id: strawberry.ID


@strawberry.input
class VoidInvoiceInput:
    id: strawberry.ID


@strawberry.input
class PayInvoiceInput:
    id: strawberry.ID
    idempotency_key: str | None = None


@strawberry.input
class InvoiceFilter:
    client_id: strawberry.ID | None = None
    status: InvoiceStatus | None = None  # type: ignore[valid-type]


@strawberry.type
class InvoicePayload(Payload):
    invoice: Invoice | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

    @classmethod
    async def from_result(cls, result: InvoiceModel, info: Info) -> Self:
        return cls(invoice=Invoice.from_model(result))


@strawberry.type
class CreateInvoicePayload(InvoicePayload):
    pass


@strawberry.type
class SendInvoicePayload(InvoicePayload):
    pass


@strawberry.type
class VoidInvoicePayload(InvoicePayload):
    pass


@strawberry.type
class PayInvoicePayload(Payload):
    invoice: Invoice | None = None
    payment: Payment | None = None
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
    filter: InvoiceFilter | None = None,
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
