"""Trusted documents: a publishable key runs only the widget's registered documents.

The key is public (it sits in the practice's web page), so what it may ask is fixed ahead of
time: the operations of ``gql/operations/widget/``, sent by their sha256 (the persisted-query
protocol, ids from the manifest) or as their exact registered text. Anything else from it —
another document, a registered document of another folder, a document stored by someone
else, the registration of a new one — is ``DOCUMENT_NOT_TRUSTED`` before it is parsed or
looked up, so a key cannot make the server parse, validate or cost arbitrary text, nor
probe the schema. Signed-in and anonymous callers are not concerned. Batches from a key are
refused at the transport (``graphql_view.py``); WebSockets take no publishable key at all.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from carebase.auth.principal import Principal
from carebase.errors import ErrorCode
from carebase.schema.context import Context
from carebase.schema.manifest import sha256_of, widget_documents

MESSAGE = (
    "A publishable key runs only the widget's registered documents "
    "(gql/operations/widget), by sha256 or as their exact text"
)


def not_trusted() -> GraphQLError:
    return GraphQLError(MESSAGE, extensions={"code": ErrorCode.DOCUMENT_NOT_TRUSTED.value})


def is_restricted(principal: Principal) -> bool:
    """Whose requests may carry only trusted documents: an accepted publishable key's."""
    return principal.kind == "publishable"


def _named_hash(extensions: Mapping[str, Any] | None) -> str | None:
    persisted = (extensions or {}).get("persistedQuery")
    digest = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
    return digest.lower() if isinstance(digest, str) else None


def is_trusted(query: str | None, extensions: Mapping[str, Any] | None) -> bool:
    """The text sent is a widget document's, or (with no text) the hash named is one's."""
    trusted = widget_documents()
    if query:
        return sha256_of(query) in trusted
    digest = _named_hash(extensions)
    return digest is not None and digest in trusted


class TrustedDocuments(SchemaExtension):
    """Before the persisted-queries extension: an unknown hash from a key is not worth a
    lookup, and a document from it is never stored."""

    async def on_operation(self) -> AsyncIterator[None]:
        execution = self.execution_context
        context = execution.context
        if (
            isinstance(context, Context)
            and is_restricted(context.principal)
            and not is_trusted(execution.query, execution.operation_extensions)
        ):
            raise not_trusted()
        yield
