# ruff: noqa: ASYNC221
"""Soak: the many-machines shape on one machine, held under mixed load and faults.

Starts a throwaway PostgreSQL and Redis on loopback, migrates, runs 2 `carebase serve`
(clients alternate between them), 2 `carebase worker`, 2 `carebase scheduler`, localstripe,
an SMTP sink and a webhook receiver that fails a share of its requests with 503; drives
bookings racing for the same slots, reschedules racing them, cancels, appointments marked
OCCURRED by racing requests (each owes one autocharge), one-time charges retried under one
idempotency key, reminders falling due (lead times of 1 to 5 minutes), chat messages with
live subscribers on both web processes (reconnecting with `after:`) and webhook deliveries;
meanwhile it SIGKILLs a worker while it holds a delivery in flight and restarts it, restarts
a web process and restarts Redis. Then it waits for the work to drain, prints the load it
held and the invariants (each must be 0), and exits 1 when one is broken.

    .venv/bin/python bench/soak.py --minutes 5      # fractions too: --minutes 0.5
    CAREBASE_SOAK_KEEP=1 ...                         # keep the temp dir with every log
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.soak_invariants import WEBHOOK_EVENTS, Tracked, check, open_work  # noqa: E402
from bench.soak_receiver import Receiver, holds_connection  # noqa: E402
from tests.conftest import Practice, sign_up, unique_email  # noqa: E402
from tests.fixtures.billing import attach_card, new_client  # noqa: E402
from tests.fixtures.factories import key_of  # noqa: E402
from tests.fixtures.graphql import GraphQLClient, documents  # noqa: E402
from tests.fixtures.live import socket  # noqa: E402
from tests.fixtures.scheduling import (  # noqa: E402
    booking_setup,
    local,
    make_client_login,
    make_type,
    next_weekday,
)
from tests.fixtures.smtp import free_port, start_smtp  # noqa: E402
from tests.fixtures.stripe_server import localstripe  # noqa: E402

CAREBASE = str(Path(sys.executable).parent / "carebase")


def as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


class Services:
    def __init__(self, work: Path) -> None:
        self.work = work
        self.pg_port = free_port()
        self.redis_port = free_port()
        self.pgbin = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
        self.redis: subprocess.Popen[bytes] | None = None

    def start_postgres(self) -> str:
        data = self.work / "pg"
        data.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.work, "postgres")
            shutil.chown(data, "postgres")
        subprocess.run(
            as_postgres(
                [str(self.pgbin / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        options = f"-F -h 127.0.0.1 -p {self.pg_port} -k {data} -c max_connections=300"
        subprocess.run(
            as_postgres(
                [
                    str(self.pgbin / "pg_ctl"),
                    "-D",
                    str(data),
                    "-l",
                    str(data / "log"),
                    "-w",
                    "-o",
                    options,
                    "start",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        subprocess.run(
            as_postgres(
                [
                    str(self.pgbin / "psql"),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(self.pg_port),
                    "-U",
                    "postgres",
                    "-qc",
                    "CREATE DATABASE soak",
                ]
            ),
            check=True,
        )
        return f"postgresql://postgres@127.0.0.1:{self.pg_port}/soak"

    def start_redis(self) -> str:
        self.redis = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                import socket as s

                with s.create_connection(("127.0.0.1", self.redis_port), timeout=0.5):
                    return f"redis://127.0.0.1:{self.redis_port}/0"
            time.sleep(0.05)
        raise RuntimeError("redis did not start")

    def stop(self) -> None:
        if self.redis:
            self.redis.terminate()
            self.redis.wait(10)
        data = self.work / "pg"
        if data.exists():
            subprocess.run(
                as_postgres(
                    [str(self.pgbin / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]
                ),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )


class Fleet:
    """The carebase processes, each restartable."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = env
        self.logs = logs
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.args: dict[str, list[str]] = {}

    def start(self, name: str, *args: str) -> None:
        self.args[name] = list(args)
        out = (self.logs / f"{name}.log").open("ab")
        self.procs[name] = subprocess.Popen(
            [CAREBASE, *args], env=self.env, stdout=out, stderr=subprocess.STDOUT
        )

    def restart(self, name: str, sig: int = signal.SIGTERM) -> None:
        proc = self.procs[name]
        proc.send_signal(sig)
        proc.wait(60)
        self.start(name, *self.args[name])

    def stop(self) -> None:
        for proc in self.procs.values():
            proc.terminate()
        for proc in self.procs.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(40)


