"""Apollo's automatic persisted queries (``extensions.persistedQuery {version, sha256Hash}``).

A request naming a hash without a query runs the registered document of that hash (the
manifest shipped in the package, ``schema/manifest.py``) or one stored earlier; an unknown
hash answers ``PERSISTED_QUERY_NOT_FOUND`` (message ``PersistedQueryNotFound``, as Apollo's
``PersistedQueryLink`` expects), so the client sends hash and query. A query sent with a
hash must hash to it (the sha256 of the exact text sent), else ``INVALID_INPUT``; it runs like
any sent query and, once it passed validation and the limits, is stored for signed-in
callers. Either way the document goes through the same token limit, parse cache,
validation and cost limit as a sent one: it becomes the operation's query before parsing.
"""

from __future__ import annotations

import json
import logging
import re
from collections import OrderedDict
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from carebase.db import Database
from carebase.errors import DomainError
from carebase.resolvers.core.persisted_queries import (
    TOUCH_INTERVAL,
    find_document,
    store_document,
    touch_document,
)
from carebase.schema.context import Context
from carebase.schema.limits import MAX_COST, TooMuchWork, operation_cost
from carebase.schema.manifest import registered_documents, sha256_of
from carebase.schema.parsing import MAX_CACHED_CHARS

log = logging.getLogger("carebase.graphql")

VERSION = 1
SHA256 = re.compile(r"[0-9a-f]{64}")
# the documents a process has seen stored, so a hot one costs no read per request
KNOWN_SIZE = 1024
FIELD = ["extensions", "persistedQuery"]


def asks_for_persisted_query(params: Mapping[str, Any]) -> bool:
    """A GET naming a persisted query without one is an operation, not a visit to GraphiQL."""
    raw = params.get("extensions")
    if not isinstance(raw, str) or "persistedQuery" not in raw:
        return False
    try:
        extensions = json.loads(raw)
    except ValueError:
        return False
    return isinstance(extensions, dict) and "persistedQuery" in extensions


def not_found() -> GraphQLError:
    return GraphQLError("PersistedQueryNotFound", extensions={"code": "PERSISTED_QUERY_NOT_FOUND"})


def _invalid(message: str, field: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "INVALID_INPUT", "field": [*FIELD, field]})


def _requested_hash(extensions: Mapping[str, Any] | None) -> str | None:
    """The hash a request names, checked for shape; None when it names none."""
    if not extensions or extensions.get("persistedQuery") is None:
        return None
    persisted = extensions["persistedQuery"]
    if not isinstance(persisted, dict):
        raise _invalid("extensions.persistedQuery must be an object", "version")
    if persisted.get("version") != VERSION:
        raise _invalid("Only version 1 of persisted queries is supported", "version")
    digest = persisted.get("sha256Hash")
    if not isinstance(digest, str) or not SHA256.fullmatch(digest.lower()):
        raise _invalid("sha256Hash must be 64 hexadecimal digits", "sha256Hash")
    return digest.lower()


@dataclass
class _Known:
    document: str
    touched: datetime


class PersistedDocuments:
    """One process's view of the shared table: documents it saw, with when it last marked
    each used (at most once a minute, and a document found gone then is forgotten)."""

    def __init__(self, size: int = KNOWN_SIZE) -> None:
        self.size = size
        self.known: OrderedDict[str, _Known] = OrderedDict()

    def _remember(self, digest: str, known: _Known) -> None:
        self.known[digest] = known
        self.known.move_to_end(digest)
        while len(self.known) > self.size:
            self.known.popitem(last=False)

    async def lookup(self, db: Database, digest: str) -> str | None:
        known = self.known.get(digest)
        if known is None:
            async with db.unit_of_work() as uow:
                found = await find_document(uow, sha256=digest)
            if found is None:
                return None
            known = _Known(found.document, found.last_used_at)
            self._remember(digest, known)
        now = db.clock.now()
        if now - known.touched >= TOUCH_INTERVAL:
            known.touched = now
            async with db.unit_of_work(write=True) as uow:
                still_stored = await touch_document(uow, sha256=digest)
            if not still_stored:
                self.known.pop(digest, None)
        return known.document

    async def store(self, context: Context, digest: str, document: str) -> None:
        async with context.db.unit_of_work(write=True) as uow:
            evicted = await store_document(uow, context.principal, sha256=digest, document=document)
        for gone in evicted:
            self.known.pop(gone, None)
        if digest not in evicted:
            self._remember(digest, _Known(document, context.db.clock.now()))


class PersistedQueries(SchemaExtension):
    """First of the schema's extensions: the query is in place before anything parses it,
    and a document is stored only after its operation's unit of work has committed."""

    def __init__(self, documents: PersistedDocuments) -> None:
        self.documents = documents
        self.to_store: tuple[str, str] | None = None

    async def on_operation(self) -> AsyncIterator[None]:
        execution = self.execution_context
        digest = _requested_hash(execution.operation_extensions)
        if digest is not None:
            await self._resolve(digest)
        yield

    async def _resolve(self, digest: str) -> None:
        execution = self.execution_context
        context = execution.context
        if execution.query:
            if sha256_of(execution.query) != digest:
                raise _invalid("sha256Hash is not the sha256 of the query sent", "sha256Hash")
            if (
                digest not in registered_documents()
                and digest not in self.documents.known
                and len(execution.query) <= MAX_CACHED_CHARS
            ):
                self.to_store = (digest, execution.query)
            return
        document = registered_documents().get(digest)
        if document is None and isinstance(context, Context):
            try:
                document = await self.documents.lookup(context.db, digest)
            except Exception as exc:
                log.exception("could not read the persisted-queries table")
                raise GraphQLError(
                    "Unexpected error.", extensions={"code": "INTERNAL_SERVER_ERROR"}
                ) from exc
        if document is None:
            raise not_found()
        execution.query = document

    async def on_execute(self) -> AsyncIterator[None]:
        yield
        # validation passed to get here; the cost limit is checked again for the store
        if self.to_store is None or not self._within_cost():
            return
        context = self.execution_context.context
        if not isinstance(context, Context):
            return
        digest, document = self.to_store
        try:
            await self.documents.store(context, digest, document)
        except DomainError as error:  # a publishable key or an anonymous caller
            log.info("persisted query not stored: %s", error.code.value)
        except Exception:  # the operation has answered already: storing is best effort
            log.exception("could not store a persisted query")

    def _within_cost(self) -> bool:
        execution = self.execution_context
        if execution.graphql_document is None:
            return False
        try:
            cost = operation_cost(
                execution.schema._schema,
                execution.graphql_document,
                execution.operation_name,
                execution.variables,
            )
        except TooMuchWork:
            return False
        return cost <= MAX_COST
