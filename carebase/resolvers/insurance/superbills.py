"""Superbills: a client's OCCURRED visits in a date range, itemized for their insurer. Kept as
printed when made (the visits, their codes, charges and payments); the PDF is drawn from
that row on each download.

A visit's codes, diagnoses, place and charge come from its newest claim when it has one, else
from its appointment type (``defaultProcedureCode``, the price) and the billing profile's
default place of service. What was paid: every succeeded payment of the visit (its own, its
invoice's, and the insurer's on its claims), less what was refunded."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select

from carebase.auth.policy import require_member, require_reader
from carebase.auth.principal import Principal
from carebase.db import UnitOfWork
from carebase.documents import superbill as superbill_pdf
from carebase.documents.claim_data import PostalAddress
from carebase.documents.statement_pdf import Practice
from carebase.errors import invalid
from carebase.models import (
    Account,
    Appointment,
    AppointmentStatus,
    AppointmentType,
    Claim,
    Invoice,
    Organization,
    Payment,
    PaymentStatus,
    Superbill,
)
from carebase.resolvers.core import audit
from carebase.resolvers.core.checks import check_day
from carebase.resolvers.core.lookups import get_client
from carebase.resolvers.core.pagination import Load, grouped

MAX_DAYS = 366
PAID = (PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED)


def _postal(value: dict[str, Any] | None) -> PostalAddress | None:
    if not value:
        return None
    return PostalAddress(
        line1=str(value["line1"]),
        line2=str(value["line2"]) if value.get("line2") else None,
        city=str(value["city"]),
        state=str(value["state"]),
        postal_code=str(value["postal_code"]),
        country=str(value.get("country") or "US"),
    )


def practice_of(org: Organization) -> Practice:
    profile = org.billing_profile or {}
    return Practice(
        name=profile.get("legal_name") or org.name,
        address=_postal(profile.get("address")),
        phone=profile.get("phone"),
        npi=profile.get("npi"),
        tax_id=profile.get("tax_id"),
        tax_id_type=profile.get("tax_id_type"),
    )


def _net(payment: Payment) -> int:
    return payment.amount_cents - payment.refunded_cents


async def _visits(
    uow: UnitOfWork, org: Organization, client_id: uuid.UUID, start: date, end: date
) -> list[dict[str, Any]]:
    tz = ZoneInfo(org.timezone)
    since = datetime.combine(start, time(), tzinfo=tz).astimezone(UTC)
    until = datetime.combine(end + timedelta(days=1), time(), tzinfo=tz).astimezone(UTC)
    appointments = list(
        (
            await uow.session.execute(
                select(Appointment)
                .where(
                    Appointment.organization_id == org.id,
                    Appointment.client_id == client_id,
                    Appointment.status == AppointmentStatus.OCCURRED,
                    Appointment.starts_at >= since,
                    Appointment.starts_at < until,
                )
                .order_by(Appointment.starts_at, Appointment.id)
            )
        ).scalars()
    )
    if not appointments:
        return []
    ids = [a.id for a in appointments]
    claims: dict[uuid.UUID, Claim] = {}
    for found in (
        await uow.session.execute(
            select(Claim).where(Claim.appointment_id.in_(ids)).order_by(Claim.created_at)
        )
    ).scalars():
        claims[found.appointment_id] = found  # the newest wins
    claim_visit = {c.id: c.appointment_id for c in claims.values()}
    types = {
        t.id: t
        for t in (
            await uow.session.execute(
                select(AppointmentType).where(
                    AppointmentType.id.in_({a.appointment_type_id for a in appointments})
                )
            )
        ).scalars()
    }
    invoices = {
        i.id: i.appointment_id
        for i in (
            await uow.session.execute(select(Invoice).where(Invoice.appointment_id.in_(ids)))
        ).scalars()
    }
    paid: dict[uuid.UUID, int] = dict.fromkeys(ids, 0)
    payments = (
        await uow.session.execute(
            select(Payment).where(
                Payment.organization_id == org.id,
                Payment.client_id == client_id,
                Payment.status.in_(PAID),
                or_(
                    Payment.appointment_id.in_(ids),
                    Payment.invoice_id.in_(list(invoices) or [uuid.UUID(int=0)]),
                    Payment.claim_id.in_(list(claim_visit) or [uuid.UUID(int=0)]),
                ),
            )
        )
    ).scalars()
    for payment in payments:
        visit = (
            claim_visit.get(payment.claim_id) if payment.claim_id else None
        ) or payment.appointment_id
        if visit is None and payment.invoice_id:
            visit = invoices.get(payment.invoice_id)
        if visit in paid:
            paid[visit] += _net(payment)
    default_place = (org.billing_profile or {}).get("default_place_of_service")
    out = []
    for appointment in appointments:
        claim = claims.get(appointment.id)
        kind = types.get(appointment.appointment_type_id)
        if claim is not None:
            codes = [
                "-".join([line["procedure_code"], *line["modifiers"]])
                for line in claim.service_lines
            ]
            places = sorted({line["place_of_service"] for line in claim.service_lines})
            place: str | None = ", ".join(places)
            diagnoses = list(claim.diagnosis_codes)
            charge = claim.total_charge_cents
        else:
            code = kind.default_procedure_code if kind else None
            codes = [code] if code else []
            place = default_place
            diagnoses = []
            charge = (kind.price_cents if kind else None) or 0
        out.append(
            {
                "date": appointment.starts_at.astimezone(tz).date().isoformat(),
                "appointment_id": str(appointment.id),
                "claim_id": str(claim.id) if claim else None,
                "place_of_service": place,
                "procedure_codes": codes,
                "diagnoses": diagnoses,
                "charge_cents": charge,
                "paid_cents": paid[appointment.id],
                "provider_id": str(appointment.provider_id),
            }
        )
    return out


async def create_superbill(
    uow: UnitOfWork,
    principal: Principal,
    *,
    client_id: uuid.UUID,
    from_date: date,
    to_date: date,
) -> Superbill:
    require_member(principal, "billing", write=True)
    check_day(from_date, "from")
    check_day(to_date, "to")
    if to_date < from_date:
        raise invalid("to is before from", "to")
    if (to_date - from_date).days >= MAX_DAYS:
        raise invalid(f"A superbill covers at most {MAX_DAYS} days", "to")
    client = await get_client(uow, principal, client_id, audit_read=False)
    org = await uow.session.get_one(Organization, client.organization_id)
    visits = await _visits(uow, org, client.id, from_date, to_date)
    if not visits:
        raise invalid("The client has no occurred visit in that range", "from")
    row = Superbill(
        id=uuid.uuid4(),
        organization_id=org.id,
        client_id=client.id,
        from_date=from_date,
        to_date=to_date,
        total_cents=sum(v["charge_cents"] for v in visits),
        paid_cents=sum(v["paid_cents"] for v in visits),
        currency=org.currency,
        visits=visits,
    )
    uow.session.add(row)
    await uow.session.flush()
    audit.record(
        uow,
        principal,
        action="write",
        resource="superbill",
        resource_id=row.id,
        client_id=client.id,
        operation="createSuperbill",
    )
    return row


async def load_client_superbills(
    uow: UnitOfWork, ids: Sequence[uuid.UUID]
) -> list[list[Superbill]]:
    """Each client's superbills, newest first; one query for every client asked."""
    rows = await uow.session.execute(
        select(Superbill)
        .where(Superbill.client_id.in_(ids))
        .order_by(Superbill.created_at.desc(), Superbill.id.desc())
    )
    return grouped(rows.scalars(), ids, lambda s: s.client_id)


