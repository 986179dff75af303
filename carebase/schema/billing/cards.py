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


@strawberry.input
class CreateSetupIntentInput:
    client_id: strawberry.ID


@strawberry.input
class AttachPaymentMethodInput:
    client_id: strawberry.ID
    stripe_payment_method_id: str
    make_default: bool = True


@strawberry.input
class SetDefaultPaymentMethodInput:
    id: strawberry.ID


@strawberry.input
class RemovePaymentMethodInput:
    id: strawberry.ID


@strawberry.type
class CreateSetupIntentPayload(Payload):
    client_secret: str | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

    @classmethod
    async def from_result(cls, result: str, info: Info) -> Self:
        return cls(client_secret=result)


@strawberry.type
class PaymentMethodPayload(Payload):
    payment_method: PaymentMethod | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

    @classmethod
    async def from_result(cls, result: PaymentMethodModel, info: Info) -> Self:
        return cls(payment_method=PaymentMethod.from_model(result))


@strawberry.type
class AttachPaymentMethodPayload(PaymentMethodPayload):
    pass


@strawberry.type
class SetDefaultPaymentMethodPayload(PaymentMethodPayload):
    pass


@strawberry.type
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
