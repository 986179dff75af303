"""Billing identity: the practice's billing profile (CMS-1500 boxes 25 and 33), a rendering
provider's NPI and taxonomy, and the checks of addresses and legal names claims print."""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlalchemy import select

from carebase.auth.policy import org_id, require_manager
from carebase.auth.principal import Principal
from carebase.db import UnitOfWork
from carebase.errors import invalid, not_found
from carebase.models import MEMBER_ROLES, Account, Organization
from carebase.resolvers.core import audit
from carebase.resolvers.core.addresses import check_address
from carebase.resolvers.insurance.codes import (
    check_npi,
    check_place_of_service,
    check_taxonomy,
)

TAX_ID_TYPES = ("EIN", "SSN")
PROFILE_FIELDS = (
    "legal_name",
    "tax_id",
    "tax_id_type",
    "npi",
    "taxonomy_code",
    "address",
    "phone",
    "default_place_of_service",
)


def _tax_id(value: str, kind: str | None) -> str:
    digits = re.sub(r"[\s-]", "", value)
    if not re.fullmatch(r"\d{9}", digits):
        raise invalid("A tax id is nine digits (EIN 12-3456789 or SSN 123-45-6789)", "taxId")
    return digits


async def update_billing_profile(
    uow: UnitOfWork, principal: Principal, *, changes: dict[str, Any]
) -> Organization:
    """Owners and admins set what boxes 25 and 33 print; any field given (null clears)."""
    require_manager(principal)
    org = await uow.session.get_one(Organization, org_id(principal), with_for_update=True)
    profile = dict(org.billing_profile or {})
    for key, value in changes.items():
        if value is None:
            profile.pop(key, None)
            continue
        if key == "legal_name":
            text = value.strip()
            if not text or len(text) > 60:
                raise invalid("legalName is 1 to 60 characters", "legalName")
            profile[key] = text
        elif key == "tax_id":
            profile[key] = _tax_id(value, changes.get("tax_id_type"))
        elif key == "tax_id_type":
            if value not in TAX_ID_TYPES:
                raise invalid("taxIdType is EIN or SSN", "taxIdType")
            profile[key] = value
        elif key == "npi":
            profile[key] = check_npi(value)
        elif key == "taxonomy_code":
            profile[key] = check_taxonomy(value)
        elif key == "address":
            profile[key] = check_address(value)
        elif key == "phone":
            digits = re.sub(r"\D", "", value)
            if not 10 <= len(digits) <= 15:
                raise invalid("phone has 10 to 15 digits", "phone")
            profile[key] = digits
        elif key == "default_place_of_service":
            profile[key] = check_place_of_service(value, "defaultPlaceOfService")
    if "tax_id" in profile and "tax_id_type" not in profile:
        profile["tax_id_type"] = "EIN"
    org.billing_profile = profile
    audit.record(
        uow,
        principal,
        action="write",
        resource="billing_profile",
        resource_id=org.id,
        operation="updateBillingProfile",
    )
    return org


async def update_member_billing(
    uow: UnitOfWork,
    principal: Principal,
    *,
    member_id: uuid.UUID,
    changes: dict[str, Any],
) -> Account:
    """Owners and admins set a rendering provider's NPI and taxonomy (null clears)."""
    require_manager(principal)
    member = (
        await uow.session.execute(
            select(Account).where(
                Account.id == member_id,
                Account.organization_id == org_id(principal),
                Account.role.in_(MEMBER_ROLES),
            )
        )
    ).scalar_one_or_none()
    if member is None:
        raise not_found("No such member", "memberId")
    if "npi" in changes:
        member.npi = None if changes["npi"] is None else check_npi(changes["npi"])
    if "taxonomy_code" in changes:
        code = changes["taxonomy_code"]
        member.taxonomy_code = None if code is None else check_taxonomy(code)
    audit.record(
        uow,
        principal,
        action="write",
        resource="member_billing",
        resource_id=member.id,
        operation="updateMemberBilling",
    )
    return member


def profile_of(org: Organization) -> dict[str, Any]:
    return dict(org.billing_profile or {})
