"""What introspection answers, readable by graphql-js 16 (partners' codegen, Apollo tooling):
no directive location it does not know (graphql-core 3.3 adds DIRECTIVE_DEFINITION to
`@deprecated`, which broke graphql-codegen pointed at the server: tests/partners)."""

from __future__ import annotations

from graphql import get_introspection_query, graphql_sync

from carebase.schema import build_schema

# the directive locations of the GraphQL spec of October 2021, all graphql-js 16 parses
KNOWN_LOCATIONS = {
    "QUERY", "MUTATION", "SUBSCRIPTION", "FIELD", "FRAGMENT_DEFINITION", "FRAGMENT_SPREAD",
    "INLINE_FRAGMENT", "VARIABLE_DEFINITION", "SCHEMA", "SCALAR", "OBJECT", "FIELD_DEFINITION",
    "ARGUMENT_DEFINITION", "INTERFACE", "UNION", "ENUM", "ENUM_VALUE", "INPUT_OBJECT",
    "INPUT_FIELD_DEFINITION",
}  # fmt: skip


def test_introspected_directives_use_only_locations_graphql_js_knows() -> None:
    for production in (False, True):
        schema = build_schema(production=production)
        result = graphql_sync(schema._schema, get_introspection_query(descriptions=True))
        assert result.errors is None
        assert result.data is not None
        directives = {d["name"]: d["locations"] for d in result.data["__schema"]["directives"]}
        assert directives["deprecated"] == [
            "FIELD_DEFINITION",
            "ARGUMENT_DEFINITION",
            "INPUT_FIELD_DEFINITION",
            "ENUM_VALUE",
        ]
        for name, locations in directives.items():
            assert set(locations) <= KNOWN_LOCATIONS, name


def test_deprecated_fields_still_answer_as_deprecated() -> None:
    schema = build_schema(production=False)
    result = graphql_sync(
        schema._schema,
        '{ __type(name: "Payment") { fields(includeDeprecated: true) '
        "{ name isDeprecated deprecationReason } } }",
    )
    assert result.data is not None
    fields = {f["name"]: f for f in result.data["__type"]["fields"]}
    assert fields["appointmentId"]["isDeprecated"] is True
    assert fields["appointmentId"]["deprecationReason"]
