"""tools/schema_diff.py: a breaking change passes only for what the tagged schema deprecated
and the changelog records; the real graphql-inspector finds the changes."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("schema_diff", ROOT / "tools" / "schema_diff.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


schema_diff = _load()

OLD = """
type Query {
  old: String @deprecated(reason: "use fresh")
  fresh: String
  kept(limit: Int): Int
}
enum Color { RED GREEN @deprecated(reason: "gone soon") }
"""


def removed(path: str) -> dict[str, str]:
    return {"path": path, "message": f"{path} was removed"}


def test_deprecated_and_recorded_passes() -> None:
    changelog = "### Removed\n- `Query.old` (deprecated since 0.2) and `Color.GREEN`.\n"
    assert schema_diff.judge([removed("Query.old"), removed("Color.GREEN")], OLD, changelog) == []


def test_not_deprecated_fails() -> None:
    [problem] = schema_diff.judge([removed("Query.fresh")], OLD, "`Query.fresh` removed")
    assert "not @deprecated" in problem


def test_deprecated_but_not_in_the_changelog_fails() -> None:
    [problem] = schema_diff.judge([removed("Query.old")], OLD, "nothing about it")
    assert "CHANGELOG.md does not record Query.old" in problem


def test_a_change_without_a_path_fails() -> None:
    assert schema_diff.judge([{"message": "Schema root changed"}], OLD, "")


INSPECTOR = ROOT / "tools" / "graphql-inspector" / "node_modules" / ".bin" / "graphql-inspector"


@pytest.mark.skipif(not INSPECTOR.exists(), reason="npm ci --prefix tools/graphql-inspector")
def test_inspector_reports_the_removals(tmp_path: Path) -> None:
    new = tmp_path / "new.graphql"
    new.write_text("type Query { fresh: String kept: Int }\nenum Color { RED }\n")
    report = schema_diff.inspect(OLD, new)
    paths = {c["path"] for c in report["breakingChanges"]}
    assert {"Query.old", "Color.GREEN"} <= paths
    assert schema_diff.judge(report["breakingChanges"], OLD, "`Query.old` `Color.GREEN`") != []
    # `kept(limit)` lost its argument: breaking and never deprecated


@pytest.mark.skipif(not INSPECTOR.exists(), reason="npm ci --prefix tools/graphql-inspector")
def test_an_unchanged_schema_has_no_changes(tmp_path: Path) -> None:
    # the state right after a release is tagged
    same = tmp_path / "same.graphql"
    same.write_text(OLD)
    report = schema_diff.inspect(OLD, same)
    assert report["breakingChanges"] == [] and report["nonBreakingChanges"] == []


def test_no_tag_passes(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    assert schema_diff.newest_tag(tmp_path) is None
