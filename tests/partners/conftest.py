"""A fresh `carebase serve` for partners' own tools (tests/partners/): a process of its own on
a new SQLite file with the embedded defaults, a practice signed up over HTTP, and helpers to
run a tool as a subprocess that speaks JSON lines.

The npm tools are pinned in js/package-lock.json (`npm ci --prefix tests/partners/js`), the
Python ones in pytools/requirements.txt, installed in their own virtualenv
(`python3 -m venv tests/partners/pytools/.venv && tests/partners/pytools/.venv/bin/pip install
-r tests/partners/pytools/requirements.txt`): they pin a graphql-core older than Carebase's,
as a partner's application would. .ci/run installs both and sets CAREBASE_PARTNER_TOOLS=required,
which turns a missing tool from a skip into a failure.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import PASSWORD, unique_email
from tests.fixtures.graphql import documents
from tests.fixtures.secrets import secret
from tests.fixtures.smtp import Inbox, free_port

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CAREBASE = str(Path(sys.executable).parent / "carebase")
JS = HERE / "js"
PYTOOLS = HERE / "pytools"
PYTOOLS_PYTHON = PYTOOLS / ".venv" / "bin" / "python"


def missing_tool(what: str, install: str) -> None:
    """Skip (locally) or fail (in CI, where .ci/run installs every tool) for an absent tool."""
    reason = f"{what} is not installed: {install} (.ci/run does)"
    if os.environ.get("CAREBASE_PARTNER_TOOLS") == "required":
        pytest.fail(reason)
    pytest.skip(reason)


def node() -> str:
    found = shutil.which("node")
    if found is None:
        missing_tool("Node.js", "apt-get install nodejs npm")
    assert found is not None
    if not (JS / "node_modules" / "graphql-ws").is_dir():
        missing_tool("the npm tools of tests/partners/js", "npm ci --prefix tests/partners/js")
    return found


def pytools_python() -> str:
    if not PYTOOLS_PYTHON.is_file():
        missing_tool(
            "the Python tools of tests/partners/pytools",
            "python3 -m venv tests/partners/pytools/.venv && tests/partners/pytools/.venv/bin/pip"
            " install -r tests/partners/pytools/requirements.txt",
        )
    return str(PYTOOLS_PYTHON)


@dataclass
class Served:
    """A `carebase serve` process listening on ``address`` (``host:port``)."""

    address: str
    log: Path

    @property
    def url(self) -> str:
        return f"http://{self.address}/graphql"

    @property
    def ws_url(self) -> str:
        return f"ws://{self.address}/graphql"

    async def op(
        self, name: str, variables: dict[str, Any], token: str | None = None
    ) -> dict[str, Any]:
        """Post a document of gql/operations/ as any HTTP client would; no errors allowed."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with httpx.AsyncClient(timeout=30) as http:
            response = await http.post(
                self.url, json={"query": documents()[name], "variables": variables}, headers=headers
            )
        body = response.json()
        assert response.status_code == 200 and not body.get("errors"), body
        return body["data"]  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
