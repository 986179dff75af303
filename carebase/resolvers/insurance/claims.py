"""Claims: created for an OCCURRED appointment, checked code by code, edited only as DRAFT,
moved through their statuses (each change kept in ``history``), paid by the insurer, listed.

Statuses: DRAFT -> SUBMITTED -> ACCEPTED | REJECTED; ACCEPTED -> PAID | DENIED; REJECTED ->
DRAFT (corrected, then resubmitted). Anything else is INVALID_STATUS_TRANSITION.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from carebase.auth.policy import require_member, require_reader, scoped
from carebase.auth.principal import Principal
from carebase.db import UnitOfWork
from carebase.errors import DomainError, ErrorCode, invalid, not_found
from carebase.models import (
    Account,
    Appointment,
    AppointmentStatus,
    Claim,
    ClaimStatus,
    InsurancePolicy,
    Organization,
    Payment,
    PaymentKind,
    PaymentStatus,
    PolicyPriority,
)
from carebase.resolvers.core import audit
from carebase.resolvers.core.idempotency import run_idempotent
from carebase.resolvers.core.outbox import record_claim_status_changed
from carebase.resolvers.core.pagination import (
    Load,
    Order,
    Page,
    PageRequest,
    desc,
    grouped,
    in_order,
    paginate,
    slice_page,
)
from carebase.resolvers.insurance.codes import (
    DIAGNOSIS_LETTERS,
    check_diagnoses,
    check_modifier,
    check_place_of_service,
    check_procedure,
)
from carebase.resolvers.insurance.policies import current_on, subscriber_of

MAX_LINES = 6  # the paper form's limit
MAX_MODIFIERS = 4
MAX_POINTERS = 4
MAX_CHARGE_CENTS = 10_000_000

TRANSITIONS: dict[ClaimStatus, tuple[ClaimStatus, ...]] = {
    ClaimStatus.DRAFT: (ClaimStatus.SUBMITTED,),
    ClaimStatus.SUBMITTED: (ClaimStatus.ACCEPTED, ClaimStatus.REJECTED),
    ClaimStatus.ACCEPTED: (ClaimStatus.PAID, ClaimStatus.DENIED),
    ClaimStatus.REJECTED: (ClaimStatus.DRAFT,),
    ClaimStatus.PAID: (),
    ClaimStatus.DENIED: (),
}
CLAIM_ORDER = Order("claims", desc(Claim.created_at), desc(Claim.id))


@dataclass(frozen=True)
class ClaimFilter:
    client_id: uuid.UUID | None = None
    status: ClaimStatus | None = None


@dataclass(frozen=True)
class LineInput:
    procedure_code: str
    modifiers: Sequence[str]
    units: int
    charge_cents: int
    place_of_service: str | None
    diagnosis_pointers: Sequence[str]


def _visible(principal: Principal) -> Any:
    return scoped(select(Claim), principal, Claim.organization_id, Claim.client_id)


def _audit(uow: UnitOfWork, principal: Principal, claim: Claim, op: str) -> None:
    audit.record(
        uow,
        principal,
        action="write",
        resource="claim",
        resource_id=claim.id,
        client_id=claim.client_id,
        operation=op,
    )


def _change(claim: Claim, uow: UnitOfWork, to: ClaimStatus, note: str | None) -> None:
    previous = claim.status if claim.history else None
    claim.history = [
        *claim.history,
        {
            "at": uow.now().isoformat(),
            "from": previous.value if previous else None,
            "to": to.value,
            "note": note,
        },
    ]
    claim.status = to


def require_billing_identity(org: Organization) -> dict[str, Any]:
    profile = org.billing_profile or {}
    for key, field in (
        ("legal_name", "legalName"),
        ("npi", "npi"),
        ("tax_id", "taxId"),
        ("address", "address"),
    ):
        if not profile.get(key):
            raise invalid(
                f"The billing profile needs its {field} before a claim", ["billingProfile", field]
            )
    return profile


def require_legal_identity(client: Account) -> None:
    for attr, field in (
        ("first_name", "firstName"),
        ("last_name", "lastName"),
        ("date_of_birth", "dateOfBirth"),
        ("sex", "sex"),
        ("address", "address"),
    ):
        if not getattr(client, attr):
            raise invalid(f"The client's {field} is needed on a claim", ["client", field])


def check_lines(
    lines: Sequence[LineInput], diagnoses: Sequence[str], default_place: str | None
) -> list[dict[str, Any]]:
    if not 1 <= len(lines) <= MAX_LINES:
        raise invalid(f"A claim has 1 to {MAX_LINES} service lines", "serviceLines")
    letters = DIAGNOSIS_LETTERS[: len(diagnoses)]
    out: list[dict[str, Any]] = []
    for i, line in enumerate(lines):
        at = ["serviceLines", str(i)]
        if len(line.modifiers) > MAX_MODIFIERS:
            raise invalid(f"At most {MAX_MODIFIERS} modifiers", [*at, "modifiers"])
        if line.units < 1 or line.units > 999:
            raise invalid("units is 1 to 999", [*at, "units"])
        if not 0 < line.charge_cents <= MAX_CHARGE_CENTS:
            raise invalid("chargeCents is positive", [*at, "chargeCents"])
        place = line.place_of_service or default_place
        if not place:
            raise invalid("Give placeOfService (or a default in the billing profile)", at)
        if not 1 <= len(line.diagnosis_pointers) <= MAX_POINTERS:
            raise invalid("A line points at 1 to 4 diagnoses", [*at, "diagnosisPointers"])
        pointers: list[str] = []
        for p in line.diagnosis_pointers:
            letter = p.strip().upper()
            if len(letter) != 1 or letter not in letters:
                raise invalid(
                    f"Pointer {p!r} names no diagnosis (this claim has {letters[0]}-{letters[-1]})",
                    [*at, "diagnosisPointers"],
                )
            if letter in pointers:
                raise invalid(f"Pointer {letter} is given twice", [*at, "diagnosisPointers"])
            pointers.append(letter)
        out.append(
            {
                "procedure_code": check_procedure(line.procedure_code, [*at, "procedureCode"]),
                "modifiers": [check_modifier(m, [*at, "modifiers"]) for m in line.modifiers],
                "units": line.units,
                "charge_cents": line.charge_cents,
                "place_of_service": check_place_of_service(place, [*at, "placeOfService"]),
                "diagnosis_pointers": pointers,
            }
        )
    return out


async def _appointment(
    uow: UnitOfWork, principal: Principal, appointment_id: uuid.UUID
) -> Appointment:
    appointment: Appointment | None = (
        await uow.session.execute(
            scoped(
                select(Appointment).where(Appointment.id == appointment_id),
                principal,
                Appointment.organization_id,
                Appointment.client_id,
            )
        )
    ).scalar_one_or_none()
    if appointment is None:
        raise not_found("No such appointment", "appointmentId")
    return appointment


def service_date(appointment: Appointment, org: Organization) -> date:
    return appointment.starts_at.astimezone(ZoneInfo(org.timezone)).date()


async def _policy_for(
    uow: UnitOfWork,
    principal: Principal,
    *,
    client_id: uuid.UUID,
    policy_id: uuid.UUID | None,
    on: date,
) -> InsurancePolicy:
    stmt = scoped(
        select(InsurancePolicy).where(
            InsurancePolicy.client_id == client_id, InsurancePolicy.removed_at.is_(None)
        ),
        principal,
        InsurancePolicy.organization_id,
        InsurancePolicy.client_id,
    )
    if policy_id is not None:
        found: InsurancePolicy | None = (
            await uow.session.execute(stmt.where(InsurancePolicy.id == policy_id))
        ).scalar_one_or_none()
        if found is None:
            raise not_found("No such policy of this client", "policyId")
        return found
    primaries: list[InsurancePolicy] = list(
        (
            await uow.session.execute(
                stmt.where(InsurancePolicy.priority == PolicyPriority.PRIMARY)
            )
        ).scalars()
    )
    for policy in primaries:
        if current_on(policy, on):
            return policy
    raise invalid("The client has no primary policy current on the service date", "policyId")


async def _parts(
    uow: UnitOfWork, principal: Principal, appointment: Appointment
) -> tuple[Organization, Account, Account]:
    org = await uow.session.get_one(Organization, appointment.organization_id)
    client = await uow.session.get_one(Account, appointment.client_id)
    provider = await uow.session.get_one(Account, appointment.provider_id)
    return org, client, provider


async def create_claim(
    uow: UnitOfWork,
    principal: Principal,
    *,
    appointment_id: uuid.UUID,
    policy_id: uuid.UUID | None,
    diagnosis_codes: Sequence[str],
    service_lines: Sequence[LineInput],
) -> Claim:
    require_member(principal, "billing", write=True)
    appointment = await _appointment(uow, principal, appointment_id)
    if appointment.status is not AppointmentStatus.OCCURRED:
        raise invalid("A claim is filed for an appointment that occurred", "appointmentId")
    org, client, provider = await _parts(uow, principal, appointment)
    profile = require_billing_identity(org)
    require_legal_identity(client)
    if not provider.npi:
        raise invalid(
            "The appointment's provider needs an NPI (updateMemberBilling)",
            ["renderingProvider", "npi"],
        )
    day = service_date(appointment, org)
    policy = await _policy_for(uow, principal, client_id=client.id, policy_id=policy_id, on=day)
    if subscriber_of(policy, client) is None:
        raise invalid("The policy's subscriber is incomplete", "policyId")
    diagnoses = await check_diagnoses(diagnosis_codes)
    lines = check_lines(service_lines, diagnoses, profile.get("default_place_of_service"))
    claim = Claim(
        id=uuid.uuid4(),
        organization_id=org.id,
        client_id=client.id,
        appointment_id=appointment.id,
        policy_id=policy.id,
        rendering_provider_id=provider.id,
        diagnosis_codes=diagnoses,
        service_lines=[{"service_date": day.isoformat(), **line} for line in lines],
        total_charge_cents=sum(line["charge_cents"] for line in lines),
        currency=org.currency,
        history=[],
    )
    _change(claim, uow, ClaimStatus.DRAFT, "created")
    uow.session.add(claim)
    await uow.session.flush()
    _audit(uow, principal, claim, "createClaim")
    return claim


async def get_claim(
    uow: UnitOfWork, principal: Principal, claim_id: uuid.UUID, *, lock: bool = False
) -> Claim:
    stmt = _visible(principal).where(Claim.id == claim_id)
    claim: Claim | None = (
        await uow.session.execute(stmt.with_for_update() if lock else stmt)
    ).scalar_one_or_none()
    if claim is None:
        raise not_found("No such claim", "id")
    return claim


async def update_claim(
    uow: UnitOfWork,
    principal: Principal,
    *,
    claim_id: uuid.UUID,
    changes: dict[str, Any],
) -> Claim:
    """Correct a DRAFT claim (a rejected one goes back to DRAFT first)."""
    require_member(principal, "billing", write=True)
    claim = await get_claim(uow, principal, claim_id, lock=True)
    if claim.status is not ClaimStatus.DRAFT:
        raise DomainError(
            ErrorCode.CLAIM_NOT_EDITABLE, f"A {claim.status.value} claim cannot be edited", "id"
        )
    appointment = await _appointment(uow, principal, claim.appointment_id)
    org = await uow.session.get_one(Organization, claim.organization_id)
    day = service_date(appointment, org)
    if changes.get("policy_id") is not None:
        client = await uow.session.get_one(Account, claim.client_id)
        policy = await _policy_for(
            uow, principal, client_id=claim.client_id, policy_id=changes["policy_id"], on=day
        )
        if subscriber_of(policy, client) is None:
            raise invalid("The policy's subscriber is incomplete", "policyId")
        claim.policy_id = policy.id
    diagnoses = list(claim.diagnosis_codes)
    if changes.get("diagnosis_codes") is not None:
        diagnoses = await check_diagnoses(changes["diagnosis_codes"])
    if changes.get("service_lines") is not None:
        lines: Sequence[LineInput] = changes["service_lines"]
    else:
        lines = [
            LineInput(
                procedure_code=line["procedure_code"],
                modifiers=line["modifiers"],
                units=line["units"],
                charge_cents=line["charge_cents"],
                place_of_service=line["place_of_service"],
                diagnosis_pointers=line["diagnosis_pointers"],
            )
            for line in claim.service_lines
        ]
    profile = org.billing_profile or {}
    checked = check_lines(lines, diagnoses, profile.get("default_place_of_service"))
    claim.diagnosis_codes = diagnoses
    claim.service_lines = [{"service_date": day.isoformat(), **line} for line in checked]
    claim.total_charge_cents = sum(line["charge_cents"] for line in checked)
    _audit(uow, principal, claim, "updateClaim")
    return claim


def move(claim: Claim, uow: UnitOfWork, to: ClaimStatus, note: str | None) -> None:
    if to not in TRANSITIONS[claim.status]:
        raise DomainError(
            ErrorCode.INVALID_STATUS_TRANSITION,
            f"A {claim.status.value} claim cannot become {to.value}",
            "status",
        )
    if to is ClaimStatus.SUBMITTED:
        claim.submitted_at = uow.now()
    _change(claim, uow, to, note)
    # partners' webhooks hear each move (claim.status_changed), in the move's transaction
    record_claim_status_changed(
        uow, organization_id=claim.organization_id, claim_id=claim.id, client_id=claim.client_id
    )


async def update_claim_status(
    uow: UnitOfWork,
    principal: Principal,
    *,
    claim_id: uuid.UUID,
    status: ClaimStatus,
    note: str | None,
) -> Claim:
    require_member(principal, "billing", write=True)
    if note is not None and len(note) > 500:
        raise invalid("note is at most 500 characters", "note")
    claim = await get_claim(uow, principal, claim_id, lock=True)
    move(claim, uow, status, note)
    _audit(uow, principal, claim, "updateClaimStatus")
    return claim


async def record_insurance_payment(
    uow: UnitOfWork,
    principal: Principal,
    *,
    claim_id: uuid.UUID,
    amount_cents: int,
    paid_on: date | None,
    payer_reference: str | None,
    idempotency_key: str | None,
) -> tuple[Claim, Payment]:
    """The insurer paid (part of) a claim: a SUCCEEDED payment of kind INSURANCE that belongs
    to the claim. A SUBMITTED or ACCEPTED claim becomes PAID (through ACCEPTED), each step in
    its history; a claim may receive several payments."""
    require_member(principal, "billing", write=True)
    assert principal.organization_id is not None

    async def execute() -> tuple[Claim, Payment]:
        claim = await get_claim(uow, principal, claim_id, lock=True)
        if not 0 < amount_cents <= MAX_CHARGE_CENTS:
            raise invalid("amountCents is positive", "amountCents")
        if payer_reference is not None and len(payer_reference) > 100:
            raise invalid("payerReference is at most 100 characters", "payerReference")
        if claim.status not in (ClaimStatus.SUBMITTED, ClaimStatus.ACCEPTED, ClaimStatus.PAID):
            raise DomainError(
                ErrorCode.INVALID_STATUS_TRANSITION,
                f"A {claim.status.value} claim cannot receive a payment",
                "claimId",
            )
        note = f"insurance paid {amount_cents} cents" + (
            f" ({payer_reference})" if payer_reference else ""
        )
        if claim.status is ClaimStatus.SUBMITTED:
            move(claim, uow, ClaimStatus.ACCEPTED, "accepted with a payment")
        if claim.status is ClaimStatus.ACCEPTED:
            move(claim, uow, ClaimStatus.PAID, note)
        else:
            claim.history = [
                *claim.history,
                {"at": uow.now().isoformat(), "from": "PAID", "to": "PAID", "note": note},
            ]
        payment = Payment(
            id=uuid.uuid4(),
            organization_id=claim.organization_id,
            client_id=claim.client_id,
            kind=PaymentKind.INSURANCE,
            status=PaymentStatus.SUCCEEDED,
            succeeded_at=uow.now(),
            amount_cents=amount_cents,
            currency=claim.currency,
            description=f"Insurance payment{f' on {paid_on.isoformat()}' if paid_on else ''}",
            claim_id=claim.id,
            payer_reference=payer_reference,
            created_by_id=principal.account_id,
        )
        uow.session.add(payment)
        claim.paid_cents += amount_cents
        await uow.session.flush()
        _audit(uow, principal, claim, "recordInsurancePayment")
        return claim, payment

    async def replay(saved: dict[str, Any]) -> tuple[Claim, Payment]:
        claim = await get_claim(uow, principal, uuid.UUID(saved["claim"]))
        return claim, await uow.session.get_one(Payment, uuid.UUID(saved["payment"]))

    return await run_idempotent(
        uow,
        organization_id=principal.organization_id,
        operation="recordInsurancePayment",
        key=idempotency_key,
        request={
            "claim": str(claim_id),
            "amount": amount_cents,
            "paid_on": paid_on.isoformat() if paid_on else None,
            "reference": payer_reference,
        },
        execute=execute,
        remember=lambda result: {"claim": str(result[0].id), "payment": str(result[1].id)},
        replay=replay,
        reserve=True,
    )


async def list_claims(
    uow: UnitOfWork, principal: Principal, *, filter: ClaimFilter, page: PageRequest
) -> Page[Claim]:
    """``claims``: members with billing:read see the practice's, a client their own; newest
    first. Each listed claim's client is an audited read."""
    require_reader(principal, "billing")
    stmt = _visible(principal)
    if filter.client_id is not None:
        stmt = stmt.where(Claim.client_id == filter.client_id)
    if filter.status is not None:
        stmt = stmt.where(Claim.status == filter.status)
    result = await paginate(uow, stmt, page, CLAIM_ORDER)
    audit.record_client_reads(uow, principal, {c.client_id for c in result.items}, resource="claim")
    return result


