"""Outbound webhooks end to end: a local receiver verifies every signature with
`standardwebhooks`; retries follow the clock; a 400 is not retried; redelivery keeps the
webhook-id; thin bodies carry no PHI; unsafe URLs are refused."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from starlette.applications import Starlette

from carebase.clock import SettableClock
from carebase.gateways.webhooks import UnsafeUrl, check_target
from tests.conftest import Practice, sign_up, unique_email
from tests.fixtures.graphql import GraphQLClient
from tests.fixtures.secrets import secret
from tests.fixtures.waiting import eventually
from tests.webhooks.receiver import Receiver, receiver


@pytest.fixture
def hook(clock: SettableClock) -> Iterator[Receiver]:
    with receiver(clock.now) as r:
        yield r


async def create_endpoint(
    api: GraphQLClient, practice: Practice, url: str, events: list[str]
) -> dict[str, Any]:
    data = await api.op(
        "CreateWebhookEndpoint",
        {"input": {"url": url, "events": events, "description": "partner CRM"}},
        token=practice.owner_token,
    )
    return dict(data["createWebhookEndpoint"])


async def registered(api: GraphQLClient, practice: Practice, hook: Receiver) -> str:
    payload = await create_endpoint(api, practice, hook.url, ["CLIENT_CREATED"])
    assert payload["userErrors"] == [], payload
    assert payload["secret"].startswith("whsec_")
    hook.secret = secret(payload["secret"], "webhook secret")
    return str(payload["webhookEndpoint"]["id"])


async def deliveries(api: GraphQLClient, practice: Practice, endpoint_id: str) -> list[Any]:
    data = await api.op(
        "WebhookDeliveries", {"endpointId": endpoint_id}, token=practice.owner_token
    )
    return [e["node"] for e in data["webhookDeliveries"]["edges"]]


async def add_client(api: GraphQLClient, practice: Practice, name: str, email: str) -> str:
    data = await api.op(
        "CreateClient", {"input": {"name": name, "email": email}}, token=practice.owner_token
    )
    assert data["createClient"]["userErrors"] == [], data
    return str(data["createClient"]["client"]["id"])


async def test_retried_on_500_until_200_every_attempt_signed_afresh(
    app: Starlette, api: GraphQLClient, clock: SettableClock, hook: Receiver
) -> None:
    practice = await sign_up(api, "Webhook Practice")
    endpoint_id = await registered(api, practice, hook)
    hook.statuses = [500, 500, 200]
    name, email = secret("Wendy Webhook", "name"), unique_email("hooked")
    client_id = await add_client(api, practice, name, email)

    async def recorded(attempts: int) -> Any:
        # the receiver hears an attempt before the job records its answer: the clock moves
        # only once it is recorded, or the retry would be planned from the moved clock
        found = await deliveries(api, practice, endpoint_id)
        if found and found[0]["status"] != "PENDING" and len(found[0]["attempts"]) == attempts:
            return found
        return None

    await eventually(lambda: len(hook.received) == 1, timeout=20)
    [first] = await eventually(lambda: recorded(1), timeout=20)
    assert first["status"] == "RETRYING" and len(first["attempts"]) == 1
    clock.advance(timedelta(minutes=10))
    await eventually(lambda: len(hook.received) == 2, timeout=20)
    await eventually(lambda: recorded(2), timeout=20)
    clock.advance(timedelta(minutes=10))
    await eventually(lambda: len(hook.received) == 3, timeout=20)

    async def succeeded() -> Any:
        [d] = await deliveries(api, practice, endpoint_id)
        return d if d["status"] == "SUCCEEDED" else None

    done = await eventually(succeeded, timeout=20)
    assert [a["responseStatus"] for a in done["attempts"]] == [500, 500, 200]
    assert done["nextAttemptAt"] is None
    assert all(r.verified for r in hook.received)
    assert {r.headers["webhook-id"] for r in hook.received} == {done["eventId"]}
    stamps = [int(r.headers["webhook-timestamp"]) for r in hook.received]
    assert stamps[1] - stamps[0] >= 600 and stamps[2] - stamps[1] >= 600

    body = hook.received[0].payload
    assert body["type"] == "client.created"
    assert body["data"] == {"id": client_id, "organizationId": practice.id}
    assert set(body) == {"type", "timestamp", "data"}
    raw = hook.received[0].body.decode()
    assert name not in raw and email not in raw and "Wendy" not in raw

    # redelivery: a new attempt, the same webhook-id, signed now
    again = await api.op(
        "RedeliverWebhook", {"input": {"deliveryId": done["id"]}}, token=practice.owner_token
    )
    assert again["redeliverWebhook"]["userErrors"] == [], again
    await eventually(lambda: len(hook.received) == 4, timeout=20)
    assert hook.received[3].verified
    assert hook.received[3].headers["webhook-id"] == done["eventId"]


async def test_a_400_is_not_retried_and_a_rolled_back_change_sends_nothing(
    app: Starlette, api: GraphQLClient, clock: SettableClock, hook: Receiver
) -> None:
    practice = await sign_up(api, "Refusing Receiver")
    endpoint_id = await registered(api, practice, hook)
    hook.statuses = [400]
    email = unique_email("refused")
    await add_client(api, practice, "Rita Refused", email)

    async def failed() -> Any:
        found = await deliveries(api, practice, endpoint_id)
        return found[0] if found and found[0]["status"] == "FAILED" else None

    done = await eventually(failed, timeout=20)
    assert [a["responseStatus"] for a in done["attempts"]] == [400]
    assert "answered 400" in done["attempts"][0]["responseExcerpt"]

    # the same email again: refused (EMAIL_TAKEN), so its transaction announces nothing
    data = await api.op(
        "CreateClient", {"input": {"name": "Dup", "email": email}}, token=practice.owner_token
    )
    assert data["createClient"]["userErrors"][0]["code"] == "EMAIL_TAKEN"
    clock.advance(timedelta(hours=1))
    test = await api.op(
        "SendTestWebhook", {"input": {"id": endpoint_id}}, token=practice.owner_token
    )
    assert test["sendTestWebhook"]["userErrors"] == [], test
    await eventually(lambda: len(hook.received) == 2, timeout=20)
    assert hook.received[1].payload["type"] == "test"
    assert len(await deliveries(api, practice, endpoint_id)) == 2  # the 400 and the TEST only
    assert len(hook.received) == 2


async def test_unsafe_urls_are_refused(api: GraphQLClient, practice: Practice) -> None:
    for url in ("http://10.0.0.7/hook", "http://169.254.169.254/latest", "ftp://example.test/"):
        payload = await create_endpoint(api, practice, url, ["CLIENT_CREATED"])
        assert [e["code"] for e in payload["userErrors"]] == ["UNSAFE_URL"], url
        assert payload["webhookEndpoint"] is None


@pytest.mark.parametrize(
    "url",
    [
        "http://93.184.215.14/hook",  # public, but not https
        "https://127.0.0.1/hook",
        "https://localhost/hook",  # resolves to loopback
        "https://10.1.2.3/hook",
        "https://192.168.0.1/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://[::ffff:10.0.0.1]/hook",
        "https://100.64.0.1/hook",
        "https://user:pw@93.184.215.14/hook",
    ],
)
async def test_production_refuses_private_and_plain_targets(url: str) -> None:
    with pytest.raises(UnsafeUrl):
        await check_target(url, production=True)


async def test_production_accepts_a_public_https_address() -> None:
    target = await check_target("https://93.184.215.14:8443/in?x=1", production=True)
    assert (target.address, target.port, target.path) == ("93.184.215.14", 8443, "/in?x=1")


async def test_development_allows_loopback_only() -> None:
    assert (await check_target("http://127.0.0.1:9/x", production=False)).address == "127.0.0.1"
    with pytest.raises(UnsafeUrl):
        await check_target("http://10.0.0.1/x", production=False)


def test_bodies_are_compact_json() -> None:
    from carebase.resolvers.webhooks.deliveries import serialize

    assert json.loads(serialize({"a": {"b": 1}})) == {"a": {"b": 1}}


async def test_include_phi_carries_the_object_as_its_creator_reads_it_audited(
    app: Starlette, api: GraphQLClient, clock: SettableClock, hook: Receiver
) -> None:
    from sqlalchemy import select

    from carebase.models import AuditEvent
    from tests.fixtures.factories import key_of

    practice = await sign_up(api, "PHI Practice")
    payload = (
        await api.op(
            "CreateWebhookEndpoint",
            {"input": {"url": hook.url, "events": ["CLIENT_CREATED"], "includePhi": True}},
            token=practice.owner_token,
        )
    )["createWebhookEndpoint"]
    assert payload["userErrors"] == [] and payload["webhookEndpoint"]["includePhi"] is True
    hook.secret = secret(payload["secret"], "webhook secret")
    name, email = secret("Phoebe Phi", "name"), unique_email("phi")
    client_id = await add_client(api, practice, name, email)
    await eventually(lambda: len(hook.received) == 1, timeout=20)
    [got] = hook.received
    assert got.verified
    assert got.payload["data"]["object"] == {
        "id": client_id,
        "name": name,
        "email": email,
        "phone": None,
        "timezone": "America/Chicago",
    }
    async with app.state.db.unit_of_work() as uow:
        reads = (
            (
                await uow.session.execute(
                    select(AuditEvent).where(
                        AuditEvent.resource_id == key_of(client_id), AuditEvent.action == "read"
                    )
                )
            )
            .scalars()
            .all()
        )
    assert any(r.actor_id == key_of(practice.owner["id"]) for r in reads)
