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
from carebase.resolvers.billing.invoices import amount_due
from carebase.resolvers.insurance import files as file_ops
from carebase.resolvers.scheduling import appointments as appointment_ops
from carebase.schema.common import Money, described
from carebase.schema.context import Info
from carebase.schema.docs import describe_values
from carebase.schema.files import FileLink
from carebase.schema.people.clients import Client
from carebase.schema.relay import Node, to_global_id
from carebase.schema.scheduling.types import Appointment, AppointmentType

PaymentStatus = strawberry.enum(
    PaymentStatusModel, name="PaymentStatus", description="Where a payment stands."
)

describe_values(
    PaymentStatus,
    {
        "SCHEDULED": "Waiting for its day.",
        "PROCESSING": "Being charged now.",
        "SUCCEEDED": "Captured in full.",
        "FAILED": "Declined or failed; `failureMessage` says why.",
        "REFUNDED": "Refunded in full.",
        "PARTIALLY_REFUNDED": "Refunded in part.",
        "CANCELLED": "A scheduled payment that was cancelled.",
    },
)
PaymentKind = strawberry.enum(
    PaymentKindModel, name="PaymentKind", description="Why a payment was made."
)

describe_values(
    PaymentKind,
    {
        "ONE_TIME": "A one-time charge (`chargeClient`).",
        "SCHEDULED": "A charge scheduled for a day (`schedulePayment`).",
        "AUTOCHARGE": ("The price of an appointment, charged when it was marked `OCCURRED`."),
        "PACKAGE": "A package purchase.",
        "INVOICE": "An invoice paid by card.",
        "NO_SHOW_FEE": "The no-show fee.",
        "LATE_CANCELLATION_FEE": "The late-cancellation fee.",
        "EXTERNAL": "Money received outside Stripe (cash, check).",
        "INSURANCE": "A payment from an insurer.",
    },
)
InvoiceStatus = strawberry.enum(
    InvoiceStatusModel, name="InvoiceStatus", description="Where an invoice stands."
)

describe_values(
    InvoiceStatus,
    {
        "DRAFT": "Created, not yet sent; can be changed or voided.",
        "OPEN": "Sent and waiting for payment.",
        "PAID": "Paid in full.",
        "VOID": "Cancelled; nothing is owed.",
    },
)


@strawberry.type(
    description=(
        "A card on file for a client (a Stripe payment method); only "
        "its brand, last digits and expiry are shown."
    )
)
class PaymentMethod(Node):
    brand: str | None = strawberry.field(description="The card brand, lower case (e.g. `visa`).")
    last4: str | None = strawberry.field(description="The card number's last four digits.")
    exp_month: int | None = strawberry.field(description="The expiry month, 1 to 12.")
    exp_year: int | None = strawberry.field(description="The expiry year, four digits.")
    is_default: bool = strawberry.field(description="True for the client's default card.")

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


@strawberry.type(description="One line of an invoice.")
class InvoiceLine:
    description: str = strawberry.field(description="What the line is for.")
    unit_price: Money = strawberry.field(description="The price of one unit.")
    quantity: int = strawberry.field(description="How many units.")
    total: Money = strawberry.field(description="`unitPrice` × `quantity`.")


