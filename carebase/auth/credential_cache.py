"""Accepted credentials remembered per process for at most a second, so a request does not
look its session (API key, OAuth client) up again; revocations reach every process at once.

A revocation (log-out, a changed or reset password, an archived client, a revoked key or
OAuth client) is announced on the pub/sub port after its commit (``announce``). Each process
reads its inbox before it answers from the cache, so what another process revoked and
announced is never served again here, however recent. Without an inbox (the port failed)
nothing is cached: every request asks the database, as before.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import uuid
from collections.abc import Iterable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from carebase.auth.principal import Principal
from carebase.clock import Clock
from carebase.db import UnitOfWork
from carebase.pubsub import Inbox, PubSub, current

log = logging.getLogger("carebase.auth")

CHANNEL = "credentials.revoked"
TTL = timedelta(seconds=1)
MAX_ENTRIES = 10_000
# what an announcement may name, each a list of ids (strings)
KINDS = ("sessions", "accounts", "api_keys", "oauth_clients")


@dataclass(frozen=True)
class _Entry:
    principal: Principal  # without the caller's address (each request brings its own)
    until: datetime


class CredentialCache:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._entries: dict[str, _Entry] = {}
        self._inbox: Inbox | None = None
        self._stack: AsyncExitStack | None = None
        # moves with every announcement read: a lookup that began before one is not kept
        self.generation = 0

    async def open(self, pubsub: PubSub) -> None:
        stack = AsyncExitStack()
        try:
            self._inbox = await stack.enter_async_context(pubsub.inbox(CHANNEL))
        except Exception:
            log.warning("credential cache off: no revocation inbox", exc_info=True)
            await stack.aclose()
            return
        self._stack = stack

    async def close(self) -> None:
        self._inbox = None
        self._entries.clear()
        if self._stack is not None:
            with contextlib.suppress(Exception):
                await self._stack.aclose()
            self._stack = None

    async def get(self, key: str, *, ip: str | None) -> Principal | None:
        if self._inbox is None or not self._entries:
            return None
        try:
            announced = await self._inbox.take()
        except Exception:
            log.warning("credential cache off: the revocation inbox failed", exc_info=True)
            await self.close()
            return None
        for event in announced:
            self.drop(event)
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.until <= self.clock.now():
            del self._entries[key]
            return None
        return dataclasses.replace(entry.principal, ip=ip)

    def clear(self) -> None:
        self._entries.clear()

    def put(self, key: str, principal: Principal, *, generation: int) -> None:
        """Remember an accepted principal, unless an announcement was read since its lookup
        began (``generation``): the row it read may be the one just revoked."""
        if self._inbox is None or generation != self.generation:
            return
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.pop(next(iter(self._entries)))
        until = self.clock.now() + TTL
        self._entries[key] = _Entry(dataclasses.replace(principal, ip=None), until)

    def drop(self, event: dict[str, Any]) -> None:
        self.generation += 1
        named = {kind: set(event.get(kind) or ()) for kind in KINDS}
        for key, entry in list(self._entries.items()):
            if named_by(entry.principal, named):
                del self._entries[key]


def named_by(principal: Principal, named: dict[str, set[str]]) -> bool:
    ids = {
        "sessions": principal.session_id,
        "accounts": principal.account_id,
        "api_keys": principal.api_key_id,
        "oauth_clients": principal.oauth_client_id,
    }
    return any(str(ids[kind]) in named[kind] for kind in KINDS if ids[kind] is not None)


def announce(
    uow: UnitOfWork,
    *,
    sessions: Iterable[uuid.UUID] = (),
    accounts: Iterable[uuid.UUID] = (),
    api_keys: Iterable[uuid.UUID] = (),
    oauth_clients: Iterable[uuid.UUID] = (),
    even_on_failure: bool = False,
) -> None:
    """Once this unit commits, every process forgets the credentials named here.
    ``even_on_failure``: the revocation is one of the unit's ``keep_on_failure`` writes."""
    event = {
        "sessions": [str(i) for i in sessions],
        "accounts": [str(i) for i in accounts],
        "api_keys": [str(i) for i in api_keys],
        "oauth_clients": [str(i) for i in oauth_clients],
    }

    async def publish() -> None:
        try:
            await current().publish(CHANNEL, event)
        except Exception:  # committed all the same; other processes' entries lapse in a second
            log.warning("a revocation could not be announced", exc_info=True)

    (uow.keep_after_commit if even_on_failure else uow.after_commit).append(publish)