async def load_policies(
    uow: UnitOfWork, principal: Principal, ids: Sequence[uuid.UUID]
) -> list[InsurancePolicy | None]:
    """Policies by id (removed ones too: a claim keeps its policy), scoped to the caller."""
    rows = await uow.session.execute(
        scoped(
            select(InsurancePolicy).where(InsurancePolicy.id.in_(ids)),
            principal,
            InsurancePolicy.organization_id,
            InsurancePolicy.client_id,
        )
    )
    return in_order(rows.scalars(), ids, lambda p: p.id)


async def load_client_claims(
    uow: UnitOfWork, principal: Principal, ids: Sequence[uuid.UUID]
) -> list[list[Claim]]:
    """Each client's claims, newest first (``CLAIM_ORDER``); one query for every client."""
    rows = await uow.session.execute(
        _visible(principal)
        .where(Claim.client_id.in_(ids))
        .order_by(Claim.created_at.desc(), Claim.id.desc())
    )
    return grouped(rows.scalars(), ids, lambda c: c.client_id)


def claim_key(claim: Claim) -> tuple[Any, ...]:
    return (claim.created_at, claim.id)


async def client_claims(
    uow: UnitOfWork,
    principal: Principal,
    *,
    client_id: uuid.UUID,
    page: PageRequest,
    load: Load[uuid.UUID, list[Claim]],
) -> Page[Claim]:
    """``Client.claims``: a client's claims for members with billing:read and the client
    themself, batched across the clients of one request; an audited read."""
    require_reader(principal, "billing")
    rows = [] if principal.is_client and principal.client_id != client_id else await load(client_id)
    if rows:
        audit.record_client_reads(uow, principal, [client_id], resource="claim")
    return slice_page(rows, page, CLAIM_ORDER, claim_key)
