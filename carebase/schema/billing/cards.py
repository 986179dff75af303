"""Cards on file: the setup intent, attaching a card, the default card, removing one."""

from __future__ import annotations

from typing import Annotated, Self

import strawberry

from carebase.models import PaymentMethod as PaymentMethodModel
from carebase.resolvers.billing import cards as card_ops
from carebase.schema.billing.types import PaymentMethod
from carebase.schema.context import Info
from carebase.schema.docs import MUTATION_INPUT, USER_ERRORS
from carebase.schema.errors import UserError
from carebase.schema.payloads import Payload, mutate
from carebase.schema.relay import decode_id


@strawberry.input(description="Input of `createSetupIntent`.")
class CreateSetupIntentInput:
    client_id: strawberry.ID = strawberry.field(
        description="The global id of the client who will save a card."
    )


@strawberry.input(description="Input of `attachPaymentMethod`.")
class AttachPaymentMethodInput:
    client_id: strawberry.ID = strawberry.field(
        description="The global id of the client whose card it is."
    )
    stripe_payment_method_id: str = strawberry.field(
        description=(
            "The Stripe payment method id (`pm_…`) collected with "
            "Stripe.js after `createSetupIntent`; an unknown one is "
            "`INVALID_INPUT`."
        )
    )
    make_default: bool = strawberry.field(
        default=True,
        description=(
            "Make it the client's default card (charged by autocharges, "
            "fees and scheduled payments)."
        ),
    )


@strawberry.input(description="Input of `setDefaultPaymentMethod`.")
class SetDefaultPaymentMethodInput:
    id: strawberry.ID = strawberry.field(
        description="The global id of the payment method to make the default."
    )


@strawberry.input(description="Input of `removePaymentMethod`.")
class RemovePaymentMethodInput:
    id: strawberry.ID = strawberry.field(
        description="The global id of the payment method to remove."
    )


@strawberry.type(description="Result of `createSetupIntent`.")
class CreateSetupIntentPayload(Payload):
    client_secret: str | None = strawberry.field(
        default=None,
        description=(
            "The Stripe SetupIntent's client secret, for "
            "`stripe.confirmCardSetup` in the frontend; null on failure."
        ),
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

    @classmethod
    async def from_result(cls, result: str, info: Info) -> Self:
        return cls(client_secret=result)


@strawberry.type
class PaymentMethodPayload(Payload):
    payment_method: PaymentMethod | None = strawberry.field(
        default=None, description="The card on file; null on failure."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

    @classmethod
    async def from_result(cls, result: PaymentMethodModel, info: Info) -> Self:
        return cls(payment_method=PaymentMethod.from_model(result))


@strawberry.type(description="Result of `attachPaymentMethod`.")
class AttachPaymentMethodPayload(PaymentMethodPayload):
    pass


@strawberry.type(description="Result of `setDefaultPaymentMethod`.")
class SetDefaultPaymentMethodPayload(PaymentMethodPayload):
    pass


@strawberry.type(description="Result of `removePaymentMethod`.")
class RemovePaymentMethodPayload(PaymentMethodPayload):
    pass


async def create_setup_intent(
    info: Info,
    input: Annotated[CreateSetupIntentInput, strawberry.argument(description=MUTATION_INPUT)],
) -> CreateSetupIntentPayload:
    ctx = info.context

    async def op() -> str:
        return await card_ops.create_setup_intent(
            ctx.uow, ctx.principal, client_id=decode_id(input.client_id, "Client", field="clientId")
        )

    return await mutate(info, CreateSetupIntentPayload, op)


async def attach_payment_method(
    info: Info,
    input: Annotated[AttachPaymentMethodInput, strawberry.argument(description=MUTATION_INPUT)],
) -> AttachPaymentMethodPayload:
    ctx = info.context

    async def op() -> PaymentMethodModel:
        return await card_ops.attach_payment_method(
            ctx.uow,
            ctx.principal,
            client_id=decode_id(input.client_id, "Client", field="clientId"),
            stripe_payment_method_id=input.stripe_payment_method_id,
            make_default=input.make_default,
        )

    return await mutate(info, AttachPaymentMethodPayload, op)


async def set_default_payment_method(
    info: Info,
    input: Annotated[SetDefaultPaymentMethodInput, strawberry.argument(description=MUTATION_INPUT)],
) -> SetDefaultPaymentMethodPayload:
    ctx = info.context

    async def op() -> PaymentMethodModel:
        return await card_ops.set_default_payment_method(
            ctx.uow, ctx.principal, method_id=decode_id(input.id, "PaymentMethod")
        )

    return await mutate(info, SetDefaultPaymentMethodPayload, op)


async def remove_payment_method(
    info: Info,
    input: Annotated[RemovePaymentMethodInput, strawberry.argument(description=MUTATION_INPUT)],
) -> RemovePaymentMethodPayload:
    ctx = info.context

    async def op() -> PaymentMethodModel:
        return await card_ops.remove_payment_method(
            ctx.uow, ctx.principal, method_id=decode_id(input.id, "PaymentMethod")
        )

    return await mutate(info, RemovePaymentMethodPayload, op)
