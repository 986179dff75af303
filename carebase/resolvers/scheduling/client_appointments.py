"""``Client.appointments``: one client's appointments as a connection, batched over clients."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from carebase.auth.policy import require_authenticated, require_member
from carebase.auth.principal import Principal
from carebase.db import UnitOfWork
from carebase.models import Appointment
from carebase.resolvers.core import audit
from carebase.resolvers.core.pagination import Load, Page, PageRequest, grouped, slice_page
from carebase.resolvers.scheduling.appointments import (
    BY_START,
    AppointmentFilter,
    filtered,
    scoped_appointments,
)


def start_key(a: Appointment) -> tuple[Any, ...]:
    return (a.starts_at, a.id)


async def load_client_appointments(
    uow: UnitOfWork,
    principal: Principal,
    client_ids: Sequence[uuid.UUID],
    filter: AppointmentFilter,
) -> list[list[Appointment]]:
    """Each client's appointments matching ``filter``, by start: one query for the batch."""
    stmt = filtered(scoped_appointments(principal), filter).where(
        Appointment.client_id.in_(client_ids)
    )
    rows = await uow.session.execute(stmt.order_by(Appointment.starts_at, Appointment.id))
    return grouped(rows.scalars(), client_ids, lambda a: a.client_id)


async def client_appointments(
    uow: UnitOfWork,
    principal: Principal,
    *,
    client_id: uuid.UUID,
    page: PageRequest,
    load: Load[uuid.UUID, list[Appointment]],
) -> Page[Appointment]:
    """Read as ``appointments`` is: a client their own, a member or key with appointments:read;
    ``load`` is the request's loader over ``load_client_appointments`` for the field's filter.
    Only the appointments shown are audited."""
    require_authenticated(principal)
    if not principal.is_client:
        require_member(principal, "appointments")
    result = slice_page(await load(client_id), page, BY_START, start_key)
    for a in result.items:
        audit.record(
            uow,
            principal,
            action="read",
            resource="appointment",
            resource_id=a.id,
            client_id=a.client_id,
        )
    return result
