"""The store of automatic persisted queries: find a document by its sha256, store one, and
keep the table within ``CAREBASE_PERSISTED_QUERIES_MAX`` rows, least recently used out.

Which documents may be stored (valid, within the limits, the hash checked) is the schema
layer's to decide; who may store them is decided here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from carebase.auth.policy import require_authenticated
from carebase.auth.principal import Principal
from carebase.db import UnitOfWork
from carebase.models import PersistedQuery

# how stale ``last_used_at`` may get before a use moves it: at most one write a minute
TOUCH_INTERVAL = timedelta(minutes=1)


@dataclass(frozen=True)
class StoredDocument:
    sha256: str
    document: str
    last_used_at: datetime


async def find_document(uow: UnitOfWork, *, sha256: str) -> StoredDocument | None:
    """Anyone may run a stored document (it runs with their own credentials)."""
    row = (
        await uow.session.execute(
            select(PersistedQuery.document, PersistedQuery.last_used_at).where(
                PersistedQuery.sha256 == sha256
            )
        )
    ).first()
    if row is None:
        return None
    return StoredDocument(sha256, row.document, row.last_used_at)


async def touch_document(uow: UnitOfWork, *, sha256: str) -> bool:
    """Mark a document used now; False when it is no longer stored (evicted meanwhile)."""
    result = await uow.session.execute(
        update(PersistedQuery)
        .where(PersistedQuery.sha256 == sha256)
        .values(last_used_at=uow.now())
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def store_document(
    uow: UnitOfWork, principal: Principal, *, sha256: str, document: str
) -> list[str]:
    """Store a document for signed-in callers (a publishable key or an anonymous caller
    may not: refused with FORBIDDEN or UNAUTHENTICATED); returns the hashes evicted to
    stay within the cap. Storing one already there (another process got in first) only
    marks it used."""
    require_authenticated(principal)
    now = uow.now()
    values = {"sha256": sha256, "document": document, "last_used_at": now}
    dialect = uow.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(PersistedQuery).values(**values)
    await uow.session.execute(
        statement.on_conflict_do_update(
            index_elements=[PersistedQuery.sha256], set_={"last_used_at": now}
        )
    )
    return await evict_beyond(uow, uow.settings.persisted_queries_max)


async def evict_beyond(uow: UnitOfWork, cap: int) -> list[str]:
    """Delete all but the ``cap`` most recently used documents."""
    beyond = (
        select(PersistedQuery.id)
        .order_by(PersistedQuery.last_used_at.desc(), PersistedQuery.created_at.desc())
        .offset(cap)
    )
    evicted = await uow.session.execute(
        delete(PersistedQuery)
        .where(PersistedQuery.id.in_(beyond.scalar_subquery()))
        .returning(PersistedQuery.sha256)
        .execution_options(synchronize_session=False)
    )
    return list(evicted.scalars())
