"""Packages: the list, creating one, and a client's purchase (charged at once)."""

from __future__ import annotations

from typing import Annotated, Self

import strawberry

from carebase.models import Package as PackageModel
from carebase.resolvers.billing import packages as package_ops
from carebase.schema.billing.payments import decline_errors
from carebase.schema.billing.types import Package, PackagePurchase, Payment
from carebase.schema.context import Info
from carebase.schema.docs import CURRENCY_INPUT, IDEMPOTENCY_KEY, MUTATION_INPUT, USER_ERRORS
from carebase.schema.errors import UserError
from carebase.schema.payloads import Payload, mutate
from carebase.schema.relay import decode_id


@strawberry.input(description="One kind of credit of a new package.")
class PackageItemInput:
    appointment_type_id: strawberry.ID = strawberry.field(
        description="The global id of the appointment type the credits book."
    )
    quantity: int = strawberry.field(description="How many credits (1 or more).")


@strawberry.input(description="Input of `createPackage`.")
class CreatePackageInput:
    name: str = strawberry.field(description="The package's name, as clients see it.")
    price_cents: int = strawberry.field(description="The package's price in cents (0 or more).")
    items: list[PackageItemInput] = strawberry.field(
        description=("The credits it holds: appointment types and how many of each (at least one).")
    )
    currency: str | None = strawberry.field(default=None, description=CURRENCY_INPUT)


@strawberry.input(description="Input of `purchasePackage`.")
class PurchasePackageInput:
    client_id: strawberry.ID = strawberry.field(description="The global id of the client buying.")
    package_id: strawberry.ID = strawberry.field(description="The global id of the package bought.")
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.type(description="Result of `createPackage`.")
class CreatePackagePayload(Payload):
    package: Package | None = strawberry.field(
        default=None, description="The new package; null on failure."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

    @classmethod
    async def from_result(cls, result: PackageModel, info: Info) -> Self:
        return cls(package=Package.from_model(result))


@strawberry.type(description="Result of `purchasePackage`.")
class PurchasePackagePayload(Payload):
    package_purchase: PackagePurchase | None = strawberry.field(
        default=None,
        description=(
            "The purchase (its credits are the client's once the payment "
            "succeeded); null on failure."
        ),
    )
    payment: Payment | None = strawberry.field(
        default=None, description="The card payment for the purchase; null on failure."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

    @classmethod
    async def from_result(cls, result: package_ops.PackageBought, info: Info) -> Self:
        purchase, payment = result.purchase, result.payment
        return cls(
            package_purchase=PackagePurchase.of(purchase, result.package, payment),
            payment=Payment.from_model(payment),
            user_errors=decline_errors(payment),
        )


async def packages(info: Info) -> list[Package]:
    rows = await package_ops.list_packages(info.context.uow, info.context.principal)
    return [Package.from_model(r) for r in rows]


async def create_package(
    info: Info,
    input: Annotated[CreatePackageInput, strawberry.argument(description=MUTATION_INPUT)],
) -> CreatePackagePayload:
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
                    decode_id(i.appointment_type_id, "AppointmentType", field="appointmentTypeId"),
                    i.quantity,
                )
                for i in input.items
            ],
        )

    return await mutate(info, CreatePackagePayload, op)


async def purchase_package(
    info: Info,
    input: Annotated[PurchasePackageInput, strawberry.argument(description=MUTATION_INPUT)],
) -> PurchasePackagePayload:
    ctx = info.context

    async def op() -> package_ops.PackageBought:
        return await package_ops.purchase_package(
            ctx.uow,
            ctx.principal,
            client_id=decode_id(input.client_id, "Client", field="clientId"),
            package_id=decode_id(input.package_id, "Package", field="packageId"),
            idempotency_key=input.idempotency_key,
        )

    return await mutate(info, PurchasePackagePayload, op)
