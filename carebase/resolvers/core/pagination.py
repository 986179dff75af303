"""Pages of a list: requests, keyset cursors, and rows in the order their keys were asked.

A cursor holds the sort key values of the row it points at, so the next page starts after
that row wherever it now is: a row inserted or removed before it shifts nothing, unlike an
offset. Every order ends with the id, so no two rows tie and each page boundary is exact.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, TypeDecorator, and_, false, func, or_, select
from sqlalchemy.orm import QueryableAttribute

from carebase.db import UnitOfWork
from carebase.errors import invalid

T = TypeVar("T")

DEFAULT_PAGE = 20
MAX_PAGE = 100
_NOT_A_CURSOR = "after is not a cursor from this list"
MAX_CURSOR = 1024  # ours are a few hundred characters; a longer one is not ours
Scalar = str | int | float | bool
_SCALARS = (str, int, float, bool)


@dataclass(frozen=True)
class PageRequest:
    first: int
    # the decoded cursor: (the order's tag, the last row's key values), checked against the
    # list's own order when it is used
    after: tuple[str, tuple[Scalar, ...]] | None = None


@dataclass(frozen=True)
class SortKey:
    expression: ColumnElement[Any]
    descending: bool = False


Sortable = ColumnElement[Any] | QueryableAttribute[Any]


def _column(expression: Sortable) -> ColumnElement[Any]:
    return expression.expression if isinstance(expression, QueryableAttribute) else expression


def asc(expression: Sortable) -> SortKey:
    return SortKey(_column(expression))


def desc(expression: Sortable) -> SortKey:
    return SortKey(_column(expression), descending=True)


class Order:
    """A list's sort keys, named: a cursor of another list is refused, not misread, even where
    two lists sort alike."""

    def __init__(self, name: str, *keys: SortKey) -> None:
        self.keys = keys
        text = ",".join(f"{k.expression}{' desc' if k.descending else ''}" for k in keys)
        self.tag = hashlib.sha256(f"{name}:{text}".encode()).hexdigest()[:10]


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    cursors: list[str]
    has_next: bool
    has_previous: bool


def page_request(first: int | None, after: str | None) -> PageRequest:
    size = DEFAULT_PAGE if first is None else first
    if size < 0 or size > MAX_PAGE:
        raise invalid(f"first must be between 0 and {MAX_PAGE}", "first")
    if not after:
        return PageRequest(first=size)
    if len(after) > MAX_CURSOR:
        raise invalid(_NOT_A_CURSOR, "after")
    try:
        decoded = json.loads(base64.urlsafe_b64decode(after.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError):
        raise invalid(_NOT_A_CURSOR, "after") from None
    match decoded:
        case [str(tag), list(values)] if all(isinstance(v, _SCALARS) for v in values):
            return PageRequest(first=size, after=(tag, tuple(values)))
    raise invalid(_NOT_A_CURSOR, "after")


def _encode_value(value: Any) -> Scalar:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, _SCALARS):
        return value
    raise TypeError(f"cannot put {type(value).__name__} in a cursor")


def encode_cursor(order: Order, values: Sequence[Any]) -> str:
    payload = [order.tag, [_encode_value(v) for v in values]]
    return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode()


def _python_type(key: SortKey) -> type:
    kind = key.expression.type
    engine = kind.impl_instance if isinstance(kind, TypeDecorator) else kind
    return engine.python_type


def _decode_value(key: SortKey, raw: Scalar) -> Any:
    kind = _python_type(key)
    try:
        if kind is datetime and isinstance(raw, str):
            value = datetime.fromisoformat(raw)
            # a forged year near the ends would overflow when moved to UTC for the query
            if value.tzinfo is not None and 1000 <= value.year <= 9000:
                return value
        elif kind is uuid.UUID and isinstance(raw, str):
            return uuid.UUID(hex=raw)
        elif (kind is int and type(raw) is int and -(2**31) <= raw < 2**31) or (
            kind is str and isinstance(raw, str)
        ):
            return raw
    except ValueError:
        pass
    raise invalid(_NOT_A_CURSOR, "after")


def _position(order: Order, request: PageRequest) -> tuple[Any, ...] | None:
    """The cursor's key values, typed for the list's order, or None for the first page."""
    if request.after is None:
        return None
    tag, raw = request.after
    if tag != order.tag or len(raw) != len(order.keys):
        raise invalid(_NOT_A_CURSOR, "after")
    return tuple(_decode_value(k, v) for k, v in zip(order.keys, raw, strict=True))


def _after(order: Sequence[SortKey], position: tuple[Any, ...]) -> ColumnElement[bool]:
    """Rows past the cursor: (a > x) or (a = x and b > y) or …, each key in its direction."""
    clauses: list[ColumnElement[bool]] = []
    for i, key in enumerate(order):
        past = key.expression < position[i] if key.descending else key.expression > position[i]
        ties = [order[j].expression == position[j] for j in range(i)]
        clauses.append(and_(*ties, past))
    return or_(false(), *clauses)


async def paginate(
    uow: UnitOfWork, stmt: Select[Any], request: PageRequest, order: Order
) -> Page[Any]:
    """One count and one page query, whatever the page size; ``stmt`` is unordered."""
    position = _position(order, request)
    total = (
        await uow.session.execute(select(func.count()).select_from(stmt.order_by(None).subquery()))
    ).scalar_one()
    rows: list[Any] = []
    if request.first:
        keys = order.keys
        keyed = stmt.add_columns(*(k.expression for k in keys)).order_by(
            *(k.expression.desc() if k.descending else k.expression.asc() for k in keys)
        )
        if position is not None:
            keyed = keyed.where(_after(keys, position))
        rows = list((await uow.session.execute(keyed.limit(request.first + 1))).all())
    shown = rows[: request.first]
    return Page(
        items=[row[0] for row in shown],
        total=total,
        cursors=[encode_cursor(order, tuple(row[1:])) for row in shown],
        has_next=len(rows) > request.first,
        has_previous=position is not None,
    )


def slice_page(
    items: list[T],
    request: PageRequest,
    order: Order,
    key: Callable[[T], tuple[Any, ...]],
) -> Page[T]:
    """A page of a list already loaded whole and sorted by ``order`` (a parent's few children,
    batched by a loader); ``key`` gives a row's values for ``order``."""
    position = _position(order, request)
    start = 0
    if position is not None:
        start = next(
            (i for i, item in enumerate(items) if _is_past(order.keys, key(item), position)),
            len(items),
        )
    shown = items[start : start + request.first]
    return Page(
        items=shown,
        total=len(items),
        cursors=[encode_cursor(order, key(item)) for item in shown],
        has_next=start + len(shown) < len(items),
        has_previous=position is not None,
    )


def _is_past(order: Sequence[SortKey], values: tuple[Any, ...], position: tuple[Any, ...]) -> bool:
    for k, value, at in zip(order, values, position, strict=True):
        if value != at:
            return bool(value < at) if k.descending else bool(value > at)
    return False


K = TypeVar("K")
R = TypeVar("R")

# one key's answer from the request's batch loader (a DataLoader's ``load``): a resolver that
# checks policy before a batched read takes it, so the read stays one query per batch
Load = Callable[[K], Awaitable[R]]


def in_order(rows: Iterable[R], keys: Sequence[K], key: Callable[[R], K]) -> list[R | None]:
    """Rows answered in the order DataLoaders asked for them; None where there is none."""
    found = {key(row): row for row in rows}
    return [found.get(k) for k in keys]


def grouped(rows: Iterable[R], keys: Sequence[K], key: Callable[[R], K]) -> list[list[R]]:
    """Each key's rows, in the order given, for loaders of a parent's children."""
    groups: dict[K, list[R]] = {k: [] for k in keys}
    for row in rows:
        groups[key(row)].append(row)
    return [groups[k] for k in keys]
