"""Carebase's hot paths against a bare reference endpoint, side by side in one run.

Run from the repository root with the project's virtualenv:

    .venv/bin/python bench/api.py            # the large practice, 2 rounds of 5 s per side
    .venv/bin/python bench/api.py --quick    # a tiny practice, ~1 s per case (CI)

It seeds a fresh SQLite file (`carebase seed --size large`, scaled down for --quick), starts
`carebase serve` and `bench/reference.py` (Starlette + one Core join + orjson) as two
subprocesses on free ports, signs in as the seeded owner, checks that both answer each case
with the same JSON (byte-equal after normalising), then drives each case at concurrency 16
over keep-alive connections, alternating Carebase and the reference round by round, and
prints requests/s, p50 and p99 for each side, their ratio, how cost grows with page size and
the targets of issue #15. With CAREBASE_BENCH_POSTGRES_URL set it runs again on PostgreSQL
(that database's public schema is dropped and made anew). See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from carebase.models import (
    Account,
    AppointmentType,
    ConversationParticipant,
    FormRequest,
    FormRequestStatus,
    Organization,
    Role,
)
from carebase.seed import DEMO_PASSWORD
from carebase.seed_large import CLOSES, FUTURE_DAYS, OPENS, OWNER_EMAIL, TIMEZONE

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CONCURRENCY = 16
QUICK_SCALE = 0.02

APPOINTMENTS = """query BenchAppointments($first: Int) {
  appointments(first: $first) { edges { node {
    id startsAt endsAt status lateCancellation
    client { id name } provider { id name }
    appointmentType { id name durationMinutes price { amountCents currency } }
    payments { id kind status amount { amountCents currency } refunded { amountCents currency } }
  } } }
}"""
CLIENTS = """query BenchClients($first: Int) {
  clients(first: $first) { edges { node { id name email phone provider { id name } } } }
}"""
FORM_REQUESTS = """query BenchFormRequests($first: Int) {
  formRequests(first: $first) { edges { node {
    id status formVersion required client { id name } form { id name }
  } } }
}"""
MESSAGES = """query BenchMessages($id: ID!, $first: Int) {
  conversation(id: $id) { messages(first: $first) { edges { node {
    id body sentAt sender { ... on Member { id name } ... on Client { id name } }
  } } } }
}"""
SLOTS = """query BenchSlots($providerId: ID!, $typeId: ID!, $from: DateTime!, $to: DateTime!) {
  availableSlots(providerId: $providerId, appointmentTypeId: $typeId, from: $from, to: $to) {
    startsAt endsAt
  }
}"""
BOOK = """mutation BenchBook($input: BookAppointmentInput!) {
  bookAppointment(input: $input) {
    appointment { id startsAt endsAt status } userErrors { code }
  }
}"""


def gid(type_name: str, key: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{key}".encode()).decode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- a small HTTP/1.1 keep-alive client: cheaper than httpx, so the load loop (on the same
# two cores) takes less from the servers it measures


def raw_request(method: str, path: str, body: bytes = b"", token: str | None = None) -> bytes:
    head = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}"]
    if body:
        head.append("Content-Type: application/json")
    if token:
        head.append(f"Authorization: Bearer {token}")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    match = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
    if match:
        return status, await reader.readexactly(int(match.group(1)))
    chunks: list[bytes] = []
    while True:  # chunked
        size = int((await reader.readuntil(b"\r\n")).strip(), 16)
        chunk = await reader.readexactly(size + 2)
        if size == 0:
            return status, b"".join(chunks)
        chunks.append(chunk[:-2])


@dataclass
class Sample:
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    failures: int = 0

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


Check = Callable[[int, bytes], bool]


async def drive(
    port: int, next_request: Callable[[], bytes], check: Check, seconds: float, sample: Sample
) -> None:
    """CONCURRENCY connections, each sending its next request as soon as the last answers."""
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.perf_counter() < deadline:
                raw = next_request()
                started = time.perf_counter()
                writer.write(raw)
                status, body = await read_response(reader)
                sample.latencies.append(time.perf_counter() - started)
                if not check(status, body):
                    sample.failures += 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    sample.seconds += time.perf_counter() - started


def answered(status: int, body: bytes) -> bool:
    return status == 200 and b'"errors"' not in body


def booked(status: int, body: bytes) -> bool:
    if status != 200:
        return False
    payload = json.loads(body)["data"]["bookAppointment"]
    return payload["userErrors"] == [] and payload["appointment"] is not None


# --- the two servers


@dataclass
class Servers:
    carebase: int
    reference: int
    processes: list[subprocess.Popen[bytes]]
    logs: tuple[Path, Path]

    def log_tails(self) -> str:
        return "\n".join(f"--- {log.name}\n{log.read_text()[-3000:]}" for log in self.logs)

    def stop(self) -> None:
        for p in self.processes:
            p.terminate()
        for p in self.processes:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"bench: {url} exited:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)  # polling a subprocess's start-up, bounded by the deadline
    sys.exit(f"bench: {url} did not come up in 120 s")


def start_servers(
    env: dict[str, str], workdir: Path, reference_url: str, org: uuid.UUID
) -> Servers:
    carebase_port, reference_port = free_port(), free_port()
    logs = workdir / "carebase.log", workdir / "reference.log"
    carebase = subprocess.Popen(
        [str(BIN / "carebase"), "serve", "--port", str(carebase_port)],
        cwd=workdir,
        env=env,
        stdout=logs[0].open("wb"),
        stderr=subprocess.STDOUT,
    )
    reference = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "bench" / "reference.py"),
            "--database",
            reference_url,
            "--organization",
            str(org),
            "--port",
            str(reference_port),
        ],
        cwd=workdir,
        env=env,
        stdout=logs[1].open("wb"),
        stderr=subprocess.STDOUT,
    )
    servers = Servers(carebase_port, reference_port, [carebase, reference], logs)
    try:
        wait_until_up(f"http://127.0.0.1:{carebase_port}/healthz", carebase, logs[0])
        wait_until_up(f"http://127.0.0.1:{reference_port}/health", reference, logs[1])
    except BaseException:
        servers.stop()
        raise
    return servers


# --- the practice: what the cases ask for


@dataclass
class Practice:
    organization: uuid.UUID
    busy_provider: uuid.UUID
    providers: list[uuid.UUID]
    short_type: uuid.UUID
    short_minutes: int
    conversation: uuid.UUID
    clients: list[uuid.UUID]


async def read_practice(url: str) -> Practice:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            org = (await conn.execute(select(Organization.id))).scalar_one()
            owner = (
                await conn.execute(select(Account.id).where(Account.email == OWNER_EMAIL))
            ).scalar_one()
            providers = (
                await conn.execute(
                    select(Account.id, Account.email).where(Account.role == Role.PROVIDER)
                )
            ).all()
            by_email = {email: key for key, email in providers}
            short = (
                await conn.execute(
                    select(AppointmentType.id, AppointmentType.duration_minutes).where(
                        AppointmentType.name == "Short session"
                    )
                )
            ).one()
            conversation = (
                await conn.execute(
                    select(ConversationParticipant.conversation_id).where(
                        ConversationParticipant.account_id == owner
                    )
                )
            ).scalar_one()
            # clients done with intake: booking for them is never held by the gate
            clients = (
                await conn.execute(
                    select(FormRequest.client_id)
                    .where(FormRequest.status == FormRequestStatus.COMPLETED)
                    .distinct()
                    .limit(200)
                )
            ).scalars()
            busy = by_email["provider0@demo.carebase.local"]
            return Practice(
                organization=org,
                busy_provider=busy,
                providers=sorted(by_email.values()),
                short_type=short[0],
                short_minutes=short[1],
                conversation=conversation,
                clients=sorted(clients),
            )
    finally:
        await engine.dispose()


def free_slots(practice: Practice) -> Iterator[tuple[uuid.UUID, datetime]]:
    """(provider, start) on a 30-minute grid after the seeded appointments end (day 65) and
    before the 90-day horizon: free for both sides to book, each taken once."""
    zone = ZoneInfo(TIMEZONE)
    today = datetime.now(UTC).astimezone(zone).date()
    for day_offset in range(FUTURE_DAYS + 2, 88):
        day = today + timedelta(days=day_offset)
        if day.isoweekday() > 5:
            continue
        for minute in range(OPENS * 60, CLOSES * 60, practice.short_minutes):
            for provider in practice.providers:
                local = datetime(day.year, day.month, day.day, tzinfo=zone)
                yield provider, (local + timedelta(minutes=minute)).astimezone(UTC)


# --- the cases


@dataclass
class Case:
    name: str
    carebase: Callable[[], bytes]
    reference: Callable[[], bytes]
    check: Check = answered
    # the equality check compares ids too, except where each side makes its own (a booking)
    compare_ids: bool = True


def graphql_body(query: str, variables: dict[str, Any]) -> bytes:
    return json.dumps({"query": query, "variables": variables}).encode()


def build_cases(practice: Practice, token: str) -> list[Case]:
    def fixed(method: str, path: str, body: bytes = b"", auth: bool = False) -> Callable[[], bytes]:
        raw = raw_request(method, path, body, token if auth else None)
        return lambda: raw

    def gql(query: str, variables: dict[str, Any]) -> Callable[[], bytes]:
        return fixed("POST", "/graphql", graphql_body(query, variables), auth=True)

    start = (datetime.now(UTC) + timedelta(hours=3)).replace(minute=0, second=0, microsecond=0)
    end = start + timedelta(days=30)
    slots_path = (
        f"/slots?provider={practice.busy_provider}&type={practice.short_type}"
        f"&from={start.isoformat().replace('+', '%2B')}&to={end.isoformat().replace('+', '%2B')}"
    )
    slots = free_slots(practice)
    clients = practice.clients

    def next_booking(n: list[int] = [0]) -> tuple[uuid.UUID, uuid.UUID, datetime]:  # noqa: B006
        provider, at = next(slots)
        n[0] += 1
        return clients[n[0] % len(clients)], provider, at

    def book_carebase() -> bytes:
        client, provider, at = next_booking()
        variables = {
            "input": {
                "clientId": gid("Client", client),
                "providerId": gid("Member", provider),
                "appointmentTypeId": gid("AppointmentType", practice.short_type),
                "startsAt": at.isoformat(),
            }
        }
        return raw_request("POST", "/graphql", graphql_body(BOOK, variables), token)

    def book_reference() -> bytes:
        client, provider, at = next_booking()
        body = {
            "client": str(client),
            "provider": str(provider),
            "type": str(practice.short_type),
            "startsAt": at.isoformat(),
            "minutes": practice.short_minutes,
        }
        return raw_request("POST", "/book", json.dumps(body).encode())

    return [
        Case(
            "appointments 10",
            gql(APPOINTMENTS, {"first": 10}),
            fixed("GET", "/appointments?first=10"),
        ),
        Case(
            "appointments 100",
            gql(APPOINTMENTS, {"first": 100}),
            fixed("GET", "/appointments?first=100"),
        ),
        Case("clients 100", gql(CLIENTS, {"first": 100}), fixed("GET", "/clients?first=100")),
        Case(
            "availableSlots 30 d",
            gql(
                SLOTS,
                {
                    "providerId": gid("Member", practice.busy_provider),
                    "typeId": gid("AppointmentType", practice.short_type),
                    "from": start.isoformat(),
                    "to": end.isoformat(),
                },
            ),
            fixed("GET", slots_path),
        ),
        Case(
            "formRequests 100",
            gql(FORM_REQUESTS, {"first": 100}),
            fixed("GET", "/form-requests?first=100"),
        ),
        Case(
            "messages 100",
            gql(MESSAGES, {"id": gid("Conversation", practice.conversation), "first": 100}),
            fixed("GET", f"/messages?conversation={practice.conversation}&first=100"),
        ),
        Case("bookAppointment", book_carebase, book_reference, check=booked, compare_ids=False),
    ]


# --- equality


async def one(port: int, raw: bytes) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(raw)
        return await read_response(reader)
    finally:
        writer.close()


def normalised(body: bytes, *, ids: bool) -> str:
    data = json.loads(body).get("data")

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if ids or k != "id"}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return json.dumps(strip(data), sort_keys=True, separators=(",", ":"))


async def check_same(case: Case, servers: Servers) -> int:
    """Both sides' answers, byte-equal once normalised; returns the answer's size."""
    status_a, a = await one(servers.carebase, case.carebase())
    status_b, b = await one(servers.reference, case.reference())
    if status_a != 200 or status_b != 200:
        sys.exit(
            f"bench: {case.name}: HTTP {status_a} from Carebase, {status_b} from the reference"
            f"\n  carebase: {a[:500]!r}\n  reference: {b[:500]!r}\n{servers.log_tails()}"
        )
    left, right = normalised(a, ids=case.compare_ids), normalised(b, ids=case.compare_ids)
    if left != right or not case.check(status_a, a):
        at = next((i for i, (x, y) in enumerate(zip(left, right, strict=False)) if x != y), 0)
        sys.exit(
            f"bench: {case.name}: Carebase and the reference answer differently "
            f"({status_a}/{status_b}) near byte {at}:\n  carebase:  {left[at - 80 : at + 200]}"
            f"\n  reference: {right[at - 80 : at + 200]}\n  (carebase said {a[:300]!r})"
        )
    return len(left)


# --- racing bookings


async def race(servers: Servers, practice: Practice, token: str) -> tuple[float, int, int]:
    """20 bookings of one slot at once: seconds until all answered, winners, SLOT_UNAVAILABLE."""
    # a slot the throughput runs leave alone: theirs end the day before
    provider, at = practice.providers[0], _last_weekday_slot(practice)
    variables = {
        "input": {
            "clientId": gid("Client", practice.clients[0]),
            "providerId": gid("Member", provider),
            "appointmentTypeId": gid("AppointmentType", practice.short_type),
            "startsAt": at.isoformat(),
        }
    }
    raw = raw_request("POST", "/graphql", graphql_body(BOOK, variables), token)
    started = time.perf_counter()
    answers = await asyncio.gather(*(one(servers.carebase, raw) for _ in range(20)))
    seconds = time.perf_counter() - started
    wins = taken = 0
    for _, body in answers:
        payload = json.loads(body).get("data", {}).get("bookAppointment") or {}
        if payload.get("appointment"):
            wins += 1
        elif [e.get("code") for e in payload.get("userErrors", [])] == ["SLOT_UNAVAILABLE"]:
            taken += 1
    return seconds, wins, taken


def _last_weekday_slot(practice: Practice) -> datetime:
    """The last 30 minutes of the last weekday within the horizon (day 88 at most)."""
    zone = ZoneInfo(TIMEZONE)
    day = datetime.now(UTC).astimezone(zone).date() + timedelta(days=88)
    while day.isoweekday() > 5:
        day -= timedelta(days=1)
    closes = datetime(day.year, day.month, day.day, CLOSES, tzinfo=zone)
    return (closes - timedelta(minutes=practice.short_minutes)).astimezone(UTC)


# --- one run on one database


@dataclass
class Result:
    case: str
    carebase: Sample
    reference: Sample

    @property
    def ratio(self) -> float:
        return self.carebase.rps / self.reference.rps if self.reference.rps else float("nan")


async def measure(
    cases: list[Case], servers: Servers, *, seconds: float, rounds: int, warmup: float
) -> list[Result]:
    results = []
    for case in cases:
        await check_same(case, servers)
        sides = (servers.carebase, case.carebase), (servers.reference, case.reference)
        for port, make in sides:  # warm-up, not counted (--quick checks it works, no more)
            if warmup:
                await drive(port, make, case.check, warmup, Sample())
        a, b = Sample(), Sample()
        for _ in range(rounds):
            await drive(servers.carebase, case.carebase, case.check, seconds, a)
            await drive(servers.reference, case.reference, case.check, seconds, b)
        results.append(Result(case.name, a, b))
        print(f"  {case.name}: {a.rps:.0f} vs {b.rps:.0f} requests/s", flush=True)
    return results


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def report(title: str, results: list[Result], race_result: tuple[float, int, int]) -> list[str]:
    lines = [
        title,
        f"{'case':<20} {'carebase rps':>12} {'p50 ms':>8} {'p99 ms':>8} │"
        f" {'bare rps':>9} {'p50 ms':>8} {'p99 ms':>8} │ {'ratio':>6} {'p99 ×':>6}",
    ]
    for r in results:
        a, b = r.carebase, r.reference
        failed = f"  ({a.failures}/{b.failures} failed)" if a.failures or b.failures else ""
        p99 = a.percentile(0.99) / b.percentile(0.99)
        lines.append(
            f"{r.case:<20} {a.rps:>12.0f} {ms(a.percentile(0.5)):>8} {ms(a.percentile(0.99)):>8} │"
            f" {b.rps:>9.0f} {ms(b.percentile(0.5)):>8} {ms(b.percentile(0.99)):>8} │"
            f" {r.ratio:>5.2f}× {p99:>5.1f}×{failed}"
        )
    by = {r.case: r for r in results}
    small, large = by["appointments 10"], by["appointments 100"]
    grow_a = small.carebase.rps / large.carebase.rps
    grow_b = small.reference.rps / large.reference.rps
    lines.append(
        f"cost per request, appointments 100 vs 10: carebase {grow_a:.2f}×, bare {grow_b:.2f}×"
        f" (server time per request: {1000 / small.carebase.rps:.2f} → "
        f"{1000 / large.carebase.rps:.2f} ms vs {1000 / small.reference.rps:.2f} → "
        f"{1000 / large.reference.rps:.2f} ms)"
    )
    seconds, wins, taken = race_result
    slots = by["availableSlots 30 d"]
    targets = [
        ("appointments 100 ≥ 0.5× the reference", large.ratio >= 0.5, f"{large.ratio:.2f}×"),
        ("appointments 10 ≥ 0.3× the reference", small.ratio >= 0.3, f"{small.ratio:.2f}×"),
        *(
            (
                f"{r.case} p99 ≤ 2× the reference's",
                r.carebase.percentile(0.99) <= 2 * r.reference.percentile(0.99),
                f"{r.carebase.percentile(0.99) / r.reference.percentile(0.99):.1f}×",
            )
            for r in (small, large)
        ),
        (
            "availableSlots ≤ 3× its bare SQL",
            slots.reference.rps <= 3 * slots.carebase.rps,
            f"{slots.reference.rps / slots.carebase.rps:.1f}×",
        ),
        (
            "20 racing bookings settled (1 wins, 19 SLOT_UNAVAILABLE) in < 1 s",
            wins == 1 and taken == 19 and seconds < 1,
            f"{wins} won, {taken} SLOT_UNAVAILABLE in {seconds:.2f} s",
        ),
    ]
    lines.append("targets (issue #15):")
    for label, met, value in targets:
        lines.append(f"  {'met    ' if met else 'NOT MET'}  {label}: {value}")
    return lines


def seed(env: dict[str, str], workdir: Path, scale: float | None) -> None:
    command = [str(BIN / "carebase"), "seed", "--size", "large"]
    if scale is not None:
        command += ["--scale", str(scale)]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"bench: the seed failed:\n{done.stderr[-3000:]}")
    print(f"  seeded in {time.perf_counter() - started:.0f} s", flush=True)


def reset_postgres(url: str) -> None:
    import asyncpg

    dsn = re.sub(r"^postgres(ql)?(\+asyncpg)?://", "postgresql://", url)

    server, _, name = dsn.rpartition("/")

    async def drop() -> None:
        admin = await asyncpg.connect(f"{server}/postgres")
        try:
            if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
                await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
        finally:
            await conn.close()

    asyncio.run(drop())


def login(port: int) -> str:
    response = httpx.post(
        f"http://127.0.0.1:{port}/graphql",
        json={
            "query": "mutation($i: LogInInput!) { logIn(input: $i) { accessToken "
            "userErrors { code } } }",
            "variables": {"i": {"email": OWNER_EMAIL, "password": DEMO_PASSWORD}},
        },
        timeout=60,
    )
    token = response.json()["data"]["logIn"]["accessToken"]
    if not token:
        sys.exit(f"bench: the owner could not sign in: {response.text}")
    return str(token)


def run(database: str, label: str, args: argparse.Namespace, workdir: Path) -> list[str]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CAREBASE_")},
        "CAREBASE_DATABASE_URL": database,
        "CAREBASE_PASSWORD_HASH_COST": "1",  # sign-in is not measured
    }
    print(f"{label}: seeding", flush=True)
    if not database.startswith("sqlite"):
        reset_postgres(database)
        subprocess.run(
            [str(BIN / "carebase"), "migrate"], cwd=workdir, env=env, check=True,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
    seed(env, workdir, QUICK_SCALE if args.quick else args.scale)
    core_url = re.sub(r"^postgres(ql)?(\+asyncpg)?://", "postgresql+asyncpg://", database)
    core_url = core_url.replace("sqlite://", "sqlite+aiosqlite://", 1)
    practice = asyncio.run(read_practice(core_url))
    servers = start_servers(env, workdir, core_url, practice.organization)
    try:
        token = login(servers.carebase)
        cases = build_cases(practice, token)

        async def everything() -> tuple[list[Result], tuple[float, int, int]]:
            results = await measure(
                cases, servers, seconds=args.seconds, rounds=args.rounds, warmup=args.warmup
            )
            return results, await race(servers, practice, token)

        results, race_result = asyncio.run(everything())
    finally:
        servers.stop()
    rounds = f"{args.rounds} × {args.seconds:g} s per side"
    title = f"{label}: concurrency {CONCURRENCY}, alternating rounds ({rounds})"
    return report(title, results, race_result)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny data, ~1 s per case (CI)")
    parser.add_argument("--seconds", type=float, default=5.0, help="per side per round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds per side, uncounted")
    parser.add_argument("--scale", type=float, default=None, help="seed a scaled practice")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.rounds, args.warmup = 0.4, 1, 0.0
    with tempfile.TemporaryDirectory(prefix="carebase-bench-") as tmp:
        workdir = Path(tmp)
        databases = [(f"sqlite:///{workdir}/bench.sqlite3", "SQLite")]
        postgres = os.environ.get("CAREBASE_BENCH_POSTGRES_URL")
        if postgres:
            databases.append((postgres, "PostgreSQL"))
        for url, label in databases:
            # each table as soon as it is measured: a later failure does not lose it
            print("\n" + "\n".join(run(url, label, args, workdir)) + "\n", flush=True)


if __name__ == "__main__":
    main()
