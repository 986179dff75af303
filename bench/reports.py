"""How long the reports take over a year of a 50-provider practice, against a bare SQL
``count(*) … GROUP BY`` over the same rows.

Run from the repository root with the project's virtualenv:

    .venv/bin/python bench/reports.py [--runs 15] [--quick]

It builds a temporary SQLite database (migrated to head, deleted afterwards) and seeds it
with ``carebase.seed_large``, the practice ``carebase seed --size large`` writes: 50
providers, 5,000 clients and 50,000 appointments over a year around today (300 days back, 65
ahead) with their payments, refunds and invoices (``--quick``: the same practice at 1/50 of
the size, which proves only that everything still runs).

Then, in this process, it times the median of ``--runs`` calls of each report over that year
as the owner — the resolver, without the GraphQL layer — interleaved with the reference: a
bare ``SELECT …, count(*) FROM appointments (or payments) WHERE … GROUP BY …`` over the same
rows, through the same engine. Each call runs in a transaction opened before the clock
starts. It prints the milliseconds, the ratio to the reference, and whether each report
meets the 200 ms target. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, text

from carebase import migrate
from carebase.auth.principal import Principal
from carebase.config import Settings
from carebase.db import Database, UnitOfWork
from carebase.models import Account, Appointment, Payment, Role
from carebase.resolvers.reactions import build_hooks
from carebase.resolvers.reports.appointments import AppointmentGrouping, appointment_report
from carebase.resolvers.reports.revenue import RevenueGrouping, revenue_report
from carebase.seed import DEMO_PASSWORD
from carebase.seed_large import FUTURE_DAYS, OWNER_EMAIL, PAST_DAYS, TIMEZONE, seed_large

ZONE = ZoneInfo(TIMEZONE)
TARGET_MS = 200.0
WARMUP = 3
QUICK_SCALE = 0.02  # as bench/api.py --quick

BARE_APPOINTMENTS = text(
    "SELECT provider_id, status, count(*) FROM appointments"
    " WHERE organization_id = :org AND starts_at >= :start AND starts_at < :end"
    " GROUP BY provider_id, status"
)
BARE_PAYMENTS = text(
    "SELECT kind, count(*), sum(amount_cents) FROM payments"
    " WHERE organization_id = :org AND succeeded_at >= :start AND succeeded_at < :end"
    " GROUP BY kind"
)


@dataclass(frozen=True)
class Scenario:
    db: Database
    owner: Principal
    org: uuid.UUID
    first: date
    last: date
    appointments: int
    payments: int


def settings_for(directory: Path) -> Settings:
    return Settings.from_env(
        {
            "CAREBASE_DATABASE_URL": f"sqlite:///{directory}/bench.sqlite3",
            "CAREBASE_SECRET_KEY": "bench-secret-" + "x" * 40,
        }
    )


def at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=ZONE).astimezone(UTC)


async def scenario_of(db: Database) -> Scenario:
    """The seeded owner and the year the seed spans (relative to today, as the seed is)."""
    today = datetime.now(UTC).date()
    async with db.unit_of_work() as uow:
        owner = (
            await uow.session.execute(
                select(Account.id, Account.organization_id).where(Account.email == OWNER_EMAIL)
            )
        ).one()
        appointments = await uow.session.scalar(select(func.count()).select_from(Appointment))
        payments = await uow.session.scalar(select(func.count()).select_from(Payment))
    principal = Principal(
        kind="user", organization_id=owner.organization_id, account_id=owner.id, role=Role.OWNER
    )
    return Scenario(
        db,
        principal,
        owner.organization_id,
        first=today - timedelta(days=PAST_DAYS),
        last=today + timedelta(days=FUTURE_DAYS),
        appointments=appointments or 0,
        payments=payments or 0,
    )


def _sqlite_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


async def timed_in_transaction(s: Scenario, call: Callable[[UnitOfWork], Awaitable[Any]]) -> float:
    async with s.db.unit_of_work() as uow:
        await uow.session.connection()  # connect and begin outside the timed part
        began = time.perf_counter()
        await call(uow)
        return time.perf_counter() - began


async def bare(s: Scenario, statement: Any) -> float:
    params = {
        "org": s.org.hex,  # SQLAlchemy's Uuid is CHAR(32) on SQLite
        "start": _sqlite_time(at(s.first, 0)),
        "end": _sqlite_time(at(s.last + timedelta(days=1), 0)),
    }
    async with s.db.engine.connect() as conn:
        await conn.begin()
        began = time.perf_counter()
        rows = (await conn.execute(statement, params)).all()
        assert rows
        return time.perf_counter() - began


def reports(s: Scenario) -> dict[str, tuple[Callable[[UnitOfWork], Awaitable[Any]], Any]]:
    def appointments(group: AppointmentGrouping) -> Callable[[UnitOfWork], Awaitable[Any]]:
        return lambda uow: appointment_report(
            uow, s.owner, first=s.first, last=s.last, group_by=group
        )

    def revenue(group: RevenueGrouping) -> Callable[[UnitOfWork], Awaitable[Any]]:
        return lambda uow: revenue_report(uow, s.owner, first=s.first, last=s.last, group_by=group)

    found: dict[str, tuple[Callable[[UnitOfWork], Awaitable[Any]], Any]] = {}
    for g in AppointmentGrouping:
        found[f"appointmentReport {g.value}"] = (appointments(g), BARE_APPOINTMENTS)
    for r in RevenueGrouping:
        found[f"revenueReport {r.value}"] = (revenue(r), BARE_PAYMENTS)
    return found


async def measure(db: Database, args: argparse.Namespace, seeded_in: float) -> None:
    try:
        scenario = await scenario_of(db)
        print(
            f"{scenario.appointments} appointments, {scenario.payments} payments "
            f"(carebase seed --size large{', --quick scale' if args.quick else ''}): "
            f"seeded in {seeded_in:.1f} s"
        )
        print(
            f"each report over {scenario.first} to {scenario.last} ({TIMEZONE}); "
            f"median of {args.runs}"
        )
        print(f"{'report':<34} {'report':>10} {'bare SQL':>10} {'ratio':>7}  target")
        missed = 0
        for name, (call, reference) in reports(scenario).items():
            for _ in range(WARMUP):
                await timed_in_transaction(scenario, call)
                await bare(scenario, reference)
            ours: list[float] = []
            floor: list[float] = []
            for _ in range(args.runs):  # interleaved: load elsewhere hits both alike
                ours.append(await timed_in_transaction(scenario, call))
                floor.append(await bare(scenario, reference))
            ms, ref_ms = statistics.median(ours) * 1000, statistics.median(floor) * 1000
            met = ms < TARGET_MS
            missed += not met
            print(
                f"{name:<34} {ms:>7.1f} ms {ref_ms:>7.1f} ms {ms / ref_ms:>6.1f}×  "
                f"{'met' if met else 'MISSED'}"
            )
        print(
            f"target: every report under {TARGET_MS:.0f} ms: "
            + ("met" if not missed else f"MISSED by {missed}")
        )
    finally:
        await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="timed calls per median")
    parser.add_argument(
        "--quick", action="store_true", help="the practice at 1/50 of the size, 3 runs: for CI"
    )
    args = parser.parse_args()
    if args.quick:
        args.runs = min(args.runs, 3)
    with tempfile.TemporaryDirectory(prefix="carebase-bench-") as directory:
        settings = settings_for(Path(directory))
        migrate.upgrade(settings)  # runs its own event loop: call it outside ours
        began = time.perf_counter()
        scale = QUICK_SCALE if args.quick else 1.0
        asyncio.run(seed_large(settings, password=DEMO_PASSWORD, scale=scale))
        seeded_in = time.perf_counter() - began
        asyncio.run(measure(Database(settings, hooks=build_hooks()), args, seeded_in))


if __name__ == "__main__":
    main()
