"""Reading payments: one by id, the filtered list, an appointment's payments; each read of a
payment is audited. What moves money is in ``charges``, ``scheduled``, ``refunds`` and
``external``; cards on file in ``cards``."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select

from carebase.auth.policy import require_authenticated, require_member, require_reader, scoped
from carebase.auth.principal import Principal
from carebase.db import UnitOfWork
from carebase.errors import not_found
from carebase.models import Payment, PaymentKind, PaymentStatus
from carebase.resolvers.core import audit
from carebase.resolvers.core.pagination import Load, Order, Page, PageRequest, asc, desc, paginate


def scoped_payments(principal: Principal) -> Select[Any]:
    """Payments the principal may see: their organization's, or a client's own."""
    return scoped(select(Payment), principal, Payment.organization_id, Payment.client_id)


async def get_payment(
    uow: UnitOfWork, principal: Principal, payment_id: uuid.UUID, field: str = "paymentId"
) -> Payment:
    require_authenticated(principal)
    if not principal.is_client:
        require_member(principal, "billing")
    stmt = scoped_payments(principal).where(Payment.id == payment_id)
    found: Payment | None = (await uow.session.execute(stmt)).scalar_one_or_none()
    if found is None:
        raise not_found("No such payment", field)
    audit.record(
        uow,
        principal,
        action="read",
        resource="payment",
        resource_id=found.id,
        client_id=found.client_id,
    )
    return found


@dataclass(frozen=True)
class PaymentFilter:
    client_id: uuid.UUID | None = None
    status: PaymentStatus | None = None
    kind: PaymentKind | None = None
    start: datetime | None = None
    end: datetime | None = None


NEWEST_PAYMENTS = Order("payments", desc(Payment.created_at), asc(Payment.id))


async def list_payments(
    uow: UnitOfWork, principal: Principal, *, filter: PaymentFilter, page: PageRequest
) -> Page[Payment]:
    require_authenticated(principal)
    if not principal.is_client:
        require_member(principal, "billing")
    stmt = scoped_payments(principal)
    if filter.client_id:
        stmt = stmt.where(Payment.client_id == filter.client_id)
    if filter.status:
        stmt = stmt.where(Payment.status == filter.status)
    if filter.kind:
        stmt = stmt.where(Payment.kind == filter.kind)
    if filter.start:
        stmt = stmt.where(Payment.created_at >= filter.start)
    if filter.end:
        stmt = stmt.where(Payment.created_at < filter.end)
    result = await paginate(uow, stmt, page, NEWEST_PAYMENTS)
    for p in result.items:
        audit.record(
            uow,
            principal,
            action="read",
            resource="payment",
            resource_id=p.id,
            client_id=p.client_id,
        )
    return result


async def appointment_payments(
    uow: UnitOfWork,
    principal: Principal,
    *,
    appointment_id: uuid.UUID,
    load: Load[uuid.UUID, list[Payment]],
) -> list[Payment]:
    """``Appointment.payments``: a client reads their own, a member or key needs
    billing:read. ``load`` is the request's batch loader over ``load_appointment_payments``."""
    require_reader(principal, "billing")
    return await load(appointment_id)


async def load_appointment_payments(
    uow: UnitOfWork, principal: Principal, ids: Sequence[uuid.UUID]
) -> list[list[Payment]]:
    rows = await uow.session.execute(
        scoped_payments(principal)
        .where(Payment.appointment_id.in_(ids))
        .order_by(Payment.created_at)
    )
    grouped: dict[uuid.UUID, list[Payment]] = {i: [] for i in ids}
    for p in rows.scalars():
        assert p.appointment_id
        grouped[p.appointment_id].append(p)
        audit.record(
            uow,
            principal,
            action="read",
            resource="payment",
            resource_id=p.id,
            client_id=p.client_id,
        )
    return [grouped[i] for i in ids]
