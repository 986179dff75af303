"""@graphql-codegen/cli with the typescript and typescript-operations plugins (npm, pinned in
tests/partners/js/package-lock.json) over gql/schema.graphql and every document of
gql/operations/: the run succeeds without a warning about a document, and `tsc --noEmit`
(npm typescript, pinned) accepts the generated file and a partner's module using it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.partners.conftest import JS, ROOT, Served, Tool, node

pytestmark = pytest.mark.once

USAGE = """\
import type {
  ClientDetailsQuery,
  ClientDetailsQueryVariables,
  SendMessageMutationVariables,
  MessageReceivedSubscription,
} from "./types";

const variables: ClientDetailsQueryVariables = { id: "Q2xpZW50OjE=" };
const send: SendMessageMutationVariables = { input: { conversationId: "x", body: "hi" } };
export function nameOf(data: ClientDetailsQuery): string | undefined {
  return data.client?.name;
}
export function bodyOf(event: MessageReceivedSubscription): string {
  return event.messageReceived.body;
}
export const used = [variables, send];
"""


async def codegen(tmp_path: Path, schema: str | dict[str, object], out: str) -> str:
    config = {
        "schema": schema,
        "documents": [str(ROOT / "gql" / "operations" / "**" / "*.graphql")],
        "generates": {str(tmp_path / out): {"plugins": ["typescript", "typescript-operations"]}},
    }
    (tmp_path / f"{out}.codegen.json").write_text(json.dumps(config))
    tool = await Tool.start(
        node(),
        str(JS / "node_modules" / "@graphql-codegen" / "cli" / "cjs" / "bin.js"),
        "--config",
        str(tmp_path / f"{out}.codegen.json"),
        cwd=JS,
        env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "CI": "1"},
    )
    out_text, err_text = await tool.process.communicate()
    output = out_text.decode() + err_text.decode()
    assert tool.process.returncode == 0, output
    for sign in ("warn", "Warn", "WARN", "invalid", "Invalid", "deprecated", "⚠"):
        assert sign not in output, output
    return (tmp_path / out).read_text()


async def test_codegen_types_compile_with_tsc(tmp_path: Path) -> None:
    generated = await codegen(tmp_path, str(ROOT / "gql" / "schema.graphql"), "types.ts")
    for name in ("ClientDetailsQuery", "SendMessageMutation", "MessageReceivedSubscription"):
        assert f"export type {name} =" in generated
    (tmp_path / "usage.ts").write_text(USAGE)
    tsc = await Tool.start(
        node(),
        str(JS / "node_modules" / "typescript" / "bin" / "tsc"),
        "--noEmit",
        "--strict",
        "--target",
        "es2022",
        "--module",
        "esnext",
        "--moduleResolution",
        "bundler",
        str(tmp_path / "types.ts"),
        str(tmp_path / "usage.ts"),
        cwd=JS,
    )
    out, err = await tsc.process.communicate()
    assert tsc.process.returncode == 0, (out + err).decode()


async def test_codegen_from_the_live_schema_matches_the_checked_in_one(
    served: Served, tmp_path: Path
) -> None:
    """A partner may point codegen at the server (introspection, on in development) instead
    of the checked-in SDL: it runs, and the same types are exported (this failed on
    graphql-core 3.3's `@deprecated on … | DIRECTIVE_DEFINITION`, which graphql-js 16 cannot
    parse; the text may differ in order and descriptions)."""
    from_file = await codegen(tmp_path, str(ROOT / "gql" / "schema.graphql"), "file.ts")
    from_server = await codegen(tmp_path, served.url, "live.ts")
    exported = re.compile(r"^export (?:type|enum) (\w+)", re.MULTILINE)
    assert set(exported.findall(from_server)) == set(exported.findall(from_file))
