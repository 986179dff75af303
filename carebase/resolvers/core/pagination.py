"""Pages of a list: requests, cursors, and rows in the order their keys were asked."""

from __future__ import annotations

import base64
import re
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select

from carebase.db import UnitOfWork
from carebase.errors import invalid

T = TypeVar("T")

DEFAULT_PAGE = 20
MAX_PAGE = 100


@dataclass(frozen=True)
class PageRequest:
    first: int
    offset: int


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    offset: int

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.items) < self.total


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode()


def page_request(first: int | None, after: str | None) -> PageRequest:
    size = DEFAULT_PAGE if first is None else first
    if size < 0 or size > MAX_PAGE:
        raise invalid(f"first must be between 0 and {MAX_PAGE}", "first")
    offset = 0
    if after:
        try:
            kind, _, value = base64.urlsafe_b64decode(after.encode()).decode().partition(":")
            if kind != "o" or not re.fullmatch(r"[0-9]{1,9}", value):
                raise ValueError
            offset = int(value) + 1
        except ValueError:
            raise invalid("after is not a cursor from this list", "after") from None
    return PageRequest(first=size, offset=offset)


async def paginate(uow: UnitOfWork, stmt: Select[Any], request: PageRequest) -> Page[Any]:
    """One count and one page query, whatever the page size."""
    total = (
        await uow.session.execute(select(func.count()).select_from(stmt.order_by(None).subquery()))
    ).scalar_one()
    items: list[Any] = []
    if request.first:
        result = await uow.session.execute(stmt.offset(request.offset).limit(request.first))
        items = list(result.scalars().all())
    return Page(items=items, total=total, offset=request.offset)


def slice_page(items: list[T], request: PageRequest) -> Page[T]:
    """A page of a list already loaded whole (a parent's few children, batched by a loader)."""
    return Page(
        items=items[request.offset : request.offset + request.first],
        total=len(items),
        offset=request.offset,
    )


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
