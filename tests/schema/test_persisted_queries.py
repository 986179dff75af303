"""Apollo's automatic persisted queries, over POST and GET, as PersistedQueryLink speaks it."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from carebase.app import create_app
from carebase.clock import SettableClock
from carebase.config import Settings
from carebase.resolvers.core.persisted_queries import find_document
from carebase.schema.manifest import registered_documents
from carebase.schema.parsing import _cached_parse
from tests.conftest import Practice
from tests.fixtures.secrets import EVENT_HOOKS


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def fresh_query() -> str:
    """A document no other test (nor an earlier run on the same database) has stored."""
    return f"query Mine{uuid.uuid4().hex} {{ viewer {{ __typename ... on Member {{ name }} }} }}"


def persisted(digest: str, version: object = 1) -> dict[str, Any]:
    return {"persistedQuery": {"version": version, "sha256Hash": digest}}


async def post(
    http: httpx.AsyncClient,
    digest: str,
    query: str | None = None,
    *,
    token: str | None = None,
    headers: dict[str, str] | None = None,
    variables: dict[str, Any] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {"extensions": persisted(digest)}
    if query is not None:
        body["query"] = query
    if variables is not None:
        body["variables"] = variables
    all_headers = dict(headers or {})
    if token:
        all_headers["Authorization"] = f"Bearer {token}"
    response = await http.post("/graphql", json=body, headers=all_headers)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    return response.json()  # type: ignore[no-any-return]


def codes(result: dict[str, Any]) -> list[str | None]:
    return [(e.get("extensions") or {}).get("code") for e in result.get("errors") or []]


def assert_not_found(result: dict[str, Any]) -> None:
    assert result.get("data") is None, result
    assert [(e["message"], e["extensions"]["code"]) for e in result["errors"]] == [
        ("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")
    ]


async def test_round_trip_over_post(http: httpx.AsyncClient, practice: Practice) -> None:
    query = fresh_query()
    digest = sha(query)
    assert_not_found(await post(http, digest, token=practice.owner_token))

    sent = await post(http, digest, query, token=practice.owner_token)
    assert sent["data"] == {"viewer": {"__typename": "Member", "name": "Olive Owner"}}

    again = await post(http, digest, token=practice.owner_token)
    assert again["data"] == sent["data"]
    # anyone may run a stored document, with their own credentials
    anonymous = await post(http, digest)
    assert anonymous["data"] == {"viewer": None}


async def get(
    http: httpx.AsyncClient, digest: str, query: str | None = None, *, token: str
) -> httpx.Response:
    params = {"extensions": json.dumps(persisted(digest))}
    if query is not None:
        params["query"] = query
    # Apollo Client's default Accept; a browser's would name text/html
    headers = {"Authorization": f"Bearer {token}", "Accept": "*/*"}
    response = await http.get("/graphql", params=params, headers=headers)
    assert response.headers["cache-control"] == "no-store"
    return response


async def test_round_trip_over_get(http: httpx.AsyncClient, practice: Practice) -> None:
    query = fresh_query()
    digest = sha(query)
    missing = await get(http, digest, token=practice.owner_token)
    assert missing.headers["content-type"].split(";")[0] != "text/html"  # not GraphiQL
    assert_not_found(missing.json())

    sent = await get(http, digest, query, token=practice.owner_token)
    assert sent.status_code == 200, sent.text
    assert sent.json()["data"]["viewer"]["name"] == "Olive Owner"

    by_hash = await get(http, digest, token=practice.owner_token)
    assert by_hash.status_code == 200, by_hash.text
    assert by_hash.json()["data"] == sent.json()["data"]


async def test_a_document_stored_over_post_runs_over_get(
    http: httpx.AsyncClient, practice: Practice
) -> None:
    """PersistedQueryLink with useGETForHashedQueries: GET by hash, POST to register."""
    query = fresh_query()
    assert_not_found((await get(http, sha(query), token=practice.owner_token)).json())
    await post(http, sha(query), query, token=practice.owner_token)
    by_hash = await get(http, sha(query), token=practice.owner_token)
    assert by_hash.json()["data"]["viewer"]["name"] == "Olive Owner"


async def test_a_wrong_hash_is_refused_and_nothing_is_stored(
    http: httpx.AsyncClient, practice: Practice
) -> None:
    query = fresh_query()
    wrong = sha(query + " ")
    refused = await post(http, wrong, query, token=practice.owner_token)
    assert refused.get("data") is None
    assert codes(refused) == ["INVALID_INPUT"]
    assert refused["errors"][0]["extensions"]["field"] == [
        "extensions",
        "persistedQuery",
        "sha256Hash",
    ]
    assert_not_found(await post(http, wrong, token=practice.owner_token))
    assert_not_found(await post(http, sha(query), token=practice.owner_token))


@pytest.mark.parametrize(
    "extensions",
    [
        {"persistedQuery": {"version": 2, "sha256Hash": "a" * 64}},
        {"persistedQuery": {"version": 1, "sha256Hash": "not-a-hash"}},
        {"persistedQuery": {"version": 1}},
        {"persistedQuery": "a" * 64},
    ],
)
async def test_a_malformed_persisted_query_is_invalid_input(
    http: httpx.AsyncClient, extensions: dict[str, Any]
) -> None:
    response = await http.post("/graphql", json={"extensions": extensions})
    assert response.status_code == 200, response.text
    result = response.json()
    assert codes(result) == ["INVALID_INPUT"]
    assert result["errors"][0]["extensions"]["field"][:2] == ["extensions", "persistedQuery"]


async def test_an_anonymous_caller_runs_but_does_not_store(
    http: httpx.AsyncClient, practice: Practice
) -> None:
    query = "query Public" + uuid.uuid4().hex + " { __typename }"
    ran = await post(http, sha(query), query)
    assert ran["data"] == {"__typename": "Query"}
    assert_not_found(await post(http, sha(query)))
    # the same document from a signed-in caller is stored, and anyone may then run it
    await post(http, sha(query), query, token=practice.owner_token)
    assert (await post(http, sha(query)))["data"] == {"__typename": "Query"}
    # but not a publishable key: it runs only the widget's documents
    # (tests/schema/test_trusted_documents.py)
    key = {"X-Carebase-Publishable-Key": practice.organization["publishableKey"]}
    assert codes(await post(http, sha(query), headers=key)) == ["DOCUMENT_NOT_TRUSTED"]
    assert codes(await post(http, sha(query), query, headers=key)) == ["DOCUMENT_NOT_TRUSTED"]


async def test_only_documents_that_pass_validation_and_the_limits_are_stored(
    http: httpx.AsyncClient, practice: Practice
) -> None:
    invalid = f"query Bad{uuid.uuid4().hex} {{ viewer {{ nonsense }} }}"
    answered = await post(http, sha(invalid), invalid, token=practice.owner_token)
    assert answered.get("data") is None
    assert "Cannot query field 'nonsense'" in answered["errors"][0]["message"]
    assert_not_found(await post(http, sha(invalid), token=practice.owner_token))

    # valid but for the limits: 31 aliases where 30 are allowed
    aliased = " ".join(f"a{i}: __typename" for i in range(31))
    deep = f"query Aliased{uuid.uuid4().hex} {{ {aliased} }}"
    answered = await post(http, sha(deep), deep, token=practice.owner_token)
    assert codes(answered) == ["TOO_MANY_ALIASES"], answered
    assert_not_found(await post(http, sha(deep), token=practice.owner_token))

    costly = (
        "query Costly"
        + uuid.uuid4().hex
        + ("($n: Int) { clients(first: $n) { edges { node { id } } } }")
    )
    answered = await post(
        http, sha(costly), costly, token=practice.owner_token, variables={"n": 5000}
    )
    assert codes(answered) == ["QUERY_TOO_COMPLEX"]
    assert_not_found(await post(http, sha(costly), token=practice.owner_token))


async def test_a_document_too_long_for_the_parse_cache_is_run_but_not_stored(
    http: httpx.AsyncClient, practice: Practice
) -> None:
    padded = "# " + "x" * 40_000 + "\n" + fresh_query()
    ran = await post(http, sha(padded), padded, token=practice.owner_token)
    assert ran["data"]["viewer"]["name"] == "Olive Owner"
    assert_not_found(await post(http, sha(padded), token=practice.owner_token))


async def test_a_persisted_document_meets_the_same_limits_and_parse_cache(
    http: httpx.AsyncClient, practice: Practice
) -> None:
    query = (
        "query Clients"
        + uuid.uuid4().hex
        + ("($n: Int) { clients(first: $n) { edges { node { id } } } }")
    )
    stored = await post(http, sha(query), query, token=practice.owner_token, variables={"n": 2})
    assert stored["data"] == {"clients": {"edges": []}}

    hits = _cached_parse.cache_info().hits
    by_hash = await post(http, sha(query), token=practice.owner_token, variables={"n": 2})
    assert by_hash["data"] == stored["data"]
    assert _cached_parse.cache_info().hits == hits + 1  # the very parse of the sent text

    too_costly = await post(http, sha(query), token=practice.owner_token, variables={"n": 5000})
    assert too_costly.get("data") is None
    assert codes(too_costly) == ["QUERY_TOO_COMPLEX"]


async def test_a_registered_document_runs_by_hash_with_no_registration(
    app: Starlette, http: httpx.AsyncClient, practice: Practice
) -> None:
    digest = next(d for d, text in registered_documents().items() if "query Viewer " in text)
    result = await post(http, digest, token=practice.owner_token)
    assert result["data"]["viewer"]["email"] == practice.owner_email
    # and it is that document: the same text sent with its hash answers the same
    same = await post(http, digest, registered_documents()[digest], token=practice.owner_token)
    assert same["data"] == result["data"]
    async with app.state.db.unit_of_work() as uow:
        assert await find_document(uow, sha256=digest) is None  # known from the manifest


@pytest.fixture
async def capped(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, SettableClock]]:
    """A second web process on the same database, whose store keeps two documents."""
    clock = SettableClock()
    app: Starlette = create_app(
        settings.replace(persisted_queries_max=2), run_jobs_in_process=False, clock=clock
    )
    transport = httpx.ASGITransport(app=app, client=("203.0.113.8", 50000))
    async with httpx.AsyncClient(
        transport=transport, base_url="http://carebase.test", event_hooks=EVENT_HOOKS
    ) as client:
        yield client, clock
    await app.state.runtime.dispose()
    await app.state.db.dispose()


async def test_the_store_is_shared_and_the_least_recently_used_go_at_the_cap(
    http: httpx.AsyncClient,
    practice: Practice,
    capped: tuple[httpx.AsyncClient, SettableClock],
) -> None:
    other, clock = capped
    token = practice.owner_token
    first, second, third = fresh_query(), fresh_query(), fresh_query()

    await post(other, sha(first), first, token=token)
    # shared by every web process: stored by one, run by hash on another
    assert (await post(http, sha(first), token=token))["data"]["viewer"]["name"]
    clock.advance(timedelta(seconds=10))
    await post(other, sha(second), second, token=token)
    clock.advance(timedelta(seconds=61))
    # `first` used again (its last use moves: more than a minute went by)
    assert (await post(other, sha(first), token=token))["data"]["viewer"]["name"]
    clock.advance(timedelta(seconds=10))
    await post(other, sha(third), third, token=token)

    assert_not_found(await post(other, sha(second), token=token))
    for kept in (first, third):
        assert (await post(other, sha(kept), token=token))["data"]["viewer"]["name"]
