"""@urql/core (npm, pinned in tests/partners/js/package-lock.json) in Node against a fresh
`carebase serve`: one query with variables, its Bearer token in the headers, answered without
an error (urql adds ``__typename`` to every selection, which the schema must accept)."""

from __future__ import annotations

import json

import pytest

from tests.fixtures.graphql import documents
from tests.partners.conftest import JS, Partner, Served, Tool, node

pytestmark = pytest.mark.once


async def test_urql_runs_a_query_with_variables(served: Served, partner: Partner) -> None:
    tool = await Tool.start(
        node(),
        str(JS / "urql.mjs"),
        served.url,
        partner.token,
        documents()["ClientDetails"],
        json.dumps({"id": partner.client_id}),
        cwd=JS,
    )
    try:
        [result] = await tool.finish()
    finally:
        tool.kill()
    assert result["error"] is None, result
    client = result["data"]["client"]
    assert client["__typename"] == "Client"
    assert client["id"] == partner.client_id and client["name"] == "Carla Client"
    assert client["provider"] is None
