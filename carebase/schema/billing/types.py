"""Billing's output types: cards on file, payments, invoices, packages and their credits.

Other areas show these (a client's cards and credits, an appointment's payments) and import
them from here.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

import strawberry

from carebase.models import AppointmentType as AppointmentTypeModel
from carebase.models import Invoice as InvoiceModel
from carebase.models import InvoiceStatus as InvoiceStatusModel
from carebase.models import Package as PackageModel
from carebase.models import PackagePurchase as PackagePurchaseModel
from carebase.models import Payment as PaymentModel
from carebase.models import PaymentKind as PaymentKindModel
from carebase.models import PaymentMethod as PaymentMethodModel
from carebase.models import PaymentStatus as PaymentStatusModel
from carebase.resolvers.scheduling import appointments as appointment_ops
from carebase.schema.common import Money
from carebase.schema.context import Info
from carebase.schema.people.clients import Client
from carebase.schema.relay import Node, to_global_id
from carebase.schema.scheduling.types import Appointment, AppointmentType

PaymentStatus = strawberry.enum(PaymentStatusModel, name="PaymentStatus")
PaymentKind = strawberry.enum(PaymentKindModel, name="PaymentKind")
InvoiceStatus = strawberry.enum(InvoiceStatusModel, name="InvoiceStatus")


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

    def _appointment_id(self) -> strawberry.ID | None:
        value = self.model.appointment_id
        return to_global_id("Appointment", value) if value else None

    appointment_id = strawberry.field(
        resolver=_appointment_id, deprecation_reason="Use `appointment { id }`."
    )

    @strawberry.field
    async def appointment(self, info: Info) -> Appointment | None:
        ctx = info.context
        row = await appointment_ops.linked_appointment(
            ctx.uow,
            ctx.principal,
            appointment_id=self.model.appointment_id,
            load=ctx.loaders.appointment.load,
        )
        return Appointment.from_model(row) if row else None

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
    client_id: strawberry.ID = strawberry.field(deprecation_reason="Use `client { id }`.")
    client_key: strawberry.Private[uuid.UUID]

    @strawberry.field
    async def client(self, info: Info) -> Client:
        found = await info.context.loaders.client.load(self.client_key)
        assert found is not None
        return Client.from_model(found)

    @classmethod
    def of(
        cls, row: PackagePurchaseModel, package: PackageModel, payment: PaymentModel | None
    ) -> PackagePurchase:
        return cls(
            id=to_global_id("PackagePurchase", row.id),
            package=Package.from_model(package),
            payment=Payment.from_model(payment) if payment is not None else None,
            client_id=to_global_id("Client", row.client_id),
            client_key=row.client_id,
        )


@strawberry.type
class PackageCredit:
    appointment_type: AppointmentType
    remaining: int

    @classmethod
    def of(cls, kind: AppointmentTypeModel, remaining: int) -> PackageCredit:
        return cls(appointment_type=AppointmentType.from_model(kind), remaining=remaining)
