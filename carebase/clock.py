"""The time a unit of work sees: the system's in production, one the tests can set.

Resolvers and jobs ask their unit of work (`uow.now()`), so a test moves time by moving the
clock of the `Database` it runs on, instead of sleeping or editing rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class SettableClock:
    """The system's time plus an offset the caller moves (never backwards of its own)."""

    offset: timedelta = field(default_factory=timedelta)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, by: timedelta) -> None:
        self.offset += by

    def reset(self) -> None:
        self.offset = timedelta()
