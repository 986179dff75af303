"""Query limits: depth, aliases, tokens (validation rules built once) and the cost budget.

Every walker here computes each fragment's figures once per document (memoised by name), so
a fragment spread twice at each of thirty levels costs thirty visits, not 2^30. A document
whose walk would take more than ``MAX_VISITS`` selection visits anyway is refused outright.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    is_leaf_type,
    validate,
)
from graphql import (
    ExecutionResult as GraphQLExecutionResult,
)
from graphql.execution.values import get_variable_values
from graphql.validation import ASTValidationRule
from strawberry.extensions import SchemaExtension

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 5000
MAX_COST = 2000
# fields of one response name at one level (fragments included), before graphql-core's
# quadratic merge check sees them: 500 copies cost it seconds
MAX_FIELD_REPEATS = 20
DEFAULT_FIRST = 20
# a document within the token limit needs far fewer; past this the walk stops and refuses
MAX_VISITS = 20_000


class TooMuchWork(Exception):
    """The walk of one document passed ``MAX_VISITS``."""


@dataclass
class Budget:
    """Counts selection visits over one document's walks (tests read ``visits``)."""

    visits: int = 0
    limit: int = MAX_VISITS

    def visit(self) -> None:
        self.visits += 1
        if self.visits > self.limit:
            raise TooMuchWork


