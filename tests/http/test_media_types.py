"""GraphQL over HTTP: the media type follows Accept, request errors are 400 with no data
under application/graphql-response+json, and the transport's refusals keep their status."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest

from carebase.app import create_app
from carebase.config import Settings
from carebase.http_media import GRAPHQL_RESPONSE_JSON, JSON, negotiate

APOLLO_ACCEPT = "application/graphql-response+json,application/json;q=0.9"
URQL_ACCEPT = (
    "application/graphql-response+json, application/graphql+json, application/json, "
    "text/event-stream, multipart/mixed"
)


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        (None, JSON),
        ("", JSON),
        ("*/*", JSON),
        ("application/*", JSON),
        ("application/json", JSON),
        ("application/json; charset=utf-8", JSON),
        (GRAPHQL_RESPONSE_JSON, GRAPHQL_RESPONSE_JSON),
        (APOLLO_ACCEPT, GRAPHQL_RESPONSE_JSON),
        (URQL_ACCEPT, GRAPHQL_RESPONSE_JSON),
        ("application/graphql-response+json;q=0.5, application/json", JSON),
        ("text/html, */*;q=0.1", JSON),
        ("text/html", None),
        ("application/xml, text/plain", None),
        ("application/json;q=0, */*;q=0.5", None),
        ("application/json;q=bogus", None),
    ],
)
def test_negotiation(accept: str | None, media: str | None) -> None:
    assert negotiate(accept) == media


async def post(
    http: httpx.AsyncClient, body: object, accept: str | None = GRAPHQL_RESPONSE_JSON
) -> httpx.Response:
    headers = {"accept": accept} if accept is not None else {}
    return await http.post("/graphql", json=body, headers=headers)


def assert_edge_headers(response: httpx.Response) -> None:
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE_JSON, APOLLO_ACCEPT, URQL_ACCEPT])
async def test_graphql_response_json_when_accepted(http: httpx.AsyncClient, accept: str) -> None:
    response = await post(http, {"query": "{ __typename }"}, accept)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE_JSON)
    assert response.json()["data"] == {"__typename": "Query"}
    assert_edge_headers(response)


@pytest.mark.parametrize("accept", [None, "*/*", "application/json"])
async def test_legacy_json_otherwise(http: httpx.AsyncClient, accept: str | None) -> None:
    response = await http.post(
        "/graphql",
        content=b'{"query": "{ __typename }"}',
        headers={"content-type": "application/json", **({"accept": accept} if accept else {})},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(JSON)
    assert response.json()["data"] == {"__typename": "Query"}


@pytest.mark.parametrize("accept", ["text/html", "application/xml", "application/json;q=0"])
async def test_unacceptable_accept_is_406(http: httpx.AsyncClient, accept: str) -> None:
    response = await post(http, {"query": "{ __typename }"}, accept)
    assert response.status_code == 406
    assert "data" not in response.json()
    assert response.json()["errors"][0]["message"].startswith("Accept ")
    assert_edge_headers(response)


REQUEST_ERRORS = {
    "parse": {"query": "{"},
    "validation": {"query": "{ noSuchField }"},
    "too deep": {"query": "{ viewer " + "{ __typename " * 14 + "}" * 15},
    "variable coercion": {"query": "query Q($id: ID!) { node(id: $id) { id } }", "variables": {}},
    "variable of the wrong type": {
        "query": "query Q($first: Int) { clients(first: $first) { totalCount } }",
        "variables": {"first": "twenty"},
    },
}


@pytest.mark.parametrize("case", REQUEST_ERRORS)
async def test_request_errors_are_400_without_data(http: httpx.AsyncClient, case: str) -> None:
    response = await post(http, REQUEST_ERRORS[case])
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE_JSON)
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["message"]
    assert_edge_headers(response)


@pytest.mark.parametrize("case", REQUEST_ERRORS)
async def test_request_errors_are_200_with_null_data_as_legacy_json(
    http: httpx.AsyncClient, case: str
) -> None:
    response = await post(http, REQUEST_ERRORS[case], JSON)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["data"] is None
    assert body["errors"]


async def test_a_failed_field_keeps_200_and_the_data_entry(http: httpx.AsyncClient) -> None:
    """Execution began: the response has its data entry (null here), so it is a 200."""
    response = await post(http, {"query": "{ clients { totalCount } }"})
    assert response.status_code == 200
    body = response.json()
    assert "data" in body
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert body["errors"][0]["path"] == ["clients"]


async def test_get_runs_queries(http: httpx.AsyncClient) -> None:
    response = await http.get(
        "/graphql",
        params={
            "query": "query Q($n: String!) { __type(name: $n) { name } }",
            "variables": '{"n": "Query"}',
        },
        headers={"accept": GRAPHQL_RESPONSE_JSON},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE_JSON)
    assert response.json()["data"] == {"__type": {"name": "Query"}}
    assert_edge_headers(response)


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE_JSON, JSON])
async def test_get_refuses_mutations_with_405(http: httpx.AsyncClient, accept: str) -> None:
    response = await http.get(
        "/graphql",
        params={"query": "mutation { logOut { success } }"},
        headers={"accept": accept},
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.headers["content-type"].startswith(accept)
    assert "data" not in response.json()
    assert_edge_headers(response)


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
async def test_post_needs_a_json_body(http: httpx.AsyncClient, content_type: str | None) -> None:
    headers = {"accept": GRAPHQL_RESPONSE_JSON}
    if content_type:
        headers["content-type"] = content_type
    response = await http.post("/graphql", content=b'{"query": "{ __typename }"}', headers=headers)
    assert response.status_code == 415
    assert response.json()["errors"][0]["message"] == "Send the request as application/json"


BAD_PARAMETERS = {
    "not JSON": b'{ "not a JSON',
    "no body": b"",
    "no query": b'{"notquery": "{ __typename }"}',
    "query an object": b'{"query": {"obj": "ect"}}',
    "query a number": b'{"query": 0}',
    "operationName an object": b'{"query": "{ __typename }", "operationName": {"a": 1}}',
    "operationName a list": b'{"query": "{ __typename }", "operationName": ["a"]}',
    "variables a string": b'{"query": "{ __typename }", "variables": "string"}',
    "variables a list": b'{"query": "{ __typename }", "variables": ["array"]}',
    "extensions a number": b'{"query": "{ __typename }", "extensions": 0}',
    "unknown operationName": b'{"query": "query A { __typename }", "operationName": "B"}',
}


@pytest.mark.parametrize("case", BAD_PARAMETERS)
@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE_JSON, JSON])
async def test_bad_parameters_are_400(http: httpx.AsyncClient, case: str, accept: str) -> None:
    response = await http.post(
        "/graphql",
        content=BAD_PARAMETERS[case],
        headers={"content-type": "application/json", "accept": accept},
    )
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith(accept)
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["message"]


@pytest.mark.parametrize("parameter", ["variables", "operationName", "extensions"])
async def test_null_parameters_are_allowed(http: httpx.AsyncClient, parameter: str) -> None:
    response = await post(http, {"query": "{ __typename }", parameter: None})
    assert response.status_code == 200
    assert response.json().get("errors") is None


async def test_graphiql_still_answers_a_browser(http: httpx.AsyncClient) -> None:
    response = await http.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")


async def test_bad_requests_are_not_logged_as_errors(
    http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    for body in BAD_PARAMETERS.values():
        await http.post("/graphql", content=body, headers={"content-type": "application/json"})
    for case in REQUEST_ERRORS.values():
        await post(http, case)
    await post(http, {"query": "{ __typename }"}, "text/html")
    await http.get("/graphql", params={"query": "mutation { logOut { success } }"})
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    # each refused document is one INFO line with its kind
    expected = [r.getMessage() for r in caplog.records if r.name == "carebase.graphql"]
    assert any("GRAPHQL_PARSE_FAILED" in line for line in expected)


async def test_a_server_failure_before_execution_is_a_5xx_without_data(
    settings: Settings, tmp_path: Path
) -> None:
    """The unit of work cannot open (its database is gone): no data entry, so not a 2xx."""
    broken = settings.replace(database_url=f"sqlite:///{tmp_path}/missing/dir/db.sqlite3")
    app = create_app(broken, run_jobs_in_process=False)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.10", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://carebase.test") as http:
        new = await post(http, {"query": "{ __typename }"})
        legacy = await post(http, {"query": "{ __typename }"}, JSON)
    await app.state.db.dispose()
    assert new.status_code == 500
    assert "data" not in new.json()
    assert new.json()["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert legacy.status_code == 200
    assert legacy.json()["data"] is None
