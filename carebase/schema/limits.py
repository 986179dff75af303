"""Query limits: depth, aliases, tokens (validation rules built once) and the cost budget."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import (
    ExecutionResult as GraphQLExecutionResult,
)
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    VariableNode,
    get_named_type,
    is_leaf_type,
)
from graphql.execution.values import get_variable_values
from strawberry.extensions import SchemaExtension

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 5000
MAX_COST = 2000
DEFAULT_FIRST = 20


def _fragments(context: ValidationContext) -> dict[str, FragmentDefinitionNode]:
    return {
        d.name.value: d
        for d in context.document.definitions
        if isinstance(d, FragmentDefinitionNode)
    }


def _depth(
    selection_set: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    seen: frozenset[str] = frozenset(),
) -> int:
    if selection_set is None:
        return 0
    deepest = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            if selection.name.value.startswith("__"):
                continue  # introspection is bounded by the schema (and off in production)
            deepest = max(deepest, 1 + _depth(selection.selection_set, fragments, seen))
        elif isinstance(selection, InlineFragmentNode):
            deepest = max(deepest, _depth(selection.selection_set, fragments, seen))
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in seen or name not in fragments:
                continue  # cycles and unknown fragments are reported by the standard rules
            deepest = max(deepest, _depth(fragments[name].selection_set, fragments, seen | {name}))
    return deepest


class DepthLimitRule(ValidationRule):
    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        fragments = _fragments(context)
        for definition in context.document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                depth = _depth(definition.selection_set, fragments)
                if depth > MAX_DEPTH:
                    context.report_error(
                        GraphQLError(
                            f"The query is {depth} levels deep; at most {MAX_DEPTH} are allowed",
                            definition,
                            extensions={"code": "QUERY_TOO_DEEP"},
                        )
                    )


def _aliases(
    selection_set: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    seen: frozenset[str] = frozenset(),
) -> int:
    if selection_set is None:
        return 0
    count = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            count += (1 if selection.alias else 0) + _aliases(
                selection.selection_set, fragments, seen
            )
        elif isinstance(selection, InlineFragmentNode):
            count += _aliases(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name not in seen and name in fragments:
                count += _aliases(fragments[name].selection_set, fragments, seen | {name})
    return count


class AliasLimitRule(ValidationRule):
    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        fragments = _fragments(context)
        total = sum(
            _aliases(d.selection_set, fragments)
            for d in context.document.definitions
            if isinstance(d, OperationDefinitionNode)
        )
        if total > MAX_ALIASES:
            context.report_error(
                GraphQLError(
                    f"The query has {total} aliases; at most {MAX_ALIASES} are allowed",
                    extensions={"code": "TOO_MANY_ALIASES"},
                )
            )


# built once: strawberry's ValidationCache keys on these very classes
RULES: tuple[type[ValidationRule], ...] = (DepthLimitRule, AliasLimitRule)


def _first(node: FieldNode, variables: dict[str, Any]) -> int:
    for argument in node.arguments or ():
        if argument.name.value == "first":
            value = argument.value
            if isinstance(value, IntValueNode):
                return max(0, int(value.value))
            if isinstance(value, VariableNode):
                given = variables.get(value.name.value)
                return max(0, given) if isinstance(given, int) else DEFAULT_FIRST
    return DEFAULT_FIRST


class CostCalculator:
    """A connection costs ``first × (1 + what each node selects)``; other objects 1."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: dict[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables

    def selection(
        self, parent: Any, selection_set: SelectionSetNode | None, seen: frozenset[str]
    ) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(parent, selection, seen)
            elif isinstance(selection, InlineFragmentNode):
                target = (
                    self.schema.get_type(selection.type_condition.name.value)
                    if selection.type_condition
                    else parent
                )
                total += self.selection(target, selection.selection_set, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is not None and name not in seen:
                    target = self.schema.get_type(fragment.type_condition.name.value)
                    total += self.selection(target, fragment.selection_set, seen | {name})
        return total

    def field(self, parent: Any, node: FieldNode, seen: frozenset[str]) -> int:
        if node.name.value.startswith("__") or not isinstance(
            parent, (GraphQLObjectType, GraphQLInterfaceType)
        ):
            return 0
        definition = parent.fields.get(node.name.value)
        if definition is None:
            return 0
        named = get_named_type(definition.type)
        if is_leaf_type(named):
            return 0
        if named.name.endswith("Connection"):
            return _first(node, self.variables) * (1 + self.connection(named, node, seen))
        return 1 + self.selection(named, node.selection_set, seen)

    def connection(self, connection_type: Any, node: FieldNode, seen: frozenset[str]) -> int:
        """The cost of what one node selects: edges, node and pageInfo themselves are free."""
        per_node = 0
        for field in self._fields(connection_type, node.selection_set, seen):
            if field.name.value == "edges":
                edge_type = get_named_type(connection_type.fields["edges"].type)
                for inner in self._fields(edge_type, field.selection_set, seen):
                    if inner.name.value == "node":
                        node_type = get_named_type(edge_type.fields["node"].type)
                        per_node += self.selection(node_type, inner.selection_set, seen)
        return per_node

    def _fields(
        self, parent: Any, selection_set: SelectionSetNode | None, seen: frozenset[str]
    ) -> Iterator[FieldNode]:
        if selection_set is None:
            return
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                yield selection
            elif isinstance(selection, InlineFragmentNode):
                yield from self._fields(parent, selection.selection_set, seen)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None and selection.name.value not in seen:
                    yield from self._fields(
                        parent, fragment.selection_set, seen | {selection.name.value}
                    )


def operation_cost(
    schema: GraphQLSchema,
    document: Any,
    operation_name: str | None,
    variables: dict[str, Any] | None,
) -> int:
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    if not operations:
        return 0
    operation = operations[0]
    root = {
        OperationType.QUERY: schema.query_type,
        OperationType.MUTATION: schema.mutation_type,
        OperationType.SUBSCRIPTION: schema.subscription_type,
    }[operation.operation]
    # cost what will run: defaults applied and values coerced (100.0 is the Int 100)
    coerced = get_variable_values(schema, operation.variable_definitions or (), variables or {})
    values = variables or {} if isinstance(coerced, list) else coerced.coerced
    calculator = CostCalculator(schema, fragments, values)
    return calculator.selection(root, operation.selection_set, frozenset())


class CostLimit(SchemaExtension):
    """Runs after validation (it needs the variables); reports ``extensions.cost``."""

    def __init__(self) -> None:
        self.requested = 0

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        if ctx.graphql_document is not None:
            self.requested = operation_cost(
                ctx.schema._schema, ctx.graphql_document, ctx.operation_name, ctx.variables
            )
            if self.requested > MAX_COST:
                ctx.result = GraphQLExecutionResult(
                    data=None,
                    errors=[
                        GraphQLError(
                            f"The query costs {self.requested}; the limit is {MAX_COST}",
                            extensions={"code": "QUERY_TOO_COMPLEX"},
                        )
                    ],
                )
        yield

    def get_results(self) -> dict[str, Any]:
        return {"cost": {"requested": self.requested, "limit": MAX_COST}}
