"""``/metrics``: Prometheus text, behind a bearer token or loopback, with bounded labels."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette

from carebase.app import create_app
from carebase.config import Settings
from carebase.db import Job
from tests.fixtures.graphql import documents
from tests.fixtures.waiting import eventually, jobs_settled

TOKEN = "metrics-" + "t" * 32


@asynccontextmanager
async def client_of(
    settings: Settings, peer: str = "203.0.113.7"
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, run_jobs_in_process=False)
    transport = httpx.ASGITransport(app=app, client=(peer, 50000))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://carebase.test") as c:
            yield c
    finally:
        await app.state.runtime.dispose()
        await app.state.db.dispose()


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(text: str, name: str, **labels: str) -> float:
    return samples(text).get((name, tuple(sorted(labels.items()))), 0.0)


async def test_metrics_are_off_unless_a_token_or_loopback_is_set(http: httpx.AsyncClient) -> None:
    assert (await http.get("/metrics")).status_code == 404


async def test_a_token_guards_them(settings: Settings) -> None:
    async with client_of(settings.replace(metrics_token=TOKEN)) as http:
        assert (await http.get("/metrics")).status_code == 401
        wrong = await http.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        assert wrong.headers["www-authenticate"] == "Bearer"
        right = await http.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert right.status_code == 200
        assert right.headers["content-type"].startswith("text/plain")
        assert TOKEN not in right.text


async def test_loopback_serves_only_loopback_peers(settings: Settings) -> None:
    async with client_of(settings.replace(metrics_loopback=True)) as far:
        assert (await far.get("/metrics")).status_code == 404
    async with client_of(settings.replace(metrics_loopback=True), peer="127.0.0.1") as near:
        assert (await near.get("/metrics")).status_code == 200
    async with client_of(settings.replace(metrics_loopback=True), peer="::1") as near:
        assert (await near.get("/metrics")).status_code == 200


async def test_requests_are_counted_by_registered_operation_and_outcome(
    settings: Settings,
) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    async with client_of(settings.replace(metrics_token=TOKEN)) as http:
        before = (await http.get("/metrics", headers=auth)).text
        # a registered document by text (anonymous: `viewer` is null)
        await http.post("/graphql", json={"query": documents()["Viewer"]})
        # a field refused: a top-level UNAUTHENTICATED error
        await http.post("/graphql", json={"query": "{ clients { totalCount } }"})
        # an ad-hoc document under a name of the caller's choosing stays `other`
        made_up = f"Probe{uuid.uuid4().hex}"
        await http.post("/graphql", json={"query": f"query {made_up} {{ __typename }}"})
        await http.post("/graphql", json={"query": "{ nope }"})
        await http.post("/graphql", content=b"x", headers={"content-type": "text/plain"})
        after = (await http.get("/metrics", headers=auth)).text
    name = "carebase_graphql_requests_total"
    assert value(after, name, operation="Viewer", outcome="ok") == (
        value(before, name, operation="Viewer", outcome="ok") + 1
    )
    assert value(after, name, operation="other", outcome="error") >= (
        value(before, name, operation="other", outcome="error") + 1
    )
    assert value(after, name, operation="other", outcome="ok") >= (
        value(before, name, operation="other", outcome="ok") + 1
    )
    assert value(after, name, operation="other", outcome="rejected") >= (
        value(before, name, operation="other", outcome="rejected") + 1
    )
    assert value(after, name, operation="other", outcome="refused") >= (
        value(before, name, operation="other", outcome="refused") + 1
    )
    assert made_up not in after
    seconds = "carebase_graphql_request_duration_seconds_count"
    assert (
        value(after, seconds, operation="Viewer") == value(before, seconds, operation="Viewer") + 1
    )


async def test_a_persisted_hash_of_a_registered_document_is_labelled_by_its_name(
    settings: Settings,
) -> None:
    from carebase.schema.manifest import sha256_of

    digest = sha256_of(documents()["Viewer"])
    auth = {"Authorization": f"Bearer {TOKEN}"}
    async with client_of(settings.replace(metrics_token=TOKEN)) as http:
        before = (await http.get("/metrics", headers=auth)).text
        await http.post(
            "/graphql",
            json={"extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}}},
        )
        after = (await http.get("/metrics", headers=auth)).text
    name = "carebase_graphql_request_duration_seconds_count"
    assert value(after, name, operation="Viewer") == value(before, name, operation="Viewer") + 1


async def test_jobs_queue_depth_lag_and_pool_are_reported(
    app: Starlette, settings: Settings
) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    async with client_of(settings.replace(metrics_token=TOKEN)) as http:
        before = (await http.get("/metrics", headers=auth)).text
        # a job for an email that does not exist: it claims nothing and ends well
        app.state.runtime.dispatch([Job("email.send", (str(uuid.uuid4()),))])
        await jobs_settled(app)

        async def counted() -> str | None:
            text = (await http.get("/metrics", headers=auth)).text
            ok = value(text, "carebase_jobs_total", actor="email.send", outcome="ok")
            done = ok >= value(before, "carebase_jobs_total", actor="email.send", outcome="ok") + 1
            return text if done else None

        after = await eventually(counted, message="the job was not counted")
    assert ("carebase_queue_depth", (("queue", "default"),)) in samples(after)
    assert ("carebase_scheduler_lag_seconds", ()) in samples(after)
    assert value(after, "carebase_db_pool_size") == settings.database_pool_size
    assert ("carebase_db_pool_connections", (("state", "checked_out"),)) in samples(after)
    assert value(after, "carebase_job_duration_seconds_count", actor="email.send") >= 1
