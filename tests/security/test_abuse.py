"""Abuse as an attacker tries it (graphql-cop's list and the security review's findings):
each is refused after bounded work, counted in walker visits, never in seconds."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from graphql import parse
from starlette.applications import Starlette

from carebase.app import create_app
from carebase.config import Settings
from carebase.schema import build_schema
from carebase.schema.limits import MAX_VISITS, Budget, operation_cost, shape_errors
from carebase.schema.parsing import cache_size
from carebase.server import uvicorn_config
from tests.conftest import Practice, make_settings, unique_email
from tests.fixtures.graphql import GraphQLClient
from tests.fixtures.live import serve, socket
from tests.fixtures.smtp import Inbox, free_port

SCHEMA = build_schema(production=False)._schema


def codes(result: dict[str, Any]) -> list[str | None]:
    return [(e.get("extensions") or {}).get("code") for e in result.get("errors") or ()]


def assert_no_traces(result: dict[str, Any]) -> None:
    """No error carries an exception, a stack or a trace in its extensions."""
    text = json.dumps(result).lower()
    for word in ("traceback", "stacktrace", "exception", 'file "'):
        assert word not in text, result


def fan_out(levels: int) -> str:
    spreads = "\n".join(
        f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
    )
    return f"{{ ...F0 }}\n{spreads}\nfragment F{levels} on Query {{ __typename }}"


# --- the fragment fan-out (critical) ----------------------------------------------------


def test_fragment_fan_out_is_walked_once_per_fragment() -> None:
    document = parse(fan_out(30))
    budget = Budget()
    assert shape_errors(document, budget) == []
    operation_cost(SCHEMA, document, None, None, budget)
    # 31 fragments of two spreads each: a few visits per fragment, not 2^30
    assert budget.visits < 31 * 2 * 5, budget.visits


async def test_fragment_fan_out_is_answered_anonymously_at_once(api: GraphQLClient) -> None:
    query = fan_out(30)
    assert len(query) < 1500
    result = await api.raw(query)
    assert result["data"] == {"__typename": "Query"}, result
    assert result["extensions"]["cost"]["requested"] == 0


async def test_aliases_behind_a_fan_out_count_as_often_as_they_are_spread(
    api: GraphQLClient,
) -> None:
    query = fan_out(10).replace("{ __typename }", "{ a: __typename }")
    result = await api.raw(query)
    assert codes(result) == ["TOO_MANY_ALIASES"], result


def test_a_document_needing_too_many_visits_is_refused_not_walked() -> None:
    document = parse("{ " + " ".join(f"f{i}: organization {{ id }}" for i in range(100)) + " }")
    budget = Budget(limit=50)
    errors = shape_errors(document, budget)
    assert [e.extensions and e.extensions.get("code") for e in errors] == ["QUERY_TOO_COMPLEX"]
    assert budget.visits == 51  # it stopped at the limit, not at the end of the document
    assert MAX_VISITS >= 4 * 5000  # room for any document within the token limit


async def test_circular_fragments_are_refused(api: GraphQLClient) -> None:
    query = "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A __typename }"
    budget = Budget()
    shape_errors(parse(query), budget)
    assert budget.visits < 20
    result = await api.raw(query)
    assert result.get("data") is None and result["errors"], result
    assert "cycle" in result["errors"][0]["message"].lower() or "itself" in str(result)
    assert_no_traces(result)


# --- repeated fields and directives --------------------------------------------------


async def test_five_hundred_repeated_fields_are_refused_before_the_merge_check(
    api: GraphQLClient,
) -> None:
    document = parse("{ " + "organization { id name } " * 500 + "}")
    budget = Budget()
    [error] = shape_errors(document, budget)
    assert error.extensions == {"code": "QUERY_TOO_COMPLEX"}
    assert budget.visits < 5000
    result = await api.raw("{ " + "organization { id name } " * 500 + "}")
    assert codes(result) == ["QUERY_TOO_COMPLEX"], result


async def test_the_same_field_through_four_hundred_fragments_is_refused(
    api: GraphQLClient,
) -> None:
    spreads = " ".join(f"...F{i}" for i in range(400))
    fragments = "\n".join(f"fragment F{i} on Query {{ organization {{ id }} }}" for i in range(400))
    result = await api.raw(f"{{ {spreads} }}\n{fragments}")
    assert codes(result) == ["QUERY_TOO_COMPLEX"], result


async def test_twenty_copies_of_a_field_still_run(api: GraphQLClient) -> None:
    result = await api.raw("{ " + "__typename " * 20 + "}")
    assert result["data"] == {"__typename": "Query"}, result


async def test_duplicated_directives_are_refused(api: GraphQLClient) -> None:
    result = await api.raw("{ __typename @include(if: true) @include(if: true) }")
    assert result.get("data") is None
    assert "directive" in result["errors"][0]["message"].lower(), result


async def test_one_hundred_and_one_aliases_are_refused(api: GraphQLClient) -> None:
    result = await api.raw("{ " + " ".join(f"a{i}: __typename" for i in range(101)) + " }")
    assert codes(result) == ["TOO_MANY_ALIASES"], result


# --- nodes(ids:) pays for each id (high) -------------------------------------------------


async def test_nodes_costs_like_a_connection_of_its_ids(
    api: GraphQLClient, practice: Practice
) -> None:
    created = await api.op(
        "CreateClient",
        {"input": {"name": "Fan Out", "email": unique_email("fan")}},
        token=practice.owner_token,
    )
    client_id = created["createClient"]["client"]["id"]
    query = (
        "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Client "
        "{ formRequests(first: 100) { edges { node { id } } } } } }"
    )
    repeated = await api.raw(query, {"ids": [client_id] * 100}, token=practice.owner_token)
    assert codes(repeated) == ["QUERY_TOO_COMPLEX"], repeated
    assert repeated["extensions"]["cost"]["requested"] == 100 * (1 + 100)
    assert repeated.get("data") is None
    one = await api.raw(query, {"ids": [client_id]}, token=practice.owner_token)
    assert "errors" not in one, one
    assert one["extensions"]["cost"]["requested"] == 1 + 100


# --- size, depth of JSON, content types -------------------------------------------------


async def test_a_body_over_one_megabyte_is_refused_with_413(http: httpx.AsyncClient) -> None:
    before = cache_size()
    padded = "{ __typename }\n#" + "x" * (1024 * 1024)
    response = await http.post("/graphql", json={"query": padded})
    assert response.status_code == 413
    assert cache_size() == before


async def test_a_chunked_body_over_one_megabyte_is_refused_with_413(
    http: httpx.AsyncClient,
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"query": "{ __typename }\\n#'
        for _ in range(20):
            yield b"x" * 65536
        yield b'"}'

    response = await http.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413


async def test_a_large_comment_is_parsed_but_not_cached(api: GraphQLClient) -> None:
    before = cache_size()
    result = await api.raw("{ __typename }\n#" + "y" * 200_000)
    assert result["data"] == {"__typename": "Query"}
    assert cache_size() == before
    await api.raw("{ __typename organization { id } }")  # small ones still enter
    assert cache_size() >= min(before + 1, 256)


@pytest.mark.parametrize("depth", [100, 1000, 5000])
async def test_deeply_nested_json_is_a_400(http: httpx.AsyncClient, depth: int) -> None:
    nested = "[" * depth + "]" * depth
    body = '{"query": "query($v: JSON) { __typename }", "variables": {"v": ' + nested + "}}"
    response = await http.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400, response.text
    assert "traceback" not in response.text.lower()


async def test_json_nested_a_little_still_runs(http: httpx.AsyncClient) -> None:
    nested = "[" * 10 + "]" * 10
    body = '{"query": "{ __typename }", "variables": {"v": ' + nested + "}}"
    response = await http.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 200
    assert response.json()["data"] == {"__typename": "Query"}


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/x-www-form-urlencoded", "query=mutation%7BlogOut%7Bsuccess%7D%7D"),
        (
            "multipart/form-data; boundary=X",
            '--X\r\nContent-Disposition: form-data; name="operations"\r\n\r\n'
            '{"query": "mutation { logOut { success } }"}\r\n--X--\r\n',
        ),
        ("text/plain", '{"query": "mutation { logOut { success } }"}'),
    ],
)
async def test_posts_a_browser_sends_without_preflight_are_refused(
    http: httpx.AsyncClient, practice: Practice, content_type: str, body: str
) -> None:
    response = await http.post(
        "/graphql",
        content=body,
        headers={"content-type": content_type, "authorization": f"Bearer {practice.owner_token}"},
    )
    assert response.status_code in (400, 415), response.text
    # the session is still alive: nothing ran
    check = await http.post(
        "/graphql",
        json={"query": "{ viewer { __typename } }"},
        headers={"authorization": f"Bearer {practice.owner_token}"},
    )
    assert "errors" not in check.json(), check.text


async def test_a_mutation_over_get_does_not_run(
    http: httpx.AsyncClient, practice: Practice
) -> None:
    response = await http.get(
        "/graphql",
        params={"query": "mutation { logOut { success } }"},
        headers={"authorization": f"Bearer {practice.owner_token}", "accept": "application/json"},
    )
    assert response.status_code in (400, 405)


# --- security headers ---------------------------------------------------------------


@pytest.mark.parametrize("path", ["/graphql", "/healthz", "/oauth/token"])
async def test_every_response_carries_the_security_headers(
    http: httpx.AsyncClient, path: str
) -> None:
    if path == "/healthz":
        response = await http.get(path)
    else:
        response = await http.post(path, json={"query": "{ __typename }"})
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"
    assert "server" not in response.headers
    assert "strict-transport-security" not in response.headers  # development is plain HTTP
    if path != "/healthz":
        assert response.headers["cache-control"] == "no-store"


async def test_a_refused_body_carries_them_too(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", content=b"x" * (1024 * 1024 + 1))
    assert response.status_code == 413
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-store"


@pytest.fixture(scope="module")
async def production_http(
    tmp_path_factory: pytest.TempPathFactory, smtp: Inbox, settings: Settings
) -> AsyncIterator[httpx.AsyncClient]:
    prod = make_settings(
        Path(tmp_path_factory.mktemp("prod-headers")),
        smtp.port,
        CAREBASE_ENV="production",
        CAREBASE_SECRET_KEY=settings.secret_key.get_secret_value(),
        CAREBASE_DATABASE_URL=settings.database_url,
    )
    app = create_app(prod, run_jobs_in_process=False)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 50000))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="https://carebase.test") as c:
            yield c
    finally:
        await app.state.runtime.dispose()
        await app.state.db.dispose()


async def test_production_adds_hsts(production_http: httpx.AsyncClient) -> None:
    response = await production_http.get("/healthz")
    assert response.headers["strict-transport-security"].startswith("max-age=")
    assert response.headers["x-frame-options"] == "DENY"


# --- a real socket: no banner, WebSocket queries, slow clients --------------------------


@pytest.fixture(scope="module")
async def live(app: Starlette) -> AsyncIterator[str]:
    async with serve(app) as address:
        yield address


async def test_the_server_sends_no_banner(live: str) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"http://{live}/healthz")
    assert response.status_code == 200
    assert "server" not in response.headers
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_queries_and_mutations_run_over_the_websocket(
    live: str, api: GraphQLClient, practice: Practice
) -> None:
    async with socket(live) as ws:
        assert (await ws.init(practice.owner_token))["type"] == "connection_ack"
        query_id = await ws.subscribe("{ organization { id } }")
        answer = await ws.receive()
        assert answer["type"] == "next" and answer["id"] == query_id, answer
        assert answer["payload"]["data"]["organization"]["id"] == practice.id
        assert (await ws.receive())["type"] == "complete"

        email = unique_email("ws")
        await ws.subscribe(
            "mutation($i: CreateClientInput!) { createClient(input: $i) "
            "{ client { id } userErrors { code } } }",
            {"i": {"name": "Socket Client", "email": email}},
        )
        created = await ws.receive()
        assert created["type"] == "next", created
        payload = created["payload"]["data"]["createClient"]
        assert payload["userErrors"] == []
        assert (await ws.receive())["type"] == "complete"
    # committed: the client is there for a plain HTTP request too
    found = await api.raw(
        "query($id: ID!) { node(id: $id) { id } }",
        {"id": payload["client"]["id"]},
        token=practice.owner_token,
    )
    assert found["data"]["node"] == {"id": payload["client"]["id"]}


async def test_a_websocket_message_over_one_megabyte_closes_the_socket(
    live: str, practice: Practice
) -> None:
    async with socket(live) as ws:
        await ws.init(practice.owner_token)
        await ws.send(
            {
                "id": "1",
                "type": "subscribe",
                "payload": {"query": "{ __typename }#" + "z" * (1024 * 1024)},
            }
        )
        assert await ws.closed_code() == 1009  # message too big


@asynccontextmanager
async def impatient_server(app: Starlette, settings: Settings) -> AsyncIterator[int]:
    """The app on a socket with short deadlines for a request's head and body."""
    port = free_port()
    quick = settings.replace(request_head_timeout_seconds=0.5, request_body_timeout_seconds=0.5)
    server = uvicorn.Server(
        uvicorn_config(app, quick, host="127.0.0.1", port=port, lifespan="off", log_level="error")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    try:
        yield port
    finally:
        server.should_exit = True
        await task


async def _answer_to(port: int, sent: bytes) -> bytes:
    """Everything the server writes before it closes the connection (bounded wait)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(sent)
    await writer.drain()
    try:
        return await asyncio.wait_for(reader.read(), timeout=15)
    finally:
        writer.close()


async def test_a_half_sent_request_head_is_cut_off(app: Starlette, settings: Settings) -> None:
    async with impatient_server(app, settings) as port:
        answer = await _answer_to(port, b"GET /healthz HTTP/1.1\r\nHost: carebase.test\r\nX-Slo")
    assert answer.startswith(b"HTTP/1.1 408"), answer


async def test_a_connection_that_sends_nothing_is_cut_off(
    app: Starlette, settings: Settings
) -> None:
    async with impatient_server(app, settings) as port:
        answer = await _answer_to(port, b"")
    assert answer.startswith(b"HTTP/1.1 408"), answer


async def test_a_body_that_never_arrives_is_cut_off(app: Starlette, settings: Settings) -> None:
    async with impatient_server(app, settings) as port:
        answer = await _answer_to(
            port,
            b"POST /graphql HTTP/1.1\r\nHost: carebase.test\r\ncontent-type: application/json\r\n"
            b'content-length: 100\r\n\r\n{"query"',
        )
    assert answer.startswith(b"HTTP/1.1 408"), answer


async def test_a_prompt_client_is_served_on_the_impatient_server(
    app: Starlette, settings: Settings
) -> None:
    async with impatient_server(app, settings) as port:
        answer = await _answer_to(
            port, b"GET /healthz HTTP/1.1\r\nHost: carebase.test\r\nConnection: close\r\n\r\n"
        )
    assert answer.startswith(b"HTTP/1.1 200"), answer
