"""ariadne-codegen (PyPI, pinned in tests/partners/pytools/requirements.txt) generates a typed
Python client from gql/schema.graphql and every document of gql/operations/ with its default
settings (only the paths set, in a pyproject-style toml), and the client works against a
fresh `carebase serve`: one query and one mutation, answered in the generated classes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.partners.conftest import PYTOOLS, ROOT, Partner, Served, Tool, pytools_python

pytestmark = pytest.mark.once


async def generate(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.ariadne-codegen]\n"
        f'schema_path = "{ROOT / "gql" / "schema.graphql"}"\n'
        f'queries_path = "{ROOT / "gql" / "operations"}"\n'
        'target_package_name = "carebase_client"\n'
        f'target_package_path = "{tmp_path}"\n'
    )
    tool = await Tool.start(
        str(Path(pytools_python()).parent / "ariadne-codegen"),
        "--config",
        str(tmp_path / "pyproject.toml"),
        cwd=tmp_path,
    )
    out, err = await tool.process.communicate()
    assert tool.process.returncode == 0, (out + err).decode()
    assert (tmp_path / "carebase_client" / "client_details.py").is_file()


async def test_the_generated_client_queries_and_mutates(
    served: Served, partner: Partner, tmp_path: Path
) -> None:
    await generate(tmp_path)
    tool = await Tool.start(
        pytools_python(),
        str(PYTOOLS / "ariadne_partner.py"),
        str(tmp_path),
        served.url,
        partner.token,
        partner.client_id,
        cwd=tmp_path,
    )
    try:
        query, mutation = await tool.finish()
    finally:
        tool.kill()

    assert query["step"] == "query"
    assert query["types"] == ["ClientDetails", "ClientFields"]
    client = query["result"]["client"]
    assert client["id"] == partner.client_id
    assert client["name"] == "Carla Client" and client["archived"] is False
    assert client["timezone"] == "Europe/Berlin"

    assert mutation["step"] == "mutation"
    assert mutation["types"] == ["CreateClient", "CreateClientCreateClient", "ClientFields"]
    created = mutation["result"]["create_client"]
    assert created["user_errors"] == []
    assert created["client"]["name"] == "Ari Adne"
    assert created["client"]["email"] == mutation["email"]

    # and the partner's new client is there for the next request, read back over HTTP
    again = await served.op("ClientDetails", {"id": created["client"]["id"]}, partner.token)
    assert again["client"]["name"] == "Ari Adne"