async def ready(address: str, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as http:
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if (await http.get(f"http://{address}/readyz", timeout=2)).status_code == 200:
                    return
            await asyncio.sleep(0.2)
    raise RuntimeError(f"{address} did not become ready")


class Stats:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.errors: Counter[str] = Counter()
        self.outcomes: Counter[str] = Counter()


class Alternating:
    """GraphQL clients that alternate between the web processes, trying the other on a
    connection error (a web process restarting)."""

    def __init__(self, addresses: list[str], stats: Stats) -> None:
        self.apis = [
            GraphQLClient(httpx.AsyncClient(base_url=f"http://{a}", timeout=30)) for a in addresses
        ]
        self.stats = stats
        self.turn = 0

    async def op(self, name: str, variables: dict[str, Any], token: str) -> dict[str, Any] | None:
        for _attempt in range(len(self.apis) * 3):
            api = self.apis[self.turn % len(self.apis)]
            self.turn += 1
            started = time.perf_counter()
            try:
                response = await api.http.post(
                    "/graphql",
                    json={"query": documents()[name], "variables": variables},
                    headers={"Authorization": f"Bearer {token}"},
                )
            except httpx.HTTPError as exc:
                self.stats.errors[f"transport:{type(exc).__name__}"] += 1
                await asyncio.sleep(0.2)
                continue
            if response.status_code != 200:
                # counted by kind, not fatal to the run: a 503 while a web process drains is
                # expected; a 500 is an unexpected error, shown in the printout
                self.stats.errors[f"http:{response.status_code}"] += 1
                return None
            result: dict[str, Any] = response.json()
            self.stats.latencies.append(time.perf_counter() - started)
            if result.get("errors"):
                self.stats.errors[
                    f"graphql:{result['errors'][0].get('extensions', {}).get('code')}"
                ] += 1
                return None
            return result["data"]  # type: ignore[no-any-return]
        return None

    async def close(self) -> None:
        for api in self.apis:
            await api.http.aclose()


def slot_start(slot: int) -> str:
    """A weekday hour in the provider's hours, a few days on; every slot a different one."""
    day, hour = 1 + slot // 8 % 5, 9 + slot % 8
    return local(next_weekday(day, at_least_days=3 + 7 * (slot // 40)), hour)


async def booking_load(
    alt: Alternating, b: Any, tokens: list[str], stop: asyncio.Event
) -> list[str]:
    """Every client books the same slot at once; meanwhile the practice sometimes moves one
    of the winners onto that very slot (a reschedule racing the bookings) or cancels one."""
    booked: list[str] = []
    slot = 0
    while not stop.is_set():
        starts = slot_start(slot)
        slot += 1
        moving = random.choice(booked) if booked and random.random() < 0.3 else None
        racers = [
            alt.op(
                "BookAppointment",
                {
                    "input": {
                        "appointmentTypeId": b.type_id,
                        "providerId": b.provider_id,
                        "startsAt": starts,
                    }
                },
                t,
            )
            for t in tokens
        ]
        if moving:
            racers.append(
                alt.op(
                    "RescheduleAppointment",
                    {"input": {"id": moving, "startsAt": starts}},
                    b.practice.owner_token,
                )
            )
        answers = await asyncio.gather(*racers)
        for answer in answers:
            if answer is None:
                continue
            name, payload = next(iter(answer.items()))
            verb = "book" if name == "bookAppointment" else "reschedule"
            if payload["userErrors"]:
                alt.stats.outcomes[f"{verb}:{payload['userErrors'][0]['code']}"] += 1
            else:
                alt.stats.outcomes[f"{verb}:ok"] += 1
                if verb == "book":
                    booked.append(payload["appointment"]["id"])
        if booked and random.random() < 0.2:
            chosen = booked.pop(random.randrange(len(booked)))
            answer = await alt.op(
                "CancelAppointment", {"input": {"id": chosen}}, b.practice.owner_token
            )
            if answer and not answer["cancelAppointment"]["userErrors"]:
                alt.stats.outcomes["cancel:ok"] += 1
    return booked


async def autocharge_load(
    alt: Alternating, b: Any, ac: dict[str, str], tracked: Tracked, stop: asyncio.Event
) -> None:
    """Appointments that happened, marked OCCURRED by three racing requests; some corrected
    to NO_SHOW at once (a correction moves no money, so those owe no autocharge)."""
    n = 0
    while not stop.is_set():
        n += 1
        began = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(days=2, hours=n)
        answer = await alt.op(
            "BookAppointment",
            {
                "input": {
                    "appointmentTypeId": ac["type_id"],
                    "providerId": b.provider_id,
                    "startsAt": began.isoformat(),
                    "clientId": ac["client_id"],
                    "overrideAvailability": True,
                }
            },
            b.practice.owner_token,
        )
        if not answer or answer["bookAppointment"]["userErrors"]:
            alt.stats.outcomes["autocharge:book refused"] += 1
            continue
        appointment = answer["bookAppointment"]["appointment"]["id"]
        marks = await asyncio.gather(
            *(
                alt.op(
                    "SetAppointmentStatus",
                    {"input": {"id": appointment, "status": "OCCURRED"}},
                    b.practice.owner_token,
                )
                for _ in range(3)
            )
        )
        won = sum(1 for m in marks if m and not m["setAppointmentStatus"]["userErrors"])
        alt.stats.outcomes[f"occurred:{won} of 3 racing marks won"] += 1
        if won != 1:
            continue
        if random.random() < 0.15:
            await alt.op(
                "SetAppointmentStatus",
                {"input": {"id": appointment, "status": "NO_SHOW"}},
                b.practice.owner_token,
            )
            alt.stats.outcomes["occurred:corrected to NO_SHOW"] += 1
        else:
            tracked.occurred.append(key_of(appointment))
        await asyncio.sleep(0.2)


async def charge_load(
    alt: Alternating, b: Any, ac: dict[str, str], tracked: Tracked, stop: asyncio.Event
) -> None:
    """One-time charges, each sent three times at once under one idempotency key (a client
    retrying on both web processes) and once more a moment later."""
    n = 0
    while not stop.is_set():
        n += 1
        key = f"soak-charge-{n}-{random.getrandbits(32):08x}"
        variables = {
            "input": {"clientId": ac["client_id"], "amountCents": 1000 + n, "idempotencyKey": key}
        }
        ids = tracked.charges.setdefault(key, set())

        async def send(variables: dict[str, Any] = variables, ids: set[str] = ids) -> None:
            answer = await alt.op("ChargeClient", variables, b.practice.owner_token)
            if answer is None:
                return
            payload = answer["chargeClient"]
            if payload["payment"]:
                ids.add(key_of(payload["payment"]["id"]).hex)
            for e in payload["userErrors"]:
                alt.stats.outcomes[f"charge:{e['code']}"] += 1

        await asyncio.gather(*(send() for _ in range(3)))
        await asyncio.sleep(0.3)
        await send()
        if not ids:
            del tracked.charges[key]  # every answer was lost or refused: nothing to check
        await asyncio.sleep(0.2)


async def reminder_setup(
    api: GraphQLClient, minutes: float, tracked: Tracked, practices: int = 4
) -> None:
    """Practices whose reminders go 1 to 5 minutes before 5-minute appointments that start
    soon, each with a client of its own: some of their reminders fall due during the run."""
    first = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=2)
    slots = int(minutes // 5) + 2
    for p in range(practices):
        practice = await sign_up(api, f"Reminder Practice {p}")
        owner = practice.owner_token
        settings = await api.op(
            "UpdateAppointmentAlertSettings",
            {"input": {"reminderOffsetsMinutes": [1, 2, 3, 4, 5], "reminderChannels": ["EMAIL"]}},
            token=owner,
        )
        assert not settings["updateAppointmentAlertSettings"]["userErrors"], settings
        type_id = await make_type(
            api, practice, name="Check-in", durationMinutes=5, contactType="IN_PERSON"
        )
        for j in range(slots):
            email = unique_email("reminded")
            client = await api.op(
                "CreateClient",
                {"input": {"name": f"Reminded {p}-{j}", "email": email}},
                token=owner,
            )
            starts = first + timedelta(minutes=5 * j + p)
            booked = await api.op(
                "BookAppointment",
                {
                    "input": {
                        "appointmentTypeId": type_id,
                        "providerId": practice.owner["id"],
                        "startsAt": starts.isoformat(),
                        "clientId": client["createClient"]["client"]["id"],
                        "overrideAvailability": True,
                    }
                },
                token=owner,
            )
            assert not booked["bookAppointment"]["userErrors"], booked
            tracked.reminded[key_of(booked["bookAppointment"]["appointment"]["id"])] = email


async def webhook_setup(api: GraphQLClient, b: Any, receiver: Receiver, tracked: Tracked) -> None:
    url = await receiver.start(free_port())
    made = await api.op(
        "CreateWebhookEndpoint",
        {"input": {"url": url, "events": WEBHOOK_EVENTS, "description": "soak receiver"}},
        token=b.practice.owner_token,
    )
    payload = made["createWebhookEndpoint"]
    assert not payload["userErrors"], payload
    receiver.secret = payload["secret"]
    tracked.endpoint_id = key_of(payload["webhookEndpoint"]["id"])


async def kill_mid_job(fleet: Fleet, name: str, receiver: Receiver, timeout: float = 30) -> str:
    """SIGKILL the worker while it holds a webhook delivery in flight (the receiver is
    holding that request), then start it again."""
    pid = fleet.procs[name].pid
    deadline = time.monotonic() + timeout
    caught = False
    while time.monotonic() < deadline and not caught:
        caught = bool(receiver.held) and holds_connection(pid, set(receiver.held))
        if not caught:
            await asyncio.sleep(0.02)
    fleet.restart(name, signal.SIGKILL)
    return "with a webhook delivery in flight" if caught else "(no delivery seen in flight)"


async def subscriber(
    address: str,
    token: str,
    conversation_id: str,
    got: list[str],
    stop: asyncio.Event,
    stats: Stats,
) -> None:
    """Listens on one web process; when the socket closes it reconnects with `after:`."""
    while not stop.is_set():
        try:
            async with socket(address) as ws:
                await ws.init(token)
                variables: dict[str, Any] = {"conversationId": conversation_id}
                if got:
                    variables["after"] = got[-1]
                await ws.subscribe(documents()["MessageReceivedAfter"], variables)
                while not stop.is_set():
                    with contextlib.suppress(TimeoutError):
                        event = await ws.receive(timeout=0.5)
                        if event["type"] == "next" and event["payload"].get("data"):
                            message = event["payload"]["data"]["messageReceived"]
                            if message["id"] in got:
                                stats.errors["message:duplicate"] += 1
                            else:
                                got.append(message["id"])
                        elif event["type"] != "next":
                            break
        except Exception as exc:  # a restarting web process: reconnect
            stats.outcomes[f"subscriber:reconnect:{type(exc).__name__}"] += 1
            await asyncio.sleep(0.3)


async def chat_load(
    alt: Alternating, practice: Practice, conversation_id: str, stop: asyncio.Event
) -> list[str]:
    sent: list[str] = []
    n = 0
    while not stop.is_set():
        n += 1
        answer = await alt.op(
            "SendMessage",
            {"input": {"conversationId": conversation_id, "body": f"soak message {n}"}},
            practice.owner_token,
        )
        if answer and not answer["sendMessage"]["userErrors"]:
            sent.append(answer["sendMessage"]["message"]["id"])
        await asyncio.sleep(0.05)
    return sent


STRIPE_KEY = "sk_test_soak"


async def drain(
    database_url: str,
    receiver: Receiver,
    tracked: Tracked,
    sent: list[str],
    received: list[list[str]],
    reminder_cutoff: datetime,
    timeout: float,
) -> dict[str, int]:
    """Wait (bounded) until the system has nothing left to do: every email sent, charge
    settled, reminder due sent, webhook delivered and message caught up. A worker killed
    mid-delivery holds its delivery until the lease ends (the timeout plus a minute), so the
    deadline is longer than that. What is still open at the deadline is stuck."""
    import asyncpg

    deadline = time.monotonic() + timeout
    conn = await asyncpg.connect(database_url)
    try:
        while True:
            still = await open_work(conn, reminder_cutoff)
            still["messages not caught up"] = sum(len(set(sent) - set(r)) for r in received)
            if not any(still.values()) or time.monotonic() > deadline:
                return still
            await asyncio.sleep(0.5)
    finally:
        await conn.close()


async def main(minutes: float) -> int:
    work = Path(tempfile.mkdtemp(prefix="carebase-soak-"))
    os.chmod(work, 0o755)
    services = Services(work)
    fleet: Fleet | None = None
    controller, inbox = start_smtp()
    stats = Stats()
    receiver = Receiver()
    tracked = Tracked()
    try:
        with localstripe() as stripe_base:
            database_url = services.start_postgres()
            redis_url = services.start_redis()
            env = {k: v for k, v in os.environ.items() if not k.startswith("CAREBASE_")}
            env.update(
                CAREBASE_DATABASE_URL=database_url,
                CAREBASE_BROKER_URL=redis_url,
                CAREBASE_SECRET_KEY="soak-" + "s" * 40,
                CAREBASE_PASSWORD_HASH_COST="1",
                CAREBASE_SMTP_URL=f"smtp://127.0.0.1:{inbox.port}",
                CAREBASE_STRIPE_SECRET_KEY=STRIPE_KEY,
                CAREBASE_STRIPE_API_BASE=stripe_base,
                CAREBASE_SCHEDULER_INTERVAL_SECONDS="1",
                CAREBASE_BROKER_HEARTBEAT_TIMEOUT_SECONDS="5",
                CAREBASE_SHUTDOWN_GRACE_SECONDS="10",
                CAREBASE_DATABASE_POOL_SIZE="5",
                CAREBASE_LOGIN_MAX_PER_ADDRESS="100000",
                CAREBASE_LOGIN_MAX_FAILURES="100000",
                # a failed webhook attempt is retried within seconds, not minutes
                CAREBASE_WEBHOOK_TIMEOUT_SECONDS="5",
                CAREBASE_WEBHOOK_RETRY_BASE_SECONDS="0.5",
                CAREBASE_WEBHOOK_RETRY_MAX_DELAY_SECONDS="4",
            )
            subprocess.run([CAREBASE, "migrate"], env=env, check=True, stdout=subprocess.DEVNULL)
            fleet = Fleet(env, work)
            ports = [free_port(), free_port()]
            addresses = [f"127.0.0.1:{p}" for p in ports]
            for i, port in enumerate(ports, 1):
                fleet.start(f"web{i}", "serve", "--port", str(port))
            for i in (1, 2):
                fleet.start(f"worker{i}", "worker", "--threads", "4")
                fleet.start(f"scheduler{i}", "scheduler")
            for address in addresses:
                await ready(address)
            alt = Alternating(addresses, stats)
            api = alt.apis[0]
            b = await booking_setup(api, inbox)
            tracked.organization_id = key_of(b.practice.id)
            await webhook_setup(api, b, receiver, tracked)
            tokens = [b.client_token]
            for n in range(7):
                tokens.append(
                    (await make_client_login(alt.apis[n % 2], b.practice, inbox, f"Racer {n}"))[2]
                )
            payer = await new_client(api, b.practice, "Soak Payer")
            await attach_card(api, b.practice.owner_token, payer)
            ac = {
                "client_id": payer,
                "type_id": await make_type(
                    api,
                    b.practice,
                    name="Autocharged",
                    durationMinutes=30,
                    priceCents=9000,
                    autochargeWhenOccurred=True,
                ),
            }
            await reminder_setup(api, minutes, tracked)
            started = await alt.op(
                "StartConversation", {"input": {"clientId": b.client_id}}, b.practice.owner_token
            )
            assert started
            conversation_id = started["startConversation"]["conversation"]["id"]
            # the last message each subscriber has seen, as a client reading the conversation
            # before it subscribes: what it reconnects `after:`
            anchor = await alt.op(
                "SendMessage",
                {"input": {"conversationId": conversation_id, "body": "soak begins"}},
                b.practice.owner_token,
            )
            assert anchor
            seen_first = anchor["sendMessage"]["message"]["id"]
            stop = asyncio.Event()
            # the subscribers outlive the load: they reconnect and catch up while it drains
            listening = asyncio.Event()
            received: list[list[str]] = [[seen_first], [seen_first]]
            subscribers = [
                asyncio.create_task(
                    subscriber(a, b.client_token, conversation_id, got, listening, stats)
                )
                for a, got in zip(addresses, received, strict=True)
            ]
            await asyncio.sleep(1)
            booking = asyncio.create_task(booking_load(alt, b, tokens, stop))
            chat = asyncio.create_task(chat_load(alt, b.practice, conversation_id, stop))
            money = [
                asyncio.create_task(autocharge_load(alt, b, ac, tracked, stop)),
                asyncio.create_task(charge_load(alt, b, ac, tracked, stop)),
            ]
            clients = len(tokens) + 1 + 1 + len(subscribers) + 3 + 3
            total = minutes * 60
            began = time.monotonic()

            async def at(fraction: float) -> None:
                await asyncio.sleep(max(began + total * fraction - time.monotonic(), 0))

            await at(0.25)
            how = await kill_mid_job(fleet, "worker1", receiver, timeout=max(total * 0.2, 45))
            print(f"fault: SIGKILL worker1 {how}, and start it again", flush=True)
            await at(0.5)
            print("fault: restart web1 (SIGTERM, drain, start)", flush=True)
            fleet.restart("web1")
            await ready(addresses[0])
            await at(0.7)
            print("fault: restart Redis", flush=True)
            assert services.redis
            services.redis.terminate()
            services.redis.wait(10)
            services.start_redis()
            await at(1.0)
            stop.set()
            booked = await booking
            sent = await chat
            await asyncio.gather(*money)
            served = len(stats.latencies)
            # reminders due by now have been sent by the time the checks run
            reminder_cutoff = datetime.now(UTC) - timedelta(seconds=10)
            stuck = await drain(
                database_url, receiver, tracked, sent, received, reminder_cutoff, timeout=150
            )
            listening.set()
            for task in subscribers:
                task.cancel()
            await asyncio.gather(*subscribers, return_exceptions=True)
            await alt.close()
            import asyncpg

            conn = await asyncpg.connect(database_url)
            try:
                found, seen = await check(
                    conn,
                    stripe_base=stripe_base,
                    stripe_key=STRIPE_KEY,
                    inbox=inbox,
                    receiver=receiver,
                    tracked=tracked,
                    reminder_cutoff=reminder_cutoff,
                )
            finally:
                await conn.close()
            found["messages lost for a connected subscriber"] = sum(
                len(set(sent) - set(r)) for r in received
            )
            found["messages delivered twice"] = stats.errors.pop("message:duplicate", 0)
            for name, count in stuck.items():
                found[f"jobs stuck: {name}"] = count
            latencies = sorted(stats.latencies) or [0.0]
            print(
                f"\nsoak: {minutes:g} min, {clients} concurrent clients, 2 web, 2 workers, "
                "2 schedulers, PostgreSQL, Redis, localstripe, SMTP sink, webhook receiver"
            )
            print(
                f"requests served: {served} ({served / total:.0f}/s); booked {len(booked)}; "
                f"messages {len(sent)}"
            )
            print(
                f"p50 {latencies[len(latencies) // 2] * 1000:.0f} ms, "
                f"p99 {latencies[int(len(latencies) * 0.99)] * 1000:.0f} ms"
            )
            print("outcomes:", dict(sorted(stats.outcomes.items())))
            print("errors by kind:", dict(stats.errors) or "none")
            seen.update(
                {f"messages received on web{i}": len(r) - 1 for i, r in enumerate(received, 1)}
            )
            print("checked:", seen)
            broken = False
            for name, count in found.items():
                print(f"  {name}: {count}")
                broken = broken or count != 0
            print("INVARIANTS BROKEN" if broken else "every invariant holds")
            return 1 if broken else 0
    finally:
        await receiver.stop()
        if fleet:
            fleet.stop()
        services.stop()
        controller.stop()
        if os.environ.get("CAREBASE_SOAK_KEEP"):
            print(f"kept {work} (logs of every process)")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    sys.exit(asyncio.run(main(parser.parse_args().minutes)))
