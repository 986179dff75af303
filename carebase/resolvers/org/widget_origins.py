"""The sites that may embed an organization's booking widget (``PortalSettings.widgetOrigins``):
what the edge asks before answering a browser's cross-origin call or framing a widget page."""

from __future__ import annotations

import time
import uuid

from sqlalchemy import String, cast, select

from carebase.db import UnitOfWork
from carebase.models import Organization

CACHE_SECONDS = 5.0
_known: dict[str, tuple[float, bool]] = {}


def forget() -> None:
    """New settings take effect at once in this process (others within CACHE_SECONDS)."""
    _known.clear()


async def is_widget_origin(uow: UnitOfWork, origin: str) -> bool:
    """Whether any organization lists ``origin`` (lower case, no trailing slash)."""
    hit = _known.get(origin)
    now = time.monotonic()
    if hit is not None and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    # origins hold letters, digits, '.', '-', ':' and '/' only (checked when set), so the
    # quoted origin matches exactly one JSON string of the list, on SQLite and PostgreSQL
    escaped = origin.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    found = (
        await uow.session.execute(
            select(Organization.id)
            .where(cast(Organization.widget_origins, String).like(f'%"{escaped}"%', escape="\\"))
            .limit(1)
        )
    ).first()
    listed = found is not None and origin in await _origins_of(uow, found[0])
    if len(_known) > 10_000:
        _known.clear()
    _known[origin] = (now, listed)
    return listed


async def _origins_of(uow: UnitOfWork, organization_id: uuid.UUID) -> list[str]:
    org = await uow.session.get_one(Organization, organization_id)
    return list(org.widget_origins or [])


async def origins_for_key(uow: UnitOfWork, publishable_key: str) -> list[str] | None:
    """The widget origins of the organization of a publishable key; None for an unknown key."""
    row = (
        await uow.session.execute(
            select(Organization.widget_origins).where(
                Organization.publishable_key == publishable_key
            )
        )
    ).first()
    return None if row is None else list(row[0] or [])


async def widget_of_organization(
    uow: UnitOfWork, organization_id: uuid.UUID
) -> tuple[str, list[str]]:
    """The organization's publishable key (public: it is on every page that embeds the
    widget) and its widget origins."""
    org = await uow.session.get_one(Organization, organization_id)
    return org.publishable_key, list(org.widget_origins or [])
