"""``webhooks.fan_out``: outbox events into deliveries; ``webhooks.deliver``: one attempt of
one delivery, signed afresh (same ``webhook-id``, this attempt's timestamp), to the address
checked for safety at this very attempt. Retries are rows with a due time, not messages."""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING

from carebase.gateways.webhooks import Answer, UnsafeUrl, check_target, post
from carebase.jobs.declare import actor
from carebase.metrics import record_webhook_delivery
from carebase.models import WebhookDeliveryStatus
from carebase.resolvers.webhooks import deliveries
from carebase.resolvers.webhooks.objects import creator_principal
from carebase.resolvers.webhooks.signing import signed_headers, unseal

if TYPE_CHECKING:
    from carebase.jobs.runtime import JobRuntime

log = logging.getLogger("carebase.webhooks")


@actor("webhooks.fan_out", max_retries=3)
async def fan_out(runtime: JobRuntime) -> None:
    db = runtime.database()
    async with db.unit_of_work(write=True) as uow:
        made = await deliveries.fan_out(uow)
        for delivery_id in made:
            uow.enqueue("webhooks.deliver", delivery_id)


@actor("webhooks.deliver", max_retries=0)
async def deliver(runtime: JobRuntime, delivery_id: str) -> None:
    db = runtime.database()
    key = uuid.UUID(delivery_id)
    async with db.unit_of_work(write=True) as uow:
        prepared = await deliveries.claim(uow, key)
        if prepared is not None and prepared.include_phi and runtime.object_reader is not None:
            # the resource as the endpoint's creator would read it now: an audited read
            creator = await creator_principal(uow, prepared.organization_id, prepared.creator_id)
            if creator is not None:
                obj = await runtime.object_reader(
                    uow, creator, prepared.resource_type, prepared.resource_id
                )
                if obj is not None:
                    prepared.body["data"]["object"] = obj
    if prepared is None:
        return
    settings = runtime.settings
    at = db.clock.now()
    body = deliveries.serialize(prepared.body)
    headers = signed_headers(
        unseal(settings, prepared.sealed_secret), prepared.message_id, at, body
    )
    try:
        target = await check_target(prepared.url, production=settings.is_production)
    except UnsafeUrl as refused:
        answer = Answer(None, 0, None, f"UNSAFE_URL: {refused}")
    else:
        answer = await post(target, body.encode(), headers, settings.webhook_timeout_seconds)
    async with db.unit_of_work(write=True) as uow:
        status = await deliveries.record_attempt(uow, key, answer, at=at)
    record_webhook_delivery(outcome_of(status))
    log.info(
        "webhook delivery %s: %s -> %s",
        delivery_id,
        answer.status if answer.status is not None else "no answer",
        status.value if status else "gone",
    )


def outcome_of(status: WebhookDeliveryStatus | None) -> str:
    """An attempt's metric label: ``delivered`` (2xx), ``failed`` (to be retried) or
    ``gave_up`` (the delivery failed for good, or its endpoint was deleted meanwhile)."""
    if status is WebhookDeliveryStatus.SUCCEEDED:
        return "delivered"
    if status is WebhookDeliveryStatus.RETRYING:
        return "failed"
    return "gave_up"
