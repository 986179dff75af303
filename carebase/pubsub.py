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
PUBLISH_RETRIES = 2
SUBSCRIBE_ATTEMPTS = 2
INBOX_TIMEOUT_SECONDS = 2.0


class FeedLost(ConnectionError):
    """The feed behind a subscription broke (Redis went away or restarted). What was
    published meanwhile never arrives, so the subscriber must catch up from the database:
    a live subscription ends its socket with 1012 and the client reconnects with `after:`."""


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
        from redis.backoff import ExponentialBackoff, NoBackoff
        from redis.retry import Retry

        # a publish retries on a fresh connection: after Redis restarts, every pooled
        # connection is dead, and the first command on each fails
        self._redis = redis.Redis.from_url(
            url, retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), PUBLISH_RETRIES)
        )
        # subscriptions never retry: redis-py would reconnect and subscribe again silently,
        # and what was published in between would be lost without anyone knowing
        self._listener = redis.Redis.from_url(url, retry=Retry(NoBackoff(), 0))

    async def publish(self, channel: str, event: dict[str, Any]) -> None:
        """Best effort, after the change has committed: with Redis unreachable the change
        stands, and subscribers (whose feeds broke as well) catch up when they reconnect."""
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError

        try:
            await self._redis.publish(f"carebase:{channel}", json.dumps(event))
        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
            log.warning("live update not published, Redis unreachable: %s", exc)

    async def subscribe(self, channel: str) -> AsyncIterator[dict[str, Any]]:
        async with self.listen(channel) as events:
            async for event in events:
                yield event

    @asynccontextmanager
    async def _subscribed(self, channel: str) -> AsyncIterator[Any]:
        """Subscribed on entry (Redis has confirmed it). A broken connection on entry
        raises FeedLost."""
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError

        for attempt in range(1, SUBSCRIBE_ATTEMPTS + 1):
            pubsub = self._listener.pubsub()
            try:
                await pubsub.subscribe(f"carebase:{channel}")
                # Redis confirms the subscription before it delivers anything published on it
                confirmed = await pubsub.get_message(timeout=SUBSCRIBE_TIMEOUT_SECONDS)
                break
            except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
                await pubsub.aclose()  # type: ignore[no-untyped-call]
                if attempt == SUBSCRIBE_ATTEMPTS:
                    raise FeedLost(f"Redis refused the subscription: {exc}") from exc
                # after a restart the pooled connections are dead: drop them, try afresh
                # (nothing is missed yet: the subscription has not begun)
                await self._listener.connection_pool.disconnect(inuse_connections=False)
        if not confirmed or confirmed.get("type") != "subscribe":
            await pubsub.aclose()  # type: ignore[no-untyped-call]
            raise FeedLost("Redis did not confirm the subscription")
        try:
            yield pubsub
        finally:
            with contextlib.suppress(Exception):
                await pubsub.unsubscribe()
                await pubsub.aclose()  # type: ignore[no-untyped-call]

    @asynccontextmanager
    async def listen(self, channel: str) -> AsyncIterator[AsyncIterator[dict[str, Any]]]:
        """Subscribed on entry (Redis has confirmed it), as the in-process port. A broken
        connection, on entry or later, raises FeedLost."""
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError

        async with self._subscribed(channel) as pubsub:

            async def events() -> AsyncIterator[dict[str, Any]]:
                try:
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            yield json.loads(message["data"])
                except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
                    raise FeedLost(f"the connection to Redis broke: {exc}") from exc

            yield events()

    @asynccontextmanager
    async def inbox(self, channel: str) -> AsyncIterator[Inbox]:
        async with self._subscribed(channel) as pubsub:
            yield _RedisInbox(pubsub)

    async def close(self) -> None:
        await self._redis.aclose()
        await self._listener.aclose()


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
