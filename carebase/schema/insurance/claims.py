"""Claims: the type, the list, and the mutations that create, correct, move and pay them."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Self

import strawberry

from carebase.models import Claim as ClaimModel
from carebase.models import ClaimStatus as ClaimStatusModel
from carebase.models import Payment as PaymentModel
from carebase.resolvers.core.pagination import page_request
from carebase.resolvers.insurance import claims as claim_ops
from carebase.resolvers.insurance import exports as export_ops
from carebase.resolvers.insurance import files as file_ops
from carebase.schema.billing.types import Payment
from carebase.schema.common import Money, described
from carebase.schema.context import Info
from carebase.schema.docs import MUTATION_INPUT
from carebase.schema.errors import UserError
from carebase.schema.files import FileLink
from carebase.schema.insurance.types import InsurancePolicy
from carebase.schema.payloads import Payload, mutate
from carebase.schema.people.clients import Member
from carebase.schema.relay import Connection, Node, decode_id, decode_optional_id, to_global_id

if TYPE_CHECKING:
    from carebase.schema.people.clients import Client
    from carebase.schema.scheduling.types import Appointment

ERRORS = (
    "What went wrong: INVALID_INPUT naming the field, INVALID_CODE (an ICD-10-CM, CPT/HCPCS, "
    "NPI or place-of-service code), CLAIM_NOT_EDITABLE, INVALID_STATUS_TRANSITION, NOT_FOUND, "
    "FORBIDDEN."
)


@strawberry.enum(description="Where a claim stands with the payer.")
class ClaimStatus(enum.Enum):
    DRAFT = strawberry.enum_value("DRAFT", description="Being prepared; the only editable state.")
    SUBMITTED = strawberry.enum_value("SUBMITTED", description="Sent to the payer.")
    ACCEPTED = strawberry.enum_value("ACCEPTED", description="Accepted for adjudication.")
    REJECTED = strawberry.enum_value(
        "REJECTED", description="Refused as filed; back to DRAFT to correct and resubmit."
    )
    PAID = strawberry.enum_value("PAID", description="The payer paid (recordInsurancePayment).")
    DENIED = strawberry.enum_value("DENIED", description="The payer will not pay.")


@strawberry.type(description="One line of box 24: a procedure on the service date.")
class ServiceLine:
    service_date: date = strawberry.field(
        description="The appointment's date in the organization's time zone (24A)."
    )
    procedure_code: str = strawberry.field(description="CPT or HCPCS code (24D).")
    modifiers: list[str] = strawberry.field(description="Up to four two-character modifiers.")
    units: int = strawberry.field(description="Units of service (24G).")
    charge: Money = strawberry.field(description="The line's total charge (24F).")
    place_of_service: str = strawberry.field(description="Two-digit CMS code (24B).")
    diagnosis_pointers: list[str] = strawberry.field(
        description="Letters A-L of the claim's diagnoses this line treats (24E), 1 to 4."
    )


@strawberry.type(description="One change of a claim's status, oldest first.")
class ClaimChange:
    at: datetime = strawberry.field(description="When it changed.")
    from_status: ClaimStatus | None = strawberry.field(
        description="The status before; null for the claim's creation."
    )
    to_status: ClaimStatus = strawberry.field(description="The status after.")
    note: str | None = strawberry.field(description="Why, as given (e.g. a payer's reason).")


@strawberry.type(
    description="A CMS-1500 claim to the client's primary payer for one appointment. Members "
    "with billing:read, and the client themself."
)
class Claim(Node):
    status: ClaimStatus = strawberry.field(description="Where the claim stands.")
    diagnosis_codes: list[str] = strawberry.field(
        description="ICD-10-CM codes with their dot, up to 12, in order: pointer A is the first."
    )
    service_lines: list[ServiceLine] = strawberry.field(description="1 to 6 lines (box 24).")
    total_charge: Money = strawberry.field(description="Sum of the lines' charges (box 28).")
    paid: Money = strawberry.field(description="What the payer has paid so far.")
    created_at: datetime = strawberry.field(description="When the claim was created.")
    submitted_at: datetime | None = strawberry.field(
        description="When it was last submitted; null while never submitted."
    )
    model: strawberry.Private[ClaimModel]

    @classmethod
    def from_model(cls, row: ClaimModel) -> Claim:
        money = row.currency
        return cls(
            id=to_global_id("Claim", row.id),
            status=ClaimStatus(row.status.value),
            diagnosis_codes=list(row.diagnosis_codes),
            service_lines=[
                ServiceLine(
                    service_date=date.fromisoformat(line["service_date"]),
                    procedure_code=line["procedure_code"],
                    modifiers=list(line["modifiers"]),
                    units=line["units"],
                    charge=Money(amount_cents=line["charge_cents"], currency=money),
                    place_of_service=line["place_of_service"],
                    diagnosis_pointers=list(line["diagnosis_pointers"]),
                )
                for line in row.service_lines
            ],
            total_charge=Money(amount_cents=row.total_charge_cents, currency=money),
            paid=Money(amount_cents=row.paid_cents, currency=money),
            created_at=row.created_at,
            submitted_at=row.submitted_at,
            model=row,
        )

    @described("The patient.")
    async def client(
        self, info: Info
    ) -> Annotated[Client, strawberry.lazy("carebase.schema.people.clients")]:
        from carebase.schema.people.clients import Client

        found = await info.context.loaders.client.load(self.model.client_id)
        assert found is not None
        return Client.from_model(found)

    @described("The visit the claim bills.")
    async def appointment(
        self, info: Info
    ) -> Annotated[Appointment, strawberry.lazy("carebase.schema.scheduling.types")]:
        from carebase.schema.scheduling.types import Appointment

        found = await info.context.loaders.appointment.load(self.model.appointment_id)
        assert found is not None
        return Appointment.from_model(found)

    @described("The policy billed (the primary, unless another was named).")
    async def policy(self, info: Info) -> InsurancePolicy:
        found = await info.context.loaders.policy.load(self.model.policy_id)
        assert found is not None
        return InsurancePolicy.from_model(found)

    @described("The appointment's provider, who rendered the service (24J).")
    async def rendering_provider(self, info: Info) -> Member:
        found = await info.context.loaders.member.load(self.model.rendering_provider_id)
        assert found is not None
        return Member.from_model(found)

    @described(
        "This claim as an ANSI X12 005010X222A1 837P interchange (segments end in ~ and a "
        "newline). Members with billing:read; numbered with the next export's control number."
    )
    async def x12(self, info: Info) -> str:
        return await export_ops.claim_x12(
            info.context.uow, info.context.principal, claim=self.model
        )

    @described(
        "The CMS-1500 (02/12) form filled in, as a PDF printed on the NUCC grid: a signed "
        "link for members with billing:read (clients are refused)."
    )
    def cms1500_pdf(self, info: Info) -> FileLink:
        return FileLink.of(
            file_ops.claim_pdf_link(info.context.uow, info.context.principal, claim=self.model)
        )

    @described("Every status change, oldest first.")
    def history(self) -> list[ClaimChange]:
        return [
            ClaimChange(
                at=datetime.fromisoformat(change["at"]),
                from_status=ClaimStatus(change["from"]) if change["from"] else None,
                to_status=ClaimStatus(change["to"]),
                note=change.get("note"),
            )
            for change in self.model.history
        ]


@strawberry.input(description="Which claims to list.")
class ClaimFilter:
    client_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only this client's claims."
    )
    status: ClaimStatus | None = strawberry.field(default=None, description="Only this status.")


@strawberry.input(description="One service line (box 24).")
class ServiceLineInput:
    procedure_code: str = strawberry.field(
        description="CPT (four digits then a digit, F, T or U) or HCPCS (A-V then four digits)."
    )
    charge_cents: int = strawberry.field(description="The line's total charge, in cents.")
    diagnosis_pointers: list[str] = strawberry.field(
        description="1 to 4 letters naming the claim's diagnoses (A is the first code)."
    )
    modifiers: list[str] = strawberry.field(
        default_factory=list, description="Up to four two-character modifiers, e.g. 95."
    )
    units: int = strawberry.field(default=1, description="Units of service, at least 1.")
    place_of_service: str | None = strawberry.field(
        default=None,
        description="Two-digit CMS code; default the billing profile's defaultPlaceOfService.",
    )

    def plain(self) -> claim_ops.LineInput:
        return claim_ops.LineInput(
            procedure_code=self.procedure_code,
            modifiers=list(self.modifiers),
            units=self.units,
            charge_cents=self.charge_cents,
            place_of_service=self.place_of_service,
            diagnosis_pointers=list(self.diagnosis_pointers),
        )


@strawberry.input(description="A claim for an OCCURRED appointment. Members with billing:write.")
class CreateClaimInput:
    appointment_id: strawberry.ID = strawberry.field(description="The visit billed.")
    diagnosis_codes: list[str] = strawberry.field(
        description="1 to 12 billable ICD-10-CM codes, with or without the dot."
    )
    service_lines: list[ServiceLineInput] = strawberry.field(description="1 to 6 lines.")
    policy_id: strawberry.ID | None = strawberry.field(
        default=None, description="The policy billed; default the client's current primary."
    )


@strawberry.input(description="Corrections to a DRAFT claim; a field left out is kept.")
class UpdateClaimInput:
    id: strawberry.ID = strawberry.field(description="The claim.")
    policy_id: strawberry.ID | None = strawberry.field(default=None, description="Another policy.")
    diagnosis_codes: list[str] | None = strawberry.field(
        default=None, description="The new diagnoses (all of them)."
    )
    service_lines: list[ServiceLineInput] | None = strawberry.field(
        default=None, description="The new lines (all of them)."
    )


@strawberry.input(description="Move a claim to its next status (see ClaimStatus).")
class UpdateClaimStatusInput:
    id: strawberry.ID = strawberry.field(description="The claim.")
    status: ClaimStatus = strawberry.field(description="The new status.")
    note: str | None = strawberry.field(default=None, description="Why; kept in the history.")


@strawberry.input(description="A payment received from the insurer for a claim.")
class RecordInsurancePaymentInput:
    claim_id: strawberry.ID = strawberry.field(description="The claim paid.")
    amount_cents: int = strawberry.field(description="Amount paid, in cents.")
    paid_on: date | None = strawberry.field(default=None, description="Date of the remittance.")
    payer_reference: str | None = strawberry.field(
        default=None, description="The payer's check or EFT trace number."
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="Repeat-safe key: a repeat answers the first response."
    )


@strawberry.type(description="The claim as it now is.")
class ClaimPayload(Payload):
    claim: Claim | None = strawberry.field(default=None, description="The claim; null on failure.")
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)

    @classmethod
    async def from_result(cls, result: ClaimModel, info: Info) -> Self:
        return cls(claim=Claim.from_model(result))


@strawberry.type(description="The new DRAFT claim.")
class CreateClaimPayload(ClaimPayload):
    pass


@strawberry.type(description="The corrected claim.")
class UpdateClaimPayload(ClaimPayload):
    pass


@strawberry.type(description="The claim in its new status.")
class UpdateClaimStatusPayload(ClaimPayload):
    pass


@strawberry.type(description="The claim and the INSURANCE payment recorded against it.")
class RecordInsurancePaymentPayload(Payload):
    claim: Claim | None = strawberry.field(default=None, description="The claim; null on failure.")
    payment: Payment | None = strawberry.field(
        default=None, description="The payment (kind INSURANCE); null on failure."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)

    @classmethod
    async def from_result(cls, result: tuple[ClaimModel, PaymentModel], info: Info) -> Self:
        return cls(claim=Claim.from_model(result[0]), payment=Payment.from_model(result[1]))


async def claims(
    info: Info,
    first: Annotated[
        int | None, strawberry.argument(description="Page size, at most 100 (default 20).")
    ] = None,
    after: Annotated[
        str | None, strawberry.argument(description="The cursor of the last claim seen.")
    ] = None,
    filter: Annotated[
        ClaimFilter | None, strawberry.argument(description="By client and status.")
    ] = None,
) -> Connection[Claim]:
    f = filter or ClaimFilter()
    page = await claim_ops.list_claims(
        info.context.uow,
        info.context.principal,
        filter=claim_ops.ClaimFilter(
            client_id=decode_optional_id(f.client_id, "Client", field="clientId"),
            status=ClaimStatusModel(f.status.value) if f.status else None,
        ),
        page=page_request(first, after),
    )
    return Connection.from_page(page, Claim.from_model)


async def create_claim(
    info: Info, input: Annotated[CreateClaimInput, strawberry.argument(description=MUTATION_INPUT)]
) -> CreateClaimPayload:
    ctx = info.context

    async def op() -> ClaimModel:
        return await claim_ops.create_claim(
            ctx.uow,
            ctx.principal,
            appointment_id=decode_id(input.appointment_id, "Appointment", field="appointmentId"),
            policy_id=decode_optional_id(input.policy_id, "InsurancePolicy", field="policyId"),
            diagnosis_codes=input.diagnosis_codes,
            service_lines=[line.plain() for line in input.service_lines],
        )

    return await mutate(info, CreateClaimPayload, op)


async def update_claim(
    info: Info, input: Annotated[UpdateClaimInput, strawberry.argument(description=MUTATION_INPUT)]
) -> UpdateClaimPayload:
    ctx = info.context

    async def op() -> ClaimModel:
        return await claim_ops.update_claim(
            ctx.uow,
            ctx.principal,
            claim_id=decode_id(input.id, "Claim"),
            changes={
                "policy_id": decode_optional_id(
                    input.policy_id, "InsurancePolicy", field="policyId"
                ),
                "diagnosis_codes": input.diagnosis_codes,
                "service_lines": (
                    [line.plain() for line in input.service_lines]
                    if input.service_lines is not None
                    else None
                ),
            },
        )

    return await mutate(info, UpdateClaimPayload, op)


async def update_claim_status(
    info: Info,
    input: Annotated[UpdateClaimStatusInput, strawberry.argument(description=MUTATION_INPUT)],
) -> UpdateClaimStatusPayload:
    ctx = info.context

    async def op() -> ClaimModel:
        return await claim_ops.update_claim_status(
            ctx.uow,
            ctx.principal,
            claim_id=decode_id(input.id, "Claim"),
            status=ClaimStatusModel(input.status.value),
            note=input.note,
        )

    return await mutate(info, UpdateClaimStatusPayload, op)


async def record_insurance_payment(
    info: Info,
    input: Annotated[RecordInsurancePaymentInput, strawberry.argument(description=MUTATION_INPUT)],
) -> RecordInsurancePaymentPayload:
    ctx = info.context

    async def op() -> tuple[ClaimModel, PaymentModel]:
        return await claim_ops.record_insurance_payment(
            ctx.uow,
            ctx.principal,
            claim_id=decode_id(input.claim_id, "Claim", field="claimId"),
            amount_cents=input.amount_cents,
            paid_on=input.paid_on,
            payer_reference=input.payer_reference,
            idempotency_key=input.idempotency_key,
        )

    return await mutate(info, RecordInsurancePaymentPayload, op)


@strawberry.input(description="DRAFT claims to send in one 837P interchange.")
class ExportClaimsInput:
    ids: list[strawberry.ID] = strawberry.field(description="1 to 100 DRAFT claims.")


@strawberry.type(description="The interchange and the claims, now SUBMITTED.")
class ExportClaimsPayload(Payload):
    x12: str | None = strawberry.field(
        default=None, description="One ANSI X12 837P interchange holding every claim."
    )
    claims: list[Claim] = strawberry.field(
        default_factory=list, description="The exported claims, now SUBMITTED."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)

    @classmethod
    async def from_result(cls, result: tuple[str, list[ClaimModel]], info: Info) -> Self:
        return cls(x12=result[0], claims=[Claim.from_model(c) for c in result[1]])


async def export_claims(
    info: Info, input: Annotated[ExportClaimsInput, strawberry.argument(description=MUTATION_INPUT)]
) -> ExportClaimsPayload:
    ctx = info.context

    async def op() -> tuple[str, list[ClaimModel]]:
        return await export_ops.export_claims(
            ctx.uow,
            ctx.principal,
            claim_ids=[decode_id(i, "Claim", field="ids") for i in input.ids],
        )

    return await mutate(info, ExportClaimsPayload, op)