async def served(tmp_path_factory: pytest.TempPathFactory, smtp: Inbox) -> AsyncIterator[Served]:
    """`carebase serve` as the README's quick start runs it: embedded defaults (a new SQLite
    file, migrated on start; jobs in-process), development mode, no extra setting."""
    tmp = tmp_path_factory.mktemp("partners-serve")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAREBASE_")}
    env.update(
        CAREBASE_DATABASE_URL=f"sqlite:///{tmp}/partners.sqlite3",
        CAREBASE_SECRET_KEY="partners-secret-" + "p" * 40,
        CAREBASE_PASSWORD_HASH_COST="1",
        CAREBASE_SMTP_URL=f"smtp://127.0.0.1:{smtp.port}",
        CAREBASE_EMAIL_FROM="Carebase <no-reply@carebase.test>",
    )
    served = Served(f"127.0.0.1:{port}", tmp / "serve.log")
    with served.log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            CAREBASE,
            "serve",
            "--port",
            str(port),
            env=env,
            cwd=tmp,
            stdout=out,
            stderr=asyncio.subprocess.STDOUT,
        )
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60
        async with httpx.AsyncClient() as http:
            while True:
                try:
                    if (await http.get(f"http://{served.address}/healthz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if process.returncode is not None or loop.time() > deadline:
                    raise AssertionError(
                        f"carebase serve did not come up:\n{served.log.read_text()}"
                    )
                await asyncio.sleep(0.1)
        yield served
    finally:
        if process.returncode is None:
            process.terminate()
        await asyncio.wait_for(process.wait(), 30)


@dataclass
class Partner:
    """A practice signed up over HTTP: its signed-in owner's access token, one client and a
    conversation with them (for live events)."""

    token: str
    owner_id: str
    organization_id: str
    client_id: str
    conversation_id: str


@pytest.fixture
async def partner(served: Served) -> Partner:
    signed_up = (
        await served.op(
            "SignUpOrganization",
            {
                "input": {
                    "organizationName": f"Partner Practice {uuid.uuid4().hex[:6]}",
                    "name": "Petra Partner",
                    "email": unique_email("partner"),
                    "password": PASSWORD,
                    "timezone": "Europe/Berlin",
                }
            },
        )
    )["signUpOrganization"]
    assert signed_up["userErrors"] == [], signed_up
    token = secret(signed_up["accessToken"], "access token")
    secret(signed_up["refreshToken"], "refresh token")
    created = (
        await served.op(
            "CreateClient",
            {"input": {"name": "Carla Client", "email": unique_email("carla")}},
            token,
        )
    )["createClient"]
    assert created["userErrors"] == [], created
    started = (
        await served.op(
            "StartConversation", {"input": {"clientId": created["client"]["id"]}}, token
        )
    )["startConversation"]
    assert started["userErrors"] == [], started
    return Partner(
        token=token,
        owner_id=signed_up["viewer"]["id"],
        organization_id=signed_up["organization"]["id"],
        client_id=created["client"]["id"],
        conversation_id=started["conversation"]["id"],
    )


class Tool:
    """A partner tool run as a subprocess that prints one JSON object a line."""

    def __init__(self, process: asyncio.subprocess.Process, what: str) -> None:
        self.process = process
        self.what = what

    @classmethod
    async def start(
        cls, *argv: str, cwd: Path, stdin: bytes | None = None, env: dict[str, str] | None = None
    ) -> Tool:
        process = await asyncio.create_subprocess_exec(
            *argv,
            cwd=cwd,
            env=env,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        assert process.stdin is not None
        if stdin is not None:
            process.stdin.write(stdin)
            await process.stdin.drain()
        process.stdin.close()
        return cls(process, " ".join(Path(a).name for a in argv[:2]))

    async def line(self, timeout: float = 60) -> dict[str, Any]:
        assert self.process.stdout is not None
        raw = await asyncio.wait_for(self.process.stdout.readline(), timeout)
        if not raw:
            await self.failed()
        return json.loads(raw)  # type: ignore[no-any-return]

    async def failed(self) -> None:
        assert self.process.stderr is not None
        err = await asyncio.wait_for(self.process.stderr.read(), 30)
        code = await asyncio.wait_for(self.process.wait(), 30)
        raise AssertionError(f"{self.what} ended ({code}) early:\n{err.decode()}")

    async def finish(self, timeout: float = 120) -> list[dict[str, Any]]:
        """The lines still to come, once the tool has exited with 0."""
        out, err = await asyncio.wait_for(self.process.communicate(), timeout)
        assert self.process.returncode == 0, f"{self.what}: {err.decode()}"
        return [json.loads(line) for line in out.decode().splitlines() if line.strip()]

    async def until_line(
        self, trigger: Callable[[], Awaitable[None]], *, every: float = 0.25, timeout: float = 30
    ) -> dict[str, Any]:
        """The tool's next line, triggering the event it waits for again every ``every``
        seconds until it arrives: the server does not say when a subscription is in place,
        so the first trigger may precede it. A bounded poll that ends with the event."""
        reading = asyncio.ensure_future(self.line(timeout))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            while not reading.done():
                if loop.time() > deadline:
                    raise AssertionError(f"{self.what} received no event in {timeout} s")
                await trigger()
                await asyncio.wait({reading}, timeout=every)
            return reading.result()
        finally:
            reading.cancel()

    def kill(self) -> None:
        if self.process.returncode is None:
            self.process.kill()
