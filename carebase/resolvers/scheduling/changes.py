"""What a reconnecting ``appointmentChanged`` subscriber missed, from the outbox rows."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import and_, or_, select

from carebase.auth.policy import require_authenticated
from carebase.auth.principal import Principal
from carebase.db import UnitOfWork
from carebase.errors import invalid
from carebase.models import Appointment, AppointmentEvent
from carebase.resolvers.scheduling.appointments import find_appointment

# the changes looked at for one catch-up; for more the subscriber reads `appointments`
MAX_CATCH_UP = 1000


@dataclass(frozen=True)
class MissedChanges:
    """Each changed appointment once (as it is now), in the order of its latest change, and
    the id of every change looked at (so the live stream can skip what this already told)."""

    appointments: list[Appointment]
    change_ids: frozenset[uuid.UUID]


async def changes_after(
    uow: UnitOfWork,
    principal: Principal,
    *,
    after_change_id: uuid.UUID,
    limit: int = MAX_CATCH_UP,
) -> MissedChanges:
    require_authenticated(principal)
    anchor = await uow.session.get(AppointmentEvent, after_change_id)
    if anchor is None or anchor.organization_id != principal.organization_id:
        raise invalid("`after` must be the id of an appointment change", "after")
    events = (
        await uow.session.execute(
            select(AppointmentEvent.id, AppointmentEvent.appointment_id)
            .where(
                AppointmentEvent.organization_id == principal.organization_id,
                or_(
                    AppointmentEvent.created_at > anchor.created_at,
                    and_(
                        AppointmentEvent.created_at == anchor.created_at,
                        AppointmentEvent.id > anchor.id,
                    ),
                ),
            )
            .order_by(AppointmentEvent.created_at, AppointmentEvent.id)
            .limit(limit)
        )
    ).all()
    latest: dict[uuid.UUID, int] = {}
    for position, (_, appointment_id) in enumerate(events):
        latest[appointment_id] = position
    appointments = []
    for appointment_id in sorted(latest, key=latest.__getitem__):
        # the caller's own policy and audit, as a live event gets (a client: their own only)
        found = await find_appointment(uow, principal, appointment_id)
        if found is not None:
            appointments.append(found)
    return MissedChanges(appointments, frozenset(event_id for event_id, _ in events))
