"""The SQL statements a request sends, recorded as the engine runs them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from starlette.applications import Starlette


@contextmanager
def count_statements(app: Starlette) -> Iterator[list[str]]:
    statements: list[str] = []
    # a cold credential cache, as the other statement pins count it
    app.state.authenticator.cache.clear()
    engine = app.state.db.engine.sync_engine

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
