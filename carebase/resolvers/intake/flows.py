"""Lists of the organization's forms and intake flows, for members."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import select

from carebase.auth.policy import org_id, require_member
from carebase.auth.principal import Principal
from carebase.db import UnitOfWork
from carebase.models import Form, IntakeFlow
from carebase.resolvers.core.pagination import Order, Page, PageRequest, asc, paginate
from carebase.resolvers.intake.forms import load_versions
from carebase.resolvers.intake.requests import flows_items

FORMS_BY_NAME = Order("forms", asc(Form.name), asc(Form.id))
FLOWS_BY_NAME = Order("intake_flows", asc(IntakeFlow.name), asc(IntakeFlow.id))


async def list_forms(
    uow: UnitOfWork, principal: Principal, *, page: PageRequest, include_archived: bool = False
) -> Page[tuple[Any, Any]]:
    """``forms``: each form with its current version, by name."""
    require_member(principal, "forms")
    stmt = select(Form).where(Form.organization_id == org_id(principal))
    if not include_archived:
        stmt = stmt.where(Form.archived_at.is_(None))
    found = await paginate(uow, stmt, page, FORMS_BY_NAME)
    versions = await load_versions(uow, [(f.id, f.version) for f in found.items])
    assert all(versions)
    return dataclasses.replace(found, items=list(zip(found.items, versions, strict=True)))


async def list_intake_flows(
    uow: UnitOfWork, principal: Principal, *, page: PageRequest
) -> Page[tuple[Any, Any]]:
    """``intakeFlows``: each flow with its live forms in order, by name."""
    require_member(principal, "forms")
    stmt = select(IntakeFlow).where(IntakeFlow.organization_id == org_id(principal))
    found = await paginate(uow, stmt, page, FLOWS_BY_NAME)
    items = await flows_items(uow, found.items)
    return dataclasses.replace(found, items=list(zip(found.items, items, strict=True)))
