"""Sliding-window limits counted in the database, so every process sees the same count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select

from carebase.db import UnitOfWork
from carebase.errors import rate_limited
from carebase.models import RateLimitHit


async def hit(
    uow: UnitOfWork,
    key: str,
    *,
    limit: int,
    window: timedelta,
    message: str,
    count_failures: bool = False,
) -> None:
    """Count one use of ``key``; refuse with RATE_LIMITED once ``limit`` is reached.

    ``count_failures``: an attempt that fails still counts, so failures cannot be used to
    probe without limit."""
    used = await count(uow, key, window)
    if used >= limit:
        raise rate_limited(message, await free_in(uow, key, window, limit))
    row = RateLimitHit(key=key)
    uow.session.add(row)
    if count_failures:
        uow.keep_on_failure.append(row)


async def count(uow: UnitOfWork, key: str, window: timedelta) -> int:
    """How many uses of ``key`` fall within the last ``window``."""
    return (
        await uow.session.execute(
            select(func.count())
            .select_from(RateLimitHit)
            .where(RateLimitHit.key == key, RateLimitHit.created_at > uow.now() - window)
        )
    ).scalar_one()


async def allow(uow: UnitOfWork, key: str, *, limit: int, window: timedelta) -> bool:
    """Like ``hit`` for callers that must not tell the caller they were refused: False once
    ``limit`` uses fall within ``window`` (a refused use is not counted)."""
    if await count(uow, key, window) >= limit:
        return False
    uow.session.add(RateLimitHit(key=key))
    return True


async def free_in(uow: UnitOfWork, key: str, window: timedelta, limit: int) -> float:
    """Seconds until fewer than ``limit`` uses of ``key`` fall within ``window``."""
    return await seconds_until_below(
        uow,
        select(RateLimitHit.created_at).where(
            RateLimitHit.key == key, RateLimitHit.created_at > uow.now() - window
        ),
        RateLimitHit.created_at,
        window,
        limit,
    )


async def seconds_until_below(
    uow: UnitOfWork, stmt: Select[Any], created_at: Any, window: timedelta, limit: int
) -> float:
    """For rows of ``stmt`` (their times in the window): seconds until fewer than ``limit``
    remain, that is until the oldest ``count - limit + 1`` of them have aged out."""
    used = (
        await uow.session.execute(select(func.count()).select_from(stmt.subquery()))
    ).scalar_one()
    if used < limit:
        return 0.0
    freeing = (
        await uow.session.execute(stmt.order_by(created_at).offset(used - limit).limit(1))
    ).scalar_one()
    return (_aware(freeing) + window - uow.now()).total_seconds()


def _aware(moment: datetime) -> datetime:
    # SQLite hands datetimes back without their zone; they are stored in UTC
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