@strawberry.type(
    description=(
        "A bill to a client, paid by card (`payInvoice`) or settled by an external payment."
    )
)
class Invoice(Node):
    status: InvoiceStatus = strawberry.field(description="Where the invoice stands.")  # type: ignore[valid-type]
    total: Money = strawberry.field(description="The sum of its lines.")
    amount_due: Money = strawberry.field(
        description=(
            "What is still owed: the total less what its payments captured net of refunds"
            " (a refund of its payment reopens a paid invoice for that much); zero once paid"
            " or void."
        )
    )
    due_date: date | None = strawberry.field(description="When it is due (`YYYY-MM-DD`).")
    lines: list[InvoiceLine] = strawberry.field(description="The invoice's lines, in order.")
    sent_at: datetime | None = strawberry.field(
        description="When it was sent to the client, or null for a draft."
    )
    paid_at: datetime | None = strawberry.field(description="When it was paid, or null.")
    model: strawberry.Private[InvoiceModel]

    @classmethod
    def from_model(cls, row: InvoiceModel) -> Invoice:
        def money(cents: int) -> Money:
            return Money(amount_cents=cents, currency=row.currency)

        return cls(
            id=to_global_id("Invoice", row.id),
            status=row.status,
            total=money(row.total_cents),
            amount_due=money(amount_due(row)),
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

    @strawberry.field(description="The client billed.")  # type: ignore[untyped-decorator]
    async def client(self, info: Info) -> Client:
        found = await info.context.loaders.client.load(self.model.client_id)
        assert found is not None
        return Client.from_model(found)


@strawberry.type(
    description=(
        "Money moved for a client: a card charge, a scheduled charge,"
        " a fee, a package or invoice payment, or money received "
        "outside Stripe. Members with `billing:read` and the client "
        "themself."
    )
)
class Payment(Node):
    amount: Money = strawberry.field(description="The amount charged or received.")
    refunded: Money = strawberry.field(
        description="How much of it has been refunded (zero when none)."
    )
    status: PaymentStatus = strawberry.field(description="Where the payment stands.")  # type: ignore[valid-type]
    kind: PaymentKind = strawberry.field(description="Why the payment was made.")  # type: ignore[valid-type]
    description: str | None = strawberry.field(description="What it is for, as on the receipt.")
    scheduled_for: date | None = strawberry.field(
        description="The day a scheduled payment is due (`YYYY-MM-DD`), or null."
    )
    failure_message: str | None = strawberry.field(
        description=("Why a `FAILED` payment failed (e.g. the decline reason), or null.")
    )
    disputed: bool = strawberry.field(
        description=("True when the client disputed the card charge with their bank.")
    )
    created_at: datetime = strawberry.field(description="When the payment was created.")
    succeeded_at: datetime | None = strawberry.field(
        description=(
            "When the money was captured (it became `SUCCEEDED`), kept through later refunds; "
            "null for a payment that never succeeded. The revenue report counts it on this day."
        )
    )
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
            succeeded_at=row.succeeded_at,
            model=row,
        )

    @described(
        "The receipt as a PDF (amount, what for, card brand and last four, date, the "
        "practice's details, refunds against it): a signed link for members with "
        "billing:read and the client themself; null until the payment succeeded."
    )
    def receipt_pdf(self, info: Info) -> FileLink | None:
        link = file_ops.receipt_pdf_link(
            info.context.uow, info.context.principal, payment=self.model
        )
        return FileLink.of(link) if link else None

    @strawberry.field(description="The client who paid.")  # type: ignore[untyped-decorator]
    async def client(self, info: Info) -> Client:
        found = await info.context.loaders.client.load(self.model.client_id)
        assert found is not None
        return Client.from_model(found)

    def _appointment_id(self) -> strawberry.ID | None:
        value = self.model.appointment_id
        return to_global_id("Appointment", value) if value else None

    appointment_id = strawberry.field(
        resolver=_appointment_id,
        deprecation_reason="Use `appointment { id }`.",
        description="The global id of the appointment this payment is for, or null.",
    )

    @strawberry.field(description="The appointment it is for (autocharge, fees), or null.")  # type: ignore[untyped-decorator]
    async def appointment(self, info: Info) -> Appointment | None:
        ctx = info.context
        row = await appointment_ops.linked_appointment(
            ctx.uow,
            ctx.principal,
            appointment_id=self.model.appointment_id,
            load=ctx.loaders.appointment.load,
        )
        return Appointment.from_model(row) if row else None

    @strawberry.field(description="The invoice it paid, or null.")  # type: ignore[untyped-decorator]
    async def invoice(self, info: Info) -> Invoice | None:
        if self.model.invoice_id is None:
            return None
        found = await info.context.loaders.invoice.load(self.model.invoice_id)
        return Invoice.from_model(found) if found else None


@strawberry.type(description="One kind of credit of a package.")
class PackageItem:
    appointment_type: AppointmentType = strawberry.field(
        description="The appointment type the credits book."
    )
    quantity: int = strawberry.field(description="How many credits.")


@strawberry.type(description="A bundle of appointment credits sold for one price.")
class Package(Node):
    name: str = strawberry.field(description="The package's name.")
    price: Money = strawberry.field(description="What the package costs.")
    model: strawberry.Private[PackageModel]

    @classmethod
    def from_model(cls, row: PackageModel) -> Package:
        return cls(
            id=to_global_id("Package", row.id),
            name=row.name,
            price=Money(amount_cents=row.price_cents, currency=row.currency),
            model=row,
        )

    @strawberry.field(description="The credits it holds.")  # type: ignore[untyped-decorator]
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


@strawberry.type(description="A client's purchase of a package.")
class PackagePurchase(Node):
    package: Package = strawberry.field(description="The package bought.")
    payment: Payment | None = strawberry.field(description="The payment for it, or null.")
    client_id: strawberry.ID = strawberry.field(
        deprecation_reason="Use `client { id }`.",
        description="The buyer's global id. Deprecated: use `client`.",
    )
    client_key: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The client who bought it.")  # type: ignore[untyped-decorator]
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


@strawberry.type(description="Credits a client holds for one appointment type.")
class PackageCredit:
    appointment_type: AppointmentType = strawberry.field(
        description="The appointment type the credits book."
    )
    remaining: int = strawberry.field(description="How many credits are left.")

    @classmethod
    def of(cls, kind: AppointmentTypeModel, remaining: int) -> PackageCredit:
        return cls(appointment_type=AppointmentType.from_model(kind), remaining=remaining)
