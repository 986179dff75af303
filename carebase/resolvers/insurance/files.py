"""The documents behind signed file links: who may be handed a link (members of the
organization with billing:read for every document; a client for their own superbills and
receipts), and the download that reads the token, checks its account again, renders the PDF
and records the read."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass

from carebase.auth.policy import require_reader
from carebase.auth.principal import Principal
from carebase.db import UnitOfWork
from carebase.documents import cms1500
from carebase.errors import forbidden
from carebase.models import Account, Claim, Payment, Superbill
from carebase.resolvers.core import audit, file_links
from carebase.resolvers.core.file_links import FileKind, LinkRefused, SignedLink
from carebase.resolvers.insurance import receipts, superbills
from carebase.resolvers.insurance.exports import claim_document

CLIENT_KINDS: frozenset[FileKind] = frozenset({"superbill", "receipt"})
GONE = "This document is no longer available."


@dataclass(frozen=True)
class Download:
    filename: str
    body: bytes


def _hand(
    uow: UnitOfWork,
    principal: Principal,
    *,
    kind: FileKind,
    object_id: uuid.UUID,
    organization_id: uuid.UUID,
    client_id: uuid.UUID,
) -> SignedLink:
    require_reader(principal, "billing")
    if principal.is_client and (kind not in CLIENT_KINDS or principal.client_id != client_id):
        raise forbidden("Only members of the practice open this document")
    if principal.account_id is None or principal.organization_id != organization_id:
        raise forbidden()
    return file_links.issue(
        uow.settings,
        kind=kind,
        object_id=object_id,
        organization_id=organization_id,
        audience_id=principal.account_id,
        now=uow.now(),
    )


def claim_pdf_link(uow: UnitOfWork, principal: Principal, *, claim: Claim) -> SignedLink:
    """``Claim.cms1500Pdf``: members with billing:read only."""
    return _hand(
        uow,
        principal,
        kind="cms1500",
        object_id=claim.id,
        organization_id=claim.organization_id,
        client_id=claim.client_id,
    )


def superbill_pdf_link(
    uow: UnitOfWork, principal: Principal, *, superbill: Superbill
) -> SignedLink:
    return _hand(
        uow,
        principal,
        kind="superbill",
        object_id=superbill.id,
        organization_id=superbill.organization_id,
        client_id=superbill.client_id,
    )


def receipt_pdf_link(
    uow: UnitOfWork, principal: Principal, *, payment: Payment
) -> SignedLink | None:
    """``Payment.receiptPdf``: null until the payment succeeded (a refunded one keeps its)."""
    if not receipts.has_receipt(payment):
        return None
    return _hand(
        uow,
        principal,
        kind="receipt",
        object_id=payment.id,
        organization_id=payment.organization_id,
        client_id=payment.client_id,
    )


async def _audience(uow: UnitOfWork, grant: file_links.FileGrant) -> Account:
    """The account the link was handed to, if it is still of the organization."""
    account = await uow.session.get(Account, grant.audience_id)
    if account is None or account.organization_id != grant.organization_id:
        raise LinkRefused(403, "This link is not valid.")
    if account.archived_at is not None:
        raise LinkRefused(403, "This link is not valid.")
    if not account.is_member and grant.kind not in CLIENT_KINDS:
        raise LinkRefused(403, "This link is not valid.")
    return account


async def _object(uow: UnitOfWork, grant: file_links.FileGrant) -> Claim | Superbill | Payment:
    row: Claim | Superbill | Payment | None
    if grant.kind == "cms1500":
        row = await uow.session.get(Claim, grant.object_id)
    elif grant.kind == "superbill":
        row = await uow.session.get(Superbill, grant.object_id)
    else:
        row = await uow.session.get(Payment, grant.object_id)
    if row is None or row.organization_id != grant.organization_id:
        raise LinkRefused(410, GONE)
    return row


async def download(uow: UnitOfWork, token: str, *, ip: str | None) -> Download:
    """The PDF a link opens; LinkRefused for a bad (403), expired (410) or gone link."""
    grant = file_links.verify(uow.settings, token, now=uow.now())
    account = await _audience(uow, grant)
    row = await _object(uow, grant)
    if not account.is_member and row.client_id != account.id:
        raise LinkRefused(403, "This link is not valid.")
    if isinstance(row, Claim):
        doc = await claim_document(uow, row)
        body = await asyncio.to_thread(cms1500.render, doc)
        filename = f"cms1500-{row.id.hex[:12]}.pdf"
    elif isinstance(row, Superbill):
        body = await superbills.render_superbill(uow, row)
        filename = f"superbill-{row.from_date.isoformat()}-{row.to_date.isoformat()}.pdf"
    else:
        if not receipts.has_receipt(row):
            raise LinkRefused(410, GONE)
        body = await receipts.render_receipt(uow, row)
        filename = f"receipt-{row.id.hex[:12]}.pdf"
    reader = Principal(
        kind="user",
        organization_id=account.organization_id,
        account_id=account.id,
        role=account.role,
        ip=ip,
    )
    audit.record(
        uow,
        reader,
        action="read",
        resource=f"file_{grant.kind}",
        resource_id=row.id,
        client_id=row.client_id,
        operation="download",
    )
    return Download(filename, body)
