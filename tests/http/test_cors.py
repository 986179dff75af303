"""CORS: the headers browsers' GraphQL clients send are allowed, for allowed origins only."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from carebase.app import create_app
from carebase.config import Settings

ALLOWED = "https://partner.example"
CLIENT_HEADERS = (
    "content-type, authorization, apollographql-client-name, apollographql-client-version, "
    "traceparent"
)


@pytest.fixture(scope="module")
async def browser_facing(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.replace(allowed_origins=(ALLOWED,)), run_jobs_in_process=False)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.8", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://carebase.test") as http:
        yield http
    await app.state.db.dispose()


async def preflight(http: httpx.AsyncClient, origin: str, headers: str) -> httpx.Response:
    return await http.options(
        "/graphql",
        headers={
            "origin": origin,
            "access-control-request-method": "POST",
            "access-control-request-headers": headers,
        },
    )


async def test_an_allowed_origin_may_send_the_clients_headers(
    browser_facing: httpx.AsyncClient,
) -> None:
    response = await preflight(browser_facing, ALLOWED, CLIENT_HEADERS)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED
    allowed = {h.strip() for h in response.headers["access-control-allow-headers"].split(",")}
    for header in CLIENT_HEADERS.split(","):
        assert header.strip() in allowed
    assert "POST" in response.headers["access-control-allow-methods"]


async def test_another_origin_is_refused(browser_facing: httpx.AsyncClient) -> None:
    response = await preflight(browser_facing, "https://evil.example", CLIENT_HEADERS)
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


async def test_a_header_outside_the_list_is_refused(browser_facing: httpx.AsyncClient) -> None:
    response = await preflight(browser_facing, ALLOWED, "content-type, x-something-else")
    assert response.status_code == 400


async def test_the_actual_request_carries_the_origin_for_allowed_origins_only(
    browser_facing: httpx.AsyncClient,
) -> None:
    body = {"query": "{ __typename }"}
    ok = await browser_facing.post("/graphql", json=body, headers={"origin": ALLOWED})
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == ALLOWED
    assert "x-request-id" in ok.headers["access-control-expose-headers"].lower()
    other = await browser_facing.post(
        "/graphql", json=body, headers={"origin": "https://evil.example"}
    )
    assert "access-control-allow-origin" not in other.headers
