"""Queries read in a plain transaction: on SQLite they never wait for each other or for a
writer's lock, cannot write by mistake, and their audit rows are still written before the
answer leaves."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError
from starlette.applications import Starlette

from carebase.db import Database
from carebase.models import AuditEvent
from tests.conftest import Practice, unique_email
from tests.fixtures.graphql import GraphQLClient
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
