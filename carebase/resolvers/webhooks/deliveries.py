"""Deliveries: one row per (endpoint, event), fanned out of the outbox, due at
``next_attempt_at`` (the scheduler sweeps it), each attempt kept.

Order holds per resource: a delivery is not due while an earlier event of the same resource
to the same endpoint is still pending or retrying (one in flight keeps its row pending, its
``next_attempt_at`` the lease's end). A 2xx succeeds; a timeout, network error, 5xx or 429 is
retried with exponential backoff and jitter within the retry window; any other answer (and a
URL found unsafe) fails the delivery at once. An endpoint that failed every attempt for the
disable window is disabled, and the practice's owners are emailed.
"""

from __future__ import annotations

import json
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.orm import aliased

from carebase.auth.principal import Principal
from carebase.config import Settings
from carebase.db import UnitOfWork
from carebase.errors import not_found
from carebase.gateways.webhooks import Answer
from carebase.models import (
    Account,
    OutboxEvent,
    Role,
    WebhookAttempt,
    WebhookDelivery,
    WebhookDeliveryStatus,
    WebhookEndpoint,
    WebhookEventType,
)
from carebase.resolvers.core.notifications import queue_email
from carebase.resolvers.core.outbox import record_change
from carebase.resolvers.core.pagination import Order, Page, PageRequest, asc, desc, paginate
from carebase.resolvers.webhooks.endpoints import get_endpoint, require_webhooks
from carebase.resolvers.webhooks.ids import global_id

OPEN = (WebhookDeliveryStatus.PENDING, WebhookDeliveryStatus.RETRYING)
# how long one attempt holds its delivery: past it, a crashed sender's delivery is due again
LEASE_PAST_TIMEOUT = timedelta(seconds=60)
NEWEST_DELIVERIES = Order(
    "webhook_deliveries", desc(WebhookDelivery.created_at), asc(WebhookDelivery.id)
)


@dataclass(frozen=True)
class DeliveryView:
    """A delivery as the API shows it: with its endpoint and its attempts, oldest first."""

    delivery: WebhookDelivery
    endpoint: WebhookEndpoint
    attempts: list[WebhookAttempt] = field(default_factory=list)


# ---------------------------------------------------------------------------- the sweep


async def has_unfanned_events(uow: UnitOfWork) -> bool:
    found = await uow.session.execute(
        select(OutboxEvent.id).where(OutboxEvent.fanned_out_at.is_(None)).limit(1)
    )
    return found.first() is not None


async def fan_out(uow: UnitOfWork, limit: int = 500) -> list[uuid.UUID]:
    """Deliveries for the oldest events not yet fanned out; answers those due now. Each event
    is claimed with a guarded update, so two schedulers never fan one out twice."""
    now = uow.now()
    pending = (
        await uow.session.execute(
            select(OutboxEvent.id)
            .where(OutboxEvent.fanned_out_at.is_(None))
            .order_by(OutboxEvent.created_at)
            .limit(limit)
        )
    ).scalars()
    ids = list(pending)
    if not ids:
        return []
    claimed = await uow.session.execute(
        update(OutboxEvent)
        .where(OutboxEvent.id.in_(ids), OutboxEvent.fanned_out_at.is_(None))
        .values(fanned_out_at=now)
        .returning(OutboxEvent.id)
    )
    mine = [key for (key,) in claimed]
    if not mine:
        return []
    events = (
        (await uow.session.execute(select(OutboxEvent).where(OutboxEvent.id.in_(mine))))
        .scalars()
        .all()
    )
    organizations = {e.organization_id for e in events}
    endpoints = (
        (
            await uow.session.execute(
                select(WebhookEndpoint).where(
                    WebhookEndpoint.organization_id.in_(organizations),
                    WebhookEndpoint.enabled.is_(True),
                )
            )
        )
        .scalars()
        .all()
    )
    by_org: dict[uuid.UUID, list[WebhookEndpoint]] = defaultdict(list)
    for endpoint in endpoints:
        by_org[endpoint.organization_id].append(endpoint)
    made: list[uuid.UUID] = []
    for event in sorted(events, key=lambda e: (e.created_at, e.id)):
        for endpoint in by_org.get(event.organization_id, []):
            if event.type.value in endpoint.events:
                made.append(_new_delivery(uow, endpoint, event).id)
    await uow.session.flush()
    return made


