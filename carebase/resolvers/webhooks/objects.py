"""How a delivery with ``includePhi`` reads its ``data.object``: a callable the app and the
worker provide (they hold the GraphQL schema), run in the delivery's unit of work as the
endpoint's creator, so the read is scoped and audited as the API's own reads are."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from carebase.auth.principal import Principal
from carebase.db import UnitOfWork
from carebase.models import Account

# (uow, the creator as principal, resource type, resource id) -> the object, or None
ObjectReader = Callable[[UnitOfWork, Principal, str, uuid.UUID], Awaitable[dict[str, Any] | None]]


async def creator_principal(
    uow: UnitOfWork, organization_id: uuid.UUID, creator_id: uuid.UUID
) -> Principal | None:
    """The endpoint's creator as a signed-in member, while they still manage the practice."""
    creator = await uow.session.get(Account, creator_id)
    if (
        creator is None
        or creator.organization_id != organization_id
        or creator.role is None
        or not creator.role.manages
        or getattr(creator, "archived_at", None) is not None
    ):
        return None
    return Principal(
        kind="user", organization_id=organization_id, account_id=creator.id, role=creator.role
    )
