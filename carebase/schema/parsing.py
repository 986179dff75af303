"""Parsing with a cache that only small documents enter.

A valid query padded with a 10 MB comment stays within the token limit (comments are not
tokens); cached, a dozen of them would hold hundreds of MB. Such a document is parsed
(the request body limit bounds it) but never kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from graphql import DocumentNode, parse
from strawberry.extensions import SchemaExtension

MAX_CACHED_CHARS = 32_768
CACHE_SIZE = 256


@lru_cache(maxsize=CACHE_SIZE)
def _cached_parse(query: str, max_tokens: int | None) -> DocumentNode:
    return parse(query, max_tokens=max_tokens)


def parse_document(query: str, max_tokens: int | None) -> DocumentNode:
    if len(query) <= MAX_CACHED_CHARS:
        return _cached_parse(query, max_tokens)
    return parse(query, max_tokens=max_tokens)


class BoundedParserCache(SchemaExtension):
    def on_parse(self) -> Iterator[None]:
        execution = self.execution_context
        assert execution.query is not None
        max_tokens = execution.parse_options.get("max_tokens")
        execution.graphql_document = parse_document(execution.query, max_tokens)
        yield


def cache_size() -> int:
    return _cached_parse.cache_info().currsize