async def client_superbills(
    uow: UnitOfWork,
    principal: Principal,
    *,
    client: Account,
    load: Load[uuid.UUID, list[Superbill]],
) -> list[Superbill]:
    """``Client.superbills``: the client reads their own; a member needs billing:read."""
    require_reader(principal, "billing")
    if principal.is_client and principal.client_id != client.id:
        return []
    rows = await load(client.id)
    if rows:
        audit.record_client_reads(uow, principal, [client.id], resource="superbill")
    return rows


async def render_superbill(uow: UnitOfWork, row: Superbill) -> bytes:
    org = await uow.session.get_one(Organization, row.organization_id)
    client = await uow.session.get_one(Account, row.client_id)
    provider_ids = {uuid.UUID(v["provider_id"]) for v in row.visits}
    providers = {
        p.id: p
        for p in (
            await uow.session.execute(select(Account).where(Account.id.in_(provider_ids)))
        ).scalars()
    }
    visits = []
    for v in row.visits:
        provider = providers.get(uuid.UUID(v["provider_id"]))
        visits.append(
            superbill_pdf.Visit(
                day=date.fromisoformat(v["date"]),
                place_of_service=v["place_of_service"],
                procedure_codes=tuple(v["procedure_codes"]),
                diagnoses=tuple(v["diagnoses"]),
                charge_cents=v["charge_cents"],
                paid_cents=v["paid_cents"],
                provider_name=provider.name if provider else "",
                provider_npi=provider.npi if provider else None,
            )
        )
    legal = " ".join(p for p in (client.first_name, client.last_name) if p)
    doc = superbill_pdf.SuperbillDocument(
        practice=practice_of(org),
        client_name=legal or client.name,
        client_date_of_birth=client.date_of_birth,
        client_address=_postal(client.address),
        from_date=row.from_date,
        to_date=row.to_date,
        visits=tuple(visits),
        currency=row.currency,
        issued_on=row.created_at.astimezone(ZoneInfo(org.timezone)).date(),
    )
    return await asyncio.to_thread(superbill_pdf.render, doc)
