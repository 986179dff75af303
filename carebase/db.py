"""Engine, sessions and the unit of work: one per request or job, committed at the boundary."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import event, insert
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.base import Executable

from carebase.clock import Clock, SystemClock
from carebase.config import Settings
from carebase.hooks import Event, Hooks, HooksMissing
from carebase.models import AuditEvent
from carebase.models.base import Base

log = logging.getLogger(__name__)

WRITE_OPTION = "carebase_write"
MEMO_INFO = "carebase_memo"
READ_OPTION = "carebase_read"


def make_engine(settings: Settings, *, pool_size: int | None = None) -> AsyncEngine:
    pool_size = settings.database_pool_size if pool_size is None else pool_size
    overflow = settings.database_max_overflow
    # a database error's text leaves out its bound values (emails, names, notes), since
    # an unexpected error is logged with its traceback
    if settings.is_sqlite:
        # pooled: a request reuses a connection (and its PRAGMAs) instead of opening one
        engine = create_async_engine(
            settings.database_url,
            hide_parameters=True,
            connect_args={"timeout": 30},
            pool_size=pool_size,
            max_overflow=overflow,
        )
        _configure_sqlite(engine)
        return engine
    return create_async_engine(
        settings.database_url,
        hide_parameters=True,
        pool_size=pool_size,
        max_overflow=overflow,
        pool_pre_ping=True,
    )


def _configure_sqlite(engine: AsyncEngine) -> None:
    """Take transactions from pysqlite so SAVEPOINT works and writers queue up.

    A unit of work that will write begins with ``BEGIN IMMEDIATE``: it waits for the write
    lock up front (busy timeout), instead of failing when a read lock cannot be upgraded.
    A reading unit (``unit_of_work(reads=True)``) begins a plain deferred transaction with
    the connection set ``query_only``: reads never queue behind each other, and a write
    slipped into one fails at once in every test instead of, rarely, under contention.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(conn: Connection) -> None:
        options = conn.get_execution_options()
        # set at every begin, as a pooled connection keeps the last unit's (a PRAGMA that
        # touches no file: microseconds)
        read_only = "ON" if options.get(READ_OPTION) else "OFF"
        conn.exec_driver_sql(f"PRAGMA query_only={read_only}")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get(WRITE_OPTION) else "BEGIN")


@event.listens_for(Session, "after_flush")
def _forget_memo(session: Session, _context: Any) -> None:
    memo = session.info.get(MEMO_INFO)
    if memo:
        memo.clear()


