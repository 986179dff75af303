"""``clientsWithIncompleteIntake``: clients with required forms still pending and a live
appointment starting within the next hours, each with that (their soonest) appointment, so
the front desk can chase the forms before the visit."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import ColumnElement, and_, exists, func, select

from carebase.auth.policy import require_member
from carebase.auth.principal import Principal
from carebase.db import UnitOfWork
from carebase.errors import invalid
from carebase.models import LIVE_STATUSES, Appointment, FormRequest, FormRequestStatus
from carebase.resolvers.core import audit
from carebase.resolvers.core.pagination import Load, Order, Page, PageRequest, asc, paginate

MAX_HOURS = 24 * 31

SOONEST_FIRST = Order("incomplete_intake", asc(Appointment.starts_at), asc(Appointment.id))


def _pending(organization_id: uuid.UUID) -> ColumnElement[bool]:
    return and_(
        FormRequest.organization_id == organization_id,
        FormRequest.required.is_(True),
        FormRequest.status == FormRequestStatus.PENDING,
    )


async def clients_with_incomplete_intake(
    uow: UnitOfWork, principal: Principal, *, within_hours: int, page: PageRequest
) -> Page[Appointment]:
    """One item per client: their soonest live appointment in the window, soonest first."""
    require_member(principal, "reports")
    if not 1 <= within_hours <= MAX_HOURS:
        raise invalid(f"withinHours is between 1 and {MAX_HOURS}", "withinHours")
    org = principal.organization_id
    assert org is not None
    now = uow.now()
    soonest = func.row_number().over(
        partition_by=Appointment.client_id, order_by=(Appointment.starts_at, Appointment.id)
    )
    ranked = (
        select(Appointment.id.label("id"), soonest.label("rank"))
        .where(
            Appointment.organization_id == org,
            Appointment.status.in_(LIVE_STATUSES),
            Appointment.starts_at >= now,
            Appointment.starts_at < now + timedelta(hours=within_hours),
            exists().where(FormRequest.client_id == Appointment.client_id, _pending(org)),
        )
        .subquery()
    )
    stmt = select(Appointment).join(ranked, and_(ranked.c.id == Appointment.id, ranked.c.rank == 1))
    result = await paginate(uow, stmt, page, SOONEST_FIRST)
    for a in result.items:
        audit.record(
            uow,
            principal,
            action="read",
            resource="appointment",
            resource_id=a.id,
            client_id=a.client_id,
            operation="clientsWithIncompleteIntake",
        )
    return result


async def load_pending_forms(
    uow: UnitOfWork, principal: Principal, client_ids: Sequence[uuid.UUID]
) -> list[list[FormRequest]]:
    """Each client's required requests still pending, for a DataLoader: one query, each row
    an audited read."""
    org = principal.organization_id
    grouped: dict[uuid.UUID, list[FormRequest]] = {c: [] for c in client_ids}
    if org is None:
        return [[] for _ in client_ids]
    rows = await uow.session.execute(
        select(FormRequest)
        .where(_pending(org), FormRequest.client_id.in_(client_ids))
        .order_by(FormRequest.created_at, FormRequest.position, FormRequest.id)
    )
    for r in rows.scalars():
        grouped[r.client_id].append(r)
        audit.record(
            uow,
            principal,
            action="read",
            resource="form_request",
            resource_id=r.id,
            client_id=r.client_id,
        )
    return [grouped[c] for c in client_ids]


async def pending_forms(
    uow: UnitOfWork,
    principal: Principal,
    *,
    client_id: uuid.UUID,
    load: Load[uuid.UUID, list[FormRequest]],
) -> list[FormRequest]:
    """``IncompleteIntake.pendingForms``: read under the report's own check."""
    require_member(principal, "reports")
    return await load(client_id)
