"""SIGTERM, as a deploy sends it, to real `carebase serve` and `carebase worker` processes:
in-flight requests finish, WebSockets close with 1012, a worker finishes its current job."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import threading
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller

from carebase import migrate
from carebase.config import Settings
from carebase.db import Database
from carebase.models import Email, EmailStatus
from carebase.resolvers.reactions import build_hooks
from tests.conftest import PASSWORD, unique_email
from tests.fixtures.graphql import documents
from tests.fixtures.live import socket
from tests.fixtures.smtp import free_port
from tests.fixtures.waiting import eventually

CAREBASE = str(Path(sys.executable).parent / "carebase")
TOKEN = "metrics-" + "w" * 32


def env_for(settings: Settings, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAREBASE_")}
    env.update(
        CAREBASE_DATABASE_URL=settings.database_url,
        CAREBASE_SECRET_KEY=settings.secret_key.get_secret_value(),
        CAREBASE_PASSWORD_HASH_COST="1",
        CAREBASE_SHUTDOWN_GRACE_SECONDS="20",
    )
    env.update(extra)
    return env


@asynccontextmanager
async def process(
    args: list[str], env: dict[str, str], log: Path
) -> AsyncIterator[asyncio.subprocess.Process]:
    with log.open("wb") as out:
        proc = await asyncio.create_subprocess_exec(
            CAREBASE, *args, env=env, stdout=out, stderr=asyncio.subprocess.STDOUT
        )
    try:
        yield proc
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def until_up(url: str, proc: asyncio.subprocess.Process, log: Path, **kw: Any) -> None:
    async def up() -> bool:
        if proc.returncode is not None:
            raise AssertionError(f"exited {proc.returncode}:\n{log.read_text()}")
        try:
            async with httpx.AsyncClient() as http:
                return (await http.get(url, timeout=1, **kw)).status_code == 200
        except httpx.HTTPError:
            return False

    await eventually(up, timeout=90, interval=0.2, message=lambda _: log.read_text())


async def fresh_database(settings: Settings, tmp_path: Path) -> Settings:
    own = settings.replace(database_url=f"sqlite:///{tmp_path / 'own.sqlite3'}")
    await asyncio.to_thread(migrate.upgrade, own)
    return own


async def test_serve_drains_a_request_in_flight_and_closes_sockets_with_1012(
    settings: Settings, tmp_path: Path
) -> None:
    own = await fresh_database(settings, tmp_path)
    port = free_port()
    log = tmp_path / "serve.log"
    async with process(["serve", "--port", str(port)], env_for(own), log) as proc:
        base = f"http://127.0.0.1:{port}"
        await until_up(f"{base}/readyz", proc, log)
        async with httpx.AsyncClient() as http:
            signed_up = await http.post(
                f"{base}/graphql",
                json={
                    "query": documents()["SignUpOrganization"],
                    "variables": {
                        "input": {
                            "organizationName": "Draining",
                            "name": "Dee",
                            "email": unique_email("drain"),
                            "password": PASSWORD,
                            "timezone": "UTC",
                        }
                    },
                },
            )
        token = signed_up.json()["data"]["signUpOrganization"]["accessToken"]
        async with socket(f"127.0.0.1:{port}") as ws:
            assert (await ws.init(token))["type"] == "connection_ack"
            await ws.subscribe(documents()["AppointmentChanged"])
            await ws.nothing_pending()  # the subscription is in place
            # a request whose head is in and whose body is still on its way
            body = b'{"query": "{ __typename }"}'
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(
                b"POST /graphql HTTP/1.1\r\nHost: carebase\r\n"
                b"Content-Type: application/json\r\n"
                b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body[:5]
            )
            await writer.drain()
            async with httpx.AsyncClient() as http:  # a round trip: the head has been read
                assert (await http.get(f"{base}/healthz")).status_code == 200
            proc.send_signal(signal.SIGTERM)
            assert await ws.closed_code() == 1012  # service restart: reconnect elsewhere
            assert proc.returncode is None  # still waiting for the request in flight
            writer.write(body[5:])
            await writer.drain()
            answer = await asyncio.wait_for(reader.read(), 15)
            writer.close()
        assert answer.startswith(b"HTTP/1.1 200"), answer
        assert b'"__typename":"Query"' in answer.replace(b" ", b"")
        # uvicorn re-raises the signal it caught once its shutdown is complete
        assert await asyncio.wait_for(proc.wait(), 30) in (0, -signal.SIGTERM)
        assert "Application shutdown complete" in log.read_text()
    with pytest.raises(httpx.ConnectError):
        async with httpx.AsyncClient() as http:
            await http.get(f"http://127.0.0.1:{port}/healthz")


class HeldSmtp:
    """An SMTP server that holds each message's DATA until released."""

    def __init__(self) -> None:
        self.arrived = threading.Event()
        self.release = threading.Event()
        self.delivered: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.arrived.set()
        await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 30)
        self.delivered.append(envelope.content)
        return "250 OK"


