"""The per-field gates, installed in the resolvers of the fields they guard once, when the
schema is built: a middleware (a strawberry extension's ``resolve``) would wrap every field
of every node in every response, which is most of a list's cost.

A rejected credential is refused on each root query and subscription field; the intake gate
closes the root query fields and the ``Client`` fields outside its open lists.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import GraphQLObjectType, GraphQLSchema, default_field_resolver

from carebase.schema.credential_gate import GATED_ROOT_TYPES, credential_resolver
from carebase.schema.gate import (
    OPEN_CLIENT_FIELDS,
    OPEN_ROOT_FIELDS,
    gate_resolver,
)


def install_field_gates(schema: GraphQLSchema) -> None:
    for type_name in sorted(GATED_ROOT_TYPES):
        _wrap(schema, type_name, credential_resolver, lambda name: True)
    for type_name in ("Query", "Subscription"):
        _wrap(schema, type_name, gate_resolver, lambda name: name not in OPEN_ROOT_FIELDS)
    _wrap(schema, "Client", gate_resolver, lambda name: name not in OPEN_CLIENT_FIELDS)


def _wrap(
    schema: GraphQLSchema,
    type_name: str,
    wrapper: Callable[[Callable[..., Any]], Callable[..., Any]],
    guarded: Callable[[str], bool],
) -> None:
    kind = schema.type_map.get(type_name)
    if not isinstance(kind, GraphQLObjectType):
        return
    for name, field in kind.fields.items():
        if not name.startswith("__") and guarded(name):
            field.resolve = wrapper(field.resolve or default_field_resolver)
