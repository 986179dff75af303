"""The Dramatiq broker from settings, the actors' database, and dispatch after commit."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

import dramatiq
from dramatiq.asyncio import EventLoopThread, set_event_loop_thread
from dramatiq.brokers.stub import StubBroker
from dramatiq.common import dq_name
from dramatiq.middleware import Middleware

from carebase import metrics
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

        # a dead worker's unacknowledged messages go back on the queue once its heartbeat
        # is this old (the soak lowers it)
        broker = RedisBroker(  # type: ignore[no-untyped-call]
            url=url, heartbeat_timeout=int(settings.broker_heartbeat_timeout_seconds * 1000)
        )
    else:
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        broker = RabbitmqBroker(url=url)
    broker.add_middleware(SharedAsyncIO())
    broker.add_middleware(JobMetrics())
    return broker


class SharedAsyncIO(Middleware):
    """Dramatiq's AsyncIO middleware, counted: async actors run on one process-wide event
    loop thread, and the stock middleware stops whichever thread is current when *its*
    worker shuts down, so with two workers in one process (two apps, as tests and the
    in-process runtime beside a CLI command make) the first to stop breaks the other's jobs.
    Here the first worker to boot starts the thread and the last to stop ends it."""

    _lock = threading.Lock()
    _users = 0
    _thread: EventLoopThread | None = None

    def before_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        cls = type(self)
        with cls._lock:
            if cls._users == 0:
                thread = EventLoopThread(logging.getLogger("carebase.jobs.event_loop"))
                thread.start(timeout=1.0)
                set_event_loop_thread(thread)
                cls._thread = thread
            cls._users += 1

    def after_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        cls = type(self)
        with cls._lock:
            cls._users -= 1
            if cls._users > 0 or cls._thread is None:
                return
            thread, cls._thread = cls._thread, None
            thread.stop()  # type: ignore[no-untyped-call]
            thread.join()
            set_event_loop_thread(None)


class JobMetrics(Middleware):
    """Counts each job by actor and outcome, and times it, in the process that runs it."""

    def before_process_message(self, broker: dramatiq.Broker, message: Any) -> None:
        message.options["carebase_started"] = time.monotonic()

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: Any,
        *,
        result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        started = message.options.pop("carebase_started", None)
        seconds = time.monotonic() - started if started is not None else None
        metrics.record_job(message.actor_name, "ok" if exception is None else "error", seconds)

    def after_skip_message(self, broker: dramatiq.Broker, message: Any) -> None:
        message.options.pop("carebase_started", None)
        metrics.record_job(message.actor_name, "skipped", None)


def queue_depths(broker: dramatiq.Broker) -> dict[str, int]:
    """Messages waiting on each declared queue, delayed ones included (blocking: Redis)."""
    depths: dict[str, int] = {}
    for queue in sorted(q for q in broker.get_declared_queues() if not q.endswith(".DQ")):
        if isinstance(broker, StubBroker):
            depths[queue] = sum(
                broker.queues[name].qsize()
                for name in (queue, dq_name(queue))
                if name in broker.queues
            )
        elif hasattr(broker, "do_qsize"):  # Redis
            depths[queue] = sum(int(broker.do_qsize(name)) for name in (queue, dq_name(queue)))
    return depths
