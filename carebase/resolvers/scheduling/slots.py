"""Slot arithmetic, pure: windows from weekly hours and overrides, minus busy time.

Windows are built in the availability's time zone, day by day, then turned into UTC
instants; slots step in real time inside each window, so a window that spans a
daylight-saving change still yields slots of the right length.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Rules:
    timezone: str
    weekly: Sequence[dict[str, Any]]
    overrides: Sequence[dict[str, Any]]
    buffer_before: timedelta
    buffer_after: timedelta
    minimum_notice: timedelta
    horizon: timedelta
    step: timedelta | None


def parse_hhmm(value: str) -> time:
    hours, _, minutes = value.partition(":")
    if hours == "24" and minutes == "00":
        return time.max
    return time(int(hours), int(minutes))


def _local(day: date, at: str, zone: ZoneInfo) -> datetime:
    moment = parse_hhmm(at)
    if moment == time.max:  # "24:00" is the next midnight
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return datetime.combine(day, moment, tzinfo=zone).astimezone(UTC)


def windows(rules: Rules, start: datetime, end: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Open windows (UTC) of the days that touch [start, end), in order."""
    zone = ZoneInfo(rules.timezone)
    by_date: dict[str, list[dict[str, Any]]] = {}
    for override in rules.overrides:
        by_date.setdefault(override["date"], []).append(override)
    day = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date()
    while day <= last:
        overrides = by_date.get(day.isoformat())
        if overrides is not None:
            spans = [(o["start"], o["end"]) for o in overrides if not o.get("closed")]
        else:
            spans = [
                (w["start"], w["end"]) for w in rules.weekly if w["weekday"] == day.isoweekday()
            ]
        for opens, closes in sorted(spans):
            yield _local(day, opens, zone), _local(day, closes, zone)
        day += timedelta(days=1)


class Busy:
    """Busy intervals sorted by start, for overlap checks in O(log n)."""

    def __init__(self, intervals: Iterable[tuple[datetime, datetime]]) -> None:
        self.intervals = sorted(intervals)
        self.starts = [s for s, _ in self.intervals]
        # the latest end among intervals[0..i], so one bisect answers "any overlap?"
        self.max_end: list[datetime] = []
        latest = datetime.min.replace(tzinfo=UTC)
        for _, finish in self.intervals:
            latest = max(latest, finish)
            self.max_end.append(latest)

    def widened(self, before: timedelta, after: timedelta) -> Busy:
        if not before and not after:
            return self
        return Busy((s - before, e + after) for s, e in self.intervals)

    def overlaps(self, start: datetime, end: datetime) -> bool:
        i = bisect.bisect_left(self.starts, end) - 1  # intervals starting before `end`
        return i >= 0 and self.max_end[i] > start


def slots(
    rules: Rules,
    *,
    duration: timedelta,
    busy: Busy,
    start: datetime,
    end: datetime,
    now: datetime,
    respect_notice: bool = True,
) -> list[tuple[datetime, datetime]]:
    step = rules.step or duration
    earliest = now + rules.minimum_notice if respect_notice else start
    latest = now + rules.horizon
    # every appointment keeps its buffers, the booked ones and the one being offered alike
    blocked = busy.widened(rules.buffer_before, rules.buffer_after)
    found: list[tuple[datetime, datetime]] = []
    for opens, closes in windows(rules, start, end):
        moment = opens
        while moment + duration <= closes:
            finish = moment + duration
            if (
                start <= moment < end
                and moment >= earliest
                and moment <= latest
                and not blocked.overlaps(moment - rules.buffer_before, finish + rules.buffer_after)
            ):
                found.append((moment, finish))
            moment += step
    return found