@pytest.fixture
def held_smtp() -> Any:
    held = HeldSmtp()
    port = free_port()
    controller = Controller(held, hostname="127.0.0.1", port=port)
    controller.start()
    held.port = port  # type: ignore[attr-defined]
    try:
        yield held
    finally:
        held.release.set()
        controller.stop()


async def test_a_worker_finishes_its_current_job_on_sigterm(
    settings: Settings, tmp_path: Path, held_smtp: Any
) -> None:
    redis = os.environ.get("CAREBASE_TEST_REDIS_URL")
    if not redis:
        pytest.skip("a worker needs a broker: set CAREBASE_TEST_REDIS_URL")
    own = await fresh_database(settings, tmp_path)
    db = Database(own, hooks=build_hooks())
    email_id = uuid.uuid4()
    try:
        async with db.unit_of_work(write=True) as uow:
            uow.session.add(
                Email(
                    id=email_id,
                    to_address="held@example.test",
                    subject="Held",
                    body="held until released",
                    kind="test",
                )
            )
        metrics_port = free_port()
        env = env_for(
            own,
            CAREBASE_BROKER_URL=redis,
            CAREBASE_SMTP_URL=f"smtp://127.0.0.1:{held_smtp.port}",
            CAREBASE_METRICS_PORT=str(metrics_port),
            CAREBASE_METRICS_TOKEN=TOKEN,
        )
        log = tmp_path / "worker.log"
        async with process(["worker", "--threads", "2"], env, log) as proc:
            metrics_url = f"http://127.0.0.1:{metrics_port}/metrics"
            auth = {"Authorization": f"Bearer {TOKEN}"}
            await until_up(metrics_url, proc, log, headers=auth)
            async with httpx.AsyncClient() as http:
                assert (await http.get(metrics_url)).status_code == 401
                assert "carebase_queue_depth" in (await http.get(metrics_url, headers=auth)).text
            await asyncio.to_thread(_enqueue, redis, "email.send", str(email_id))
            arrived = await asyncio.to_thread(held_smtp.arrived.wait, 30)
            assert arrived, log.read_text()
            proc.send_signal(signal.SIGTERM)
            await eventually(lambda: "finishing current jobs" in log.read_text())
            assert proc.returncode is None  # it waits for the job it holds
            held_smtp.release.set()
            assert await asyncio.wait_for(proc.wait(), 30) == 0, log.read_text()
        async with db.unit_of_work() as uow:
            email = await uow.session.get_one(Email, email_id)
            assert email.status is EmailStatus.SENT
        assert len(held_smtp.delivered) == 1
    finally:
        await db.dispose()


def _enqueue(redis: str, actor: str, *args: str) -> None:
    import dramatiq
    from dramatiq.brokers.redis import RedisBroker

    broker = RedisBroker(url=redis)  # type: ignore[no-untyped-call]
    broker.declare_queue("default")
    broker.enqueue(
        dramatiq.Message(queue_name="default", actor_name=actor, args=args, kwargs={}, options={})
    )
    broker.close()
