"""Rows by id for ``node`` and ``nodes``: one statement per type however many ids are asked,
holding only what the caller may see, each read of PHI audited as its own query audits it."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute

from carebase.auth.principal import Principal
from carebase.db import UnitOfWork
from carebase.errors import DomainError
from carebase.resolvers.core import audit


@dataclass(frozen=True)
class NodeSource:
    """Where one Node type's rows come from.

    ``visible`` checks the caller's role and scopes and answers the statement of the rows they
    may read; a refusal (a ``DomainError``) means none, as ``node`` answers null rather than an
    error for what the caller may not see. ``audited`` names the audit resource of a PHI
    type; ``client_id`` is the column that tells whose record a row is, selected beside it.
    """

    id_column: InstrumentedAttribute[uuid.UUID]
    visible: Callable[[Principal], Select[Any]]
    audited: str | None = None
    client_id: Any | None = None


async def load_nodes(
    uow: UnitOfWork, principal: Principal, source: NodeSource, keys: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Any]:
    """The rows among ``keys`` the caller may read, by id."""
    if not keys:
        return {}
    try:
        stmt = source.visible(principal)
    except DomainError:
        return {}
    stmt = stmt.where(source.id_column.in_(set(keys)))
    if source.client_id is not None:
        stmt = stmt.add_columns(source.client_id)
    found: dict[uuid.UUID, Any] = {}
    for row in (await uow.session.execute(stmt)).all():
        entity = row[0]
        found[entity.id] = entity
        if source.audited:
            audit.record(
                uow,
                principal,
                action="read",
                resource=source.audited,
                resource_id=entity.id,
                client_id=row[-1] if source.client_id is not None else None,
            )
    return found