def _new_delivery(
    uow: UnitOfWork, endpoint: WebhookEndpoint, event: OutboxEvent
) -> WebhookDelivery:
    delivery = WebhookDelivery(
        id=uuid.uuid4(),
        organization_id=endpoint.organization_id,
        endpoint_id=endpoint.id,
        event_id=event.id,
        event_type=event.type,
        resource_id=event.resource_id,
        event_at=event.occurred_at,
        status=WebhookDeliveryStatus.PENDING,
        next_attempt_at=uow.now(),
    )
    uow.session.add(delivery)
    return delivery


def _no_earlier_open() -> Any:
    """No earlier delivery of the same resource to the same endpoint is still open."""
    earlier = aliased(WebhookDelivery)
    return ~exists().where(
        earlier.endpoint_id == WebhookDelivery.endpoint_id,
        earlier.resource_id == WebhookDelivery.resource_id,
        earlier.status.in_(OPEN),
        or_(
            earlier.event_at < WebhookDelivery.event_at,
            and_(earlier.event_at == WebhookDelivery.event_at, earlier.id < WebhookDelivery.id),
        ),
    )


async def due_deliveries(uow: UnitOfWork, limit: int = 500) -> list[uuid.UUID]:
    rows = await uow.session.execute(
        select(WebhookDelivery.id)
        .where(
            WebhookDelivery.status.in_(OPEN),
            WebhookDelivery.next_attempt_at <= uow.now(),
            _no_earlier_open(),
        )
        .order_by(WebhookDelivery.next_attempt_at)
        .limit(limit)
    )
    return [key for (key,) in rows]


# ---------------------------------------------------------------------------- one attempt


@dataclass(frozen=True)
class Prepared:
    """What the sender needs, read in the claiming transaction."""

    delivery_id: uuid.UUID
    url: str
    sealed_secret: str
    message_id: str
    body: dict[str, Any]
    include_phi: bool
    creator_id: uuid.UUID
    organization_id: uuid.UUID
    resource_type: str
    resource_id: uuid.UUID
    client_id: uuid.UUID | None


async def claim(uow: UnitOfWork, delivery_id: uuid.UUID) -> Prepared | None:
    """Take the delivery for one attempt (a guarded update), or None if it is not due."""
    now = uow.now()
    lease = timedelta(seconds=uow.settings.webhook_timeout_seconds) + LEASE_PAST_TIMEOUT
    claimed = await uow.session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.status.in_(OPEN),
            WebhookDelivery.next_attempt_at <= now,
            _no_earlier_open(),
        )
        .values(next_attempt_at=now + lease, attempt_count=WebhookDelivery.attempt_count + 1)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    delivery = await uow.session.get_one(WebhookDelivery, delivery_id)
    await uow.session.refresh(delivery)
    endpoint = await uow.session.get_one(WebhookEndpoint, delivery.endpoint_id)
    event = await uow.session.get_one(OutboxEvent, delivery.event_id)
    if not endpoint.enabled:
        _finish(uow, delivery, WebhookDeliveryStatus.FAILED)
        _attempt(uow, delivery, Answer(None, 0, None, "The endpoint is disabled"))
        return None
    body: dict[str, Any] = {
        "type": event.type.wire_name,
        "timestamp": event.occurred_at.isoformat().replace("+00:00", "Z"),
        "data": {
            "id": global_id(event.resource_type, event.resource_id),
            "organizationId": global_id("Organization", event.organization_id),
        },
    }
    return Prepared(
        delivery_id=delivery.id,
        url=endpoint.url,
        sealed_secret=endpoint.secret_sealed,
        message_id=f"evt_{event.id.hex}",
        body=body,
        include_phi=endpoint.include_phi and event.type is not WebhookEventType.TEST,
        creator_id=endpoint.created_by_id,
        organization_id=endpoint.organization_id,
        resource_type=event.resource_type,
        resource_id=event.resource_id,
        client_id=event.client_id,
    )


