"""The Dramatiq broker from settings, the actors' database, and dispatch after commit."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import dramatiq
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware.asyncio import AsyncIO

from carebase.clock import Clock, SystemClock
from carebase.config import Settings
from carebase.db import Database, Job
from carebase.hooks import Hooks
from carebase.jobs import actors
from carebase.jobs.declare import ActorFn
from carebase.resolvers.webhooks.objects import ObjectReader

log = logging.getLogger("carebase.jobs")


class JobRuntime:
    """One per process. Actors run on Dramatiq's own event loop, so they get their own engine."""

    def __init__(self, settings: Settings, hooks: Hooks, clock: Clock | None = None) -> None:
        self.settings = settings
        self.hooks = hooks
        self.clock: Clock = clock or SystemClock()
        self.broker = make_broker(settings)
        dramatiq.set_broker(self.broker)
        self.actors: dict[str, dramatiq.Actor[Any, Any]] = {}
        self._databases: dict[int, Database] = {}
        # how a webhook with includePhi reads its data.object (set by the app and the worker,
        # which hold the GraphQL schema; None: thin bodies only)
        self.object_reader: ObjectReader | None = None
        for spec in actors.specs():
            decorate = dramatiq.actor(actor_name=spec.name, broker=self.broker, **spec.options)
            self.actors[spec.name] = decorate(_bind(self, spec.fn))

    def database(self) -> Database:
        loop = asyncio.get_running_loop()
        db = self._databases.get(id(loop))
        if db is None:
            db = Database(self.settings, hooks=self.hooks, dispatch=self.dispatch, clock=self.clock)
            self._databases[id(loop)] = db
        return db

    def dispatch(self, jobs: list[Job]) -> None:
        for job in jobs:
            self.actors[job.actor].send_with_options(args=job.args, delay=job.delay_ms)

    def start_worker(self, threads: int = 4) -> dramatiq.Worker:
        worker = dramatiq.Worker(self.broker, worker_threads=threads, worker_timeout=100)
        worker.start()
        return worker

    async def dispose(self) -> None:
        for db in self._databases.values():
            await db.dispose()


_current: JobRuntime | None = None


def current() -> JobRuntime:
    assert _current is not None, "the job runtime has not been started"
    return _current


def start_runtime(settings: Settings, hooks: Hooks, clock: Clock | None = None) -> JobRuntime:
    global _current
    _current = JobRuntime(settings, hooks, clock)
    return _current


def _bind(runtime: JobRuntime, fn: ActorFn) -> Callable[..., Awaitable[None]]:
    async def run(*args: Any) -> None:
        await fn(runtime, *args)

    run.__name__ = fn.__name__
    run.__qualname__ = fn.__qualname__
    return run


def make_broker(settings: Settings) -> dramatiq.Broker:
    url = settings.broker_url
    broker: dramatiq.Broker
    if not url:
        broker = StubBroker()
    elif url.startswith(("redis://", "rediss://")):
        from dramatiq.brokers.redis import RedisBroker

        broker = RedisBroker(url=url)  # type: ignore[no-untyped-call]
    else:
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        broker = RabbitmqBroker(url=url)
    broker.add_middleware(AsyncIO())
    return broker