class SerialSession(AsyncSession):
    """One request's session, shared by GraphQL fields and DataLoaders that run concurrently.

    An AsyncSession allows one operation at a time; sibling fields (and two loaders
    dispatching in the same tick) take turns here instead of failing. Every awaitable a field
    reaches is guarded: execute, scalar(s), get, get_one, flush, refresh, connection, delete,
    merge. Not streams (their results fetch later, outside any turn): no field uses one.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._turn = asyncio.Lock()

    async def _run(self, operation: Awaitable[Any]) -> Any:
        """One at a time, and never cut off halfway: a field cancelled mid-statement (a
        sibling failed) lets the statement finish before the cancellation goes on; one
        cancelled while waiting for its turn never starts (and is closed, not left unawaited)."""
        try:
            await self._turn.acquire()
        except BaseException:
            if inspect.iscoroutine(operation):
                operation.close()
            raise
        try:
            task = asyncio.ensure_future(operation)
            try:
                return await asyncio.shield(task)
            except asyncio.CancelledError:
                with contextlib.suppress(BaseException):
                    await task
                raise
        finally:
            self._turn.release()

    async def execute(self, *args: Any, **kwargs: Any) -> Any:
        return await self._run(super().execute(*args, **kwargs))

    async def scalar(self, *args: Any, **kwargs: Any) -> Any:
        return await self._run(super().scalar(*args, **kwargs))

    async def scalars(self, *args: Any, **kwargs: Any) -> Any:
        return await self._run(super().scalars(*args, **kwargs))

    async def get(self, *args: Any, **kwargs: Any) -> Any:
        return await self._run(super().get(*args, **kwargs))

    async def get_one(self, *args: Any, **kwargs: Any) -> Any:
        return await self._run(super().get_one(*args, **kwargs))

    async def flush(self, *args: Any, **kwargs: Any) -> None:
        await self._run(super().flush(*args, **kwargs))

    async def refresh(self, *args: Any, **kwargs: Any) -> None:
        await self._run(super().refresh(*args, **kwargs))

    async def connection(self, *args: Any, **kwargs: Any) -> Any:
        return await self._run(super().connection(*args, **kwargs))

    async def delete(self, *args: Any, **kwargs: Any) -> None:
        await self._run(super().delete(*args, **kwargs))

    async def merge(self, *args: Any, **kwargs: Any) -> Any:
        return await self._run(super().merge(*args, **kwargs))


AfterCommit = Callable[[], Awaitable[None] | None]


@dataclass(frozen=True)
class Job:
    actor: str
    args: tuple[Any, ...]
    delay_ms: int | None = None


@dataclass
class UnitOfWork:
    """The session of one request or job, with what must happen only if it commits.

    Resolvers add work and flush; only the boundary (``unit_of_work``) commits. Jobs and
    audit events are buffered: audit rows go in as one batched insert just before commit,
    jobs are handed to the broker only after commit, and both are dropped on rollback.
    """

    session: AsyncSession
    settings: Settings
    jobs: list[Job] = field(default_factory=list)
    audit_rows: list[dict[str, Any]] = field(default_factory=list)
    # rows or statements that must be written even when the operation that made them fails
    # (a failed log-in attempt counted for throttling; a refresh-token family revoked on reuse)
    keep_on_failure: list[Base | Executable] = field(default_factory=list)
    # what runs once the transaction committed (a live update published), never on rollback
    after_commit: list[AfterCommit] = field(default_factory=list)
    # what runs after commit even when the savepoint that added it failed (the announcement
    # of a ``keep_on_failure`` revocation)
    keep_after_commit: list[AfterCommit] = field(default_factory=list)
    # the process's cross-area reactions (carebase.hooks), from the Database that opened it
    hooks: Hooks | None = None
    clock: Clock = field(default_factory=SystemClock)
    # lookups the unit reuses until it next writes (the session clears it at every flush
    # that writes): the intake gate, checked by the mutation and again by booking's hook
    memo: dict[Any, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.session.info[MEMO_INFO] = self.memo

    def now(self) -> datetime:
        """The time this unit of work acts at (the Database's clock)."""
        return self.clock.now()

    async def emit(self, event: Event) -> list[Any]:
        """Run every area's reaction to ``event``, in the registry's order, in this unit."""
        if self.hooks is None:
            raise HooksMissing(f"{type(event).__name__} emitted with no hooks registry built")
        return await self.hooks.emit(self, event)

    def enqueue(self, actor: str, *args: Any, delay_ms: int | None = None) -> None:
        plain = tuple(str(a) if isinstance(a, uuid.UUID) else a for a in args)
        self.jobs.append(Job(actor, plain, delay_ms))

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """Run one operation so that its failure leaves nothing half-written."""
        jobs, audits, callbacks = len(self.jobs), len(self.audit_rows), len(self.after_commit)
        nested = await self.session.begin_nested()
        try:
            yield
        except BaseException:
            if nested.is_active:
                await nested.rollback()
            del self.jobs[jobs:]
            del self.audit_rows[audits:]
            del self.after_commit[callbacks:]
            if self.keep_on_failure:
                for item in self.keep_on_failure:
                    if isinstance(item, Executable):
                        await self.session.execute(item)
                    else:
                        self.session.add(item)
                self.keep_on_failure.clear()
                await self.session.flush()
            raise
        else:
            if nested.is_active:
                await nested.commit()
            self.keep_on_failure.clear()

    async def begin_write(self) -> None:
        """Declare that this unit of work writes (SQLite then takes the write lock first)."""
        if not self.session.in_transaction():
            await self.session.connection(execution_options={WRITE_OPTION: True})


Dispatcher = Callable[[list[Job]], None]


class Database:
    """The engine and session factory of one process (or one event loop)."""

    def __init__(
        self,
        settings: Settings,
        *,
        hooks: Hooks,
        dispatch: Dispatcher | None = None,
        engine: AsyncEngine | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.settings = settings
        self.hooks = hooks
        self.clock: Clock = clock or SystemClock()
        self.engine = engine or make_engine(settings)
        self.sessionmaker = async_sessionmaker(
            self.engine, expire_on_commit=False, class_=SerialSession
        )
        self.dispatch: Dispatcher = dispatch or (lambda jobs: None)

    @asynccontextmanager
    async def unit_of_work(
        self, *, write: bool = False, reads: bool = False
    ) -> AsyncIterator[UnitOfWork]:
        """``write``: the unit writes (SQLite takes its write lock first). ``reads``: it only
        reads; on SQLite its audit rows are written once the reads are done, in one short
        write transaction of their own, before the unit returns (nothing read unaudited)."""
        async with self.sessionmaker() as session:
            uow = UnitOfWork(
                session=session, settings=self.settings, hooks=self.hooks, clock=self.clock
            )
            apart = reads and not write and self.settings.is_sqlite
            if write:
                await uow.begin_write()
            elif apart:
                await session.connection(execution_options={READ_OPTION: True})
            try:
                yield uow
                if not apart:
                    await flush_audit(uow)
                await session.commit()
                if apart and uow.audit_rows:
                    await uow.begin_write()
                    await flush_audit(uow)
                    await session.commit()
            except BaseException:
                await session.rollback()
                raise
        if uow.jobs:
            # a broker send is network I/O (Redis, RabbitMQ): off the event loop
            await asyncio.to_thread(self.dispatch, uow.jobs)
        for callback in (*uow.after_commit, *uow.keep_after_commit):
            outcome = callback()
            if inspect.isawaitable(outcome):
                await outcome

    async def dispose(self) -> None:
        await self.engine.dispose()


async def flush_audit(uow: UnitOfWork) -> None:
    if not uow.audit_rows:
        return
    # render_nulls: one INSERT for all the rows, not one per set of columns left empty
    await uow.session.execute(
        insert(AuditEvent).execution_options(render_nulls=True), uow.audit_rows
    )
    uow.audit_rows.clear()
