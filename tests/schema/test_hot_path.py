"""What every request pays for: no extension wraps every field resolve, and answers are
orjson's bytes."""

from __future__ import annotations

import orjson
from strawberry.extensions import SchemaExtension

from carebase.graphql_view import encode_response
from carebase.schema import build_schema
from tests.conftest import Practice
from tests.fixtures.graphql import GraphQLClient


def test_no_schema_extension_resolves_per_field() -> None:
    """A `resolve` on any extension makes graphql-core run it for every field of every node."""
    schema = build_schema(production=True)
    per_field = [
        type(extension).__name__
        for extension in (factory() for factory in schema.extensions)
        if type(extension).resolve is not SchemaExtension.resolve
    ]
    assert per_field == []


def test_an_answer_past_orjson_falls_back_to_json() -> None:
    value = {"data": {"big": 2**70, "name": "Zoë"}}
    assert orjson.loads(encode_response({"data": {"name": "Zoë"}})) == {"data": {"name": "Zoë"}}
    assert encode_response(value) == b'{"data":{"big":1180591620717411303424,"name":"Zo\\u00eb"}}'


async def test_the_gates_still_guard_their_fields(api: GraphQLClient, practice: Practice) -> None:
    """With no middleware, a rejected credential is still refused on a root field."""
    errors = await api.errors("Organization", token=practice.owner_token + "x")
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
