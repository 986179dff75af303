"""Intake flows (made, read, their live forms) and the lists of forms and flows."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from carebase.auth.policy import org_id, require_manager, require_member
from carebase.auth.principal import Principal
from carebase.db import UnitOfWork
from carebase.errors import invalid, not_found
from carebase.models import Form, FormVersion, IntakeFlow
from carebase.resolvers.core.checks import check_name
from carebase.resolvers.core.pagination import Order, Page, PageRequest, asc, paginate
from carebase.resolvers.intake.forms import get_form, load_versions


async def create_intake_flow(
    uow: UnitOfWork,
    principal: Principal,
    *,
    name: str,
    form_ids: Sequence[uuid.UUID],
    optional_form_ids: Sequence[uuid.UUID] = (),
    is_default: bool = False,
) -> IntakeFlow:
    require_manager(principal, "forms")
    if not form_ids:
        raise invalid("A flow needs at least one form", "formIds")
    if len(set(form_ids)) != len(form_ids):
        raise invalid("A form appears twice", "formIds")
    if not set(optional_form_ids) <= set(form_ids):
        raise invalid("Optional forms must be in formIds too", "optionalFormIds")
    for form_id in form_ids:
        form = await get_form(uow, principal, form_id, field="formIds")
        if form.archived_at is not None:
            raise invalid("An archived form cannot be requested", "formIds")
    assert principal.organization_id
    if is_default:
        await uow.session.execute(
            update(IntakeFlow)
            .where(IntakeFlow.organization_id == principal.organization_id)
            .values(is_default=False)
        )
    flow = IntakeFlow(
        organization_id=principal.organization_id,
        name=check_name(name),
        is_default=is_default,
        items=[{"form_id": str(f), "required": f not in set(optional_form_ids)} for f in form_ids],
    )
    uow.session.add(flow)
    await uow.session.flush()
    return flow


async def get_flow(
    uow: UnitOfWork, principal: Principal, flow_id: uuid.UUID, field: str = "id"
) -> IntakeFlow:
    require_member(principal, "forms")
    found = (
        await uow.session.execute(
            select(IntakeFlow).where(
                IntakeFlow.id == flow_id, IntakeFlow.organization_id == principal.organization_id
            )
        )
    ).scalar_one_or_none()
    if found is None:
        raise not_found("No such intake flow", field)
    return found


@dataclass(frozen=True)
class FlowItem:
    form: Form
    version: FormVersion
    required: bool


async def flow_items(uow: UnitOfWork, flow: IntakeFlow) -> list[FlowItem]:
    return (await flows_items(uow, [flow]))[0]


async def flows_items(uow: UnitOfWork, flows: Sequence[IntakeFlow]) -> list[list[FlowItem]]:
    """Each flow's live forms in order: two queries whatever the number of flows."""
    ids = {uuid.UUID(i["form_id"]) for flow in flows for i in flow.items}
    forms = {
        f.id: f for f in (await uow.session.execute(select(Form).where(Form.id.in_(ids)))).scalars()
    }
    versions = {
        (v.form_id, v.version): v
        for v in (
            await uow.session.execute(select(FormVersion).where(FormVersion.form_id.in_(ids)))
        ).scalars()
    }
    answer: list[list[FlowItem]] = []
    for flow in flows:
        items = []
        for item in flow.items:
            form = forms.get(uuid.UUID(item["form_id"]))
            if form is None or form.archived_at is not None:
                continue
            items.append(FlowItem(form, versions[(form.id, form.version)], bool(item["required"])))
        answer.append(items)
    return answer


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
