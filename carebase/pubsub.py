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
from typing import Any, Protocol

log = logging.getLogger("carebase.pubsub")


class PubSub(Protocol):
    async def publish(self, channel: str, event: dict[str, Any]) -> None: ...

    def subscribe(self, channel: str) -> AsyncIterator[dict[str, Any]]: ...

    async def close(self) -> None: ...


class InProcessPubSub:
    """For one process: every subscriber has its own queue, on the loop it subscribed from."""

    def __init__(self) -> None:
        self._subscribers: dict[
            str, set[tuple[asyncio.AbstractEventLoop, asyncio.Queue[dict[str, Any]]]]
        ] = {}

    async def publish(self, channel: str, event: dict[str, Any]) -> None:
        for loop, queue in list(self._subscribers.get(channel, ())):
            loop.call_soon_threadsafe(queue.put_nowait, event)

    async def subscribe(self, channel: str) -> AsyncIterator[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        entry = (asyncio.get_running_loop(), queue)
        self._subscribers.setdefault(channel, set()).add(entry)
        try:
            while True:
                yield await queue.get()
        finally:
            self._subscribers.get(channel, set()).discard(entry)

    def subscriber_count(self, channel: str) -> int:
        return len(self._subscribers.get(channel, ()))

    async def close(self) -> None:
        self._subscribers.clear()


class RedisPubSub:
    """Redis pub/sub: a message published in one web process reaches subscribers in all."""

    def __init__(self, url: str) -> None:
        import redis.asyncio as redis

        self._redis = redis.Redis.from_url(url)

    async def publish(self, channel: str, event: dict[str, Any]) -> None:
        await self._redis.publish(f"carebase:{channel}", json.dumps(event))

    async def subscribe(self, channel: str) -> AsyncIterator[dict[str, Any]]:
        pubsub = self._redis.pubsub()
        await pubsub.subscribe(f"carebase:{channel}")
        try:
            async for message in pubsub.listen():
                if message.get("type") == "message":
                    yield json.loads(message["data"])
        finally:
            with contextlib.suppress(Exception):
                await pubsub.unsubscribe()
                await pubsub.aclose()  # type: ignore[no-untyped-call]

    async def close(self) -> None:
        await self._redis.aclose()


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
