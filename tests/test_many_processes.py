"""Two `carebase serve` processes on one PostgreSQL and one Redis: live updates cross them."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from carebase.config import Settings
from tests.conftest import PASSWORD, unique_email
from tests.fixtures.factories import key_of
from tests.fixtures.graphql import documents
from tests.fixtures.live import redis_subscribed, socket
from tests.fixtures.smtp import free_port

CAREBASE = str(Path(sys.executable).parent / "carebase")


def _needs_postgres_and_redis() -> str:
    database = os.environ.get("CAREBASE_TEST_DATABASE_URL", "")
    redis = os.environ.get("CAREBASE_TEST_REDIS_URL", "")
    if not (database.startswith("postgres") and redis):
        if os.environ.get("CI") and database.startswith("postgres"):
            pytest.fail("CI runs this on PostgreSQL with CAREBASE_TEST_REDIS_URL set")
        pytest.skip("runs on PostgreSQL with Redis (the PostgreSQL pass of .ci/run)")
    return redis


@asynccontextmanager
async def carebase_serve(settings: Settings, redis: str, log: Path) -> AsyncIterator[str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAREBASE_")}
    env.update(
        CAREBASE_DATABASE_URL=settings.database_url,
        CAREBASE_SECRET_KEY=settings.secret_key.get_secret_value(),
        CAREBASE_BROKER_URL=redis,
        CAREBASE_PASSWORD_HASH_COST="1",
    )
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            CAREBASE,
            "serve",
            "--port",
            str(port),
            env=env,
            stdout=out,
            stderr=asyncio.subprocess.STDOUT,
        )
    try:
        async with httpx.AsyncClient() as http:
            for _ in range(150):
                try:
                    if (await http.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.2)
            else:
                raise AssertionError(log.read_text())
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 30)


async def _post(
    address: str, name: str, variables: dict[str, Any], token: str | None = None
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient() as http:
        response = await http.post(
            f"http://{address}/graphql",
            json={"query": documents()[name], "variables": variables},
            headers=headers,
        )
    body = response.json()
    assert not body.get("errors"), body
    return body["data"]  # type: ignore[no-any-return]


async def test_a_message_crosses_from_one_process_to_a_subscriber_on_another(
    settings: Settings, tmp_path: Path
) -> None:
    redis = _needs_postgres_and_redis()
    async with (
        carebase_serve(settings, redis, tmp_path / "a.log") as first,
        carebase_serve(settings, redis, tmp_path / "b.log") as second,
    ):
        owner = await _post(
            first,
            "SignUpOrganization",
            {
                "input": {
                    "organizationName": "Two Rooms",
                    "name": "Owen",
                    "email": unique_email("two"),
                    "password": PASSWORD,
                    "timezone": "UTC",
                }
            },
        )
        token = owner["signUpOrganization"]["accessToken"]
        client = await _post(
            first, "CreateClient", {"input": {"name": "Cy", "email": unique_email("cy")}}, token
        )
        client_id = client["createClient"]["client"]["id"]
        started = await _post(first, "StartConversation", {"input": {"clientId": client_id}}, token)
        conversation_id = started["startConversation"]["conversation"]["id"]
        async with socket(second) as ws:
            await ws.init(token)
            await ws.subscribe(documents()["MessageReceived"], {"conversationId": conversation_id})
            await redis_subscribed(redis, f"conversation:{key_of(conversation_id)}")
            await _post(
                first,
                "SendMessage",
                {"input": {"conversationId": conversation_id, "body": "across processes"}},
                token,
            )
            event = await ws.receive(timeout=15)
            assert event["payload"]["data"]["messageReceived"]["body"] == "across processes"