def serialize(body: dict[str, Any]) -> str:
    return json.dumps(body, separators=(",", ":"), sort_keys=False, default=str)


def retry_delay(settings: Settings, attempts: int, rng: random.Random | None = None) -> timedelta:
    """Exponential backoff with jitter: base * 4**(n-1), capped, less up to a quarter."""
    raw = min(
        settings.webhook_retry_base_seconds * 4 ** max(0, attempts - 1),
        settings.webhook_retry_max_delay_seconds,
    )
    jitter = (rng or random).uniform(0.75, 1.0)
    return timedelta(seconds=raw * jitter)


def retryable(answer: Answer) -> bool:
    if answer.status is None:
        return not (answer.error or "").startswith("UNSAFE_URL")
    return answer.status == 429 or answer.status >= 500


async def record_attempt(
    uow: UnitOfWork, delivery_id: uuid.UUID, answer: Answer, *, at: datetime
) -> WebhookDeliveryStatus | None:
    """Keep the attempt and move the delivery (and, on failure, perhaps its endpoint)."""
    delivery = await uow.session.get(WebhookDelivery, delivery_id)
    if delivery is None:  # its endpoint was deleted meanwhile
        return None
    _attempt(uow, delivery, answer, at=at)
    endpoint = await uow.session.get_one(WebhookEndpoint, delivery.endpoint_id)
    now = uow.now()
    settings = uow.settings
    succeeded = answer.status is not None and 200 <= answer.status < 300 and not answer.error
    if succeeded:
        _finish(uow, delivery, WebhookDeliveryStatus.SUCCEEDED)
        endpoint.failing_since = None
        return delivery.status
    if retryable(answer):
        due = now + retry_delay(settings, delivery.attempt_count)
        window_end = delivery.created_at + timedelta(seconds=settings.webhook_retry_window_seconds)
        if due <= window_end:
            delivery.status = WebhookDeliveryStatus.RETRYING
            delivery.next_attempt_at = due
        else:
            _finish(uow, delivery, WebhookDeliveryStatus.FAILED)
    else:
        _finish(uow, delivery, WebhookDeliveryStatus.FAILED)
    endpoint.failing_since = endpoint.failing_since or at
    failing_for = now - endpoint.failing_since
    if endpoint.enabled and failing_for >= timedelta(
        seconds=settings.webhook_disable_after_seconds
    ):
        await disable(uow, endpoint, failing_for)
    return delivery.status


async def disable(uow: UnitOfWork, endpoint: WebhookEndpoint, failing_for: timedelta) -> None:
    days = failing_for.total_seconds() / 86400
    endpoint.enabled = False
    endpoint.disabled_reason = (
        f"Every delivery attempt failed for {days:.1f} days; re-enable it once it answers 2xx"
    )
    # its open deliveries end here; redeliverWebhook sends any of them again
    await uow.session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.status.in_(OPEN))
        .values(status=WebhookDeliveryStatus.FAILED, next_attempt_at=None)
        .execution_options(synchronize_session=False)
    )
    owners = await uow.session.execute(
        select(Account).where(
            Account.organization_id == endpoint.organization_id, Account.role == Role.OWNER
        )
    )
    for owner in owners.scalars():
        await queue_email(
            uow,
            to=owner.email,
            subject="A webhook endpoint was disabled",
            body=(
                f"Hello {owner.name},\n\nDeliveries to your webhook endpoint {endpoint.url} "
                f"failed every attempt for {days:.1f} days, so it is now disabled and "
                "receives no more events.\n\nFix the receiver, then enable the endpoint again "
                "(updateWebhookEndpoint with enabled: true) and redeliver what it missed.\n"
            ),
            kind="webhook_disabled",
            organization_id=endpoint.organization_id,
            account_id=owner.id,
        )


def _finish(uow: UnitOfWork, delivery: WebhookDelivery, status: WebhookDeliveryStatus) -> None:
    delivery.status = status
    delivery.next_attempt_at = None


