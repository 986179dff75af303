"""The pub/sub port behind live updates: in-process by default, Redis across processes.

Events are small JSON objects naming what changed (ids); subscribers reload from the
database, so an event never carries more than its channel's readers may see anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol

log = logging.getLogger("carebase.pubsub")

SUBSCRIBE_TIMEOUT_SECONDS = 10.0
INBOX_TIMEOUT_SECONDS = 2.0


class Inbox(Protocol):
    """A subscription read on demand: ``take`` returns every event published before it was
    called (in any process), so whoever must act on one before answering (a cached
    credential) never races a listener task."""

    async def take(self) -> list[dict[str, Any]]: ...


class PubSub(Protocol):
    async def publish(self, channel: str, event: dict[str, Any]) -> None: ...

    def inbox(self, channel: str) -> AbstractAsyncContextManager[Inbox]: ...

    def subscribe(self, channel: str) -> AsyncIterator[dict[str, Any]]: ...

    def listen(
        self, channel: str
    ) -> AbstractAsyncContextManager[AsyncIterator[dict[str, Any]]]: ...

    async def close(self) -> None: ...


class InProcessPubSub:
    """For one process: every subscriber has its own queue, on the loop it subscribed from."""

    def __init__(self) -> None:
        self._subscribers: dict[
            str, set[tuple[asyncio.AbstractEventLoop, asyncio.Queue[dict[str, Any]]]]
        ] = {}

    async def publish(self, channel: str, event: dict[str, Any]) -> None:
        running = asyncio.get_running_loop()
        for loop, queue in list(self._subscribers.get(channel, ())):
            if loop is running:
                queue.put_nowait(event)  # there once publish returns, as Redis's would be
            else:
                loop.call_soon_threadsafe(queue.put_nowait, event)

    @asynccontextmanager
    async def inbox(self, channel: str) -> AsyncIterator[Inbox]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        entry = (asyncio.get_running_loop(), queue)
        self._subscribers.setdefault(channel, set()).add(entry)
        try:
            yield _QueueInbox(queue)
        finally:
            self._subscribers.get(channel, set()).discard(entry)

    async def subscribe(self, channel: str) -> AsyncIterator[dict[str, Any]]:
        async with self.listen(channel) as events:
            async for event in events:
                yield event

    @asynccontextmanager
    async def listen(self, channel: str) -> AsyncIterator[AsyncIterator[dict[str, Any]]]:
        """Subscribed on entry: what is published from then on is kept for the iterator,
        so a subscriber can read what it missed from the database before it iterates."""
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        entry = (asyncio.get_running_loop(), queue)
        self._subscribers.setdefault(channel, set()).add(entry)

        async def events() -> AsyncIterator[dict[str, Any]]:
            while True:
                yield await queue.get()

        try:
            yield events()
        finally:
            self._subscribers.get(channel, set()).discard(entry)

    def subscriber_count(self, channel: str) -> int:
        return len(self._subscribers.get(channel, ()))

    async def close(self) -> None:
        self._subscribers.clear()


class _QueueInbox:
    def __init__(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        self._queue = queue

    async def take(self) -> list[dict[str, Any]]:
        taken = []
        while not self._queue.empty():
            taken.append(self._queue.get_nowait())
        return taken


class RedisPubSub:
    """Redis pub/sub: a message published in one web process reaches subscribers in all."""

    def __init__(self, url: str) -> None:
        import redis.asyncio as redis

        self._redis = redis.Redis.from_url(url)

    async def publish(self, channel: str, event: dict[str, Any]) -> None:
        await self._redis.publish(f"carebase:{channel}", json.dumps(event))

    async def subscribe(self, channel: str) -> AsyncIterator[dict[str, Any]]:
        async with self.listen(channel) as events:
            async for event in events:
                yield event

    @asynccontextmanager
    async def _subscribed(self, channel: str) -> AsyncIterator[Any]:
        """Subscribed on entry (Redis has confirmed it)."""
        pubsub = self._redis.pubsub()
        await pubsub.subscribe(f"carebase:{channel}")
        # Redis confirms the subscription before it delivers anything published on it
        confirmed = await pubsub.get_message(timeout=SUBSCRIBE_TIMEOUT_SECONDS)
        if not confirmed or confirmed.get("type") != "subscribe":
            await pubsub.aclose()  # type: ignore[no-untyped-call]
            raise ConnectionError("Redis did not confirm the subscription")
        try:
            yield pubsub
        finally:
            with contextlib.suppress(Exception):
                await pubsub.unsubscribe()
                await pubsub.aclose()  # type: ignore[no-untyped-call]

    @asynccontextmanager
    async def listen(self, channel: str) -> AsyncIterator[AsyncIterator[dict[str, Any]]]:
        """Subscribed on entry (Redis has confirmed it), as the in-process port."""
        async with self._subscribed(channel) as pubsub:

            async def events() -> AsyncIterator[dict[str, Any]]:
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        yield json.loads(message["data"])

            yield events()

    @asynccontextmanager
    async def inbox(self, channel: str) -> AsyncIterator[Inbox]:
        async with self._subscribed(channel) as pubsub:
            yield _RedisInbox(pubsub)

    async def close(self) -> None:
        await self._redis.aclose()


class _RedisInbox:
    def __init__(self, pubsub: Any) -> None:
        self._pubsub = pubsub
        self._turn = asyncio.Lock()  # one reader of the connection at a time

    async def take(self) -> list[dict[str, Any]]:
        """Everything published before this call: Redis answers a PING on this connection
        after the messages it queued for it earlier, so reading up to the PONG misses none
        (a publish that returned in another process is always among them)."""
        taken = []
        async with self._turn:
            await self._pubsub.ping()
            while True:
                message = await self._pubsub.get_message(timeout=INBOX_TIMEOUT_SECONDS)
                if message is None:
                    raise ConnectionError("Redis did not answer the inbox's PING")
                if message.get("type") == "message":
                    taken.append(json.loads(message["data"]))
                elif message.get("type") == "pong":
                    return taken


def make_pubsub(broker_url: str, pubsub_url: str) -> PubSub:
    url = pubsub_url or (broker_url if broker_url.startswith(("redis://", "rediss://")) else "")
    return RedisPubSub(url) if url else InProcessPubSub()


_current: PubSub | None = None


def current() -> PubSub:
    global _current
    if _current is None:
        _current = InProcessPubSub()
    return _current


def install(pubsub: PubSub | None) -> PubSub | None:
    """Make ``pubsub`` the process's port; returns the one it replaces."""
    global _current
    previous, _current = _current, pubsub
    return previous
