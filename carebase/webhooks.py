"""``POST /webhooks/stripe``: verify the signature, store the event once, apply it in a job."""

from __future__ import annotations

import logging

import stripe
from sqlalchemy.exc import IntegrityError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from carebase.config import Settings
from carebase.db import Database
from carebase.models import WebhookEvent

log = logging.getLogger("carebase.webhooks")
TOLERANCE_SECONDS = 300


async def stripe_webhook(db: Database, settings: Settings, request: Request) -> Response:
    if not settings.stripe_webhook_secret.get_secret_value():
        return JSONResponse({"error": "webhooks are not configured"}, status_code=404)
    payload = await request.body()
    try:
        event = stripe.Webhook.construct_event(
            payload,
            request.headers.get("stripe-signature", ""),
            settings.stripe_webhook_secret.get_secret_value(),
            tolerance=TOLERANCE_SECONDS,
        )
    except (ValueError, stripe.SignatureVerificationError):
        return JSONResponse({"error": "invalid signature"}, status_code=400)
    data = event.to_dict()
    try:
        async with db.unit_of_work(write=True) as uow:
            row = WebhookEvent(
                source="stripe",
                event_id=str(data["id"]),
                type=str(data.get("type", "")),
                payload=data,
            )
            uow.session.add(row)
            await uow.session.flush()
            uow.enqueue("billing.apply_webhook", row.id)
    except IntegrityError:
        log.info("stripe event %s seen before", data.get("id"))  # a redelivery: applied once
    return JSONResponse({"received": True})
