"""The `carebase` command as a new user runs it: serve on a fresh folder, seed, schema, errors."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import PASSWORD, unique_email

ROOT = Path(__file__).resolve().parents[1]
CAREBASE = str(Path(sys.executable).parent / "carebase")


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAREBASE_")}
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """`carebase serve` with no settings at all, in an empty folder."""
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [CAREBASE, "serve", "--port", str(port)],
            cwd=tmp_path,
            env=clean_env(CAREBASE_PASSWORD_HASH_COST="1"),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90  # a loaded CI machine migrates slowly
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"carebase serve did not come up:\n{log.read_text()}")
            time.sleep(0.2)
        yield base, tmp_path
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_serve_on_a_fresh_folder_creates_the_database_and_serves(
    served: tuple[str, Path],
) -> None:
    base, folder = served
    assert (folder / "carebase.sqlite3").exists()
    assert (folder / "carebase.secret").exists()
    assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}
    page = httpx.get(f"{base}/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    email = unique_email("cli")
    signed_up = httpx.post(
        f"{base}/graphql",
        json={
            "query": "mutation($i: SignUpOrganizationInput!) { signUpOrganization(input: $i) "
            "{ accessToken userErrors { code } } }",
            "variables": {
                "i": {
                    "organizationName": "Fresh Practice",
                    "name": "Fay",
                    "email": email,
                    "password": PASSWORD,
                    "timezone": "Europe/Berlin",
                }
            },
        },
    ).json()
    token = signed_up["data"]["signUpOrganization"]["accessToken"]
    assert token
    org = httpx.post(
        f"{base}/graphql",
        json={"query": "{ organization { name timezone } }"},
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    assert org["data"]["organization"] == {"name": "Fresh Practice", "timezone": "Europe/Berlin"}


def test_a_bad_setting_stops_start_up_with_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [CAREBASE, "serve"],
        cwd=tmp_path,
        env=clean_env(CAREBASE_ENV="production"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "CAREBASE_SECRET_KEY" in result.stderr


def test_export_schema_matches_the_checked_in_sdl() -> None:
    result = subprocess.run(
        [CAREBASE, "export-schema"], capture_output=True, text=True, timeout=60, env=clean_env()
    )
    assert result.returncode == 0
    assert result.stdout == (ROOT / "gql" / "schema.graphql").read_text()


def test_seed_creates_a_demo_practice(tmp_path: Path) -> None:
    result = subprocess.run(
        [CAREBASE, "seed", "--clients", "5"],
        cwd=tmp_path,
        env=clean_env(CAREBASE_PASSWORD_HASH_COST="1"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "carebase.sqlite3") as db:
        roles = dict(db.execute("SELECT role, count(*) FROM accounts GROUP BY role").fetchall())
        orgs = db.execute("SELECT count(*) FROM organizations").fetchone()[0]
    assert orgs == 1
    assert roles == {"OWNER": 1, "PROVIDER": 2, "CLIENT": 5}


def test_worker_without_a_broker_explains_itself(tmp_path: Path) -> None:
    result = subprocess.run(
        [CAREBASE, "worker"],
        cwd=tmp_path,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "CAREBASE_BROKER_URL" in result.stderr
