"""Queries read in a plain transaction: on SQLite they never wait for each other or for a
writer's lock, cannot write by mistake, and their audit rows are still written before the
answer leaves."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.util import await_only
from starlette.applications import Starlette

from carebase.db import Database
from carebase.models import AuditEvent
from tests.conftest import Practice, sign_up, unique_email
from tests.fixtures.factories import key_of
from tests.fixtures.graphql import GraphQLClient, documents
from tests.fixtures.statements import database

sqlite_only = pytest.mark.skipif(database() != "sqlite", reason="SQLite's locking")


@sqlite_only
async def test_a_reading_unit_does_not_wait_behind_an_open_writer(app: Starlette) -> None:
    db: Database = app.state.db
    async with db.unit_of_work(write=True) as writer:
        await writer.session.execute(text("SELECT 1"))  # holds SQLite's write lock
        async with asyncio.timeout(10):  # a reader queued behind it would wait 30 s
            async with db.unit_of_work(reads=True) as reader:
                counted = (await reader.session.execute(select(func.count(AuditEvent.id)))).scalar()
                assert counted is not None


@sqlite_only
async def test_a_reading_unit_refuses_to_write(app: Starlette) -> None:
    db: Database = app.state.db
    with pytest.raises(OperationalError, match="readonly"):
        async with db.unit_of_work(reads=True) as reader:
            await reader.session.execute(text("CREATE TABLE never_made (x INTEGER)"))
    # the connection went back to the pool writable again
    async with db.unit_of_work(write=True) as writer:
        await writer.session.execute(text("CREATE TEMP TABLE made (x INTEGER)"))


async def test_a_query_audits_what_it_read(
    app: Starlette, api: GraphQLClient, practice: Practice
) -> None:
    db: Database = app.state.db

    async def audited() -> int:
        async with db.unit_of_work() as uow:
            count = select(func.count(AuditEvent.id)).where(AuditEvent.resource == "client")
            return int((await uow.session.execute(count)).scalar_one())

    made = await api.op(
        "CreateClient",
        {"input": {"name": "Read Path", "email": unique_email()}},
        token=practice.owner_token,
    )
    client_id = made["createClient"]["client"]["id"]
    before = await audited()
    found = await api.op("ClientDetails", {"id": client_id}, token=practice.owner_token)
    assert found["client"]["id"] == client_id
    assert await audited() == before + 1


@contextmanager
def held_after(
    app: Starlette, fragment: str, hold: Callable[[], Awaitable[None]]
) -> Iterator[None]:
    """Runs ``hold`` (awaited inside the statement's unit of work, on its connection) after
    each statement whose text has ``fragment``: what the other units can do meanwhile shows
    how they overlap, with no timing."""
    engine = app.state.db.engine.sync_engine

    def after(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if fragment in statement:
            await_only(hold())

    event.listen(engine, "after_cursor_execute", after)
    try:
        yield
    finally:
        event.remove(engine, "after_cursor_execute", after)


def write_lock_is_free(app: Starlette) -> bool:
    """Whether another connection can take SQLite's write lock right now (no waiting)."""
    path = app.state.db.engine.url.database
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        assert "locked" in str(exc), exc
        return False
    else:
        other.execute("ROLLBACK")
        return True
    finally:
        other.close()


async def test_two_reads_run_at_the_same_time(api: GraphQLClient, app: Starlette) -> None:
    """Each query stops after reading appointments until the other has read them too: if one
    waited behind the other, neither would finish (the barrier would never fill)."""
    owner = await sign_up(api)
    inside = asyncio.Barrier(2)
    free_while_reading: list[bool] = []

    async def meet() -> None:
        await inside.wait()
        if database() == "sqlite":
            free_while_reading.append(write_lock_is_free(app))

    with held_after(app, "FROM appointments", meet):
        async with asyncio.timeout(20):  # a bound for a failure, not a measurement
            pages = await asyncio.gather(
                api.op("Appointments", {"first": 5}, token=owner.owner_token),
                api.op("Appointments", {"first": 5}, token=owner.owner_token),
            )
    assert [page["appointments"]["totalCount"] for page in pages] == [0, 0]
    if database() == "sqlite":
        assert free_while_reading and all(free_while_reading)  # reads take no write lock


@sqlite_only
async def test_a_mutation_holds_the_write_lock_from_its_first_statement(
    api: GraphQLClient, app: Starlette
) -> None:
    """Writers still queue: a mutation takes SQLite's write lock before its first write, so a
    second writer waits for it instead of failing to upgrade a read lock."""
    owner = await sign_up(api)
    during: list[bool] = []

    async def look() -> None:
        during.append(write_lock_is_free(app))

    with held_after(app, "BEGIN IMMEDIATE", look):
        made = await api.op(
            "CreateClient",
            {"input": {"name": "Queued Writer", "email": unique_email()}},
            token=owner.owner_token,
        )
    assert made["createClient"]["userErrors"] == []
    assert during and not any(during)


async def test_reads_under_concurrency_are_all_audited(
    app: Starlette, api: GraphQLClient, practice: Practice
) -> None:
    made = await api.op(
        "CreateClient",
        {"input": {"name": "Read Often", "email": unique_email()}},
        token=practice.owner_token,
    )
    client_id = made["createClient"]["client"]["id"]

    async def audited() -> int:
        async with app.state.db.unit_of_work() as uow:
            count = select(func.count(AuditEvent.id)).where(
                AuditEvent.resource == "client", AuditEvent.client_id == key_of(client_id)
            )
            return int((await uow.session.execute(count)).scalar_one())

    before = await audited()
    found = await asyncio.gather(
        *(api.op("ClientDetails", {"id": client_id}, token=practice.owner_token) for _ in range(8))
    )
    assert {page["client"]["id"] for page in found} == {client_id}
    assert await audited() == before + 8


REFUSE_AUDIT = {
    "sqlite": [
        "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_events "
        "BEGIN SELECT RAISE(ABORT, 'audit refused'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION refuse_audit() RETURNS trigger AS $$ BEGIN "
        "RAISE EXCEPTION 'audit refused'; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_events "
        "FOR EACH ROW EXECUTE FUNCTION refuse_audit()",
    ],
}
ALLOW_AUDIT = {
    "sqlite": ["DROP TRIGGER refuse_audit"],
    "postgresql": [
        "DROP TRIGGER refuse_audit ON audit_events",
        "DROP FUNCTION refuse_audit()",
    ],
}


async def test_a_read_whose_audit_rows_cannot_be_written_answers_no_data(
    app: Starlette, api: GraphQLClient, practice: Practice
) -> None:
    made = await api.op(
        "CreateClient",
        {"input": {"name": "Never Unaudited", "email": unique_email()}},
        token=practice.owner_token,
    )
    client_id = made["createClient"]["client"]["id"]
    db: Database = app.state.db

    async def run(statements: list[str]) -> None:
        async with db.unit_of_work(write=True) as uow:
            for statement in statements:
                await uow.session.execute(text(statement))

    await run(REFUSE_AUDIT[database()])
    try:
        answer = await api.raw(
            documents()["ClientDetails"], {"id": client_id}, token=practice.owner_token
        )
    finally:
        await run(ALLOW_AUDIT[database()])
    assert answer["data"] is None
    assert [error["extensions"]["code"] for error in answer["errors"]] == ["INTERNAL_SERVER_ERROR"]
    assert "Never Unaudited" not in str(answer)
    # once audit rows can be written again, the same read answers
    again = await api.op("ClientDetails", {"id": client_id}, token=practice.owner_token)
    assert again["client"]["id"] == client_id
