"""Billing identity mutations: the practice's billing profile and a provider's NPI."""

from __future__ import annotations

from typing import Annotated, Self

import strawberry

from carebase.models import Account
from carebase.models import Organization as OrganizationModel
from carebase.resolvers.insurance import identity as identity_ops
from carebase.schema.common import AddressInput, changes_of
from carebase.schema.context import Info
from carebase.schema.docs import MUTATION_INPUT
from carebase.schema.errors import UserError
from carebase.schema.insurance.types import TaxIdType
from carebase.schema.org.organizations import Organization
from carebase.schema.payloads import Payload, mutate
from carebase.schema.people.clients import Member
from carebase.schema.relay import decode_id

ERRORS = "What went wrong: INVALID_INPUT, INVALID_CODE (a bad NPI or code), FORBIDDEN, ..."


@strawberry.input(
    description="Any BillingProfile field; a field left out is kept, null clears it. Owners "
    "and admins only."
)
class UpdateBillingProfileInput:
    legal_name: str | None = strawberry.field(
        default=strawberry.UNSET, description="Legal name of the billing entity (box 33)."
    )
    tax_id: str | None = strawberry.field(
        default=strawberry.UNSET, description="Nine digits; dashes are dropped (box 25)."
    )
    tax_id_type: TaxIdType | None = strawberry.field(
        default=strawberry.UNSET, description="EIN (the default) or SSN."
    )
    npi: str | None = strawberry.field(
        default=strawberry.UNSET, description="Billing NPI: ten digits, Luhn-checked."
    )
    taxonomy_code: str | None = strawberry.field(
        default=strawberry.UNSET, description="NUCC taxonomy code, ten characters."
    )
    address: AddressInput | None = strawberry.field(
        default=strawberry.UNSET, description="Billing address (box 33); a nine-digit ZIP."
    )
    phone: str | None = strawberry.field(default=strawberry.UNSET, description="Billing phone.")
    default_place_of_service: str | None = strawberry.field(
        default=strawberry.UNSET, description="Two-digit CMS place-of-service code."
    )


@strawberry.input(description="A rendering provider's identifiers. Owners and admins only.")
class UpdateMemberBillingInput:
    member_id: strawberry.ID = strawberry.field(description="The member (provider).")
    npi: str | None = strawberry.field(
        default=strawberry.UNSET, description="Individual NPI, ten digits; null clears."
    )
    taxonomy_code: str | None = strawberry.field(
        default=strawberry.UNSET, description="NUCC taxonomy code; null clears."
    )


@strawberry.type(description="The organization with its new billing profile.")
class UpdateBillingProfilePayload(Payload):
    organization: Organization | None = strawberry.field(
        default=None, description="The organization; null on failure."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)

    @classmethod
    async def from_result(cls, result: OrganizationModel, info: Info) -> Self:
        return cls(organization=Organization.from_model(result))


@strawberry.type(description="The member with their new NPI and taxonomy.")
class UpdateMemberBillingPayload(Payload):
    member: Member | None = strawberry.field(
        default=None, description="The member; null on failure."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)

    @classmethod
    async def from_result(cls, result: Account, info: Info) -> Self:
        return cls(member=Member.from_model(result))


async def update_billing_profile(
    info: Info,
    input: Annotated[UpdateBillingProfileInput, strawberry.argument(description=MUTATION_INPUT)],
) -> UpdateBillingProfilePayload:
    ctx = info.context

    async def op() -> OrganizationModel:
        changes = changes_of(
            input,
            *identity_ops.PROFILE_FIELDS,
        )
        if isinstance(changes.get("tax_id_type"), TaxIdType):
            changes["tax_id_type"] = changes["tax_id_type"].value
        if isinstance(changes.get("address"), AddressInput):
            changes["address"] = changes["address"].stored()
        return await identity_ops.update_billing_profile(ctx.uow, ctx.principal, changes=changes)

    return await mutate(info, UpdateBillingProfilePayload, op)


async def update_member_billing(
    info: Info,
    input: Annotated[UpdateMemberBillingInput, strawberry.argument(description=MUTATION_INPUT)],
) -> UpdateMemberBillingPayload:
    ctx = info.context

    async def op() -> Account:
        return await identity_ops.update_member_billing(
            ctx.uow,
            ctx.principal,
            member_id=decode_id(input.member_id, "Member", field="memberId"),
            changes=changes_of(input, "npi", "taxonomy_code"),
        )

    return await mutate(info, UpdateMemberBillingPayload, op)
