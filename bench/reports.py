"""How long the reports take over a year of a 50-provider practice, against a bare SQL
``count(*) … GROUP BY`` over the same rows.

Run from the repository root with the project's virtualenv:

    .venv/bin/python bench/reports.py [--runs 15] [--providers 50] [--clients 5000]

It builds a temporary SQLite database (migrated to head, deleted afterwards) and writes,
with bulk inserts: one organization in America/New_York, ``--providers`` providers working
Monday–Friday 09:00–17:00 (each with a closed day and a short day among their overrides),
``--clients`` clients, four 50-minute appointments per provider per weekday of 2026 (about
52,000: most occurred, one in twenty a no-show, one in twenty cancelled, half of those
late), a succeeded payment for each occurred visit and a fee for each no-show, a refund for
one payment in ten, and 2,000 invoices, some open and overdue.

Then, in this process, it times the median of ``--runs`` calls of each report over the
whole year (365 days) as the owner — the resolver, without the GraphQL layer — interleaved
with the reference: a bare ``SELECT …, count(*) FROM appointments (or payments) WHERE … GROUP
BY …`` over the same rows, through the same engine. Each call runs in a transaction opened
before the clock starts. It prints the milliseconds, the ratio to the reference, and
whether each report meets the 200 ms target. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import random
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

from rich.progress import Progress
from sqlalchemy import insert, text

from carebase import migrate
from carebase.auth.principal import Principal
from carebase.config import Settings
from carebase.db import Database, UnitOfWork
from carebase.models import (
    Account,
    Appointment,
    AppointmentStatus,
    AppointmentType,
    Availability,
    ContactType,
    Invoice,
    InvoiceStatus,
    Organization,
    Payment,
    PaymentKind,
    PaymentStatus,
    Refund,
    Role,
)
from carebase.resolvers.reactions import build_hooks
from carebase.resolvers.reports.appointments import AppointmentGrouping, appointment_report
from carebase.resolvers.reports.revenue import RevenueGrouping, revenue_report

TIMEZONE = "America/New_York"
ZONE = ZoneInfo(TIMEZONE)
YEAR_FROM, YEAR_TO = date(2026, 1, 1), date(2026, 12, 31)
HOURS = (10, 11, 13, 14)  # each provider's appointments every weekday
MINUTES = 50
TARGET_MS = 200.0
WARMUP = 3
BATCH = 5000

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


def stamp(row: dict[str, Any], moment: datetime) -> dict[str, Any]:
    return {**row, "id": uuid.uuid4(), "created_at": moment, "updated_at": moment}


async def bulk(uow: UnitOfWork, model: Any, rows: list[dict[str, Any]]) -> None:
    for i in range(0, len(rows), BATCH):
        await uow.session.execute(insert(model), rows[i : i + BATCH])


async def build(db: Database, providers: int, clients: int, progress: Progress) -> Scenario:
    rng = random.Random(2026)
    now = datetime(2026, 12, 2, 12, tzinfo=UTC)
    async with db.unit_of_work(write=True) as uow:
        org = Organization(name="Bench Practice", timezone=TIMEZONE)
        uow.session.add(org)
        await uow.session.flush()
        owner = Account(
            organization_id=org.id,
            email="owner@bench.test",
            name="Olive Owner",
            role=Role.OWNER,
            timezone=TIMEZONE,
        )
        kind = AppointmentType(
            organization_id=org.id,
            name="Session",
            duration_minutes=MINUTES,
            currency="usd",
            contact_type=ContactType.IN_PERSON,
        )
        uow.session.add_all([owner, kind])
        await uow.session.flush()
        people = lambda n, role, word: [  # noqa: E731 - two one-line uses
            stamp(
                {
                    "organization_id": org.id,
                    "email": f"{word}-{i}@bench.test",
                    "name": f"{word.title()} {i}",
                    "role": role,
                    "timezone": TIMEZONE,
                },
                now,
            )
            for i in range(n)
        ]
        provider_rows = people(providers, Role.PROVIDER, "provider")
        client_rows = people(clients, Role.CLIENT, "client")
        await bulk(uow, Account, provider_rows + client_rows)
        await bulk(
            uow,
            Availability,
            [
                stamp(
                    {
                        "organization_id": org.id,
                        "provider_id": p["id"],
                        "timezone": TIMEZONE,
                        "weekly": [
                            {"weekday": d, "start": "09:00", "end": "17:00"} for d in range(1, 6)
                        ],
                        "overrides": [
                            {"date": "2026-07-03", "closed": True},
                            {
                                "date": "2026-11-27",
                                "closed": False,
                                "start": "09:00",
                                "end": "13:00",
                            },
                        ],
                    },
                    now,
                )
                for p in provider_rows
            ],
        )
        days = [
            YEAR_FROM + timedelta(days=n)
            for n in range((YEAR_TO - YEAR_FROM).days + 1)
            if (YEAR_FROM + timedelta(days=n)).isoweekday() <= 5
        ]
        visits: list[dict[str, Any]] = []
        payments: list[dict[str, Any]] = []
        refunds: list[dict[str, Any]] = []
        task = progress.add_task("appointments and payments", total=len(days) * providers)
        for day in days:
            for p in provider_rows:
                for hour in HOURS:
                    starts = at(day, hour)
                    client = client_rows[rng.randrange(clients)]["id"]
                    roll = rng.randrange(20)
                    status = (
                        AppointmentStatus.BOOKED
                        if starts > now
                        else AppointmentStatus.NO_SHOW
                        if roll == 0
                        else AppointmentStatus.CANCELLED
                        if roll == 1
                        else AppointmentStatus.OCCURRED
                    )
                    visit = stamp(
                        {
                            "organization_id": org.id,
                            "client_id": client,
                            "provider_id": p["id"],
                            "appointment_type_id": kind.id,
                            "starts_at": starts,
                            "ends_at": starts + timedelta(minutes=MINUTES),
                            "status": status,
                            "late_cancellation": status is AppointmentStatus.CANCELLED
                            and rng.random() < 0.5,
                        },
                        starts - timedelta(days=7),
                    )
                    visits.append(visit)
                    fee = {
                        AppointmentStatus.OCCURRED: (PaymentKind.AUTOCHARGE, 12000),
                        AppointmentStatus.NO_SHOW: (PaymentKind.NO_SHOW_FEE, 5000),
                    }.get(status)
                    if fee is None:
                        continue
                    paid_at = starts + timedelta(hours=1)
                    refunded = 2000 if rng.randrange(10) == 0 else 0
                    payment = stamp(
                        {
                            "organization_id": org.id,
                            "client_id": client,
                            "kind": fee[0],
                            "status": PaymentStatus.PARTIALLY_REFUNDED
                            if refunded
                            else PaymentStatus.SUCCEEDED,
                            "amount_cents": fee[1],
                            "refunded_cents": refunded,
                            "currency": "usd",
                            "appointment_id": visit["id"],
                            "succeeded_at": paid_at,
                        },
                        paid_at,
                    )
                    payments.append(payment)
                    if refunded:
                        refunds.append(
                            stamp(
                                {
                                    "organization_id": org.id,
                                    "payment_id": payment["id"],
                                    "amount_cents": refunded,
                                    "refunded_at": paid_at + timedelta(days=2),
                                },
                                paid_at + timedelta(days=2),
                            )
                        )
                progress.advance(task)
        await bulk(uow, Appointment, visits)
        await bulk(uow, Payment, payments)
        await bulk(uow, Refund, refunds)
        invoices = []
        for i in range(2000):
            sent = now - timedelta(days=rng.randrange(1, 200))
            invoices.append(
                stamp(
                    {
                        "organization_id": org.id,
                        "client_id": client_rows[i % clients]["id"],
                        "status": InvoiceStatus.OPEN,
                        "currency": "usd",
                        "total_cents": 1000 + 10 * i,
                        "lines": [],
                        "due_date": (sent + timedelta(days=30)).date(),
                        "sent_at": sent,
                    },
                    sent,
                )
            )
        await bulk(uow, Invoice, invoices)
        owner_principal = Principal(
            kind="user", organization_id=org.id, account_id=owner.id, role=Role.OWNER
        )
        return Scenario(db, owner_principal, org.id, len(visits), len(payments))


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
        "start": _sqlite_time(at(YEAR_FROM, 0)),
        "end": _sqlite_time(at(YEAR_TO + timedelta(days=1), 0)),
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
            uow, s.owner, first=YEAR_FROM, last=YEAR_TO, group_by=group
        )

    def revenue(group: RevenueGrouping) -> Callable[[UnitOfWork], Awaitable[Any]]:
        return lambda uow: revenue_report(
            uow, s.owner, first=YEAR_FROM, last=YEAR_TO, group_by=group
        )

    found: dict[str, tuple[Callable[[UnitOfWork], Awaitable[Any]], Any]] = {}
    for g in AppointmentGrouping:
        found[f"appointmentReport {g.value}"] = (appointments(g), BARE_APPOINTMENTS)
    for r in RevenueGrouping:
        found[f"revenueReport {r.value}"] = (revenue(r), BARE_PAYMENTS)
    return found


async def measure(db: Database, args: argparse.Namespace) -> None:
    try:
        with Progress() as progress:
            began = time.perf_counter()
            scenario = await build(db, args.providers, args.clients, progress)
        print(
            f"{scenario.appointments} appointments, {scenario.payments} payments, "
            f"{args.providers} providers, {args.clients} clients: written in "
            f"{time.perf_counter() - began:.1f} s"
        )
        print(f"each report over {YEAR_FROM} to {YEAR_TO} ({TIMEZONE}); median of {args.runs}")
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
    parser.add_argument("--providers", type=int, default=50)
    parser.add_argument("--clients", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="carebase-bench-") as directory:
        settings = settings_for(Path(directory))
        migrate.upgrade(settings)  # runs its own event loop: call it outside ours
        asyncio.run(measure(Database(settings, hooks=build_hooks()), args))


if __name__ == "__main__":
    main()
