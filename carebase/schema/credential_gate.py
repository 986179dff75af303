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
from strawberry.extensions import SchemaExtension

from carebase.resolvers.core.credentials import refuse_rejected

# a refused credential never opens a socket (4403), so Subscription is listed for symmetry
GATED_ROOT_TYPES = frozenset({"Query", "Subscription"})


class CredentialGate(SchemaExtension):
    def resolve(
        self,
        _next: Callable[..., Any],
        root: Any,
        info: GraphQLResolveInfo[Any],
        *args: str,
        **kwargs: Any,
    ) -> Any:
        if (
            info.context.principal.rejected
            and info.parent_type.name in GATED_ROOT_TYPES
            and not info.field_name.startswith("__")
        ):
            refuse_rejected(info.context.principal)
        return _next(root, info, *args, **kwargs)
