"""Audit events: buffered on the unit of work, written in one batched insert at commit."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select

from carebase.auth.policy import require_member, scoped
from carebase.auth.principal import Principal
from carebase.db import UnitOfWork
from carebase.models import AuditEvent
from carebase.resolvers.core.pagination import Page, PageRequest, paginate

Action = Literal["read", "write"]


def record(
    uow: UnitOfWork,
    principal: Principal,
    *,
    action: Action,
    resource: str,
    resource_id: uuid.UUID | None = None,
    client_id: uuid.UUID | None = None,
    operation: str | None = None,
    organization_id: uuid.UUID | None = None,
) -> None:
    org = organization_id or principal.organization_id
    if org is None:
        return
    uow.audit_rows.append(
        {
            "id": uuid.uuid4(),
            "created_at": uow.now(),
            "updated_at": uow.now(),
            "organization_id": org,
            "actor_id": principal.account_id,
            "api_key_id": principal.api_key_id,
            "oauth_client_id": principal.oauth_client_id,
            "client_id": client_id,
            "action": action,
            "resource": resource,
            "resource_id": resource_id,
            "operation": operation,
            "ip": principal.ip,
        }
    )


def record_client_reads(
    uow: UnitOfWork, principal: Principal, client_ids: Iterable[uuid.UUID], *, resource: str
) -> None:
    for client_id in client_ids:
        record(
            uow,
            principal,
            action="read",
            resource=resource,
            resource_id=client_id,
            client_id=client_id,
        )


@dataclass(frozen=True)
class AuditFilter:
    client_id: uuid.UUID | None = None
    actor_id: uuid.UUID | None = None
    action: Action | None = None
    resource: str | None = None
    since: datetime | None = None
    until: datetime | None = None


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
    if filter.since:
        stmt = stmt.where(AuditEvent.created_at >= filter.since)
    if filter.until:
        stmt = stmt.where(AuditEvent.created_at < filter.until)
    stmt = stmt.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    return await paginate(uow, stmt, page)
