"""Apollo Client's PersistedQueryLink (npm, pinned in tests/apollo/package-lock.json) against
the app served by uvicorn: not found, then registered over POST, then run by hash over GET."""

from __future__ import annotations

import asyncio
import json
import shutil
import uuid
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette

from tests.conftest import Practice
from tests.fixtures.live import serve

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "apq.mjs"
INSTALLED = HERE / "node_modules" / "@apollo" / "client"


async def run_client(url: str, token: str, operation_name: str) -> list[dict[str, Any]]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed (CI installs it with npm)")
    assert INSTALLED.is_dir(), "run `npm ci --prefix tests/apollo` first (.ci/run does)"
    process = await asyncio.create_subprocess_exec(
        node,
        str(SCRIPT),
        url,
        token,
        operation_name,
        cwd=HERE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, err.decode()
    return [json.loads(line) for line in out.decode().splitlines() if line.strip()]


@pytest.mark.once
async def test_apollo_client_registers_then_runs_by_hash(
    app: Starlette, practice: Practice
) -> None:
    name = f"Apollo{uuid.uuid4().hex}"
    async with serve(app) as address:
        lines = await run_client(f"http://{address}/graphql", practice.owner_token, name)
    *requests, outcome = lines
    expected = {
        "data": {
            "viewer": {"__typename": "Member", "id": practice.owner["id"], "name": "Olive Owner"}
        },
        "error": None,
    }
    assert outcome["results"] == [expected, expected]

    steps = [(r["request"]["method"], r["request"]["sentQuery"], r["errors"]) for r in requests]
    assert steps == [
        ("GET", False, ["PERSISTED_QUERY_NOT_FOUND"]),  # the hash alone, unknown
        ("POST", True, []),  # hash and query: checked, run and stored
        ("GET", False, []),  # the next client: the hash alone is enough
    ]
    assert all(r["request"]["extensions"]["persistedQuery"]["version"] == 1 for r in requests)
    assert {r["cacheControl"] for r in requests} == {"no-store"}
