"""Insurance policy mutations: add, update, remove."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any, Self

import strawberry

from carebase.models import InsurancePolicy as PolicyModel
from carebase.resolvers.insurance import policies as policy_ops
from carebase.schema.common import AddressInput, Sex, changes_of
from carebase.schema.context import Info
from carebase.schema.docs import MUTATION_INPUT
from carebase.schema.errors import UserError
from carebase.schema.insurance.types import (
    InsurancePolicy,
    PlanType,
    PolicyPriority,
    SubscriberRelationship,
)
from carebase.schema.payloads import Payload, mutate
from carebase.schema.relay import decode_id, to_global_id

ERRORS = "What went wrong: INVALID_INPUT naming the field, NOT_FOUND, FORBIDDEN."


@strawberry.input(description="The insured person, when it is not the client (SELF).")
class SubscriberInput:
    first_name: str = strawberry.field(description="Legal first name.")
    last_name: str = strawberry.field(description="Legal last name.")
    date_of_birth: date = strawberry.field(description="Birth date.")
    sex: Sex = strawberry.field(description="Sex.")
    address: AddressInput = strawberry.field(description="The insured's address.")

    def stored(self) -> dict[str, Any]:
        return {
            "first_name": self.first_name,
            "last_name": self.last_name,
            "date_of_birth": self.date_of_birth,
            "sex": self.sex.value,
            "address": self.address.stored(),
        }


@strawberry.input(description="A new policy of a client. Members with billing:write.")
class AddInsurancePolicyInput:
    client_id: strawberry.ID = strawberry.field(description="The covered client.")
    payer_name: str = strawberry.field(description="The insurer's name.")
    payer_id: str = strawberry.field(description="The payer's electronic id.")
    member_id: str = strawberry.field(description="The insured's id on the card.")
    group_number: str | None = strawberry.field(default=None, description="Group number.")
    priority: PolicyPriority = strawberry.field(
        default=PolicyPriority.PRIMARY,
        description="PRIMARY (default) or SECONDARY; one of each current at a time.",
    )
    relationship: SubscriberRelationship = strawberry.field(
        default=SubscriberRelationship.SELF, description="The client's relationship to the insured."
    )
    plan_type: PlanType = strawberry.field(
        default=PlanType.GROUP_HEALTH, description="The program; default GROUP_HEALTH."
    )
    subscriber: SubscriberInput | None = strawberry.field(
        default=None, description="The insured; left out for SELF (the client's own)."
    )
    valid_from: date | None = strawberry.field(default=None, description="Coverage starts.")
    valid_to: date | None = strawberry.field(default=None, description="Coverage ends.")


@strawberry.input(description="A policy's id and any field to change (null clears optional ones).")
class UpdateInsurancePolicyInput:
    id: strawberry.ID = strawberry.field(description="The policy.")
    payer_name: str | None = strawberry.field(default=strawberry.UNSET, description="Insurer.")
    payer_id: str | None = strawberry.field(default=strawberry.UNSET, description="Payer id.")
    member_id: str | None = strawberry.field(default=strawberry.UNSET, description="Member id.")
    group_number: str | None = strawberry.field(
        default=strawberry.UNSET, description="Group number."
    )
    priority: PolicyPriority | None = strawberry.field(
        default=strawberry.UNSET, description="PRIMARY or SECONDARY."
    )
    relationship: SubscriberRelationship | None = strawberry.field(
        default=strawberry.UNSET, description="Relationship to the insured."
    )
    plan_type: PlanType | None = strawberry.field(default=strawberry.UNSET, description="Program.")
    subscriber: SubscriberInput | None = strawberry.field(
        default=strawberry.UNSET, description="The insured (required unless SELF)."
    )
    valid_from: date | None = strawberry.field(default=strawberry.UNSET, description="Starts.")
    valid_to: date | None = strawberry.field(default=strawberry.UNSET, description="Ends.")


@strawberry.input(description="The policy to remove (claims already filed keep it).")
class RemoveInsurancePolicyInput:
    id: strawberry.ID = strawberry.field(description="The policy.")


@strawberry.type(description="The policy as it now is.")
class InsurancePolicyPayload(Payload):
    insurance_policy: InsurancePolicy | None = strawberry.field(
        default=None, description="The policy; null on failure."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)

    @classmethod
    async def from_result(cls, result: PolicyModel, info: Info) -> Self:
        return cls(insurance_policy=InsurancePolicy.from_model(result))


@strawberry.type(description="The added policy.")
class AddInsurancePolicyPayload(InsurancePolicyPayload):
    pass


@strawberry.type(description="The updated policy.")
class UpdateInsurancePolicyPayload(InsurancePolicyPayload):
    pass


@strawberry.type(description="The id of the removed policy.")
class RemoveInsurancePolicyPayload(Payload):
    removed_id: strawberry.ID | None = strawberry.field(
        default=None, description="The removed policy's id; null on failure."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)

    @classmethod
    async def from_result(cls, result: uuid.UUID, info: Info) -> Self:
        return cls(removed_id=strawberry.ID(to_global_id("InsurancePolicy", result)))


def _plain(changes: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in changes.items():
        if isinstance(value, SubscriberInput):
            value = value.stored()
        elif hasattr(value, "value") and not isinstance(value, (str, date)):
            value = value.value
        out[key] = value
    return out


async def add_insurance_policy(
    info: Info,
    input: Annotated[AddInsurancePolicyInput, strawberry.argument(description=MUTATION_INPUT)],
) -> AddInsurancePolicyPayload:
    ctx = info.context

    async def op() -> PolicyModel:
        values = _plain(
            {
                "payer_name": input.payer_name,
                "payer_id": input.payer_id,
                "member_id": input.member_id,
                "group_number": input.group_number,
                "priority": input.priority,
                "relationship": input.relationship,
                "plan_type": input.plan_type,
                "subscriber": input.subscriber,
                "valid_from": input.valid_from,
                "valid_to": input.valid_to,
            }
        )
        return await policy_ops.add_policy(
            ctx.uow,
            ctx.principal,
            client_id=decode_id(input.client_id, "Client", field="clientId"),
            values=values,
        )

    return await mutate(info, AddInsurancePolicyPayload, op)


async def update_insurance_policy(
    info: Info,
    input: Annotated[UpdateInsurancePolicyInput, strawberry.argument(description=MUTATION_INPUT)],
) -> UpdateInsurancePolicyPayload:
    ctx = info.context

    async def op() -> PolicyModel:
        changes = changes_of(
            input,
            "payer_name",
            "payer_id",
            "member_id",
            "group_number",
            "priority",
            "relationship",
            "plan_type",
            "subscriber",
            "valid_from",
            "valid_to",
        )
        return await policy_ops.update_policy(
            ctx.uow,
            ctx.principal,
            policy_id=decode_id(input.id, "InsurancePolicy"),
            changes=_plain(changes),
        )

    return await mutate(info, UpdateInsurancePolicyPayload, op)


async def remove_insurance_policy(
    info: Info,
    input: Annotated[RemoveInsurancePolicyInput, strawberry.argument(description=MUTATION_INPUT)],
) -> RemoveInsurancePolicyPayload:
    ctx = info.context

    async def op() -> uuid.UUID:
        return await policy_ops.remove_policy(
            ctx.uow, ctx.principal, policy_id=decode_id(input.id, "InsurancePolicy")
        )

    return await mutate(info, RemoveInsurancePolicyPayload, op)
