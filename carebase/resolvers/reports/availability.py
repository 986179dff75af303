"""Available minutes per bucket and provider, from the providers' weekly hours and date
overrides: schedule rules (one row per provider), expanded here as booking expands them,
never appointment rows."""

from __future__ import annotations

import bisect
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from carebase.db import UnitOfWork
from carebase.models import Availability
from carebase.resolvers.reports.ranges import Bucket
from carebase.resolvers.scheduling.slots import Rules, windows

NO_TIME = timedelta()


@dataclass(frozen=True)
class Available:
    by_bucket: dict[int, int]  # bucket position -> minutes, every provider together
    by_provider: dict[uuid.UUID, int]  # provider -> minutes over every bucket

    @property
    def total(self) -> int:
        return sum(self.by_bucket.values())


async def available_minutes(
    uow: UnitOfWork, organization_id: uuid.UUID, buckets: Sequence[Bucket]
) -> Available:
    rows = (
        (
            await uow.session.execute(
                select(Availability).where(Availability.organization_id == organization_id)
            )
        )
        .scalars()
        .all()
    )
    # providers often share their hours: each distinct schedule is expanded once
    schedules: dict[str, list[uuid.UUID]] = {}
    rules_of: dict[str, Availability] = {}
    for row in rows:
        key = json.dumps([row.timezone, row.weekly, row.overrides], sort_keys=True)
        schedules.setdefault(key, []).append(row.provider_id)
        rules_of[key] = row
    by_bucket: dict[int, int] = {}
    by_provider: dict[uuid.UUID, int] = {}
    for key, providers in schedules.items():
        minutes = _expand(rules_of[key], buckets)
        for n, m in minutes.items():
            by_bucket[n] = by_bucket.get(n, 0) + m * len(providers)
        for provider in providers:
            by_provider[provider] = sum(minutes.values())
    return Available(by_bucket, by_provider)


def _expand(row: Availability, buckets: Sequence[Bucket]) -> dict[int, int]:
    """Minutes of one schedule in each bucket (by position)."""
    starts = [b.start for b in buckets]
    first, last = buckets[0].start, buckets[-1].end
    rules = Rules(
        timezone=row.timezone,
        weekly=row.weekly,
        overrides=row.overrides,
        buffer_before=NO_TIME,
        buffer_after=NO_TIME,
        minimum_notice=NO_TIME,
        horizon=NO_TIME,
        step=None,
    )
    seconds: dict[int, float] = {}
    for opens, closes in windows(rules, first, last):
        opens, closes = max(opens, first), min(closes, last)
        # a window may straddle midnight (or a bucket's end): each part where it falls
        n = max(bisect.bisect_right(starts, opens) - 1, 0)
        while opens < closes and n < len(buckets):
            part = min(closes, buckets[n].end)
            if part > opens:
                seconds[n] = seconds.get(n, 0.0) + (part - opens).total_seconds()
            opens = max(opens, part)
            n += 1
    return {n: int(total // 60) for n, total in seconds.items()}
