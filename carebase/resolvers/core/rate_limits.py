"""Sliding-window limits counted in the database, so every process sees the same count."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from carebase.db import UnitOfWork
from carebase.errors import DomainError, ErrorCode
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
        raise DomainError(ErrorCode.RATE_LIMITED, message)
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
