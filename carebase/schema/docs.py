"""Descriptions that repeat across the schema, and the helper that documents enum values.

Every type, field, argument, input field and enum value of the schema carries a description
(``tests/schema/test_descriptions.py`` fails on a missing one). Most are written beside their
declaration; the ones that would read the same on many types live here, once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from strawberry.types.base import get_object_definition
from strawberry.types.enum import StrawberryEnumDefinition

USER_ERRORS = (
    "Expected failures of this mutation (invalid input, a refused permission, a conflict), "
    "each with a typed `code`, a message and the input `field` it concerns; empty on success. "
    "When it is not empty, the payload's other fields are null."
)
MUTATION_INPUT = "What to do: the fields of the mutation's input type (each one described there)."
NODE_ID = "The object's global id: opaque, stable, usable with `node(id:)` and `nodes(ids:)`."
FIRST = "How many items to return: 0 to 100, default 20; more than 100 is `INVALID_INPUT`."
AFTER = (
    "The `endCursor` (or an edge's `cursor`) of the page before, to read the items after it; "
    "omitted for the first page. A cursor not issued by this list is `INVALID_INPUT`."
)
IDEMPOTENCY_KEY = (
    "A key you choose (1 to 200 characters) so a retry does not repeat the effect: kept 24 "
    "hours per organization and operation; a repeat with the same input answers the first "
    "response, with different input `IDEMPOTENCY_KEY_REUSED`."
)
CURRENCY_INPUT = (
    "ISO 4217 currency code, lower case (e.g. `usd`); defaults to the organization's currency, "
    "and must equal it (`INVALID_INPUT` otherwise)."
)
TIMEZONE = "IANA time zone name, e.g. `America/New_York`."
CLIENT_MUTATION = "Members of the organization (any role) with `clients:write`."
SETTINGS_MUTATION = (
    "Owners and admins of the organization only (a key needs `settings:write`); "
    "anyone else gets `FORBIDDEN`."
)
BILLING_WRITE = "Members of the organization (any role); a key needs `billing:write`."


def describe_values(enum_type: Any, descriptions: Mapping[str, str]) -> None:
    """Give each value of a strawberry enum its description.

    Used for the enums the schema shares with the models (``strawberry.enum(Model, ...)``),
    whose members cannot carry ``strawberry.enum_value``; a value left out or a name that is
    not a value fails at import, so an added value cannot stay undocumented."""
    definition = enum_type.__strawberry_definition__
    assert isinstance(definition, StrawberryEnumDefinition)
    names = {value.name for value in definition.values}
    if names != set(descriptions):
        raise ValueError(
            f"{definition.name}: describe exactly its values "
            f"(missing {sorted(names - set(descriptions))}, "
            f"unknown {sorted(set(descriptions) - names)})"
        )
    for value in definition.values:
        value.description = descriptions[value.name]


def describe_type(merged: type, description: str) -> None:
    """Describe a type built by ``merge_types`` (the root ``Query`` and ``Mutation``), which
    takes no description of its own."""
    get_object_definition(merged, strict=True).description = description
