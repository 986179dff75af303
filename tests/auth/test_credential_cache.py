"""Accepted credentials are remembered for at most a second per process; a revocation in any
process reaches every other one at once through the pub/sub port."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, contextmanager
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import event, update
from starlette.applications import Starlette

from carebase.app import create_app
from carebase.clock import SettableClock
from carebase.config import Settings
from carebase.models import AuthSession
from tests.conftest import sign_up
from tests.fixtures.factories import key_of
from tests.fixtures.graphql import GraphQLClient
from tests.fixtures.secrets import EVENT_HOOKS, secret


def _redis_url() -> str:
    url = os.environ.get("CAREBASE_TEST_REDIS_URL", "")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("CI must set CAREBASE_TEST_REDIS_URL")
        pytest.skip("CAREBASE_TEST_REDIS_URL is not set (CI sets it)")
    return url


@contextmanager
def statements_of(app: Starlette) -> Iterator[list[str]]:
    seen: list[str] = []
    engine = app.state.db.engine.sync_engine

    def record(*args: Any) -> None:
        seen.append(args[2])

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
async def processes(settings: Settings) -> AsyncIterator[list[GraphQLClient]]:
    """Two apps, as two web processes: one database, one Redis pub/sub."""
    shared = settings.model_copy(update={"pubsub_url": _redis_url()})
    async with AsyncExitStack() as stack:
        clients = []
        for _ in range(2):
            app = create_app(shared, run_jobs_in_process=False, clock=SettableClock())
            await stack.enter_async_context(app.router.lifespan_context(app))
            http = await stack.enter_async_context(
                httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app),
                    base_url="http://carebase.test",
                    event_hooks=EVENT_HOOKS,
                )
            )
            http.app = app  # type: ignore[attr-defined]
            clients.append(GraphQLClient(http))
        yield clients


def app_of(api: GraphQLClient) -> Starlette:
    return api.http.app  # type: ignore[attr-defined,no-any-return]


async def test_log_out_in_one_process_is_refused_in_another_at_once(
    processes: list[GraphQLClient],
) -> None:
    first, second = processes
    owner = await sign_up(first)
    assert (await second.op("Organization", token=owner.owner_token))["organization"]
    with statements_of(app_of(second)) as seen:
        assert (await second.op("Organization", token=owner.owner_token))["organization"]
    assert not [s for s in seen if "auth_sessions" in s]  # the session came from the cache

    out = await first.op("LogOut", token=owner.owner_token)
    assert out["logOut"] == {"success": True, "userErrors": []}
    errors = await second.errors("Organization", token=owner.owner_token)
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_key_revoked_in_one_process_is_refused_in_another_at_once(
    processes: list[GraphQLClient],
) -> None:
    first, second = processes
    owner = await sign_up(first)
    made = await first.op(
        "CreateApiKey",
        {"input": {"name": "Nightly sync", "scopes": ["clients:read"]}},
        token=owner.owner_token,
    )
    key = secret(made["createApiKey"]["secret"], "api key")
    assert (await second.op("Clients", {"first": 1}, token=key))["clients"]["edges"] == []
    with statements_of(app_of(second)) as seen:
        assert (await second.op("Clients", {"first": 1}, token=key))["clients"]["edges"] == []
    assert not [s for s in seen if "api_keys" in s]

    revoked = await first.op(
        "RevokeApiKey",
        {"input": {"id": made["createApiKey"]["apiKey"]["id"]}},
        token=owner.owner_token,
    )
    assert revoked["revokeApiKey"]["userErrors"] == []
    errors = await second.errors("Clients", {"first": 1}, token=key)
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
    # and in the process that revoked it
    errors = await first.errors("Clients", {"first": 1}, token=key)
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_cached_session_is_looked_up_again_after_a_second(
    app: Starlette, api: GraphQLClient, clock: SettableClock
) -> None:
    """Ended behind the API's back (no announcement), a session still answers from the cache
    until its second is up, and not after."""
    owner = await sign_up(api)
    assert (await api.op("Organization", token=owner.owner_token))["organization"]
    async with app.state.db.unit_of_work(write=True) as uow:
        await uow.session.execute(
            update(AuthSession)
            .where(AuthSession.account_id == key_of(owner.owner["id"]))
            .values(revoked_at=uow.now(), revoked_reason="test")
        )
    assert (await api.op("Organization", token=owner.owner_token))["organization"]
    clock.advance(timedelta(seconds=1))
    errors = await api.errors("Organization", token=owner.owner_token)
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
