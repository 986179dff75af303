"""``/healthz`` (liveness) and ``/readyz`` (readiness) for load balancers and orchestrators.

``/healthz`` answers whether this process can serve at all (its database answers a
``SELECT 1``): a failing one is restarted. ``/readyz`` answers whether it should be sent
traffic now: the database is reachable, the broker (and the pub/sub, when it is Redis) is
reachable, and the database is at the migration this code expects. A process that is not
ready answers 503 with each failing check named, so a rolling deploy holds back until a new
process is ready and a migration not yet run keeps new code out of rotation. While a process
drains on SIGTERM it answers 503 ``draining`` too, so the proxy stops sending it requests.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from sqlalchemy import text

from carebase.config import Settings
from carebase.db import Database

log = logging.getLogger("carebase.health")

# a check that takes longer than this counts as failed: a probe must answer promptly
CHECK_TIMEOUT_SECONDS = 2.0


async def database_reachable(db: Database) -> None:
    async with db.sessionmaker() as session:
        await session.execute(text("SELECT 1"))


async def migrations_current(db: Database, heads: frozenset[str]) -> None:
    async with db.sessionmaker() as session:
        rows = await session.execute(text("SELECT version_num FROM alembic_version"))
        current = frozenset(str(row[0]) for row in rows)
    if current != heads:
        raise NotReady("the database is not at the latest migration; run `carebase migrate`")


async def redis_reachable(url: str) -> None:
    import redis.asyncio as redis

    client = redis.Redis.from_url(url, socket_connect_timeout=CHECK_TIMEOUT_SECONDS)
    try:
        await client.ping()
    finally:
        await client.aclose()


async def tcp_reachable(url: str) -> None:
    """An AMQP broker: its port takes a connection (a full handshake is the worker's job)."""
    parts = urlsplit(url)
    default = 5671 if parts.scheme == "amqps" else 5672
    _, writer = await asyncio.open_connection(parts.hostname or "localhost", parts.port or default)
    writer.close()
    await writer.wait_closed()


class NotReady(Exception):
    """A readiness check's reason, safe to show (no URL, no credential)."""


Check = Callable[[], Awaitable[None]]


class Readiness:
    """The checks of one web process, run concurrently on every ``/readyz``."""

    def __init__(self, settings: Settings, db: Database, heads: frozenset[str]) -> None:
        self.draining = False
        self.checks: dict[str, Check] = {
            "database": lambda: database_reachable(db),
            "migrations": lambda: migrations_current(db, heads),
        }
        broker = settings.broker_url
        if broker.startswith(("redis://", "rediss://")):
            self.checks["broker"] = lambda: redis_reachable(broker)
        elif broker:
            self.checks["broker"] = lambda: tcp_reachable(broker)
        pubsub = settings.pubsub_url
        if pubsub and pubsub != broker:
            self.checks["pubsub"] = lambda: redis_reachable(pubsub)

    async def report(self) -> dict[str, str]:
        """Each check's name -> ``ok`` or why it failed."""
        names = list(self.checks)
        outcomes = await asyncio.gather(*(self._run(name) for name in names))
        report = dict(zip(names, outcomes, strict=True))
        if self.draining:
            report["process"] = "draining: shutting down"
        return report

    async def _run(self, name: str) -> str:
        try:
            await asyncio.wait_for(self.checks[name](), CHECK_TIMEOUT_SECONDS)
        except NotReady as exc:
            return str(exc)
        except TimeoutError:
            return f"no answer within {CHECK_TIMEOUT_SECONDS:g} s"
        except Exception as exc:
            # the exception's type, never its text: a driver's message may carry the URL
            log.warning("readiness check %s failed: %s", name, type(exc).__name__)
            return f"unreachable ({type(exc).__name__})"
        return "ok"


def migration_heads(settings: Settings) -> frozenset[str]:
    from alembic.script import ScriptDirectory

    from carebase.migrate import alembic_config

    return frozenset(ScriptDirectory.from_config(alembic_config(settings)).get_heads())
