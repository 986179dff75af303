"""What ``node`` reads of the scheduling area: appointments and appointment types."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from carebase.auth.policy import require_authenticated, require_member, require_reader, scoped
from carebase.auth.principal import Principal
from carebase.models import Appointment, AppointmentType
from carebase.resolvers.core.nodes import NodeSource


def _appointments(principal: Principal) -> Select[Any]:
    require_authenticated(principal)
    if principal.is_member:
        require_member(principal, "appointments")
    return scoped(
        select(Appointment), principal, Appointment.organization_id, Appointment.client_id
    )


def _types(principal: Principal) -> Select[Any]:
    # types are reference data: clients read them too; members and keys need appointments:read
    require_reader(principal, "appointments")
    return scoped(
        select(AppointmentType), principal, AppointmentType.organization_id, client_column=False
    )


APPOINTMENTS = NodeSource(
    Appointment.id, _appointments, audited="appointment", client_id=Appointment.client_id
)
APPOINTMENT_TYPES = NodeSource(AppointmentType.id, _types)
