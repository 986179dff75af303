"""``/healthz`` is liveness; ``/readyz`` is readiness: database, broker, migrations, draining."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from carebase import migrate
from carebase.app import create_app
from carebase.config import Settings
from tests.fixtures.smtp import free_port


@asynccontextmanager
async def client_of(settings: Settings) -> AsyncIterator[tuple[Starlette, httpx.AsyncClient]]:
    app = create_app(settings, run_jobs_in_process=False)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://carebase.test") as c:
            yield app, c
    finally:
        await app.state.runtime.dispose()
        await app.state.db.dispose()


async def test_a_migrated_database_without_a_broker_is_ready(http: httpx.AsyncClient) -> None:
    response = await http.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok"},
    }
    assert (await http.get("/healthz")).json() == {"status": "ok"}


async def test_an_unreachable_broker_is_not_ready_and_named(settings: Settings) -> None:
    gone = f"redis://127.0.0.1:{free_port()}/0"
    async with client_of(settings.replace(broker_url=gone)) as (_, http):
        response = await http.get("/readyz")
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "unavailable"
        assert body["checks"]["database"] == "ok"
        assert body["checks"]["broker"].startswith("unreachable")
        assert gone not in response.text  # no URL in the answer
        # liveness does not depend on the broker: restarting this process would not help
        assert (await http.get("/healthz")).status_code == 200


async def test_a_reachable_redis_broker_is_ready(settings: Settings) -> None:
    redis = os.environ.get("CAREBASE_TEST_REDIS_URL")
    if not redis:
        pytest.skip("needs CAREBASE_TEST_REDIS_URL")
    async with client_of(settings.replace(broker_url=redis)) as (_, http):
        response = await http.get("/readyz")
        assert response.status_code == 200, response.text
        assert response.json()["checks"]["broker"] == "ok"


async def test_a_database_behind_the_code_is_not_ready(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "behind.sqlite3"
    behind = settings.replace(database_url=f"sqlite:///{path}")
    await asyncio.to_thread(migrate.upgrade, behind)  # alembic runs its own event loop
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0001'")
    async with client_of(behind) as (_, http):
        response = await http.get("/readyz")
        assert response.status_code == 503
        assert "carebase migrate" in response.json()["checks"]["migrations"]
        assert response.json()["checks"]["database"] == "ok"


async def test_a_database_that_is_gone_is_neither_live_nor_ready(
    settings: Settings, tmp_path: Path
) -> None:
    gone = settings.replace(database_url=f"postgresql://nobody@127.0.0.1:{free_port()}/none")
    async with client_of(gone) as (_, http):
        response = await http.get("/readyz")
        assert response.status_code == 503
        assert response.json()["checks"]["database"].startswith("unreachable")
        assert (await http.get("/healthz")).status_code == 503


async def test_a_draining_process_is_not_ready(settings: Settings) -> None:
    async with client_of(settings) as (app, http):
        app.state.readiness.draining = True
        response = await http.get("/readyz")
        assert response.status_code == 503
        assert response.json()["checks"]["process"].startswith("draining")
