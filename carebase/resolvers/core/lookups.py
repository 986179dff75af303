"""Lookups every area needs: a client of the caller's organization, scoped and audited."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from carebase.auth.policy import require_client_access, scoped
from carebase.auth.principal import Principal
from carebase.db import UnitOfWork
from carebase.errors import not_found
from carebase.models import Account, Role
from carebase.resolvers.core import audit


def clients_query(principal: Principal) -> Any:
    return scoped(
        select(Account).where(Account.role == Role.CLIENT),
        principal,
        Account.organization_id,
        Account.id,
    )


async def get_client(
    uow: UnitOfWork, principal: Principal, client_id: uuid.UUID, *, audit_read: bool = True
) -> Account:
    require_client_access(principal, client_id, write=False)
    client: Account | None = (
        await uow.session.execute(clients_query(principal).where(Account.id == client_id))
    ).scalar_one_or_none()
    if client is None:
        raise not_found("No such client", "id")
    if audit_read:
        audit.record_client_reads(uow, principal, [client.id], resource="client")
    return client
