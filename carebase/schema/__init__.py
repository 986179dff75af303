"""The GraphQL schema: one package per area, whose root types are merged here.

The order of the root types below is the order of the fields of ``Query`` and ``Mutation``
in the exported schema (``gql/schema.graphql``): keep it when adding an area's types.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import strawberry
from graphql import DirectiveLocation, GraphQLDeprecatedDirective, GraphQLDirective, GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    SchemaExtension,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.types.base_scalars import DateDefinition, DateTimeDefinition
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from carebase.schema.billing import BillingMutation, BillingQuery
from carebase.schema.chat import ChatMutation, ChatQuery, Subscription
from carebase.schema.docs import describe_type
from carebase.schema.errors import CarebaseErrors
from carebase.schema.field_gates import install_field_gates
from carebase.schema.insurance import InsuranceMutation, InsuranceQuery
from carebase.schema.intake import IntakeCatalogQuery, IntakeMutation, IntakeQuery
from carebase.schema.limits import MAX_TOKENS, CostLimit, LimitsThenValidation
from carebase.schema.nodes import NodeQuery
from carebase.schema.org import AuditQuery, OrganizationMutation, OrganizationQuery
from carebase.schema.parsing import BoundedParserCache
from carebase.schema.people import (
    InvitationMutation,
    PeopleMutation,
    PeopleQuery,
    SessionMutation,
)
from carebase.schema.persisted import PersistedDocuments, PersistedQueries
from carebase.schema.reports import ReportsQuery
from carebase.schema.retry_after import RetryAfter
from carebase.schema.scheduling import SchedulingMutation, SchedulingQuery
from carebase.schema.trusted import TrustedDocuments
from carebase.schema.unit_of_work import UnitOfWorkExtension
from carebase.schema.webhooks import WebhookMutation, WebhookQuery

PRODUCTION_RULES = (NoSchemaIntrospectionCustomRule,)

# strawberry's own Date and DateTime, described as this API reads and writes them
DOCUMENTED_SCALARS: dict[object, Any] = {
    datetime: dataclasses.replace(
        DateTimeDefinition,
        description=(
            "An instant as ISO 8601 with a UTC offset, e.g. `2026-12-01T09:30:00-05:00` or "
            "`2026-12-01T14:30:00Z`. Inputs without an offset, or a bare date, are "
            "`INVALID_INPUT`; answers always carry an offset."
        ),
    ),
    date: dataclasses.replace(
        DateDefinition,
        description=(
            "A calendar day, ISO 8601 `YYYY-MM-DD` (e.g. `2026-12-01`), read in the "
            "organization's time zone."
        ),
    ),
}


Query = merge_types(
    "Query",
    (
        NodeQuery,
        PeopleQuery,
        OrganizationQuery,
        SchedulingQuery,
        IntakeQuery,
        IntakeCatalogQuery,
        ChatQuery,
        BillingQuery,
        InsuranceQuery,
        ReportsQuery,
        AuditQuery,
        WebhookQuery,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        SessionMutation,
        PeopleMutation,
        InvitationMutation,
        OrganizationMutation,
        SchedulingMutation,
        IntakeMutation,
        ChatMutation,
        BillingMutation,
        WebhookMutation,
        InsuranceMutation,
    ),
)
describe_type(
    Query,
    "Everything a caller can read. Fields answer only what the caller may see: members see their "
    "organization's data, a client only their own, a publishable key only the widget's fields.",
)
describe_type(
    Mutation,
    "Everything a caller can change. Every mutation answers a payload whose `userErrors` lists "
    "expected failures (never top-level errors); those that move money or book time take an "
    "`idempotencyKey`.",
)


# graphql-core 3.3 lets `@deprecated` mark directive definitions too (a draft of the spec);
# graphql-js 16, which partners' tools use (graphql-codegen, Apollo's), knows no
# DIRECTIVE_DEFINITION location: a schema built from our introspection and printed again did
# not parse ("Unexpected Name DIRECTIVE_DEFINITION"). We deprecate no directive, so ours is
# the October 2021 spec's, which both read.
DEPRECATED = GraphQLDirective(
    name=GraphQLDeprecatedDirective.name,
    locations=[
        location
        for location in GraphQLDeprecatedDirective.locations
        if location is not DirectiveLocation.DIRECTIVE_DEFINITION
    ],
    args=GraphQLDeprecatedDirective.args,
    description=GraphQLDeprecatedDirective.description,
)


SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


class CarebaseSchema(strawberry.Schema):
    """Strawberry calls ``process_errors`` on every path, parse errors included."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            if error.message.startswith("Syntax Error: Document contains more"):
                error.extensions = {**(error.extensions or {}), "code": "QUERY_TOO_COMPLEX"}
            if self.config.disable_field_suggestions and "Did you mean" in error.message:
                # names of the schema stay private in production, like introspection
                error.message = SUGGESTION.sub("", error.message)
        # expected errors: one INFO line each; only the unexpected keep ERROR and a trace
        unexpected = CarebaseErrors.log_expected(errors)
        if unexpected:
            super().process_errors(unexpected, execution_context)


def build_schema(*, production: bool) -> strawberry.Schema:
    rules = PRODUCTION_RULES if production else ()
    documents = PersistedDocuments()  # this schema's (this process's) view of the store
    extensions: list[Callable[[], SchemaExtension]] = [
        TrustedDocuments,
        lambda: PersistedQueries(documents),
        UnitOfWorkExtension,
        RetryAfter,
        lambda: MaxTokensLimiter(MAX_TOKENS),
        lambda: AddValidationRules(list(rules)),
        BoundedParserCache,
        LimitsThenValidation,
        CostLimit,
        CarebaseErrors,
    ]
    schema = CarebaseSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        config=StrawberryConfig(disable_field_suggestions=production),
        scalar_overrides=DOCUMENTED_SCALARS,
        types=[],
    )
    graphql_schema = schema._schema
    install_field_gates(graphql_schema)  # in the guarded fields' resolvers, not per field
    graphql_schema.directives = tuple(
        DEPRECATED if d.name == DEPRECATED.name else d for d in graphql_schema.directives
    )
    return schema


def export_sdl() -> str:
    return build_schema(production=False).as_str() + "\n"


__all__ = ["build_schema", "date", "export_sdl"]
