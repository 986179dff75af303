"""A report's days as UTC ranges: each bucket (a day, a week, a month, or the whole range) is
the half-open [start, end) between two local midnights of the organization's time zone, so
a day of a daylight-saving change is 23 or 25 hours long and still one day.

SQLite knows no IANA zones: the ranges are computed here and the database only compares
instants, the same on SQLite and PostgreSQL."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from carebase.errors import invalid
from carebase.resolvers.core.checks import check_day

# a year and a month's slack: beyond it a report is an export, not a page
MAX_DAYS = 400


class Period(enum.Enum):
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"
    ALL = "ALL"  # the whole range, for reports grouped by something other than time


@dataclass(frozen=True)
class Bucket:
    key: str
    label: str
    first_day: date
    last_day: date
    start: datetime  # UTC, inclusive
    end: datetime  # UTC, exclusive


def check_range(first: date, last: date) -> None:
    check_day(first, "from")
    check_day(last, "to")
    if last < first:
        raise invalid("`to` is before `from`", "to")
    if (last - first).days + 1 > MAX_DAYS:
        raise invalid(f"A report covers at most {MAX_DAYS} days", "to")


def midnight(day: date, zone: ZoneInfo) -> datetime:
    """The instant a local day starts (where midnight is skipped, the first instant after)."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _period_start(day: date, period: Period, first: date) -> date:
    if period is Period.DAY:
        return day
    if period is Period.WEEK:
        return day - timedelta(days=day.weekday())
    if period is Period.MONTH:
        return day.replace(day=1)
    return first


def _next_start(start: date, period: Period, last: date) -> date:
    if period is Period.DAY:
        return start + timedelta(days=1)
    if period is Period.WEEK:
        return start + timedelta(days=7)
    if period is Period.MONTH:
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return last + timedelta(days=1)


def _key_and_label(start: date, period: Period, first: date, last: date) -> tuple[str, str]:
    if period is Period.DAY:
        return start.isoformat(), f"{start:%a} {start.day} {start:%b %Y}"
    if period is Period.WEEK:
        return start.isoformat(), f"Week of {start.day} {start:%b %Y}"
    if period is Period.MONTH:
        return f"{start:%Y-%m}", f"{start:%B %Y}"
    return "all", f"{first.isoformat()} to {last.isoformat()}"


def buckets(first: date, last: date, zone: ZoneInfo, period: Period) -> list[Bucket]:
    """The buckets that cover ``first``..``last`` (local days, inclusive), in order; a week or
    month at either end is cut to the range but keeps its key (its Monday, its month)."""
    check_range(first, last)
    result: list[Bucket] = []
    start = _period_start(first, period, first)
    while start <= last:
        following = _next_start(start, period, last)
        lo, hi = max(start, first), min(following - timedelta(days=1), last)
        key, label = _key_and_label(start, period, first, last)
        result.append(
            Bucket(
                key=key,
                label=label,
                first_day=lo,
                last_day=hi,
                start=midnight(lo, zone),
                end=midnight(hi + timedelta(days=1), zone),
            )
        )
        start = following
    return result
