"""Types of the insurance area other areas show: the billing profile, policies and their
subscribers (claims, superbills and file links are in ``claims.py`` and ``files.py``)."""

from __future__ import annotations

import enum
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from carebase.models import InsurancePolicy as PolicyModel
from carebase.models import Organization as OrganizationModel
from carebase.resolvers.insurance import policies as policy_ops
from carebase.schema.common import Address, Sex, described
from carebase.schema.context import Info
from carebase.schema.relay import Node, to_global_id

if TYPE_CHECKING:
    from carebase.schema.people.clients import Client


@strawberry.enum(description="Which kind of tax id a billing profile carries (CMS-1500 box 25).")
class TaxIdType(enum.Enum):
    EIN = strawberry.enum_value("EIN", description="Employer identification number.")
    SSN = strawberry.enum_value("SSN", description="Social security number (sole proprietors).")


@strawberry.enum(description="Whether a policy pays first or second.")
class PolicyPriority(enum.Enum):
    PRIMARY = strawberry.enum_value("PRIMARY", description="Billed first; claims go here.")
    SECONDARY = strawberry.enum_value("SECONDARY", description="Billed after the primary.")


@strawberry.enum(description="The health plan's program: CMS-1500 box 1 and the 837P's SBR09.")
class PlanType(enum.Enum):
    MEDICARE = strawberry.enum_value("MEDICARE", description="Medicare (SBR09 MB).")
    MEDICAID = strawberry.enum_value("MEDICAID", description="Medicaid (SBR09 MC).")
    TRICARE = strawberry.enum_value("TRICARE", description="TRICARE (SBR09 CH).")
    CHAMPVA = strawberry.enum_value("CHAMPVA", description="CHAMPVA (SBR09 VA).")
    GROUP_HEALTH = strawberry.enum_value(
        "GROUP_HEALTH", description="Group health plan, commercial insurance (SBR09 CI)."
    )
    FECA_BLACK_LUNG = strawberry.enum_value(
        "FECA_BLACK_LUNG", description="FECA black lung (SBR09 OF)."
    )
    OTHER = strawberry.enum_value("OTHER", description="Any other plan (SBR09 ZZ).")


@strawberry.enum(description="The patient's relationship to the insured (CMS-1500 box 6).")
class SubscriberRelationship(enum.Enum):
    SELF = strawberry.enum_value("SELF", description="The client is the insured.")
    SPOUSE = strawberry.enum_value("SPOUSE", description="The client is the insured's spouse.")
    CHILD = strawberry.enum_value("CHILD", description="The client is the insured's child.")
    OTHER = strawberry.enum_value("OTHER", description="Any other relationship.")


@strawberry.type(
    description="The practice's billing identity: what CMS-1500 boxes 25 and 33 print. "
    "Members of the organization only."
)
class BillingProfile:
    legal_name: str | None = strawberry.field(description="Legal name of the billing entity.")
    tax_id: str | None = strawberry.field(description="Tax id, nine digits without dashes.")
    tax_id_type: TaxIdType | None = strawberry.field(description="EIN or SSN.")
    npi: str | None = strawberry.field(description="Billing (type 2) NPI, ten digits.")
    taxonomy_code: str | None = strawberry.field(
        description="NUCC provider taxonomy code, e.g. 101YM0800X."
    )
    address: Address | None = strawberry.field(
        description="Billing address; claims need a nine-digit ZIP."
    )
    phone: str | None = strawberry.field(description="Billing phone, digits only.")
    default_place_of_service: str | None = strawberry.field(
        description='Two-digit CMS place of service used when a line names none, e.g. "11" '
        'office, "10" telehealth at home.'
    )

    @classmethod
    def of(cls, org: OrganizationModel) -> BillingProfile:
        p: dict[str, Any] = org.billing_profile or {}
        kind = p.get("tax_id_type")
        return cls(
            legal_name=p.get("legal_name"),
            tax_id=p.get("tax_id"),
            tax_id_type=TaxIdType(kind) if kind else None,
            npi=p.get("npi"),
            taxonomy_code=p.get("taxonomy_code"),
            address=Address.from_stored(p.get("address")),
            phone=p.get("phone"),
            default_place_of_service=p.get("default_place_of_service"),
        )


@strawberry.type(description="The insured person of a policy (the client, for SELF).")
class Subscriber:
    first_name: str = strawberry.field(description="Legal first name.")
    last_name: str = strawberry.field(description="Legal last name.")
    date_of_birth: date = strawberry.field(description="Birth date.")
    sex: Sex = strawberry.field(description="Sex as the plan records it.")
    address: Address = strawberry.field(description="The insured's address (box 7).")

    @classmethod
    def of(cls, value: dict[str, Any]) -> Subscriber:
        address = Address.from_stored(value["address"])
        assert address is not None
        return cls(
            first_name=value["first_name"],
            last_name=value["last_name"],
            date_of_birth=date.fromisoformat(value["date_of_birth"]),
            sex=Sex(value["sex"]),
            address=address,
        )


@strawberry.type(
    description="A client's insurance coverage. Visible to members with billing:read and to "
    "the client themself."
)
class InsurancePolicy(Node):
    payer_name: str = strawberry.field(description="The insurer's name, as printed on claims.")
    payer_id: str = strawberry.field(description="The payer's electronic id (837P NM109).")
    member_id: str = strawberry.field(description="The insured's id on the card (box 1a).")
    group_number: str | None = strawberry.field(description="Group number (box 11).")
    priority: PolicyPriority = strawberry.field(description="PRIMARY or SECONDARY.")
    plan_type: PlanType = strawberry.field(description="The program (box 1, SBR09).")
    relationship: SubscriberRelationship = strawberry.field(
        description="The client's relationship to the insured (box 6)."
    )
    valid_from: date | None = strawberry.field(description="First day of coverage, if known.")
    valid_to: date | None = strawberry.field(description="Last day of coverage, if known.")
    model: strawberry.Private[PolicyModel]

    @classmethod
    def from_model(cls, policy: PolicyModel) -> InsurancePolicy:
        return cls(
            id=to_global_id("InsurancePolicy", policy.id),
            payer_name=policy.payer_name,
            payer_id=policy.payer_id,
            member_id=policy.member_id,
            group_number=policy.group_number,
            priority=PolicyPriority(policy.priority.value),
            plan_type=PlanType(policy.plan_type.value),
            relationship=SubscriberRelationship(policy.relationship.value),
            valid_from=policy.valid_from,
            valid_to=policy.valid_to,
            model=policy,
        )

    @described("The client this policy covers.")
    async def client(
        self, info: Info
    ) -> Annotated[Client, strawberry.lazy("carebase.schema.people.clients")]:
        from carebase.schema.people.clients import Client

        found = await info.context.loaders.client.load(self.model.client_id)
        assert found is not None
        return Client.from_model(found)

    @described(
        "The insured: the stored subscriber, or for SELF the client's legal name, "
        "birth date, sex and address (an error while the client lacks one of them)."
    )
    async def subscriber(self, info: Info) -> Subscriber:
        from carebase.errors import invalid

        found = await info.context.loaders.client.load(self.model.client_id)
        assert found is not None
        value = policy_ops.subscriber_of(self.model, found)
        if value is None:
            raise invalid("The client's legal name, birth date, sex or address is missing")
        return Subscriber.of(value)
