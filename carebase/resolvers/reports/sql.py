"""SQL pieces the reports share: the buckets as a table to join on, and minutes between two
instants in each dialect's own arithmetic."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import CTE, Integer, bindparam, column, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql._typing import _ColumnExpressionArgument
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from carebase.models.base import UTCDateTime
from carebase.resolvers.reports.ranges import Bucket

INSTANT = UTCDateTime()  # one instance: a type built per parameter costs more than the query


def ranges_table(buckets: Sequence[Bucket], name: str = "buckets") -> CTE:
    """``(n, lo, hi)`` per bucket, n its position: a UNION ALL of one-row SELECTs, which
    SQLite and PostgreSQL both read (SQLite has no column list on a VALUES alias). Written
    as text with typed parameters: a year of days is 365 rows, and building each as an
    expression costs more than the query. The instants are bound with the column type, so
    SQLite compares them as it stores them."""
    rows = " UNION ALL ".join(
        f"SELECT {n} AS n, :lo_{n} AS lo, :hi_{n} AS hi" for n in range(len(buckets))
    )
    instants = [
        bindparam(f"{edge}_{n}", moment, type_=INSTANT)
        for n, b in enumerate(buckets)
        for edge, moment in (("lo", b.start), ("hi", b.end))
    ]
    return (
        text(rows)
        .bindparams(*instants)
        .columns(column("n", Integer), column("lo", INSTANT), column("hi", INSTANT))
        .cte(name)
    )


class minutes_between(FunctionElement[int]):
    """Whole minutes from ``start`` to ``end`` (two UTC instants)."""

    type = Integer()
    inherit_cache = True

    def __init__(
        self, start: _ColumnExpressionArgument[Any], end: _ColumnExpressionArgument[Any]
    ) -> None:
        super().__init__(start, end)


@compiles(minutes_between, "sqlite")
def _sqlite_minutes(element: minutes_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(ROUND((julianday({end}) - julianday({start})) * 1440) AS INTEGER)"


@compiles(minutes_between, "postgresql")
def _postgresql_minutes(element: minutes_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(ROUND(EXTRACT(EPOCH FROM ({end} - {start})) / 60) AS INTEGER)"
