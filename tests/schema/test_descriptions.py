"""Every type, field, argument, input field and enum value of the schema has a description.

Partner developers read the schema in GraphiQL and in what codegen tools write from it; a
coordinate without a description is a question in their support queue. The walk runs over the
live schema (what the server answers introspection with) and over the committed export
(``gql/schema.graphql``, what partners download), so neither can lose one unnoticed.
"""

from __future__ import annotations

from pathlib import Path

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    build_schema,
)

from carebase.schema import build_schema as build_carebase_schema

EXPORTED = Path(__file__).resolve().parents[2] / "gql" / "schema.graphql"
BUILT_IN_SCALARS = {"String", "Int", "Float", "Boolean", "ID"}


def _blank(description: str | None) -> bool:
    return description is None or not description.strip()


def _type_coordinates(named: GraphQLNamedType) -> list[tuple[str, str | None]]:
    """(schema coordinate, description) of a type and of everything declared inside it."""
    found: list[tuple[str, str | None]] = [(named.name, named.description)]
    if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
        for field_name, field in named.fields.items():
            found.append((f"{named.name}.{field_name}", field.description))
            for arg_name, arg in field.args.items():
                found.append((f"{named.name}.{field_name}({arg_name}:)", arg.description))
    elif isinstance(named, GraphQLInputObjectType):
        for field_name, input_field in named.fields.items():
            found.append((f"{named.name}.{field_name}", input_field.description))
    elif isinstance(named, GraphQLEnumType):
        for value_name, value in named.values.items():
            found.append((f"{named.name}.{value_name}", value.description))
    elif isinstance(named, GraphQLUnionType):
        pass  # a union has no members of its own to describe beyond its name
    return found


def coordinates(schema: GraphQLSchema) -> list[tuple[str, str | None]]:
    """Every describable coordinate of the schema but introspection and built-in scalars."""
    found: list[tuple[str, str | None]] = []
    for name, named in sorted(schema.type_map.items()):
        if name.startswith("__") or name in BUILT_IN_SCALARS:
            continue
        found.extend(_type_coordinates(named))
    return found


def undocumented(schema: GraphQLSchema) -> list[str]:
    return [coordinate for coordinate, text in coordinates(schema) if _blank(text)]


def _report(missing: list[str]) -> str:
    return f"{len(missing)} coordinates without a description:\n  " + "\n  ".join(missing)


def test_the_walk_reaches_every_kind_of_coordinate() -> None:
    """The walk itself is checked: a schema missing one of each kind is reported in full."""
    schema = build_schema(
        '''
        """d""" type Query { """d""" a(x: Int, """d""" y: Int): E  b: U }
        enum E { """d""" ON OFF }
        input I { """d""" p: Int  q: Int }
        """  """ union U = Query
        scalar S
        """d""" interface N { id: ID }
        '''
    )
    assert sorted(undocumented(schema)) == sorted(
        ["E", "E.OFF", "I", "I.q", "N.id", "Query.a(x:)", "Query.b", "S", "U"]
    )


def test_every_coordinate_of_the_live_schema_is_described() -> None:
    schema = build_carebase_schema(production=False)._schema
    names = {name for name, _ in coordinates(schema)}
    assert {"Query", "Mutation", "Subscription", "Node", "PageInfo", "DateTime"} <= names
    missing = undocumented(schema)
    assert not missing, _report(missing)


def test_the_committed_export_carries_the_descriptions() -> None:
    exported = build_schema(EXPORTED.read_text())
    missing = undocumented(exported)
    assert not missing, _report(missing)
    live = dict(coordinates(build_carebase_schema(production=False)._schema))
    assert dict(coordinates(exported)) == live, "gql/schema.graphql is stale: export it again"
