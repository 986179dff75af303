from __future__ import annotations

import asyncio
import os
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from carebase import migrate
from carebase.app import create_app
from carebase.clock import SettableClock
from carebase.config import Settings
from tests.fixtures.graphql import GraphQLClient
from tests.fixtures.secrets import EVENT_HOOKS, secret
from tests.fixtures.smtp import Inbox, body_of, start_smtp
from tests.fixtures.stripe_server import localstripe

# every log record of the run is kept and searched for what tests register with `secret`
pytest_plugins = ["tests.fixtures.log_capture"]

PASSWORD = secret("correct horse battery", "password")


def _redis_of_this_worker() -> None:
    """xdist workers share one Redis: each takes its own database number, so one worker's
    `carebase worker` never takes (and drops) another's jobs."""
    url = os.environ.get("CAREBASE_TEST_REDIS_URL")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if url and worker.startswith("gw"):
        base = url.rsplit("/", 1)[0] if url.count("/") > 2 else url
        os.environ["CAREBASE_TEST_REDIS_URL"] = f"{base}/{1 + int(worker[2:])}"


_redis_of_this_worker()


def pytest_report_header() -> str:
    return f"carebase test database: {database_url_for_run('<tmp>')}"


def database_url_for_run(tmp: str) -> str:
    """One database per run, and per xdist worker: PostgreSQL's gets the worker's suffix."""
    url = os.environ.get("CAREBASE_TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp}/carebase-test.sqlite3"
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return f"{url}_{worker}" if worker else url


def reset_database(url: str) -> None:
    """PostgreSQL's database is created if missing, its schema dropped and made anew."""
    if url.startswith("postgres"):
        _create_pg_database(url)
        _drop_pg_schema(url)


def _create_pg_database(url: str) -> None:
    import asyncpg

    dsn = re.sub(r"^postgres(ql)?(\+asyncpg)?://", "postgresql://", url)
    server, _, name = dsn.rpartition("/")

    async def create() -> None:
        conn = await asyncpg.connect(f"{server}/postgres")
        try:
            if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
                await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    asyncio.run(create())


def _drop_pg_schema(url: str) -> None:
    import asyncpg

    dsn = re.sub(r"^postgres(ql)?(\+asyncpg)?://", "postgresql://", url)

    async def drop() -> None:
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
        finally:
            await conn.close()

    asyncio.run(drop())


@pytest.fixture(scope="session")
def smtp() -> Iterator[Inbox]:
    controller, inbox = start_smtp()
    yield inbox
    controller.stop()


def make_settings(tmp: Path, smtp_port: int, **overrides: str) -> Settings:
    env = {
        "CAREBASE_DATABASE_URL": database_url_for_run(str(tmp)),
        "CAREBASE_SECRET_KEY": "test-secret-" + "x" * 40,
        "CAREBASE_PASSWORD_HASH_COST": "1",
        "CAREBASE_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
        "CAREBASE_PORTAL_URL": "https://portal.example.test",
        "CAREBASE_SCHEDULER_INTERVAL_SECONDS": "0.5",
        "CAREBASE_EMAIL_FROM": "Carebase <no-reply@carebase.test>",
        # webhook retries wait a minute or more: only a test that moves the clock sees one
        "CAREBASE_WEBHOOK_RETRY_BASE_SECONDS": "60",
    }
    env.update(overrides)
    return Settings.from_env(env)


STRIPE_KEY = "sk_test_carebase"
WEBHOOK_SECRET = "whsec_carebase_test"


@pytest.fixture(scope="session")
def stripe_api() -> Iterator[str]:
    with localstripe() as base:
        yield base


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory, smtp: Inbox, stripe_api: str) -> Settings:
    tmp = tmp_path_factory.mktemp("db")
    s = make_settings(
        tmp,
        smtp.port,
        CAREBASE_STRIPE_SECRET_KEY=STRIPE_KEY,
        CAREBASE_STRIPE_API_BASE=stripe_api,
        CAREBASE_STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
    )
    reset_database(s.database_url)
    migrate.upgrade(s)
    return s


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[Starlette]:
    application = create_app(settings, clock=SettableClock())
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
def clock(app: Starlette) -> Iterator[SettableClock]:
    """The time every unit of work of the app sees: move it with ``advance``; reset after."""
    moving: SettableClock = app.state.clock
    yield moving
    moving.reset()


@pytest.fixture
async def http(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(
        transport=transport, base_url="http://carebase.test", event_hooks=EVENT_HOOKS
    ) as client:
        yield client


@pytest.fixture
def api(http: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(http)


def unique_email(prefix: str = "user") -> str:
    return secret(f"{prefix}-{uuid.uuid4().hex[:10]}@example.test", "email")


@dataclass
class Practice:
    organization: dict[str, Any]
    owner_token: str
    owner_email: str
    owner: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.organization["id"])


async def sign_up(api: GraphQLClient, name: str = "Harbor Therapy") -> Practice:
    email = unique_email("owner")
    data = await api.op(
        "SignUpOrganization",
        {
            "input": {
                "organizationName": name,
                "name": "Olive Owner",
                "email": email,
                "password": PASSWORD,
                "timezone": "America/Chicago",
            }
        },
    )
    payload = data["signUpOrganization"]
    assert payload["userErrors"] == []
    secret(payload["refreshToken"], "refresh token")
    secret(payload["accessToken"], "access token")
    return Practice(payload["organization"], payload["accessToken"], email, payload["viewer"])


@pytest.fixture
async def practice(api: GraphQLClient) -> Practice:
    return await sign_up(api)


def token_from(message: Any) -> str:
    match = re.search(r"token=([A-Za-z0-9_\-]+)", body_of(message))
    assert match, body_of(message)
    return secret(match.group(1), "token")