def _attempt(
    uow: UnitOfWork, delivery: WebhookDelivery, answer: Answer, *, at: datetime | None = None
) -> None:
    uow.session.add(
        WebhookAttempt(
            delivery_id=delivery.id,
            at=at or uow.now(),
            response_status=answer.status,
            duration_ms=answer.duration_ms,
            error=answer.error,
            response_excerpt=answer.excerpt,
        )
    )


# ---------------------------------------------------------------------------- the API


async def send_test(
    uow: UnitOfWork, principal: Principal, *, endpoint_id: uuid.UUID
) -> DeliveryView:
    """A TEST event to this endpoint alone, sent at once."""
    endpoint = await get_endpoint(uow, principal, endpoint_id, write=True)
    event = record_change(
        uow,
        WebhookEventType.TEST,
        organization_id=endpoint.organization_id,
        resource_type="WebhookEndpoint",
        resource_id=endpoint.id,
        actor_id=principal.account_id,
    )
    event.fanned_out_at = uow.now()
    await uow.session.flush()
    delivery = _new_delivery(uow, endpoint, event)
    await uow.session.flush()
    uow.enqueue("webhooks.deliver", delivery.id)
    return DeliveryView(delivery, endpoint, [])


async def redeliver(
    uow: UnitOfWork, principal: Principal, *, delivery_id: uuid.UUID
) -> DeliveryView:
    """Send the delivery's event again now: a new attempt, the same ``webhook-id``."""
    organization_id = require_webhooks(principal)
    delivery = (
        await uow.session.execute(
            select(WebhookDelivery).where(
                WebhookDelivery.id == delivery_id,
                WebhookDelivery.organization_id == organization_id,
            )
        )
    ).scalar_one_or_none()
    if delivery is None:
        raise not_found("No such webhook delivery", "deliveryId")
    endpoint = await uow.session.get_one(WebhookEndpoint, delivery.endpoint_id)
    delivery.status = WebhookDeliveryStatus.PENDING
    delivery.next_attempt_at = uow.now()
    await uow.session.flush()
    uow.enqueue("webhooks.deliver", delivery.id)
    attempts = await attempts_of(uow, [delivery.id])
    return DeliveryView(delivery, endpoint, attempts.get(delivery.id, []))


async def attempts_of(
    uow: UnitOfWork, delivery_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[WebhookAttempt]]:
    if not delivery_ids:
        return {}
    rows = await uow.session.execute(
        select(WebhookAttempt)
        .where(WebhookAttempt.delivery_id.in_(delivery_ids))
        .order_by(WebhookAttempt.at, WebhookAttempt.created_at, WebhookAttempt.id)
    )
    found: dict[uuid.UUID, list[WebhookAttempt]] = defaultdict(list)
    for attempt in rows.scalars():
        found[attempt.delivery_id].append(attempt)
    return found


async def views_of(uow: UnitOfWork, deliveries: list[WebhookDelivery]) -> list[DeliveryView]:
    """Endpoints and attempts of the deliveries: two statements, whatever their number."""
    if not deliveries:
        return []
    endpoint_ids = {d.endpoint_id for d in deliveries}
    endpoints = {
        e.id: e
        for e in (
            await uow.session.execute(
                select(WebhookEndpoint).where(WebhookEndpoint.id.in_(endpoint_ids))
            )
        ).scalars()
    }
    attempts = await attempts_of(uow, [d.id for d in deliveries])
    return [DeliveryView(d, endpoints[d.endpoint_id], attempts.get(d.id, [])) for d in deliveries]


async def list_deliveries(
    uow: UnitOfWork, principal: Principal, *, endpoint_id: uuid.UUID, page: PageRequest
) -> Page[DeliveryView]:
    """Newest first; the endpoint, the page and its attempts: a fixed number of statements."""
    endpoint = await get_endpoint(uow, principal, endpoint_id, write=False, field="endpointId")
    stmt = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
    found = await paginate(uow, stmt, page, NEWEST_DELIVERIES)
    attempts = await attempts_of(uow, [d.id for d in found.items])
    views = [DeliveryView(d, endpoint, attempts.get(d.id, [])) for d in found.items]
    return Page(
        items=views,
        total=found.total,
        cursors=found.cursors,
        has_next=found.has_next,
        has_previous=found.has_previous,
    )
