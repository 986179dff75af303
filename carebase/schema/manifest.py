"""Registered documents: every operation in ``gql/operations/**`` with the fragments it uses.

Each operation, with the fragments it spreads (transitively, breadth first, each once), is
printed once with graphql-core's ``print_ast`` as one document; its sha256 is the id a client
sends under ``extensions.persistedQuery``. ``carebase export-operations`` writes the manifest
(``gql/operations/manifest.json``, checked in, diffed in CI); the package ships it as
``carebase/schema/operations_manifest.json`` (a link to that file in a checkout, a copy in a
built package), so registered documents are known from the start, without any row in the
persisted-queries table.

The operations of ``gql/operations/widget/`` are the widget's trusted documents (marked
``"widget": true`` in their entries): the only ones a publishable key may run
(``schema/trusted.py``).
"""

from __future__ import annotations

import functools
import hashlib
import json
from importlib import resources
from pathlib import Path

from graphql import (
    DefinitionNode,
    DocumentNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
    print_ast,
)

PACKAGED_MANIFEST = "operations_manifest.json"
# the folder under gql/operations/ whose operations a publishable key may run
WIDGET_FOLDER = "widget"

Entry = dict[str, str | bool]


class ManifestError(ValueError):
    """The operation documents cannot make one manifest (a duplicate, unknown or reserved
    name)."""


# Names a partner's code generator takes for itself in the package it generates from our
# documents: ariadne-codegen (default settings) writes one module per operation, named for
# it (``Client`` -> ``client.py``), beside its own ``client.py`` (class ``Client``),
# ``async_base_client.py``, ``base_model.py`` (``BaseModel``, ``Upload``), ``exceptions.py``,
# ``input_types.py``, ``enums.py`` and ``fragments.py``: an operation or fragment of one of
# these names stops its run ("Duplicated file names") or shadows its client class.
RESERVED_NAMES = frozenset(
    {
        "Client",
        "AsyncBaseClient",
        "BaseModel",
        "Upload",
        "Exceptions",
        "InputTypes",
        "Enums",
        "Fragments",
    }
)


def sha256_of(document: str) -> str:
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


def _spreads(selection_set: SelectionSetNode | None) -> list[str]:
    """Fragment names spread in a selection set and the sets nested in it, level by level."""
    names: list[str] = []
    pending = [selection_set] if selection_set else []
    while pending:
        current = pending.pop(0)
        for selection in current.selections:
            if isinstance(selection, FragmentSpreadNode):
                names.append(selection.name.value)
            nested = getattr(selection, "selection_set", None)
            if nested is not None:
                pending.append(nested)
    return names


def _fragments_used(
    operation: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode]
) -> list[FragmentDefinitionNode]:
    used: list[str] = []
    pending = _spreads(operation.selection_set)
    while pending:
        name = pending.pop(0)
        if name in used:
            continue
        if name not in fragments:
            raise ManifestError(f"fragment {name} is spread but defined in no document")
        used.append(name)
        pending.extend(_spreads(fragments[name].selection_set))
    return [fragments[name] for name in used]


def build_manifest(directory: Path) -> dict[str, Entry]:
    """``{operationName: {"sha256": …, "document": …}}`` for every named operation, with
    ``"widget": true`` for those of the widget's folder."""
    fragments: dict[str, FragmentDefinitionNode] = {}
    operations: dict[str, OperationDefinitionNode] = {}
    widget: set[str] = set()
    for path in sorted(directory.rglob("*.graphql")):
        in_widget = path.relative_to(directory).parent.parts[:1] == (WIDGET_FOLDER,)
        for definition in parse(path.read_text(encoding="utf-8")).definitions:
            if isinstance(definition, FragmentDefinitionNode):
                table: dict[str, FragmentDefinitionNode] | dict[str, OperationDefinitionNode]
                name, table = definition.name.value, fragments
            elif isinstance(definition, OperationDefinitionNode):
                if definition.name is None:
                    raise ManifestError(f"{path.name}: every operation needs a name")
                name, table = definition.name.value, operations
            else:
                continue
            if name in table:
                raise ManifestError(f"{path.name}: {name} is defined twice")
            if name in RESERVED_NAMES:
                raise ManifestError(
                    f"{path.name}: {name} is a name code generators keep for themselves"
                    " (ariadne-codegen's client package): choose another"
                )
            table[name] = definition  # type: ignore[assignment]
            if in_widget and isinstance(definition, OperationDefinitionNode):
                widget.add(name)
    manifest: dict[str, Entry] = {}
    for name in sorted(operations):
        operation = operations[name]
        definitions: list[DefinitionNode] = [operation, *_fragments_used(operation, fragments)]
        document = print_ast(DocumentNode(definitions=tuple(definitions)))
        manifest[name] = {"sha256": sha256_of(document), "document": document}
        if name in widget:
            manifest[name]["widget"] = True
    return manifest


def render_manifest(manifest: dict[str, Entry]) -> str:
    """Sorted and indented, so a regenerated manifest diffs line by line."""
    return json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def parse_manifest(text: str) -> dict[str, str]:
    """sha256 -> document, each hash checked against its document."""
    documents: dict[str, str] = {}
    for name, entry in json.loads(text).items():
        document = entry["document"]
        if sha256_of(document) != entry["sha256"]:
            raise ManifestError(f"{name}: its sha256 is not that of its document")
        documents[entry["sha256"]] = document
    return documents


@functools.cache
def registered_documents() -> dict[str, str]:
    """The manifest shipped in the package (none shipped: no registered documents)."""
    packaged = resources.files("carebase.schema").joinpath(PACKAGED_MANIFEST)
    if not packaged.is_file():
        return {}
    return parse_manifest(packaged.read_text(encoding="utf-8"))


@functools.cache
def widget_documents() -> dict[str, str]:
    """sha256 -> document of the widget's trusted documents (those of ``WIDGET_FOLDER``)."""
    packaged = resources.files("carebase.schema").joinpath(PACKAGED_MANIFEST)
    if not packaged.is_file():
        return {}
    entries = json.loads(packaged.read_text(encoding="utf-8"))
    registered = registered_documents()  # each hash checked against its document there
    return {
        entry["sha256"]: registered[entry["sha256"]]
        for entry in entries.values()
        if entry.get("widget") is True
    }


@functools.cache
def registered_names() -> dict[str, str]:
    """sha256 -> the operation's name, for every registered document (metrics label them)."""
    packaged = resources.files("carebase.schema").joinpath(PACKAGED_MANIFEST)
    if not packaged.is_file():
        return {}
    entries = json.loads(packaged.read_text(encoding="utf-8"))
    return {entry["sha256"]: name for name, entry in entries.items()}
