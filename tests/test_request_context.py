"""Log records carry the request they were made in: its id, and the organization it acted for."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import httpx
import pytest

from carebase import logs
from tests.conftest import Practice
from tests.fixtures.factories import key_of


@pytest.fixture(params=[False, True], ids=["readable", "json"])
def rendered(request: pytest.FixtureRequest) -> Iterator[tuple[io.StringIO, bool]]:
    """What carebase's own handler would write for ``carebase.graphql`` records."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logs.formatter(json=request.param))
    logger = logging.getLogger("carebase.graphql")
    logger.addHandler(handler)
    try:
        yield out, request.param
    finally:
        logger.removeHandler(handler)


async def test_a_record_carries_the_request_and_organization_ids(
    http: httpx.AsyncClient, practice: Practice, rendered: tuple[io.StringIO, bool]
) -> None:
    out, as_json = rendered
    response = await http.post(
        "/graphql",
        json={"query": '{ client(id: "Q2xpZW50Om5vcGU=") { id } }'},
        headers={"authorization": f"Bearer {practice.owner_token}", "x-request-id": "req-42"},
    )
    assert response.headers["x-request-id"] == "req-42"
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    assert lines, "the expected error was logged"
    organization = str(key_of(practice.id))
    if as_json:
        record = json.loads(lines[-1])
        assert record["request_id"] == "req-42"
        assert record["organization_id"] == organization
        assert record["level"] == "info"
        assert record["logger"] == "carebase.graphql"
    else:
        assert "request_id=req-42" in lines[-1]
        assert f"organization_id={organization}" in lines[-1]


async def test_a_request_without_an_id_gets_one_and_no_stale_context(
    http: httpx.AsyncClient, rendered: tuple[io.StringIO, bool]
) -> None:
    out, _ = rendered
    response = await http.post(
        "/graphql",
        json={"query": "{ viewer { __typename } }"},
        headers={"x-request-id": "not a token; <script>"},
    )
    request_id = response.headers["x-request-id"]
    assert len(request_id) == 32 and request_id.isalnum()
    logging.getLogger("carebase.graphql").info("after the request")
    assert "organization_id" not in out.getvalue().splitlines()[-1]
    assert "request_id" not in out.getvalue().splitlines()[-1]
