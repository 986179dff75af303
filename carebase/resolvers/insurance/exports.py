"""Claims as documents: the plain values the 837P prints, ``Claim.x12`` (a read, audited)
and ``exportClaims`` (several DRAFT claims in one interchange, now SUBMITTED). Control
numbers come from the organization's counter, moved under a row lock."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select, update

from carebase.auth.policy import require_member, require_reader
from carebase.auth.principal import Principal
from carebase.db import UnitOfWork
from carebase.documents import x12
from carebase.documents.claim_data import (
    BillingProvider,
    ClaimDocument,
    Line,
    Person,
    PostalAddress,
)
from carebase.errors import invalid
from carebase.models import (
    Account,
    Claim,
    ClaimStatus,
    InsurancePolicy,
    Organization,
    X12Counter,
)
from carebase.resolvers.core import audit
from carebase.resolvers.insurance.claims import get_claim, move
from carebase.resolvers.insurance.policies import subscriber_of

MAX_EXPORT = 100


def _address(value: dict[str, object]) -> PostalAddress:
    return PostalAddress(
        line1=str(value["line1"]),
        line2=str(value["line2"]) if value.get("line2") else None,
        city=str(value["city"]),
        state=str(value["state"]),
        postal_code=str(value["postal_code"]),
        country=str(value.get("country") or "US"),
    )


def _person(value: dict[str, object]) -> Person:
    address = value["address"]
    assert isinstance(address, dict)
    return Person(
        first_name=str(value["first_name"]),
        last_name=str(value["last_name"]),
        date_of_birth=date.fromisoformat(str(value["date_of_birth"])),
        sex=str(value["sex"]),
        address=_address(address),
    )


def split_name(name: str) -> tuple[str, str]:
    """A member's display name as first and last (members have no legal name parts)."""
    parts = name.strip().split()
    return (" ".join(parts[:-1]) or parts[0], parts[-1]) if parts else ("", "")


async def claim_document(uow: UnitOfWork, claim: Claim) -> ClaimDocument:
    org = await uow.session.get_one(Organization, claim.organization_id)
    client = await uow.session.get_one(Account, claim.client_id)
    policy = await uow.session.get_one(InsurancePolicy, claim.policy_id)
    provider = await uow.session.get_one(Account, claim.rendering_provider_id)
    profile = org.billing_profile or {}
    subscriber = subscriber_of(policy, client)
    if subscriber is None or not client.date_of_birth or not client.address:
        raise invalid("The client's legal identity is incomplete", "client")
    patient = _person(
        {
            "first_name": client.first_name,
            "last_name": client.last_name,
            "date_of_birth": client.date_of_birth.isoformat(),
            "sex": client.sex,
            "address": client.address,
        }
    )
    first, last = split_name(provider.name)
    return ClaimDocument(
        account_number=claim.id.hex[:20].upper(),
        patient=patient,
        subscriber=_person(subscriber),
        relationship=policy.relationship.value,
        payer_name=policy.payer_name,
        payer_id=policy.payer_id,
        member_id=policy.member_id,
        group_number=policy.group_number,
        plan_type=policy.plan_type.value,
        diagnoses=tuple(claim.diagnosis_codes),
        lines=tuple(
            Line(
                service_date=date.fromisoformat(line["service_date"]),
                procedure_code=line["procedure_code"],
                modifiers=tuple(line["modifiers"]),
                units=line["units"],
                charge_cents=line["charge_cents"],
                place_of_service=line["place_of_service"],
                diagnosis_pointers=tuple(line["diagnosis_pointers"]),
            )
            for line in claim.service_lines
        ),
        billing=BillingProvider(
            legal_name=profile["legal_name"],
            npi=profile["npi"],
            tax_id=profile["tax_id"],
            tax_id_type=profile.get("tax_id_type") or "EIN",
            taxonomy_code=profile.get("taxonomy_code"),
            address=_address(profile["address"]),
            phone=profile.get("phone"),
        ),
        rendering_first_name=first,
        rendering_last_name=last,
        rendering_npi=provider.npi or "",
        rendering_taxonomy=provider.taxonomy_code,
    )


async def next_control_number(uow: UnitOfWork, organization_id: uuid.UUID) -> int:
    """The organization's next interchange control number (1, 2, ...), never reused."""
    counter = (
        await uow.session.execute(
            select(X12Counter)
            .where(X12Counter.organization_id == organization_id)
            .with_for_update()
        )
    ).scalar_one_or_none()
    if counter is None:
        counter = X12Counter(id=uuid.uuid4(), organization_id=organization_id, last_value=0)
        uow.session.add(counter)
        await uow.session.flush()
    await uow.session.execute(
        update(X12Counter)
        .where(X12Counter.id == counter.id)
        .values(last_value=X12Counter.last_value + 1)
    )
    await uow.session.refresh(counter)
    return counter.last_value


async def peek_control_number(uow: UnitOfWork, organization_id: uuid.UUID) -> int:
    """The number the next export will take, read without taking it (reads write nothing)."""
    last = (
        await uow.session.execute(
            select(X12Counter.last_value).where(X12Counter.organization_id == organization_id)
        )
    ).scalar_one_or_none()
    return (last or 0) + 1


async def _interchange(uow: UnitOfWork, claims: Sequence[Claim], *, take: bool = True) -> str:
    org = await uow.session.get_one(Organization, claims[0].organization_id)
    documents = [await claim_document(uow, c) for c in claims]
    settings = uow.settings
    envelope = x12.Envelope(
        sender_id=settings.x12_sender_id,
        receiver_id=settings.x12_receiver_id,
        control_number=(
            await next_control_number(uow, org.id)
            if take
            else await peek_control_number(uow, org.id)
        ),
        created_at=uow.now(),
        submitter_name=(org.billing_profile or {}).get("legal_name") or org.name,
        production=settings.is_production,
    )
    return x12.interchange(envelope, documents)


async def claim_x12(uow: UnitOfWork, principal: Principal, *, claim: Claim) -> str:
    """``Claim.x12``: members with billing:read; a preview numbered with the next export's
    control number (a read takes none), an audited PHI read."""
    require_reader(principal, "billing")
    if principal.is_client:
        from carebase.errors import forbidden

        raise forbidden("Only members of the practice read claim files")
    text = await _interchange(uow, [claim], take=False)
    audit.record(
        uow,
        principal,
        action="read",
        resource="claim_x12",
        resource_id=claim.id,
        client_id=claim.client_id,
    )
    return text


async def export_claims(
    uow: UnitOfWork, principal: Principal, *, claim_ids: Sequence[uuid.UUID]
) -> tuple[str, list[Claim]]:
    """Several DRAFT claims in one 837P interchange; each becomes SUBMITTED."""
    require_member(principal, "billing", write=True)
    if not 1 <= len(claim_ids) <= MAX_EXPORT:
        raise invalid(f"Export 1 to {MAX_EXPORT} claims", "ids")
    if len(set(claim_ids)) != len(claim_ids):
        raise invalid("A claim is listed twice", "ids")
    claims = [await get_claim(uow, principal, cid, lock=True) for cid in claim_ids]
    for claim in claims:
        if claim.status is not ClaimStatus.DRAFT:
            move(claim, uow, ClaimStatus.SUBMITTED, None)  # raises: only a DRAFT is exported
    text = await _interchange(uow, claims)
    for claim in claims:
        move(claim, uow, ClaimStatus.SUBMITTED, "exported in an 837P")
        audit.record(
            uow,
            principal,
            action="write",
            resource="claim",
            resource_id=claim.id,
            client_id=claim.client_id,
            operation="exportClaims",
        )
    return text, claims
