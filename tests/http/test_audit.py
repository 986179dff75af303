"""The graphql-http audit suite (npm, pinned in tests/http/package-lock.json) against the app
served by uvicorn on a real socket: every MUST and SHOULD audit passes."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import pytest
from starlette.applications import Starlette

from tests.fixtures.live import serve

HERE = Path(__file__).resolve().parent
AUDIT_SCRIPT = HERE / "audit.mjs"
INSTALLED = HERE / "node_modules" / "graphql-http"


async def run_audits(url: str) -> list[dict[str, str | None]]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed (CI installs it with npm)")
    assert INSTALLED.is_dir(), "run `npm ci --prefix tests/http` first (.ci/run does)"
    process = await asyncio.create_subprocess_exec(
        node,
        str(AUDIT_SCRIPT),
        url,
        cwd=HERE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, err.decode()
    return [json.loads(line) for line in out.decode().splitlines() if line.strip()]


@pytest.mark.once
async def test_every_must_and_should_audit_passes(app: Starlette) -> None:
    async with serve(app) as address:
        results = await run_audits(f"http://{address}/graphql")
    assert len(results) > 50, "the suite ran fewer audits than it has"
    failing = [
        f"{r['id']} {r['name']}: {r['reason']}"
        for r in results
        if r["status"] != "ok" and str(r["name"]).startswith(("MUST", "SHOULD"))
    ]
    assert not failing, "failing audits:\n" + "\n".join(failing)
    # the optional ones pass too; a regression there is worth knowing about
    optional = [f"{r['id']} {r['name']}" for r in results if r["status"] != "ok"]
    assert not optional, "failing MAY audits:\n" + "\n".join(optional)
