"""What ``node`` reads of the webhooks area: endpoints and deliveries (owners and admins)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from carebase.auth.principal import Principal
from carebase.db import UnitOfWork
from carebase.models import WebhookDelivery, WebhookEndpoint
from carebase.resolvers.core.nodes import NodeSource
from carebase.resolvers.webhooks.deliveries import DeliveryView, views_of
from carebase.resolvers.webhooks.endpoints import require_webhooks


def _endpoints(principal: Principal) -> Select[Any]:
    return select(WebhookEndpoint).where(
        WebhookEndpoint.organization_id == require_webhooks(principal, write=False)
    )


def _deliveries(principal: Principal) -> Select[Any]:
    return select(WebhookDelivery).where(
        WebhookDelivery.organization_id == require_webhooks(principal, write=False)
    )


async def delivery_views(uow: UnitOfWork, rows: list[Any]) -> list[DeliveryView]:
    return await views_of(uow, rows)


WEBHOOK_ENDPOINTS = NodeSource(WebhookEndpoint.id, _endpoints)
WEBHOOK_DELIVERIES = NodeSource(WebhookDelivery.id, _deliveries)
