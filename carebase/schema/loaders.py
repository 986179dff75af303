"""Per-request DataLoaders: child fields load in batches, never one query per parent."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from strawberry.dataloader import DataLoader

from carebase.auth.principal import Principal
from carebase.db import UnitOfWork
from carebase.models import Account, AppointmentEvent, AppointmentType, Organization
from carebase.resolvers.appointments import load_appointment_types_any, load_history
from carebase.resolvers.clients import load_clients
from carebase.resolvers.members import load_members


class Loaders:
    def __init__(self, uow: UnitOfWork, principal: Principal) -> None:
        self.uow = uow
        self.principal = principal

        async def clients(ids: Sequence[uuid.UUID]) -> list[Account | None]:
            return await load_clients(uow, principal, ids)

        async def members(ids: Sequence[uuid.UUID]) -> list[Account | None]:
            return await load_members(uow, principal, ids)

        async def organizations(ids: Sequence[uuid.UUID]) -> list[Organization | None]:
            rows = await uow.session.execute(select(Organization).where(Organization.id.in_(ids)))
            found = {o.id: o for o in rows.scalars()}
            return [found.get(i) for i in ids]

        async def appointment_types(ids: Sequence[uuid.UUID]) -> list[AppointmentType | None]:
            return await load_appointment_types_any(uow, ids)

        async def history(ids: Sequence[uuid.UUID]) -> list[list[AppointmentEvent]]:
            return await load_history(uow, ids)

        self.appointment_type: DataLoader[uuid.UUID, AppointmentType | None] = DataLoader(
            load_fn=appointment_types
        )
        self.history: DataLoader[uuid.UUID, list[AppointmentEvent]] = DataLoader(load_fn=history)
        self.client: DataLoader[uuid.UUID, Account | None] = DataLoader(load_fn=clients)
        self.member: DataLoader[uuid.UUID, Account | None] = DataLoader(load_fn=members)
        self.organization: DataLoader[uuid.UUID, Organization | None] = DataLoader(
            load_fn=organizations
        )
