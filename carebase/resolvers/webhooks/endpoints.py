"""Webhook endpoints: owners and admins (and keys or OAuth clients with ``webhooks:write``)
register, change, list and delete them; the URL is checked for safety when set."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from carebase.auth.policy import org_id, require_member
from carebase.auth.principal import Principal
from carebase.db import UnitOfWork
from carebase.errors import DomainError, ErrorCode, invalid, not_found
from carebase.gateways.webhooks import UnsafeUrl, check_target
from carebase.models import WebhookEndpoint, WebhookEventType
from carebase.resolvers.core import audit
from carebase.resolvers.core.pagination import Order, Page, PageRequest, asc, desc, paginate
from carebase.resolvers.webhooks.signing import new_secret, seal

MAX_DESCRIPTION = 500
NEWEST_ENDPOINTS = Order(
    "webhook_endpoints", desc(WebhookEndpoint.created_at), asc(WebhookEndpoint.id)
)


def require_webhooks(principal: Principal, *, write: bool = True) -> uuid.UUID:
    """Owners and admins, and their keys and OAuth clients with the webhooks scope."""
    require_member(principal, "webhooks", write=write)
    return org_id(principal)


async def check_url(uow: UnitOfWork, url: str, field: str = "url") -> str:
    url = url.strip()
    try:
        await check_target(url, production=uow.settings.is_production)
    except UnsafeUrl as refused:
        raise DomainError(ErrorCode.UNSAFE_URL, str(refused), field) from None
    return url


def check_events(events: Sequence[WebhookEventType], field: str = "events") -> list[str]:
    chosen = sorted({e.value for e in events if e is not WebhookEventType.TEST})
    if not chosen:
        raise invalid("Choose at least one event type (TEST is sent only on request)", field)
    return chosen


def check_description(description: str | None) -> str | None:
    if description is None:
        return None
    description = description.strip()
    if len(description) > MAX_DESCRIPTION:
        raise invalid(f"At most {MAX_DESCRIPTION} characters", "description")
    return description or None


async def create_endpoint(
    uow: UnitOfWork,
    principal: Principal,
    *,
    url: str,
    events: Sequence[WebhookEventType],
    include_phi: bool,
    description: str | None,
) -> tuple[WebhookEndpoint, str]:
    """The endpoint and its signing secret, which is never shown again."""
    organization_id = require_webhooks(principal)
    assert principal.account_id
    secret = new_secret()
    endpoint = WebhookEndpoint(
        organization_id=organization_id,
        created_by_id=principal.account_id,
        url=await check_url(uow, url),
        description=check_description(description),
        events=check_events(events),
        include_phi=include_phi,
        enabled=True,
        secret_sealed=seal(uow.settings, secret),
    )
    uow.session.add(endpoint)
    await uow.session.flush()
    _audit(uow, principal, endpoint, "createWebhookEndpoint")
    return endpoint, secret


async def get_endpoint(
    uow: UnitOfWork, principal: Principal, endpoint_id: uuid.UUID, *, write: bool, field: str = "id"
) -> WebhookEndpoint:
    organization_id = require_webhooks(principal, write=write)
    endpoint = (
        await uow.session.execute(
            select(WebhookEndpoint).where(
                WebhookEndpoint.id == endpoint_id,
                WebhookEndpoint.organization_id == organization_id,
            )
        )
    ).scalar_one_or_none()
    if endpoint is None:
        raise not_found("No such webhook endpoint", field)
    return endpoint


async def update_endpoint(
    uow: UnitOfWork, principal: Principal, *, endpoint_id: uuid.UUID, changes: dict[str, Any]
) -> WebhookEndpoint:
    endpoint = await get_endpoint(uow, principal, endpoint_id, write=True)
    for key in ("url", "events", "include_phi", "enabled"):
        if key in changes and changes[key] is None:
            raise invalid("This field cannot be cleared", _camel(key))
    if "url" in changes:
        endpoint.url = await check_url(uow, changes["url"])
    if "events" in changes:
        endpoint.events = check_events(changes["events"])
    if "include_phi" in changes:
        endpoint.include_phi = bool(changes["include_phi"])
    if "description" in changes:
        endpoint.description = check_description(changes["description"])
    if "enabled" in changes:
        endpoint.enabled = bool(changes["enabled"])
        if endpoint.enabled:
            endpoint.disabled_reason = None
            endpoint.failing_since = None
        else:
            endpoint.disabled_reason = "Disabled by a member of the practice"
    await uow.session.flush()
    _audit(uow, principal, endpoint, "updateWebhookEndpoint")
    return endpoint


async def delete_endpoint(
    uow: UnitOfWork, principal: Principal, *, endpoint_id: uuid.UUID
) -> uuid.UUID:
    """Its deliveries and their attempts go with it."""
    endpoint = await get_endpoint(uow, principal, endpoint_id, write=True)
    _audit(uow, principal, endpoint, "deleteWebhookEndpoint")
    await uow.session.delete(endpoint)
    await uow.session.flush()
    return endpoint_id


async def list_endpoints(
    uow: UnitOfWork, principal: Principal, *, page: PageRequest
) -> Page[WebhookEndpoint]:
    organization_id = require_webhooks(principal, write=False)
    stmt = select(WebhookEndpoint).where(WebhookEndpoint.organization_id == organization_id)
    return await paginate(uow, stmt, page, NEWEST_ENDPOINTS)


def _audit(uow: UnitOfWork, principal: Principal, endpoint: WebhookEndpoint, op: str) -> None:
    audit.record(
        uow,
        principal,
        action="write",
        resource="webhook_endpoint",
        resource_id=endpoint.id,
        operation=op,
    )


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)
