"""``carebase audit export``: the audit log of a time range as CSV, streamed.

Rows come oldest first through a server-side cursor (``yield_per``: asyncpg's cursor on
PostgreSQL, ``fetchmany`` on SQLite) and are written chunk by chunk, so memory stays the
same for a thousand rows or a million. The columns are stable (``COLUMNS``, documented in
the README); ids are the API's global ids, as ``auditEvents`` shows them. The log holds no
names, emails or notes, only ids, so the file carries no PHI beyond who touched whose record.
"""

from __future__ import annotations

import csv
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from carebase.models import AuditEvent
from carebase.resolvers.org.audit import actor_type, resource_type

# the file's header, in order; a new column goes at the end (readers index by position)
COLUMNS = (
    "id",
    "created_at",
    "organization_id",
    "action",
    "resource",
    "resource_id",
    "operation",
    "actor_id",
    "api_key_id",
    "oauth_client_id",
    "client_id",
    "ip",
)
CHUNK = 1000

GlobalId = Callable[[str, uuid.UUID], str]
Query = TypeVar("Query", bound=Select[*tuple[Any, ...]])


class Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


class ExportError(ValueError):
    """An argument the export cannot use; the message names it."""


def parse_bound(text: str, *, name: str, end: bool) -> datetime:
    """A day (``2026-12-01``, UTC: ``--to`` takes the whole day) or an instant with an offset
    (``2026-12-01T09:00:00-05:00``; ``--to`` excludes it)."""
    value = text.strip()
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            at = datetime.combine(day, time(0), tzinfo=UTC)
            return at + timedelta(days=1) if end else at
        instant = datetime.fromisoformat(value)
    except ValueError:
        raise ExportError(f"--{name}: not a date (YYYY-MM-DD) or an ISO 8601 instant") from None
    if instant.tzinfo is None:
        raise ExportError(f"--{name}: give the instant's offset (e.g. Z or -05:00)")
    return instant.astimezone(UTC)


@dataclass(frozen=True)
class ExportRange:
    start: datetime  # inclusive
    end: datetime  # exclusive
    organization_id: uuid.UUID | None = None
    client_id: uuid.UUID | None = None

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ExportError("--to must be after --from")

    def where(self, stmt: Query) -> Query:
        stmt = stmt.where(AuditEvent.created_at >= self.start, AuditEvent.created_at < self.end)
        if self.organization_id is not None:
            stmt = stmt.where(AuditEvent.organization_id == self.organization_id)
        if self.client_id is not None:
            stmt = stmt.where(AuditEvent.client_id == self.client_id)
        return stmt


_FIELDS = (
    AuditEvent.id,
    AuditEvent.created_at,
    AuditEvent.organization_id,
    AuditEvent.action,
    AuditEvent.resource,
    AuditEvent.resource_id,
    AuditEvent.operation,
    AuditEvent.actor_id,
    AuditEvent.api_key_id,
    AuditEvent.oauth_client_id,
    AuditEvent.client_id,
    AuditEvent.ip,
)


def _instant(value: datetime) -> str:
    # SQLite hands back naive UTC; the file always says it is UTC
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat()


def csv_row(row: Sequence[Any], gid: GlobalId) -> list[str]:
    (
        id_,
        created_at,
        organization_id,
        action,
        resource,
        resource_id,
        operation,
        actor_id,
        api_key_id,
        oauth_client_id,
        client_id,
        ip,
    ) = row

    def opt(kind: str, value: uuid.UUID | None) -> str:
        return gid(kind, value) if value else ""

    return [
        gid("AuditEvent", id_),
        _instant(created_at),
        gid("Organization", organization_id),
        action,
        resource,
        opt(resource_type(resource), resource_id),
        operation or "",
        opt(actor_type(actor_id, client_id), actor_id),
        opt("ApiKey", api_key_id),
        opt("OAuthClient", oauth_client_id),
        opt("Client", client_id),
        ip or "",
    ]


async def count_rows(connection: AsyncConnection, span: ExportRange) -> int:
    stmt = span.where(select(func.count()).select_from(AuditEvent))
    return int((await connection.execute(stmt)).scalar_one())


async def export_rows(
    connection: AsyncConnection,
    span: ExportRange,
    out: Writable,
    *,
    gid: GlobalId,
    chunk: int = CHUNK,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the header and every row of the range to ``out``; returns the rows written."""
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    stmt = span.where(select(*_FIELDS)).order_by(AuditEvent.created_at, AuditEvent.id)
    written = 0
    result = await connection.stream(stmt.execution_options(yield_per=chunk))
    async for rows in result.partitions(chunk):
        writer.writerows(csv_row(row, gid) for row in rows)
        written += len(rows)
        if progress is not None:
            progress(len(rows))
    return written
