"""Schema change safety: compare gql/schema.graphql with the one at the newest ``v*`` tag.

`@graphql-inspector/cli diff` (pinned in tools/graphql-inspector, installed by ``npm ci``)
finds the changes; a breaking one fails unless what it removes or changes was ``@deprecated``
in the tagged schema *and* CHANGELOG.md names it (its coordinate, e.g. ``Query.oldField``).
With no ``v*`` tag there is nothing to compare: the check says so and passes.

    python3 tools/schema_diff.py            # from the repository root, in CI
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from graphql import GraphQLEnumType, GraphQLInputObjectType, GraphQLSchema, build_schema
from graphql.type.definition import GraphQLInterfaceType, GraphQLObjectType

ROOT = Path(__file__).resolve().parents[1]
INSPECTOR = ROOT / "tools" / "graphql-inspector"
SCHEMA = "gql/schema.graphql"
MARK = "SCHEMA_DIFF_JSON "


def newest_tag(cwd: Path = ROOT) -> str | None:
    out = subprocess.run(
        ["git", "tag", "--list", "v*", "--sort=-v:refname"],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return out[0] if out else None


def was_deprecated(schema: GraphQLSchema, path: str) -> bool:
    """Whether the field, argument, input field or enum value at ``path`` was deprecated
    (an argument counts when it or its field was)."""
    parts = path.split(".")
    named = schema.get_type(parts[0])
    if named is None or len(parts) < 2:
        return False
    if isinstance(named, GraphQLEnumType):
        value = named.values.get(parts[1])
        return bool(value and value.deprecation_reason)
    if isinstance(named, (GraphQLObjectType, GraphQLInterfaceType)):
        field = named.fields.get(parts[1])
        if field is None:
            return False
        if field.deprecation_reason:
            return True
        if len(parts) > 2:
            arg = field.args.get(parts[2])
            return bool(arg and arg.deprecation_reason)
        return False
    if isinstance(named, GraphQLInputObjectType):
        input_field = named.fields.get(parts[1])
        return bool(input_field and input_field.deprecation_reason)
    return False


def judge(breaking: list[dict[str, Any]], old_sdl: str, changelog: str) -> list[str]:
    """The breaking changes that are not allowed, each with why."""
    old = build_schema(old_sdl)
    problems = []
    for change in breaking:
        path = str(change.get("path") or "")
        message = str(change.get("message") or change.get("type"))
        if not path or not was_deprecated(old, path):
            problems.append(f"{message}: not @deprecated in the tagged schema")
        elif path not in changelog:
            problems.append(f"{message}: deprecated, but CHANGELOG.md does not record {path}")
    return problems


def inspect(old_sdl: str, new_path: Path) -> dict[str, Any]:
    binary = INSPECTOR / "node_modules" / ".bin" / "graphql-inspector"
    with tempfile.TemporaryDirectory() as tmp:
        old_path = Path(tmp) / "tagged.graphql"
        old_path.write_text(old_sdl)
        done = subprocess.run(
            [
                str(binary),
                "diff",
                str(old_path),
                str(new_path),
                "--onComplete",
                str(INSPECTOR / "report.js"),
            ],
            capture_output=True,
            text=True,
        )
    for line in done.stdout.splitlines():
        if line.startswith(MARK):
            return dict(json.loads(line[len(MARK) :]))
    # identical schemas: the inspector says so and never calls --onComplete
    if done.returncode == 0 and "No changes detected" in done.stdout:
        return {"breakingChanges": [], "dangerousChanges": [], "nonBreakingChanges": []}
    raise SystemExit(f"graphql-inspector gave no report:\n{done.stdout}\n{done.stderr}")


def main() -> int:
    tag = newest_tag()
    if tag is None:
        print("schema diff: no v* tag yet, nothing to compare against; passing")
        return 0
    shown = subprocess.run(
        ["git", "show", f"{tag}:{SCHEMA}"], cwd=ROOT, capture_output=True, text=True
    )
    if shown.returncode != 0:
        print(f"schema diff: {tag} has no {SCHEMA}; passing")
        return 0
    report = inspect(shown.stdout, ROOT / SCHEMA)
    breaking = list(report.get("breakingChanges") or [])
    dangerous = list(report.get("dangerousChanges") or [])
    safe = list(report.get("nonBreakingChanges") or [])
    print(
        f"schema diff against {tag}: {len(breaking)} breaking, {len(dangerous)} dangerous, "
        f"{len(safe)} safe"
    )
    for change in dangerous:
        print(f"  dangerous: {change.get('message')}")
    problems = judge(breaking, shown.stdout, (ROOT / "CHANGELOG.md").read_text())
    for problem in problems:
        print(f"  BREAKING: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
