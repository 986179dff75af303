"""Outbound webhook retries, by what the receiver did: a 429 and a receiver that never
answers within the timeout are retried; an endpoint that failed every attempt for three days
(the clock moved) is disabled with a reason and its owner emailed. Every attempt is counted
on ``/metrics``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select
from starlette.applications import Starlette

from carebase.clock import SettableClock
from carebase.config import Settings
from carebase.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from tests.conftest import sign_up, unique_email
from tests.fixtures.factories import key_of
from tests.fixtures.graphql import GraphQLClient
from tests.fixtures.smtp import Inbox, body_of
from tests.fixtures.waiting import eventually
from tests.ops.test_metrics import TOKEN, client_of, value
from tests.webhooks.receiver import Receiver, receiver
from tests.webhooks.test_delivery import add_client, registered


@pytest.fixture
def hook(clock: SettableClock) -> Iterator[Receiver]:
    with receiver(clock.now) as r:
        yield r


@pytest.fixture
def short_timeout(app: Starlette) -> Iterator[float]:
    """The app's webhook timeout cut to half a second for one test (settings are frozen, so it
    is set past pydantic, and put back after)."""
    settings: Settings = app.state.settings
    before = settings.webhook_timeout_seconds
    object.__setattr__(settings, "webhook_timeout_seconds", 0.5)
    yield 0.5
    object.__setattr__(settings, "webhook_timeout_seconds", before)


@dataclass
class Seen:
    delivery: WebhookDelivery
    attempts: list[WebhookAttempt]


async def deliveries_of(app: Starlette, endpoint_id: str) -> list[Seen]:
    """The endpoint's deliveries and their attempts, as the database holds them. Attempts are
    read first: on PostgreSQL each statement sees the latest commit, so the deliveries read
    after are at least as new as the attempts (an attempt and its delivery's move commit
    together)."""
    endpoint = key_of(endpoint_id)
    async with app.state.db.unit_of_work() as uow:
        attempts = (
            await uow.session.execute(
                select(WebhookAttempt)
                .join(WebhookDelivery, WebhookDelivery.id == WebhookAttempt.delivery_id)
                .where(WebhookDelivery.endpoint_id == endpoint)
                .order_by(WebhookAttempt.at, WebhookAttempt.created_at)
            )
        ).scalars()
        by_delivery: dict[object, list[WebhookAttempt]] = {}
        for attempt in attempts:
            by_delivery.setdefault(attempt.delivery_id, []).append(attempt)
        found = (
            await uow.session.execute(
                select(WebhookDelivery)
                .where(WebhookDelivery.endpoint_id == endpoint)
                .order_by(WebhookDelivery.created_at)
            )
        ).scalars()
        return [Seen(d, by_delivery.get(d.id, [])) for d in found]


async def endpoint_row(app: Starlette, endpoint_id: str) -> WebhookEndpoint:
    async with app.state.db.unit_of_work() as uow:
        row: WebhookEndpoint = await uow.session.get_one(WebhookEndpoint, key_of(endpoint_id))
        return row


async def settled_after(app: Starlette, endpoint_id: str, attempts: int) -> Seen:
    """The one delivery once its n-th attempt is recorded (not merely heard by the receiver:
    moving the clock before would plan the retry from the moved clock)."""

    async def recorded() -> Seen | None:
        found = await deliveries_of(app, endpoint_id)
        if not found:
            return None
        last = found[-1]
        busy = last.delivery.status.value == "PENDING"
        return last if len(last.attempts) == attempts and not busy else None

    return await eventually(recorded, timeout=20)


async def metric(settings: Settings, outcome: str) -> float:
    async with client_of(settings.replace(metrics_token=TOKEN)) as http:
        answer = await http.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert answer.status_code == 200
        return value(answer.text, "carebase_webhook_deliveries_total", outcome=outcome)


async def test_a_429_is_retried_and_each_attempt_is_counted(
    app: Starlette,
    settings: Settings,
    api: GraphQLClient,
    clock: SettableClock,
    hook: Receiver,
) -> None:
    failed_before = await metric(settings, "failed")
    delivered_before = await metric(settings, "delivered")
    practice = await sign_up(api, "Throttled Receiver")
    endpoint_id = await registered(api, practice, hook)
    hook.statuses = [429, 200]
    await add_client(api, practice, "Tom Throttled", unique_email("throttled"))

    first = await settled_after(app, endpoint_id, 1)
    assert first.delivery.status.value == "RETRYING"
    assert [a.response_status for a in first.attempts] == [429]
    assert first.delivery.next_attempt_at is not None
    assert first.delivery.next_attempt_at > clock.now()  # backoff: not again at once
    clock.advance(timedelta(minutes=10))
    done = await settled_after(app, endpoint_id, 2)
    assert done.delivery.status.value == "SUCCEEDED"
    assert [a.response_status for a in done.attempts] == [429, 200]
    assert len(hook.received) == 2 and all(r.verified for r in hook.received)
    assert hook.received[0].headers["webhook-id"] == hook.received[1].headers["webhook-id"]

    # /metrics counts the 429 as a failed attempt and the 200 as delivered
    assert await metric(settings, "failed") >= failed_before + 1
    assert await metric(settings, "delivered") >= delivered_before + 1


async def test_a_receiver_that_never_answers_in_time_is_retried(
    app: Starlette,
    api: GraphQLClient,
    clock: SettableClock,
    hook: Receiver,
    short_timeout: float,
) -> None:
    practice = await sign_up(api, "Hung Receiver")
    endpoint_id = await registered(api, practice, hook)
    hook.hold = 1  # the first request hangs past the timeout; the retry is answered
    await add_client(api, practice, "Hank Hung", unique_email("hung"))

    first = await settled_after(app, endpoint_id, 1)
    [attempt] = first.attempts
    assert first.delivery.status.value == "RETRYING"
    assert attempt.response_status is None
    assert attempt.error is not None and "timed out" in attempt.error
    # the sender gave up at the timeout (with some slack for a busy machine), not at the hang
    assert attempt.duration_ms < short_timeout * 1000 + 2000
    hook.release.set()
    clock.advance(timedelta(minutes=10))
    done = await settled_after(app, endpoint_id, 2)
    assert done.delivery.status.value == "SUCCEEDED"
    assert [a.response_status for a in done.attempts] == [None, 200]


async def test_an_endpoint_failing_for_three_days_is_disabled_and_its_owner_emailed(
    app: Starlette,
    api: GraphQLClient,
    clock: SettableClock,
    hook: Receiver,
    smtp: Inbox,
) -> None:
    practice = await sign_up(api, "Broken Receiver")
    endpoint_id = await registered(api, practice, hook)
    hook.statuses = [503] * 50
    await add_client(api, practice, "Bea Broken", unique_email("broken"))

    # one attempt per day; each recorded before the clock moves again
    for day in range(3):
        seen = await settled_after(app, endpoint_id, day + 1)
        assert seen.delivery.status.value == "RETRYING", day
        assert (await endpoint_row(app, endpoint_id)).enabled is True
        clock.advance(timedelta(days=1))
    clock.advance(timedelta(minutes=5))  # past three days since the first failure
    last = await settled_after(app, endpoint_id, 4)
    assert [a.response_status for a in last.attempts] == [503] * 4
    assert last.delivery.status.value == "FAILED"

    endpoint = await endpoint_row(app, endpoint_id)
    assert endpoint.enabled is False
    assert endpoint.disabled_reason is not None
    assert "failed for 3.0 days" in endpoint.disabled_reason
    [mail] = await smtp.wait_for(practice.owner_email, subject="webhook endpoint was disabled")
    assert hook.url in body_of(mail)

    # disabled: a new event makes no delivery for it
    heard = len(hook.received)
    await add_client(api, practice, "Later Client", unique_email("later"))
    await eventually(lambda: _all_fanned_out(app), timeout=20)
    assert len(await deliveries_of(app, endpoint_id)) == 1
    assert len(hook.received) == heard


async def _all_fanned_out(app: Starlette) -> bool:
    from carebase.resolvers.webhooks.deliveries import has_unfanned_events

    async with app.state.db.unit_of_work() as uow:
        return not await has_unfanned_events(uow)
