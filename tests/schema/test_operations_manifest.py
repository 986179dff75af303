"""The documents of gql/operations/: each valid against the schema, and the manifest of
their hashes current, shipped in the package and the same as the CLI prints."""

from __future__ import annotations

import json
import subprocess
from importlib import resources
from pathlib import Path

import pytest
from graphql import FragmentDefinitionNode, GraphQLSchema, parse, specified_rules, validate

from carebase.schema import build_schema
from carebase.schema.manifest import (
    PACKAGED_MANIFEST,
    ManifestError,
    build_manifest,
    parse_manifest,
    render_manifest,
    sha256_of,
)
from tests.test_cli import CAREBASE, ROOT, clean_env

OPERATIONS = ROOT / "gql" / "operations"
MANIFEST = OPERATIONS / "manifest.json"


def test_the_manifest_is_current() -> None:
    assert MANIFEST.read_text() == render_manifest(build_manifest(OPERATIONS)), (
        "gql/operations/manifest.json is stale: run "
        "'carebase export-operations > gql/operations/manifest.json'"
    )


def test_export_operations_prints_the_checked_in_manifest() -> None:
    result = subprocess.run(
        [CAREBASE, "export-operations"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=clean_env(),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == MANIFEST.read_text()


def test_the_package_ships_the_manifest() -> None:
    packaged = resources.files("carebase.schema").joinpath(PACKAGED_MANIFEST)
    assert packaged.read_text(encoding="utf-8") == MANIFEST.read_text()


def test_each_entry_is_its_operation_with_its_fragments_hashed() -> None:
    manifest = json.loads(MANIFEST.read_text())
    assert list(manifest) == sorted(manifest)
    assert "Viewer" in manifest and "SignUpOrganization" in manifest
    for name, entry in manifest.items():
        assert entry["sha256"] == sha256_of(entry["document"])
        definitions = parse(entry["document"]).definitions
        assert definitions[0].name.value == name  # type: ignore[attr-defined]
    assert len(parse_manifest(MANIFEST.read_text())) == len(manifest)


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema(production=False)._schema


@pytest.mark.parametrize("name", sorted(json.loads(MANIFEST.read_text())))
def test_every_operation_document_validates_against_the_schema(
    schema: GraphQLSchema, name: str
) -> None:
    document = json.loads(MANIFEST.read_text())[name]["document"]
    errors = validate(schema, parse(document), specified_rules)
    assert errors == [], [e.message for e in errors]


def test_every_fragment_is_used_by_some_operation() -> None:
    """So the per-operation validation above covers every definition of the folder."""
    documents = [entry["document"] for entry in json.loads(MANIFEST.read_text()).values()]
    used = {
        d.name.value
        for text in documents
        for d in parse(text).definitions
        if isinstance(d, FragmentDefinitionNode)
    }
    defined = {
        d.name.value
        for path in OPERATIONS.rglob("*.graphql")
        for d in parse(path.read_text()).definitions
        if isinstance(d, FragmentDefinitionNode)
    }
    assert defined == used


def test_a_tampered_manifest_entry_is_refused() -> None:
    entry = {"X": {"document": "query X { __typename }", "sha256": "0" * 64}}
    with pytest.raises(ManifestError):
        parse_manifest(json.dumps(entry))


def test_duplicate_or_unknown_names_stop_the_export(tmp_path: Path) -> None:
    (tmp_path / "a.graphql").write_text("query A { ...F }")
    with pytest.raises(ManifestError, match="fragment F"):
        build_manifest(tmp_path)
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "b.graphql").write_text(
        "fragment F on Query { __typename }\nquery A { __typename }"
    )
    with pytest.raises(ManifestError, match="A is defined twice"):
        build_manifest(tmp_path)


@pytest.mark.parametrize(
    "definition", ["query Client { __typename }", "fragment Enums on Query { __typename }"]
)
def test_a_name_a_code_generator_keeps_for_itself_stops_the_export(
    tmp_path: Path, definition: str
) -> None:
    """ariadne-codegen writes a module per operation beside its own ``client.py``,
    ``enums.py``, …: an operation named ``Client`` broke its run (tests/partners)."""
    (tmp_path / "a.graphql").write_text(definition)
    with pytest.raises(ManifestError, match="code generators keep"):
        build_manifest(tmp_path)
