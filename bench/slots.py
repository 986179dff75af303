"""How long `available_slots` takes against a bare SQL fetch of the same appointments.

Run from the repository root with the project's virtualenv:

    .venv/bin/python bench/slots.py [--runs 30] [--sizes 250 500 1000] [--profile]

For each size it builds a fresh temporary SQLite database (migrated to head) with one
organization, one provider working Monday–Friday 08:00–18:00 (America/Chicago), a 30-minute
appointment type, and that many live appointments over the next 30 days, inside the
provider's hours and never overlapping. It then times, in this process, the median of
``--runs`` calls of:

* ``available_slots`` for the 30-minute type over [now, now + 30 days), as the provider;
* a bare ``SELECT starts_at, ends_at FROM appointments WHERE provider_id = ? AND …`` through
  the same engine: the floor that the database alone costs.

Each timed call runs inside an already open transaction (one per call, as a request would
have), so connecting is not part of either number. See bench/README.md for how to read it.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import statistics
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import text

from carebase import migrate
from carebase.auth.principal import Principal
from carebase.config import Settings
from carebase.db import Database
from carebase.models import (
    Account,
    Appointment,
    AppointmentStatus,
    AppointmentType,
    Availability,
    ContactType,
    Organization,
    Role,
)
from carebase.resolvers.reactions import build_hooks
from carebase.resolvers.scheduling.availability import available_slots

TIMEZONE = "America/Chicago"
OPENS, CLOSES = 8, 18  # the provider's hours, Monday to Friday
SLOT_MINUTES = 30  # the type the slots are asked for
# 500 appointments of 30 minutes (250 h) do not fit in the ~210 weekday hours of 30 days, so
# the booked appointments are 10-minute check-ins of their own type, laid on a 10-minute grid.
BOOKED_MINUTES = 10
DAYS = 30
TARGET_MS = 50.0
TARGET_SIZE = 500
WARMUP = 20

BARE_SQL = text(
    "SELECT starts_at, ends_at FROM appointments"
    " WHERE provider_id = :provider_id AND status IN ('BOOKED', 'OCCURRED', 'NO_SHOW')"
    " AND starts_at < :end AND ends_at > :start"
)


@dataclass(frozen=True)
class Scenario:
    db: Database
    principal: Principal
    provider_id: uuid.UUID
    type_id: uuid.UUID
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Result:
    size: int
    slots_ms: float
    sql_ms: float
    slot_count: int
    row_count: int

    @property
    def ratio(self) -> float:
        return self.slots_ms / self.sql_ms


def settings_for(directory: Path) -> Settings:
    return Settings.from_env(
        {
            "CAREBASE_DATABASE_URL": f"sqlite:///{directory}/bench.sqlite3",
            "CAREBASE_SECRET_KEY": "bench-secret-" + "x" * 40,
        }
    )


def booking_grid(start: datetime) -> list[datetime]:
    """Every 10-minute start inside the provider's hours on the days after ``start``."""
    zone = ZoneInfo(TIMEZONE)
    today = start.astimezone(zone).date()
    grid: list[datetime] = []
    # from tomorrow to the day before the last, so every appointment lies inside the range
    for offset in range(1, DAYS):
        day = today + timedelta(days=offset)
        if day.isoweekday() > 5:
            continue
        moment = datetime(day.year, day.month, day.day, OPENS, tzinfo=zone)
        closes = moment.replace(hour=CLOSES)
        while moment + timedelta(minutes=BOOKED_MINUTES) <= closes:
            grid.append(moment.astimezone(UTC))
            moment += timedelta(minutes=BOOKED_MINUTES)
    return grid