def fragments_of(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


@dataclass
class _Memo:
    """Each fragment's figure, once; a fragment met again while in progress (a cycle, which
    the standard rules report) counts nothing."""

    values: dict[tuple[str, str], int] = field(default_factory=dict)
    running: set[tuple[str, str]] = field(default_factory=set)

    def get(self, key: tuple[str, str], compute: Callable[[], int]) -> int:
        if key in self.values:
            return self.values[key]
        if key in self.running:
            return 0
        self.running.add(key)
        try:
            value = compute()
        finally:
            self.running.discard(key)
        self.values[key] = value
        return value


class ShapeWalker:
    """Depth and alias count of a document, schema-free."""

    def __init__(self, document: DocumentNode, budget: Budget | None = None) -> None:
        self.fragments = fragments_of(document)
        self.budget = budget or Budget()
        self.memo = _Memo()
        self.name_memo: dict[str, Counter[str]] = {}

    def depth(self, selection_set: SelectionSetNode | None) -> int:
        if selection_set is None:
            return 0
        deepest = 0
        for selection in selection_set.selections:
            self.budget.visit()
            if isinstance(selection, FieldNode):
                if selection.name.value.startswith("__"):
                    continue  # introspection is bounded by the schema (and off in production)
                deepest = max(deepest, 1 + self.depth(selection.selection_set))
            elif isinstance(selection, InlineFragmentNode):
                deepest = max(deepest, self.depth(selection.selection_set))
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    deepest = max(
                        deepest,
                        self.memo.get(
                            ("depth", fragment.name.value),
                            lambda f=fragment: self.depth(f.selection_set),  # type: ignore[misc]
                        ),
                    )
        return deepest

    def aliases(self, selection_set: SelectionSetNode | None) -> int:
        """Every alias as often as the document spreads it."""
        if selection_set is None:
            return 0
        count = 0
        for selection in selection_set.selections:
            self.budget.visit()
            if isinstance(selection, FieldNode):
                count += (1 if selection.alias else 0) + self.aliases(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                count += self.aliases(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    count += self.memo.get(
                        ("aliases", fragment.name.value),
                        lambda f=fragment: self.aliases(f.selection_set),  # type: ignore[misc]
                    )
        return count

    def most_repeated(self, selection_set: SelectionSetNode) -> tuple[str, int]:
        """The response name selected most often at this level, and how often."""
        names = self.names(selection_set)
        return names.most_common(1)[0] if names else ("", 0)

    def names(self, selection_set: SelectionSetNode) -> Counter[str]:
        """Response names at one level, a fragment spread twice here counted once (as
        execution does); a fragment's names are computed once and reused, so one reached by
        two paths counts twice: an over-count only such documents pay."""
        names: Counter[str] = Counter()
        spread: set[str] = set()
        pending = [selection_set]
        while pending:
            for selection in pending.pop().selections:
                self.budget.visit()
                if isinstance(selection, FieldNode):
                    names[(selection.alias or selection.name).value] += 1
                elif isinstance(selection, InlineFragmentNode):
                    pending.append(selection.selection_set)
                elif isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    fragment = self.fragments.get(name)
                    if fragment is not None and name not in spread:
                        spread.add(name)
                        names.update(self._fragment_names(fragment))
        return names

    def _fragment_names(self, fragment: FragmentDefinitionNode) -> Counter[str]:
        key = fragment.name.value
        if key not in self.name_memo:
            self.name_memo[key] = Counter()  # a cycle meets an empty count
            self.name_memo[key] = self.names(fragment.selection_set)
        return self.name_memo[key]


def _too_much_work() -> GraphQLError:
    return GraphQLError(
        "The query is too complex to analyse", extensions={"code": "QUERY_TOO_COMPLEX"}
    )


def _operations(document: DocumentNode) -> list[OperationDefinitionNode]:
    return [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]


def _selection_sets(document: DocumentNode) -> Iterator[SelectionSetNode]:
    """Every selection set written in the document, once each."""
    pending: list[SelectionSetNode] = [
        d.selection_set
        for d in document.definitions
        if isinstance(d, (OperationDefinitionNode, FragmentDefinitionNode))
    ]
    while pending:
        selection_set = pending.pop()
        yield selection_set
        for selection in selection_set.selections:
            if isinstance(selection, (FieldNode, InlineFragmentNode)) and selection.selection_set:
                pending.append(selection.selection_set)


def shape_errors(document: DocumentNode, budget: Budget | None = None) -> list[GraphQLError]:
    """Depth, aliases and repeated fields: checked before the standard rules, whose field
    merging check is quadratic in the fields that share a name at one level."""
    walker = ShapeWalker(document, budget)
    errors: list[GraphQLError] = []
    try:
        for operation in _operations(document):
            depth = walker.depth(operation.selection_set)
            if depth > MAX_DEPTH:
                errors.append(
                    GraphQLError(
                        f"The query is {depth} levels deep; at most {MAX_DEPTH} are allowed",
                        operation,
                        extensions={"code": "QUERY_TOO_DEEP"},
                    )
                )
        aliases = sum(walker.aliases(o.selection_set) for o in _operations(document))
        if aliases > MAX_ALIASES:
            errors.append(
                GraphQLError(
                    f"The query has {aliases} aliases; at most {MAX_ALIASES} are allowed",
                    extensions={"code": "TOO_MANY_ALIASES"},
                )
            )
        for selection_set in _selection_sets(document):
            key, count = walker.most_repeated(selection_set)
            if count > MAX_FIELD_REPEATS:
                errors.append(
                    GraphQLError(
                        f"'{key}' is selected {count} times in one selection; at most "
                        f"{MAX_FIELD_REPEATS} are allowed",
                        selection_set,
                        extensions={"code": "QUERY_TOO_COMPLEX"},
                    )
                )
                break
    except TooMuchWork:
        return [_too_much_work()]
    return errors


@lru_cache(maxsize=256)
def _validated(
    schema: GraphQLSchema, document: DocumentNode, rules: tuple[type[ASTValidationRule], ...]
) -> list[GraphQLError]:
    return shape_errors(document) or validate(schema, document, rules)


class LimitsThenValidation(SchemaExtension):
    """Validation, cached: our limits first, the standard rules only for what passes them."""

    def on_validate(self) -> Iterator[None]:
        execution = self.execution_context
        assert execution.graphql_document is not None
        execution.pre_execution_errors = _validated(
            execution.schema._schema,
            execution.graphql_document,
            tuple(execution.validation_rules),
        )
        yield


def _argument(node: FieldNode, name: str) -> Any:
    for argument in node.arguments or ():
        if argument.name.value == name:
            return argument.value
    return None


def _first(node: FieldNode, variables: dict[str, Any]) -> int:
    value = _argument(node, "first")
    if isinstance(value, IntValueNode):
        return max(0, int(value.value))
    if isinstance(value, VariableNode):
        given = variables.get(value.name.value)
        return max(0, given) if isinstance(given, int) else DEFAULT_FIRST
    return DEFAULT_FIRST


def _id_count(node: FieldNode, variables: dict[str, Any]) -> int:
    """How many ids a ``nodes(ids:)``-like field fetches: repeated ids count each time."""
    value = _argument(node, "ids")
    if isinstance(value, ListValueNode):
        return len(value.values)
    if isinstance(value, VariableNode):
        given = variables.get(value.name.value)
        return len(given) if isinstance(given, list) else 1
    return 1


class CostCalculator:
    """A connection costs ``first × (1 + what each node selects)``; a list fetched by ids
    ``len(ids) × (1 + what each selects)``; other objects 1."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: dict[str, Any],
        budget: Budget | None = None,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.budget = budget or Budget()
        self.memo = _Memo()

    def _spread(self, mode: str, spread: FragmentSpreadNode, walk: Callable[..., int]) -> int:
        fragment = self.fragments.get(spread.name.value)
        if fragment is None:
            return 0
        target = self.schema.get_type(fragment.type_condition.name.value)
        return self.memo.get(
            (mode, fragment.name.value), lambda: walk(target, fragment.selection_set)
        )

    def selection(self, parent: Any, selection_set: SelectionSetNode | None) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            self.budget.visit()
            if isinstance(selection, FieldNode):
                total += self.field(parent, selection)
            elif isinstance(selection, InlineFragmentNode):
                target = (
                    self.schema.get_type(selection.type_condition.name.value)
                    if selection.type_condition
                    else parent
                )
                total += self.selection(target, selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                total += self._spread("selection", selection, self.selection)
        return total

    def field(self, parent: Any, node: FieldNode) -> int:
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
            return _first(node, self.variables) * (1 + self.connection(named, node.selection_set))
        each = 1 + self.selection(named, node.selection_set)
        if "ids" in definition.args:
            return _id_count(node, self.variables) * each
        return each

    def connection(self, connection_type: Any, selection_set: SelectionSetNode | None) -> int:
        """The cost of what one node selects: edges, node and pageInfo themselves are free."""
        if selection_set is None:
            return 0
        per_node = 0
        for selection in selection_set.selections:
            self.budget.visit()
            if isinstance(selection, FieldNode) and selection.name.value == "edges":
                edge_type = get_named_type(connection_type.fields["edges"].type)
                per_node += self.edge(edge_type, selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                per_node += self.connection(connection_type, selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                per_node += self._spread("connection", selection, self.connection)
        return per_node

    def edge(self, edge_type: Any, selection_set: SelectionSetNode | None) -> int:
        if selection_set is None:
            return 0
        per_node = 0
        for selection in selection_set.selections:
            self.budget.visit()
            if isinstance(selection, FieldNode) and selection.name.value == "node":
                node_type = get_named_type(edge_type.fields["node"].type)
                per_node += self.selection(node_type, selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                per_node += self.edge(edge_type, selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                per_node += self._spread("edge", selection, self.edge)
        return per_node


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    budget: Budget | None = None,
) -> int:
    operations = _operations(document)
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
    calculator = CostCalculator(schema, fragments_of(document), values, budget)
    return calculator.selection(root, operation.selection_set)


class CostLimit(SchemaExtension):
    """Runs after validation (it needs the variables); reports ``extensions.cost``."""

    def __init__(self) -> None:
        self.requested = 0

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        if ctx.graphql_document is not None:
            error: GraphQLError | None = None
            try:
                self.requested = operation_cost(
                    ctx.schema._schema, ctx.graphql_document, ctx.operation_name, ctx.variables
                )
            except TooMuchWork:
                error = _too_much_work()
            if error is None and self.requested > MAX_COST:
                error = GraphQLError(
                    f"The query costs {self.requested}; the limit is {MAX_COST}",
                    extensions={"code": "QUERY_TOO_COMPLEX"},
                )
            if error is not None:
                ctx.result = GraphQLExecutionResult(data=None, errors=[error])
        yield

    def get_results(self) -> dict[str, Any]:
        return {"cost": {"requested": self.requested, "limit": MAX_COST}}
