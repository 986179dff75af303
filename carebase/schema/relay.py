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
from carebase.schema.docs import NODE_ID

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


@strawberry.interface(
    description=(
        "An object with a global id: refetch any of them with `node(id:)` or `nodes(ids:)`."
    )
)
class Node:
    id: strawberry.ID = strawberry.field(description=NODE_ID)


@strawberry.type(description="Where a page is in its list (Relay forward pagination).")
class PageInfo:
    has_next_page: bool = strawberry.field(
        description=("True when items follow this page: read them with `after: endCursor`.")
    )
    has_previous_page: bool = strawberry.field(
        description=("True when this page was read with `after` (items precede it).")
    )
    start_cursor: str | None = strawberry.field(
        description=("The cursor of the first item of the page; null for an empty page.")
    )
    end_cursor: str | None = strawberry.field(
        description=(
            "The cursor of the last item of the page (pass it as `after`); null for an empty page."
        )
    )


@strawberry.type(description="One item of a page, with the cursor to read on after it.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(
        description=(
            "An opaque cursor of this item; pass it as `after` to read the items after it."
        )
    )
    node: T = strawberry.field(description="The item.")


@strawberry.type(
    description=(
        "A page of a list (a Relay connection, forward only): read it with `first` and `after`; "
        "its keyset cursors keep their place when rows are added while you page."
    )
)
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(
        description=("The items of this page, each with its cursor, in the list's stable order.")
    )
    page_info: PageInfo = strawberry.field(
        description=(
            "Where this page is in the list: whether more follow and the cursors to read them."
        )
    )
    total_count: int = strawberry.field(
        description=(
            "How many items the whole list holds (with the same arguments), not only this page."
        )
    )

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