async def build(db: Database, size: int, start: datetime) -> Scenario:
    grid = booking_grid(start)
    if size > len(grid):
        raise SystemExit(f"{size} appointments do not fit in {len(grid)} grid places")
    async with db.unit_of_work(write=True) as uow:
        org = Organization(name="Bench Practice", timezone=TIMEZONE)
        uow.session.add(org)
        await uow.session.flush()
        provider = Account(
            organization_id=org.id,
            email=f"provider-{uuid.uuid4().hex[:8]}@bench.test",
            name="Pat Provider",
            role=Role.PROVIDER,
            timezone=TIMEZONE,
        )
        client = Account(
            organization_id=org.id,
            email=f"client-{uuid.uuid4().hex[:8]}@bench.test",
            name="Casey Client",
            role=Role.CLIENT,
            timezone=TIMEZONE,
        )
        session_type = AppointmentType(
            organization_id=org.id,
            name="Session",
            duration_minutes=SLOT_MINUTES,
            price_cents=None,
            currency="usd",
            contact_type=ContactType.VIDEO,
        )
        check_in = AppointmentType(
            organization_id=org.id,
            name="Check-in",
            duration_minutes=BOOKED_MINUTES,
            price_cents=None,
            currency="usd",
            contact_type=ContactType.PHONE,
        )
        uow.session.add_all([provider, client, session_type, check_in])
        await uow.session.flush()
        uow.session.add(
            Availability(
                organization_id=org.id,
                provider_id=provider.id,
                timezone=TIMEZONE,
                weekly=[
                    {"weekday": d, "start": f"{OPENS:02}:00", "end": f"{CLOSES:02}:00"}
                    for d in range(1, 6)
                ],
                overrides=[],
            )
        )
        # evenly over the grid: distinct places, so no two appointments overlap
        for i in range(size):
            starts_at = grid[i * len(grid) // size]
            uow.session.add(
                Appointment(
                    organization_id=org.id,
                    client_id=client.id,
                    provider_id=provider.id,
                    appointment_type_id=check_in.id,
                    starts_at=starts_at,
                    ends_at=starts_at + timedelta(minutes=BOOKED_MINUTES),
                    status=AppointmentStatus.BOOKED,
                )
            )
        await uow.session.flush()
        principal = Principal(
            kind="user", organization_id=org.id, account_id=provider.id, role=Role.PROVIDER
        )
        return Scenario(
            db, principal, provider.id, session_type.id, start, start + timedelta(days=DAYS)
        )


async def slots_once(s: Scenario) -> tuple[float, int]:
    async with s.db.unit_of_work() as uow:
        await uow.session.connection()  # connect and begin outside the timed part
        began = time.perf_counter()
        found = await available_slots(
            uow,
            s.principal,
            provider_id=s.provider_id,
            type_id=s.type_id,
            start=s.start,
            end=s.end,
        )
        return time.perf_counter() - began, len(found)


def _sqlite_time(moment: datetime) -> str:
    """How the UTC columns are stored on SQLite: naive UTC, microseconds always written."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


async def sql_once(s: Scenario) -> tuple[float, int]:
    params = {
        "provider_id": s.provider_id.hex,  # SQLAlchemy's Uuid is CHAR(32) on SQLite
        "start": _sqlite_time(s.start),
        "end": _sqlite_time(s.end),
    }
    async with s.db.engine.connect() as conn:
        await conn.begin()
        began = time.perf_counter()
        rows = (await conn.execute(BARE_SQL, params)).all()
        return time.perf_counter() - began, len(rows)


async def measure(db: Database, size: int, runs: int, profile: bool) -> tuple[Result, str]:
    try:
        scenario = await build(db, size, datetime.now(UTC))
        for _ in range(WARMUP):  # statement caches, the page cache, first-call costs
            await slots_once(scenario)
            await sql_once(scenario)
        # interleaved, so a burst of load elsewhere on the machine hits both alike
        slot_times: list[float] = []
        sql_times: list[float] = []
        slot_count = row_count = 0
        for _ in range(runs):
            seconds, slot_count = await slots_once(scenario)
            slot_times.append(seconds)
            seconds, row_count = await sql_once(scenario)
            sql_times.append(seconds)
        if row_count != size:
            raise SystemExit(f"the bare fetch found {row_count} appointments, not {size}")
        report = await profile_slots(scenario, runs) if profile else ""
        result = Result(
            size,
            statistics.median(slot_times) * 1000,
            statistics.median(sql_times) * 1000,
            slot_count,
            row_count,
        )
        return result, report
    finally:
        await db.dispose()


async def profile_slots(s: Scenario, runs: int) -> str:
    """cProfile of ``runs`` calls (the main thread only: aiosqlite's worker is not seen)."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        await slots_once(s)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(r"carebase", 20)
    stats.sort_stats("tottime").print_stats(15)
    return out.getvalue()


def run_size(size: int, runs: int, profile: bool) -> tuple[Result, str]:
    with tempfile.TemporaryDirectory(prefix="carebase-bench-") as directory:
        settings = settings_for(Path(directory))
        migrate.upgrade(settings)  # runs its own event loop: call it outside ours
        return asyncio.run(measure(Database(settings, hooks=build_hooks()), size, runs, profile))


def slope_us(sizes: list[int], values_ms: list[float]) -> float:
    """Least-squares growth in microseconds per appointment."""
    mean_x, mean_y = statistics.fmean(sizes), statistics.fmean(values_ms)
    spread = sum((x - mean_x) ** 2 for x in sizes)
    covariance = sum((x - mean_x) * (y - mean_y) for x, y in zip(sizes, values_ms, strict=True))
    return 1000 * covariance / spread


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="timed calls per median")
    parser.add_argument("--sizes", type=int, nargs="+", default=[250, TARGET_SIZE, 1000])
    parser.add_argument(
        "--profile", action="store_true", help=f"cProfile available_slots at {TARGET_SIZE}"
    )
    args = parser.parse_args()

    print(
        f"available_slots over {DAYS} days, {SLOT_MINUTES}-minute type, "
        f"provider Mon–Fri {OPENS:02}:00–{CLOSES:02}:00 {TIMEZONE}; median of {args.runs} runs"
    )
    header = ("appointments", 12), ("available_slots", 16), ("bare SQL", 10), ("ratio", 7)
    print(" ".join(f"{name:>{width}}" for name, width in header), f"{'slots':>6}")
    results: list[Result] = []
    reports: list[str] = []
    for size in args.sizes:
        result, report = run_size(size, args.runs, args.profile and size == TARGET_SIZE)
        results.append(result)
        reports.append(report)
        print(
            f"{result.size:>12} {result.slots_ms:>13.2f} ms {result.sql_ms:>7.2f} ms "
            f"{result.ratio:>6.1f}× {result.slot_count:>6}"
        )
    if len({r.size for r in results}) > 1:
        sizes = [r.size for r in results]
        print(
            "growth per appointment: "
            f"available_slots {slope_us(sizes, [r.slots_ms for r in results]):.1f} µs, "
            f"bare SQL {slope_us(sizes, [r.sql_ms for r in results]):.1f} µs"
        )
    for result in results:
        if result.size == TARGET_SIZE:
            verdict = "met" if result.slots_ms < TARGET_MS else "MISSED"
            print(
                f"target: available_slots under {TARGET_MS:.0f} ms at {TARGET_SIZE} "
                f"appointments: {verdict} ({result.slots_ms:.2f} ms)"
            )
    for report in filter(None, reports):
        print(f"\ncProfile of available_slots at {TARGET_SIZE} appointments:\n{report}")


if __name__ == "__main__":
    main()
