"""The audit log, for owners and admins: the organization's audit events, filtered and paged
(the rows themselves are written by ``carebase.resolvers.core.audit``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from carebase.auth.policy import require_member, scoped
from carebase.auth.principal import Principal
from carebase.db import UnitOfWork
from carebase.models import AuditEvent
from carebase.resolvers.core.audit import Action
from carebase.resolvers.core.pagination import Order, Page, PageRequest, desc, paginate


@dataclass(frozen=True)
class AuditFilter:
    client_id: uuid.UUID | None = None
    actor_id: uuid.UUID | None = None
    action: Action | None = None
    resource: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    # the other lists' names for since and until: each given bound applies
    from_: datetime | None = None
    to: datetime | None = None


def resource_type(resource: str) -> str:
    """The GraphQL type of an audited record's global id (``form_request`` ->
    ``FormRequest``)."""
    return resource.title().replace("_", "")


def actor_type(actor_id: uuid.UUID | None, client_id: uuid.UUID | None) -> str:
    """A client only ever reaches their own records, so they acted when actor == client."""
    return "Client" if actor_id and actor_id == client_id else "Member"


NEWEST_FIRST = Order("audit_events", desc(AuditEvent.created_at), desc(AuditEvent.id))


async def list_audit_events(
    uow: UnitOfWork, principal: Principal, *, filter: AuditFilter, page: PageRequest
) -> Page[AuditEvent]:
    require_member(principal, "audit")
    stmt = scoped(select(AuditEvent), principal, AuditEvent.organization_id)
    if filter.client_id:
        stmt = stmt.where(AuditEvent.client_id == filter.client_id)
    if filter.actor_id:
        stmt = stmt.where(AuditEvent.actor_id == filter.actor_id)
    if filter.action:
        stmt = stmt.where(AuditEvent.action == filter.action)
    if filter.resource:
        stmt = stmt.where(AuditEvent.resource == filter.resource)
    for start in (filter.since, filter.from_):
        if start:
            stmt = stmt.where(AuditEvent.created_at >= start)
    for end in (filter.until, filter.to):
        if end:
            stmt = stmt.where(AuditEvent.created_at < end)
    return await paginate(uow, stmt, page, NEWEST_FIRST)
