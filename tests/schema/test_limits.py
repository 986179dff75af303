"""Conventions every operation shares: limits, cost, lists, transport, errors, production mode."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from carebase.app import create_app
from carebase.config import Settings
from carebase.hooks import ClientCreated
from tests.conftest import Practice, make_settings, unique_email
from tests.fixtures.graphql import GraphQLClient, documents
from tests.fixtures.smtp import Inbox

LIMIT = 2000
CLIENT_PAGE = "{ edges { node { id provider { id } } } }"  # each node costs 1 (provider)


def codes(result: dict[str, Any]) -> list[str | None]:
    return [(e.get("extensions") or {}).get("code") for e in result.get("errors") or ()]


def cost_of(result: dict[str, Any]) -> dict[str, Any]:
    extensions = result.get("extensions")
    assert extensions and "cost" in extensions, result
    return extensions["cost"]  # type: ignore[no-any-return]


def aliased(count: int, field: str) -> str:
    return "{ " + " ".join(f"a{i}: {field}" for i in range(count)) + " }"


def nested(depth: int) -> str:
    """``{ f1 { f2 { ... f<depth> } } }``: ``depth`` levels of fields."""
    query = f"f{depth}"
    for level in range(depth - 1, 0, -1):
        query = f"f{level} {{ {query} }}"
    return "{ " + query + " }"


async def create_clients(api: GraphQLClient, practice: Practice, count: int) -> list[str]:
    emails = []
    for i in range(count):
        email = unique_email(f"page{i}")
        data = await api.op(
            "CreateClient",
            {"input": {"name": f"Paged Client {i}", "email": email}},
            token=practice.owner_token,
        )
        assert data["createClient"]["userErrors"] == []
        emails.append(email)
    return emails


# --- depth ------------------------------------------------------------------------------


async def test_the_deepest_real_query_is_far_below_the_depth_limit(
    api: GraphQLClient, practice: Practice
) -> None:
    """The schema has no recursive field: five levels is as deep as a valid query gets."""
    result = await api.raw(
        "{ clients(first: 1) { edges { node { provider { id } } } } }",
        token=practice.owner_token,
    )
    assert "errors" not in result, result


async def test_a_query_deeper_than_twelve_levels_is_refused(api: GraphQLClient) -> None:
    # No field of the current schema nests (Client.provider is a Member, which has no object
    # fields), so no *valid* query reaches 13 levels. The limit still runs on every document,
    # before execution, and is what a client posting a 13-level document sees first.
    result = await api.raw(nested(13))
    assert codes(result)[0] == "QUERY_TOO_DEEP", result
    assert "13" in result["errors"][0]["message"]
    assert result.get("data") is None
    assert cost_of(result)["limit"] == LIMIT


async def test_twelve_levels_are_not_too_deep(api: GraphQLClient) -> None:
    result = await api.raw(nested(12))
    assert result["errors"], result  # the fields do not exist
    assert "QUERY_TOO_DEEP" not in codes(result)


async def test_depth_counts_through_fragments(api: GraphQLClient) -> None:
    query = (
        "query { f1 { f2 { f3 { ...A } } } }\n"
        "fragment A on Unknown { f4 { f5 { f6 { ...B } } } }\n"
        "fragment B on Unknown { f7 { f8 { f9 { f10 { f11 { f12 { f13 } } } } } } }"
    )
    result = await api.raw(query)
    assert "QUERY_TOO_DEEP" in codes(result), result


# --- aliases ----------------------------------------------------------------------------


async def test_thirty_aliases_are_allowed(api: GraphQLClient) -> None:
    # without credentials viewer is null: this runs the limit, not the database
    result = await api.raw(aliased(30, "viewer { __typename }"))
    assert "errors" not in result, result
    assert result["data"] == {f"a{i}": None for i in range(30)}
    assert cost_of(result) == {"requested": 30, "limit": LIMIT}


async def test_several_root_fields_read_the_database_in_one_request(
    api: GraphQLClient, practice: Practice
) -> None:
    result = await api.raw(
        "{ viewer { __typename } organization { id } }", token=practice.owner_token
    )
    assert "errors" not in result, result
    assert result["data"] == {
        "viewer": {"__typename": "Member"},
        "organization": {"id": practice.id},
    }
    many = await api.raw(aliased(30, "viewer { __typename }"), token=practice.owner_token)
    assert "errors" not in many, many
    assert {v["__typename"] for v in many["data"].values()} == {"Member"}


async def test_thirty_one_aliases_are_refused(api: GraphQLClient, practice: Practice) -> None:
    result = await api.raw(aliased(31, "viewer { __typename }"), token=practice.owner_token)
    assert codes(result)[0] == "TOO_MANY_ALIASES", result
    assert result.get("data") is None
    assert cost_of(result)["limit"] == LIMIT


async def test_aliases_inside_fragments_count(api: GraphQLClient, practice: Practice) -> None:
    fields = " ".join(f"a{i}: viewer {{ __typename }}" for i in range(31))
    query = f"query {{ ...Many }}\nfragment Many on Query {{ {fields} }}"
    result = await api.raw(query, token=practice.owner_token)
    assert codes(result)[0] == "TOO_MANY_ALIASES", result


# --- tokens -----------------------------------------------------------------------------


def nodes_query(ids: int) -> str:
    """12 tokens around ``ids`` string tokens (commas are not tokens)."""
    return "{ nodes(ids: [" + ", ".join(['"x"'] * ids) + "]) { __typename } }"


async def test_more_than_five_thousand_tokens_is_refused(api: GraphQLClient) -> None:
    result = await api.raw(nodes_query(4989))  # 5,001 tokens
    assert codes(result) == ["QUERY_TOO_COMPLEX"], result
    assert result.get("data") is None
    assert cost_of(result)["limit"] == LIMIT


async def test_five_thousand_tokens_are_parsed_and_run(api: GraphQLClient) -> None:
    result = await api.raw(nodes_query(4988))  # exactly 5,000 tokens
    # parsed and validated; then the cost refuses it: nodes costs one per id asked for
    assert codes(result) == ["QUERY_TOO_COMPLEX"], result
    assert cost_of(result)["requested"] == 4988


async def test_many_tokens_in_a_mutation_are_refused_too(api: GraphQLClient) -> None:
    query = "mutation { logOut { success } " + "__typename " * 5000 + "}"
    result = await api.raw(query)
    assert codes(result) == ["QUERY_TOO_COMPLEX"], result


# --- cost -------------------------------------------------------------------------------
# Requests that should pass the budget are sent without credentials where they have several
# root fields: each field then answers UNAUTHENTICATED, which shows the request was executed
# (not refused by the budget) without depending on how resolvers share the database session.


@pytest.mark.parametrize(
    ("query", "requested"),
    [
        ("{ viewer { __typename } }", 1),
        ("{ __typename }", 0),
        ("{ clients(first: 5) " + CLIENT_PAGE + " }", 5 * (1 + 1)),
        ("{ clients { edges { node { id } } } }", 20 * 1),  # first defaults to 20
        ("{ clients(first: 3) { totalCount edges { cursor node { id name } } } }", 3),
        (
            "{ organization { id portalSettings { noShowFee { amountCents } } "
            "alertSettings { reminderChannels } } }",
            1 + (1 + 1) + 1,
        ),
        (
            "{ node(id: $id) { id ... on Client { provider { id } } } }".replace(
                "$id", '"bm9uZQ=="'
            ),
            1 + 1,
        ),
    ],
)
async def test_every_answer_reports_its_cost(
    api: GraphQLClient, practice: Practice, query: str, requested: int
) -> None:
    result = await api.raw(query, token=practice.owner_token)
    assert "errors" not in result, result
    assert cost_of(result) == {"requested": requested, "limit": LIMIT}


async def test_cost_is_reported_on_field_errors_and_mutations(
    api: GraphQLClient, practice: Practice
) -> None:
    unauthenticated = await api.raw("{ clients(first: 5) " + CLIENT_PAGE + " }")
    assert codes(unauthenticated) == ["UNAUTHENTICATED"], unauthenticated
    assert cost_of(unauthenticated) == {"requested": 10, "limit": LIMIT}
    two = await api.raw(
        "{ clients(first: 3) { edges { node { id } } } "
        "members(first: 2) { edges { node { id } } } }"
    )
    assert set(codes(two)) == {"UNAUTHENTICATED"}, two
    assert cost_of(two) == {"requested": 3 + 2, "limit": LIMIT}
    created = await api.raw(
        documents()["CreateClient"],
        {"input": {"name": "Costed", "email": unique_email("cost")}},
        token=practice.owner_token,
    )
    assert "errors" not in created, created
    # createClient 1 + client 1 + client.provider 1 + userErrors 1
    assert cost_of(created) == {"requested": 4, "limit": LIMIT}


async def test_a_request_costing_two_thousand_runs(api: GraphQLClient) -> None:
    query = aliased(10, "clients(first: 100) " + CLIENT_PAGE)
    result = await api.raw(query)
    assert set(codes(result)) == {"UNAUTHENTICATED"}, result
    assert cost_of(result) == {"requested": 2000, "limit": LIMIT}


async def test_a_single_page_of_one_hundred_runs(api: GraphQLClient, practice: Practice) -> None:
    result = await api.raw(
        "{ clients(first: 100) " + CLIENT_PAGE + " }", token=practice.owner_token
    )
    assert "errors" not in result, result
    assert cost_of(result) == {"requested": 200, "limit": LIMIT}


async def test_a_request_costing_more_than_two_thousand_is_refused(
    api: GraphQLClient, practice: Practice
) -> None:
    query = aliased(11, "clients(first: 100) " + CLIENT_PAGE)
    result = await api.raw(query, token=practice.owner_token)
    assert codes(result) == ["QUERY_TOO_COMPLEX"], result
    assert result.get("data") is None
    assert cost_of(result) == {"requested": 2200, "limit": LIMIT}


VARIABLE_COST = "query Costly($n: Int) " + aliased(11, "clients(first: $n) " + CLIENT_PAGE)


async def test_cost_is_computed_with_the_variables(api: GraphQLClient, practice: Practice) -> None:
    big = await api.raw(VARIABLE_COST, {"n": 100}, token=practice.owner_token)
    assert codes(big) == ["QUERY_TOO_COMPLEX"], big
    assert cost_of(big) == {"requested": 2200, "limit": LIMIT}
    small = await api.raw(VARIABLE_COST, {"n": 1})
    assert set(codes(small)) == {"UNAUTHENTICATED"}, small
    assert cost_of(small) == {"requested": 22, "limit": LIMIT}
    absent = await api.raw(VARIABLE_COST, {})
    assert set(codes(absent)) == {"UNAUTHENTICATED"}, absent
    assert cost_of(absent) == {"requested": 11 * 20 * 2, "limit": LIMIT}
    one = await api.raw(
        "query One($n: Int) { clients(first: $n) " + CLIENT_PAGE + " }",
        {"n": 1},
        token=practice.owner_token,
    )
    assert "errors" not in one, one
    assert cost_of(one) == {"requested": 2, "limit": LIMIT}


async def test_cost_uses_a_variables_default_value(api: GraphQLClient, practice: Practice) -> None:
    # graphql executes with first = 100 here, so the cost must count 100, not 20
    query = "query Costly($n: Int = 100) " + aliased(11, "clients(first: $n) " + CLIENT_PAGE)
    result = await api.raw(query, {})
    assert codes(result) == ["QUERY_TOO_COMPLEX"], result
    assert cost_of(result) == {"requested": 2200, "limit": LIMIT}


async def test_cost_counts_an_integral_float_variable(
    api: GraphQLClient, practice: Practice
) -> None:
    # JSON 100.0 is a valid Int (graphql coerces it to 100): it costs what 100 costs
    result = await api.raw(VARIABLE_COST, {"n": 100.0})
    assert codes(result) == ["QUERY_TOO_COMPLEX"], result
    assert cost_of(result) == {"requested": 2200, "limit": LIMIT}


async def test_a_negative_first_does_not_buy_budget(api: GraphQLClient, practice: Practice) -> None:
    # eleven pages of 100 (2,200) plus one page "of -100,000" must not add up to a cheap request
    query = (
        "{ "
        + " ".join(f"a{i}: clients(first: 100) {CLIENT_PAGE}" for i in range(11))
        + " b: members(first: -100000) { edges { node { id } } } }"
    )
    result = await api.raw(query)
    assert cost_of(result)["requested"] >= 2200, result
    assert codes(result) == ["QUERY_TOO_COMPLEX"], result


# --- lists ------------------------------------------------------------------------------


async def test_first_over_one_hundred_is_invalid_input(
    api: GraphQLClient, practice: Practice
) -> None:
    for first in (101, -1):
        result = await api.raw(documents()["Clients"], {"first": first}, token=practice.owner_token)
        assert codes(result) == ["INVALID_INPUT"], (first, result)
        assert result["data"] is None
    for first in (0, 100):
        result = await api.raw(documents()["Clients"], {"first": first}, token=practice.owner_token)
        assert "errors" not in result, (first, result)


async def test_pages_walk_the_whole_list_once(api: GraphQLClient, practice: Practice) -> None:
    emails = await create_clients(api, practice, 5)
    seen: list[str] = []
    after = None
    pages = []
    while True:
        data = await api.op("Clients", {"first": 2, "after": after}, token=practice.owner_token)
        connection = data["clients"]
        assert connection["totalCount"] == 5
        pages.append(connection)
        seen.extend(edge["node"]["email"] for edge in connection["edges"])
        if not connection["pageInfo"]["hasNextPage"]:
            break
        assert connection["pageInfo"]["endCursor"] == connection["edges"][-1]["cursor"]
        after = connection["pageInfo"]["endCursor"]
        assert len(pages) < 5, pages
    assert [len(p["edges"]) for p in pages] == [2, 2, 1]
    assert [p["pageInfo"]["hasNextPage"] for p in pages] == [True, True, False]
    assert len(seen) == len(set(seen)) == 5
    assert sorted(seen) == sorted(emails)


async def test_a_forged_cursor_is_invalid_input(api: GraphQLClient, practice: Practice) -> None:
    await create_clients(api, practice, 2)
    answers = {}
    for raw in ("o:-5", "o:abc", "x:1", "o:99999999999999999999999", "not base64!"):
        after = base64.urlsafe_b64encode(raw.encode()).decode() if ":" in raw else raw
        result = await api.raw(
            documents()["Clients"], {"first": 2, "after": after}, token=practice.owner_token
        )
        answers[raw] = codes(result)
    assert answers == {raw: ["INVALID_INPUT"] for raw in answers}


# --- transport --------------------------------------------------------------------------


async def test_queries_work_over_get(http: httpx.AsyncClient, practice: Practice) -> None:
    response = await http.get(
        "/graphql",
        params={"query": "{ viewer { __typename } }"},
        headers={"Authorization": f"Bearer {practice.owner_token}"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["data"] == {"viewer": {"__typename": "Member"}}
    assert cost_of(body) == {"requested": 1, "limit": LIMIT}


async def test_query_variables_work_over_get(http: httpx.AsyncClient, practice: Practice) -> None:
    response = await http.get(
        "/graphql",
        params={
            "query": documents()["Clients"],
            "variables": json.dumps({"first": 1}),
        },
        headers={"Authorization": f"Bearer {practice.owner_token}"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["data"]["clients"]["totalCount"] == 0


async def test_mutations_are_refused_over_get(
    http: httpx.AsyncClient, api: GraphQLClient, practice: Practice
) -> None:
    email = unique_email("get")
    response = await http.get(
        "/graphql",
        params={
            "query": documents()["CreateClient"],
            "variables": json.dumps({"input": {"name": "Over Get", "email": email}}),
        },
        headers={"Authorization": f"Bearer {practice.owner_token}"},
    )
    refused = response.status_code != 200 or bool(response.json().get("errors"))
    assert refused, response.text
    assert response.status_code in (400, 405), response.text
    data = await api.op("Clients", {"search": email}, token=practice.owner_token)
    assert data["clients"]["totalCount"] == 0


async def test_batches_are_refused_and_not_run(
    http: httpx.AsyncClient, api: GraphQLClient, practice: Practice
) -> None:
    emails = [unique_email("batch"), unique_email("batch")]
    batch = [
        {
            "query": documents()["CreateClient"],
            "variables": {"input": {"name": "Batched", "email": email}},
        }
        for email in emails
    ]
    response = await http.post(
        "/graphql", json=batch, headers={"Authorization": f"Bearer {practice.owner_token}"}
    )
    assert response.status_code == 400, response.text
    for email in emails:
        data = await api.op("Clients", {"search": email}, token=practice.owner_token)
        assert data["clients"]["totalCount"] == 0


# --- errors -----------------------------------------------------------------------------


async def test_bad_input_is_a_user_error_not_a_top_level_error(
    api: GraphQLClient, practice: Practice
) -> None:
    result = await api.raw(
        documents()["CreateClient"],
        {"input": {"name": "Bad Email", "email": "not-an-email"}},
        token=practice.owner_token,
    )
    assert "errors" not in result, result
    payload = result["data"]["createClient"]
    assert payload["client"] is None
    [error] = payload["userErrors"]
    assert error["field"] == ["email"]
    assert error["code"] == "INVALID_INPUT"
    assert isinstance(error["message"], str) and error["message"]


async def test_unexpected_errors_are_masked_and_roll_back(
    app: Starlette, api: GraphQLClient, practice: Practice, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def explode(*_: Any) -> None:
        raise RuntimeError("secret-internal-detail")

    # a reaction that runs after the client row is inserted fails unexpectedly
    hooks = app.state.db.hooks
    monkeypatch.setattr(hooks, "registrations", list(hooks.registrations))
    hooks.on(ClientCreated, explode, order=999)
    email = unique_email("boom")
    result = await api.raw(
        documents()["CreateClient"],
        {"input": {"name": "Boom", "email": email}},
        token=practice.owner_token,
    )
    monkeypatch.undo()
    assert "secret-internal-detail" not in json.dumps(result)
    [error] = result["errors"]
    assert error["message"] == "Unexpected error."
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert cost_of(result)["limit"] == LIMIT
    data = await api.op("Clients", {"search": email}, token=practice.owner_token)
    assert data["clients"]["totalCount"] == 0


# --- production -------------------------------------------------------------------------


@pytest.fixture(scope="module")
async def production(
    settings: Settings, smtp: Inbox, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[httpx.AsyncClient]:
    prod_settings = make_settings(
        Path(tmp_path_factory.mktemp("prod")),
        smtp.port,
        CAREBASE_ENV="production",
        # the same key as the development app, so its access tokens are valid here too
        CAREBASE_SECRET_KEY=settings.secret_key.get_secret_value(),
        CAREBASE_DATABASE_URL=settings.database_url,
    )
    assert prod_settings.is_production
    app = create_app(prod_settings, run_jobs_in_process=False)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.8", 50000))
    try:
        async with httpx.AsyncClient(
            transport=transport, base_url="http://carebase.test"
        ) as client:
            yield client
    finally:
        await app.state.runtime.dispose()
        await app.state.db.dispose()


INTROSPECTION = "{ __schema { types { name } } }"


async def test_introspection_works_in_development(api: GraphQLClient) -> None:
    result = await api.raw(INTROSPECTION)
    assert "errors" not in result, result
    names = {t["name"] for t in result["data"]["__schema"]["types"]}
    assert {"Query", "Mutation", "Client"} <= names


async def test_introspection_is_refused_in_production(production: httpx.AsyncClient) -> None:
    api = GraphQLClient(production)
    for query in (INTROSPECTION, '{ __type(name: "Client") { fields { name } } }'):
        result = await api.raw(query)
        assert result["errors"], result
        assert result.get("data") is None
        assert "introspection" in result["errors"][0]["message"].lower()
    # __typename is not introspection of the schema
    ok = await api.raw("{ __typename }")
    assert ok["data"] == {"__typename": "Query"}


async def test_production_answers_ordinary_operations(
    production: httpx.AsyncClient, practice: Practice
) -> None:
    result = await GraphQLClient(production).raw(documents()["Viewer"], token=practice.owner_token)
    assert "errors" not in result, result
    assert result["data"]["viewer"]["email"] == practice.owner_email


async def test_field_suggestions_only_in_development(
    api: GraphQLClient, production: httpx.AsyncClient
) -> None:
    query = "{ viewr { __typename } }"
    development = await api.raw(query)
    assert "Did you mean" in development["errors"][0]["message"], development
    result = await GraphQLClient(production).raw(query)
    assert result["errors"], result
    assert "viewr" in result["errors"][0]["message"]
    assert "Did you mean" not in json.dumps(result)
    assert "viewer" not in json.dumps(result)


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("{ clients(frist: 1) { totalCount } }", None),
        ("{ members(frist: 1) { totalCount } }", None),
        (
            "mutation($input: CreateClientInput!) "
            "{ createClient(input: $input) { client { id } } }",
            {"input": {"name": "N", "emial": "x@example.test"}},
        ),
        ("query($n: Itn) { clients(first: $n) { totalCount } }", None),
    ],
)
async def test_production_suggests_no_schema_names(
    api: GraphQLClient,
    production: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None,
) -> None:
    development = await api.raw(query, variables)
    assert "Did you mean" in json.dumps(development), development
    result = await GraphQLClient(production).raw(query, variables)
    assert result["errors"], result
    assert "Did you mean" not in json.dumps(result), result


async def test_graphiql_only_in_development(
    http: httpx.AsyncClient, production: httpx.AsyncClient
) -> None:
    development = await http.get("/graphql", headers={"Accept": "text/html"})
    assert development.status_code == 200
    assert development.headers["content-type"].startswith("text/html")
    assert "graphiql" in development.text.lower()
    refused = await production.get("/graphql", headers={"Accept": "text/html"})
    assert refused.status_code == 404
