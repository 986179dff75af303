"""Billing: cards on file, payments and refunds, invoices, packages and their credits."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Any

import strawberry

from carebase.models import Invoice as InvoiceModel
from carebase.models import InvoiceStatus as InvoiceStatusModel
from carebase.models import Package as PackageModel
from carebase.models import PackagePurchase as PackagePurchaseModel
from carebase.models import Payment as PaymentModel
from carebase.models import PaymentKind as PaymentKindModel
from carebase.models import PaymentMethod as PaymentMethodModel
from carebase.models import PaymentStatus as PaymentStatusModel
from carebase.resolvers.billing import invoices as invoice_ops
from carebase.resolvers.billing import packages as package_ops
from carebase.resolvers.billing import payments as payment_ops
from carebase.resolvers.core.checks import aware
from carebase.resolvers.core.pagination import page_request
from carebase.schema.context import Info
from carebase.schema.errors import UserError, payload, run_mutation
from carebase.schema.org.organizations import Money
from carebase.schema.people.clients import Client
from carebase.schema.relay import (
    Connection,
    Node,
    decode_id,
    decode_optional_id,
    node_resolver,
    to_global_id,
)
from carebase.schema.scheduling.appointments import AppointmentType

PaymentStatus = strawberry.enum(PaymentStatusModel, name="PaymentStatus")
PaymentKind = strawberry.enum(PaymentKindModel, name="PaymentKind")
InvoiceStatus = strawberry.enum(InvoiceStatusModel, name="InvoiceStatus")


@strawberry.enum
class ExternalPaymentMethod(enum.Enum):
    CASH = "CASH"
    CHECK = "CHECK"
    OTHER = "OTHER"


@strawberry.type
class PaymentMethod(Node):
    brand: str | None
    last4: str | None
    exp_month: int | None
    exp_year: int | None
    is_default: bool

    @classmethod
    def from_model(cls, row: PaymentMethodModel) -> PaymentMethod:
        return cls(
            id=to_global_id("PaymentMethod", row.id),
            brand=row.brand,
            last4=row.last4,
            exp_month=row.exp_month,
            exp_year=row.exp_year,
            is_default=row.is_default,
        )


@strawberry.type
class InvoiceLine:
    description: str
    unit_price: Money
    quantity: int
    total: Money


@strawberry.type
class Invoice(Node):
    status: InvoiceStatus  # type: ignore[valid-type]
    total: Money
    due_date: date | None
    lines: list[InvoiceLine]
    sent_at: datetime | None
    paid_at: datetime | None
    model: strawberry.Private[InvoiceModel]

    @classmethod
    def from_model(cls, row: InvoiceModel) -> Invoice:
        def money(cents: int) -> Money:
            return Money(amount_cents=cents, currency=row.currency)

        return cls(
            id=to_global_id("Invoice", row.id),
            status=row.status,
            total=money(row.total_cents),
            due_date=row.due_date,
            sent_at=row.sent_at,
            paid_at=row.paid_at,
            model=row,
            lines=[
                InvoiceLine(
                    description=x["description"],
                    unit_price=money(x["amount_cents"]),
                    quantity=x["quantity"],
                    total=money(x["amount_cents"] * x["quantity"]),
                )
                for x in row.lines
            ],
        )

    @strawberry.field
    async def client(self, info: Info) -> Client:
        found = await info.context.loaders.client.load(self.model.client_id)
        assert found is not None
        return Client.from_model(found)


@strawberry.type
class Payment(Node):
    amount: Money
    refunded: Money
    status: PaymentStatus  # type: ignore[valid-type]
    kind: PaymentKind  # type: ignore[valid-type]
    description: str | None
    scheduled_for: date | None
    failure_message: str | None
    disputed: bool
    created_at: datetime
    model: strawberry.Private[PaymentModel]

    @classmethod
    def from_model(cls, row: PaymentModel) -> Payment:
        return cls(
            id=to_global_id("Payment", row.id),
            amount=Money(amount_cents=row.amount_cents, currency=row.currency),
            refunded=Money(amount_cents=row.refunded_cents, currency=row.currency),
            status=row.status,
            kind=row.kind,
            description=row.description,
            scheduled_for=row.scheduled_for,
            failure_message=row.failure_message,
            disputed=row.disputed,
            created_at=row.created_at,
            model=row,
        )

    @strawberry.field
    async def client(self, info: Info) -> Client:
        found = await info.context.loaders.client.load(self.model.client_id)
        assert found is not None
        return Client.from_model(found)

    @strawberry.field
    def appointment_id(self) -> strawberry.ID | None:
        value = self.model.appointment_id
        return to_global_id("Appointment", value) if value else None

    @strawberry.field
    async def invoice(self, info: Info) -> Invoice | None:
        if self.model.invoice_id is None:
            return None
        found = await info.context.loaders.invoice.load(self.model.invoice_id)
        return Invoice.from_model(found) if found else None


@strawberry.type
class PackageItem:
    appointment_type: AppointmentType
    quantity: int


@strawberry.type
class Package(Node):
    name: str
    price: Money
    model: strawberry.Private[PackageModel]

    @classmethod
    def from_model(cls, row: PackageModel) -> Package:
        return cls(
            id=to_global_id("Package", row.id),
            name=row.name,
            price=Money(amount_cents=row.price_cents, currency=row.currency),
            model=row,
        )

    @strawberry.field
    async def items(self, info: Info) -> list[PackageItem]:
        result = []
        for item in self.model.items:
            kind = await info.context.loaders.appointment_type.load(
                uuid.UUID(item["appointment_type_id"])
            )
            assert kind is not None
            result.append(
                PackageItem(
                    appointment_type=AppointmentType.from_model(kind), quantity=item["quantity"]
                )
            )
        return result


@strawberry.type
class PackagePurchase(Node):
    package: Package
    payment: Payment | None
    client_id: strawberry.ID


@strawberry.type
class PackageCredit:
    appointment_type: AppointmentType
    remaining: int


@node_resolver("Payment")
async def _payment_node(info: Info, key: uuid.UUID) -> Payment | None:
    try:
        row = await payment_ops.get_payment(info.context.uow, info.context.principal, key)
    except Exception:
        return None
    return Payment.from_model(row)


@node_resolver("Invoice")
async def _invoice_node(info: Info, key: uuid.UUID) -> Invoice | None:
    try:
        row = await invoice_ops.get_invoice(info.context.uow, info.context.principal, key)
    except Exception:
        return None
    return Invoice.from_model(row)


# --- inputs and payloads ------------------------------------------------------------------


@strawberry.input
class CreateSetupIntentInput:
    client_id: strawberry.ID


@strawberry.input
class AttachPaymentMethodInput:
    client_id: strawberry.ID
    stripe_payment_method_id: str
    make_default: bool = True


@strawberry.input
class PaymentMethodIdInput:
    id: strawberry.ID


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
class PackageItemInput:
    appointment_type_id: strawberry.ID
    quantity: int


@strawberry.input
class CreatePackageInput:
    name: str
    price_cents: int
    items: list[PackageItemInput]
    currency: str | None = None


@strawberry.input
class PurchasePackageInput:
    client_id: strawberry.ID
    package_id: strawberry.ID
    idempotency_key: str | None = None


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
class InvoiceIdInput:
    id: strawberry.ID


@strawberry.input
class PayInvoiceInput:
    id: strawberry.ID
    idempotency_key: str | None = None


@strawberry.input
class PaymentFilter:
    client_id: strawberry.ID | None = None
    status: PaymentStatus | None = None  # type: ignore[valid-type]
    kind: PaymentKind | None = None  # type: ignore[valid-type]
    from_: datetime | None = strawberry.field(default=None, name="from")
    to: datetime | None = None


@strawberry.input
class InvoiceFilter:
    client_id: strawberry.ID | None = None
    status: InvoiceStatus | None = None  # type: ignore[valid-type]


@strawberry.type
class CreateSetupIntentPayload:
    client_secret: str | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class PaymentMethodPayload:
    payment_method: PaymentMethod | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class AttachPaymentMethodPayload(PaymentMethodPayload):
    pass


@strawberry.type
class SetDefaultPaymentMethodPayload(PaymentMethodPayload):
    pass


@strawberry.type
class RemovePaymentMethodPayload(PaymentMethodPayload):
    pass


@strawberry.type
class PaymentPayload:
    payment: Payment | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)

    @classmethod
    def of(cls, result: PaymentModel | list[UserError]) -> Any:
        if isinstance(result, list):
            return cls(user_errors=result)
        # a decline is an outcome: the payment is kept (FAILED) and the userError says why
        error = payment_ops.declined(result)
        return cls(
            payment=Payment.from_model(result),
            user_errors=[UserError.from_domain(error)] if error else [],
        )


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


@strawberry.type
class CreatePackagePayload:
    package: Package | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class PurchasePackagePayload:
    package_purchase: PackagePurchase | None = None
    payment: Payment | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class InvoicePayload:
    invoice: Invoice | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)

    @classmethod
    def of(cls, result: InvoiceModel | list[UserError]) -> Any:
        if isinstance(result, list):
            return cls(user_errors=result)
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
class PayInvoicePayload:
    invoice: Invoice | None = None
    payment: Payment | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


def _client_id(value: str) -> uuid.UUID:
    return decode_id(value, "Client", field="clientId")


@strawberry.type
class BillingQuery:
    @strawberry.field
    async def payments(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
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

    @strawberry.field
    async def invoices(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
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

    @strawberry.field
    async def packages(self, info: Info) -> list[Package]:
        rows = await package_ops.list_packages(info.context.uow, info.context.principal)
        return [Package.from_model(r) for r in rows]


@strawberry.type
class BillingMutation:
    @strawberry.mutation
    async def create_setup_intent(
        self, info: Info, input: CreateSetupIntentInput
    ) -> CreateSetupIntentPayload:
        ctx = info.context
        result = await run_mutation(
            info,
            lambda: payment_ops.create_setup_intent(
                ctx.uow, ctx.principal, client_id=_client_id(input.client_id)
            ),
        )
        if isinstance(result, list):
            return CreateSetupIntentPayload(user_errors=result)
        return CreateSetupIntentPayload(client_secret=result)

    @strawberry.mutation
    async def attach_payment_method(
        self, info: Info, input: AttachPaymentMethodInput
    ) -> AttachPaymentMethodPayload:
        ctx = info.context
        result = await run_mutation(
            info,
            lambda: payment_ops.attach_payment_method(
                ctx.uow,
                ctx.principal,
                client_id=_client_id(input.client_id),
                stripe_payment_method_id=input.stripe_payment_method_id,
                make_default=input.make_default,
            ),
        )
        return payload(AttachPaymentMethodPayload, result, payment_method=PaymentMethod.from_model)

    @strawberry.mutation
    async def set_default_payment_method(
        self, info: Info, input: PaymentMethodIdInput
    ) -> SetDefaultPaymentMethodPayload:
        ctx = info.context
        result = await run_mutation(
            info,
            lambda: payment_ops.set_default_payment_method(
                ctx.uow, ctx.principal, method_id=decode_id(input.id, "PaymentMethod")
            ),
        )
        return payload(
            SetDefaultPaymentMethodPayload, result, payment_method=PaymentMethod.from_model
        )

    @strawberry.mutation
    async def remove_payment_method(
        self, info: Info, input: PaymentMethodIdInput
    ) -> RemovePaymentMethodPayload:
        ctx = info.context
        result = await run_mutation(
            info,
            lambda: payment_ops.remove_payment_method(
                ctx.uow, ctx.principal, method_id=decode_id(input.id, "PaymentMethod")
            ),
        )
        return payload(RemovePaymentMethodPayload, result, payment_method=PaymentMethod.from_model)

    @strawberry.mutation
    async def charge_client(self, info: Info, input: ChargeClientInput) -> ChargeClientPayload:
        ctx = info.context
        result = await run_mutation(
            info,
            lambda: payment_ops.charge_client(
                ctx.uow,
                ctx.principal,
                client_id=_client_id(input.client_id),
                amount_cents=input.amount_cents,
                currency=input.currency,
                description=input.description,
                idempotency_key=input.idempotency_key,
            ),
        )
        return ChargeClientPayload.of(result)  # type: ignore[no-any-return]

    @strawberry.mutation
    async def schedule_payment(
        self, info: Info, input: SchedulePaymentInput
    ) -> SchedulePaymentPayload:
        ctx = info.context
        result = await run_mutation(
            info,
            lambda: payment_ops.schedule_payment(
                ctx.uow,
                ctx.principal,
                client_id=_client_id(input.client_id),
                amount_cents=input.amount_cents,
                currency=input.currency,
                charge_on=input.charge_on,
                description=input.description,
                idempotency_key=input.idempotency_key,
            ),
        )
        return SchedulePaymentPayload.of(result)  # type: ignore[no-any-return]

    @strawberry.mutation
    async def cancel_scheduled_payment(
        self, info: Info, input: CancelScheduledPaymentInput
    ) -> CancelScheduledPaymentPayload:
        ctx = info.context
        result = await run_mutation(
            info,
            lambda: payment_ops.cancel_scheduled_payment(
                ctx.uow,
                ctx.principal,
                payment_id=decode_id(input.payment_id, "Payment", field="paymentId"),
            ),
        )
        return CancelScheduledPaymentPayload.of(result)  # type: ignore[no-any-return]

    @strawberry.mutation
    async def refund_payment(self, info: Info, input: RefundPaymentInput) -> RefundPaymentPayload:
        ctx = info.context
        result = await run_mutation(
            info,
            lambda: payment_ops.refund_payment(
                ctx.uow,
                ctx.principal,
                payment_id=decode_id(input.payment_id, "Payment", field="paymentId"),
                amount_cents=input.amount_cents,
                reason=input.reason,
                idempotency_key=input.idempotency_key,
            ),
        )
        return RefundPaymentPayload.of(result)  # type: ignore[no-any-return]

    @strawberry.mutation
    async def record_external_payment(
        self, info: Info, input: RecordExternalPaymentInput
    ) -> RecordExternalPaymentPayload:
        ctx = info.context
        result = await run_mutation(
            info,
            lambda: payment_ops.record_external_payment(
                ctx.uow,
                ctx.principal,
                client_id=_client_id(input.client_id),
                amount_cents=input.amount_cents,
                currency=input.currency,
                method=input.method.value,
                invoice_id=decode_optional_id(input.invoice_id, "Invoice", field="invoiceId"),
                note=input.note,
                idempotency_key=input.idempotency_key,
            ),
        )
        return RecordExternalPaymentPayload.of(result)  # type: ignore[no-any-return]

    @strawberry.mutation
    async def create_package(self, info: Info, input: CreatePackageInput) -> CreatePackagePayload:
        ctx = info.context

        async def op() -> PackageModel:
            return await package_ops.create_package(
                ctx.uow,
                ctx.principal,
                name=input.name,
                price_cents=input.price_cents,
                currency=input.currency,
                items=[
                    package_ops.PackageItem(
                        decode_id(
                            i.appointment_type_id, "AppointmentType", field="appointmentTypeId"
                        ),
                        i.quantity,
                    )
                    for i in input.items
                ],
            )

        return payload(
            CreatePackagePayload, await run_mutation(info, op), package=Package.from_model
        )

    @strawberry.mutation
    async def purchase_package(
        self, info: Info, input: PurchasePackageInput
    ) -> PurchasePackagePayload:
        ctx = info.context

        async def op() -> tuple[PackagePurchaseModel, PaymentModel]:
            return await package_ops.purchase_package(
                ctx.uow,
                ctx.principal,
                client_id=_client_id(input.client_id),
                package_id=decode_id(input.package_id, "Package", field="packageId"),
                idempotency_key=input.idempotency_key,
            )

        result = await run_mutation(info, op)
        if isinstance(result, list):
            return PurchasePackagePayload(user_errors=result)
        purchase, payment = result
        package = await ctx.uow.session.get_one(PackageModel, purchase.package_id)
        error = payment_ops.declined(payment)
        return PurchasePackagePayload(
            package_purchase=PackagePurchase(
                id=to_global_id("PackagePurchase", purchase.id),
                package=Package.from_model(package),
                payment=Payment.from_model(payment),
                client_id=to_global_id("Client", purchase.client_id),
            ),
            payment=Payment.from_model(payment),
            user_errors=[UserError.from_domain(error)] if error else [],
        )

    @strawberry.mutation
    async def create_invoice(self, info: Info, input: CreateInvoiceInput) -> CreateInvoicePayload:
        ctx = info.context
        result = await run_mutation(
            info,
            lambda: invoice_ops.create_invoice(
                ctx.uow,
                ctx.principal,
                client_id=_client_id(input.client_id),
                lines=[
                    invoice_ops.Line(i.description, i.amount_cents, i.quantity) for i in input.items
                ],
                due_date=input.due_date,
                currency=input.currency,
            ),
        )
        return payload(CreateInvoicePayload, result, invoice=Invoice.from_model)

    @strawberry.mutation
    async def send_invoice(self, info: Info, input: InvoiceIdInput) -> SendInvoicePayload:
        ctx = info.context
        result = await run_mutation(
            info,
            lambda: invoice_ops.send_invoice(
                ctx.uow, ctx.principal, invoice_id=decode_id(input.id, "Invoice")
            ),
        )
        return payload(SendInvoicePayload, result, invoice=Invoice.from_model)

    @strawberry.mutation
    async def void_invoice(self, info: Info, input: InvoiceIdInput) -> VoidInvoicePayload:
        ctx = info.context
        result = await run_mutation(
            info,
            lambda: invoice_ops.void_invoice(
                ctx.uow, ctx.principal, invoice_id=decode_id(input.id, "Invoice")
            ),
        )
        return payload(VoidInvoicePayload, result, invoice=Invoice.from_model)

    @strawberry.mutation
    async def pay_invoice(self, info: Info, input: PayInvoiceInput) -> PayInvoicePayload:
        ctx = info.context
        result = await run_mutation(
            info,
            lambda: invoice_ops.pay_invoice(
                ctx.uow,
                ctx.principal,
                invoice_id=decode_id(input.id, "Invoice"),
                idempotency_key=input.idempotency_key,
            ),
        )
        if isinstance(result, list):
            return PayInvoicePayload(user_errors=result)
        invoice, payment = result
        error = payment_ops.declined(payment)
        return PayInvoicePayload(
            invoice=Invoice.from_model(invoice),
            payment=Payment.from_model(payment),
            user_errors=[UserError.from_domain(error)] if error else [],
        )
