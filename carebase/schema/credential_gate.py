"""A presented credential that was not accepted (an invalid, expired or revoked token, an
unknown publishable key) answers UNAUTHENTICATED on every root query field, ``viewer``
included: only a caller who sent no credential is treated as signed out.

Mutations answer the same code as a ``userError`` (the contract's shape for a policy
refusal): their resolvers refuse such a principal as they refuse an anonymous one. The
mutations that take their own credential in their input stay open, so a client whose access
token expired can still refresh it or log in again while it keeps sending the stale header.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import GraphQLResolveInfo

from carebase.resolvers.core.credentials import refuse_rejected

# a refused credential never opens a socket (4403), so Subscription is listed for symmetry
GATED_ROOT_TYPES = frozenset({"Query", "Subscription"})


def credential_resolver(resolve: Callable[..., Any]) -> Callable[..., Any]:
    """``resolve`` refusing a rejected credential: installed on the root fields of
    ``GATED_ROOT_TYPES`` when the schema is built (``carebase.schema.field_gates``)."""

    def checked(root: Any, info: GraphQLResolveInfo[Any], **kwargs: Any) -> Any:
        if info.context.principal.rejected:
            refuse_rejected(info.context.principal)
        return resolve(root, info, **kwargs)

    return checked
