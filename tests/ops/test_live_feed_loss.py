"""A live subscription whose Redis feed breaks (Redis restarted) closes its socket with 1012,
and the client that reconnects with `after:` misses nothing. Found by bench/soak.py: the
subscription failed on a socket that stayed open, so a subscriber waiting on it never heard
of what was published after the restart; and the SendMessage that published while Redis was
away answered INTERNAL_SERVER_ERROR though its message had been committed."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

import dramatiq
import httpx
import pytest

from carebase.app import create_app
from carebase.config import Settings
from carebase.jobs import runtime as job_runtime
from tests.conftest import sign_up, unique_email
from tests.fixtures.factories import key_of
from tests.fixtures.graphql import GraphQLClient, documents
from tests.fixtures.live import redis_subscribed, serve, socket
from tests.fixtures.smtp import Inbox, free_port
from tests.fixtures.waiting import eventually


@contextmanager
def redis_server(port: int) -> Iterator[subprocess.Popen[bytes]]:
    """A Redis of this test's own, so that restarting it disturbs no other test."""
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    try:
        yield process
    finally:
        process.terminate()
        process.wait(10)


async def _pong(url: str) -> bool:
    import redis.asyncio as redis

    client = redis.Redis.from_url(url)
    try:
        return bool(await client.ping())
    except redis.ConnectionError:
        return False
    finally:
        await client.aclose()


async def test_a_broken_feed_closes_the_socket_and_the_catch_up_misses_nothing(
    settings: Settings, smtp: Inbox
) -> None:
    if not shutil.which("redis-server"):
        pytest.skip("needs redis-server (installed by .ci/run)")
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    # create_app replaces process-wide job state (Dramatiq's global broker, Carebase's
    # current runtime): put the session app's back afterwards. Its jobs are not run here.
    saved_broker, saved_runtime = dramatiq.get_broker(), job_runtime._current
    try:
        await _restart_under_a_subscriber(settings.replace(pubsub_url=url), url, port, smtp)
    finally:
        dramatiq.set_broker(saved_broker)
        job_runtime._current = saved_runtime


async def _restart_under_a_subscriber(settings: Settings, url: str, port: int, smtp: Inbox) -> None:
    app = create_app(settings, run_jobs_in_process=False)
    with redis_server(port) as first:
        await eventually(lambda: _pong(url), message="redis did not start")
        async with (
            app.router.lifespan_context(app),
            serve(app) as address,
            httpx.AsyncClient(base_url=f"http://{address}") as http,
            socket(address) as ws,
        ):
            api = GraphQLClient(http)
            practice = await sign_up(api, "Feed Practice")
            created = await api.op(
                "CreateClient",
                {"input": {"name": "Fay Feed", "email": unique_email("feed")}},
                token=practice.owner_token,
            )
            client_id = created["createClient"]["client"]["id"]
            started = await api.op(
                "StartConversation", {"input": {"clientId": client_id}}, token=practice.owner_token
            )
            conversation_id = started["startConversation"]["conversation"]["id"]

            async def send(body: str) -> str:
                sent = await api.op(
                    "SendMessage",
                    {"input": {"conversationId": conversation_id, "body": body}},
                    token=practice.owner_token,
                )
                return str(sent["sendMessage"]["message"]["id"])

            seen = await send("before the restart")
            await ws.init(practice.owner_token)
            await ws.subscribe(
                documents()["MessageReceivedAfter"],
                {"conversationId": conversation_id, "after": seen},
            )
            await redis_subscribed(url, f"conversation:{key_of(conversation_id)}")
            first.terminate()
            first.wait(10)
            with redis_server(port):
                await eventually(lambda: _pong(url), message="redis did not start again")
                missed = await send("while the feed was broken")
                # told to reconnect, not left listening to a feed with a hole in it
                assert await ws.closed_code() == 1012
                async with socket(address) as again:
                    await again.init(practice.owner_token)
                    await again.subscribe(
                        documents()["MessageReceivedAfter"],
                        {"conversationId": conversation_id, "after": seen},
                    )
                    event = await again.receive()
                    assert event["type"] == "next", event
                    caught = event["payload"]["data"]["messageReceived"]
                    assert (caught["id"], caught["body"]) == (missed, "while the feed was broken")
