"""Relay conventions: opaque global ids, the Node interface, forward-only connections."""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

import strawberry

from carebase.errors import invalid
from carebase.resolvers.core.pagination import Page

T = TypeVar("T")


def to_global_id(type_name: str, key: uuid.UUID) -> strawberry.ID:
    return strawberry.ID(base64.urlsafe_b64encode(f"{type_name}:{key}".encode()).decode())


def parse_global_id(value: str, field: str = "id") -> tuple[str, uuid.UUID]:
    try:
        type_name, _, raw = base64.urlsafe_b64decode(value.encode()).decode().partition(":")
        return type_name, uuid.UUID(raw)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise invalid("Not a valid id", field) from None


def decode_id(value: str, *types: str, field: str = "id") -> uuid.UUID:
    type_name, key = parse_global_id(value, field)
    if types and type_name not in types:
        raise invalid(f"Expected the id of a {' or '.join(types)}", field)
    return key


def decode_optional_id(value: str | None, *types: str, field: str) -> uuid.UUID | None:
    return None if value is None else decode_id(value, *types, field=field)


@strawberry.interface(description="An object with a global id")
class Node:
    id: strawberry.ID


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    total_count: int

    @classmethod
    def from_page(cls, page: Page[Any], convert: Callable[[Any], T]) -> Connection[T]:
        return cls.from_nodes(page, (convert(item) for item in page.items))

    @classmethod
    def from_nodes(cls, page: Page[Any], nodes: Iterable[T]) -> Connection[T]:
        edges = [Edge(cursor=c, node=node) for c, node in zip(page.cursors, nodes, strict=True)]
        return cls(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next,
                has_previous_page=page.has_previous,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            total_count=page.total,
        )
