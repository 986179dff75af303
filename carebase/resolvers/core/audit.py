"""Audit events: buffered on the unit of work, written in one batched insert at commit.
(Reading them back, the audit log, is the org area's: ``carebase.resolvers.org.audit``.)"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Literal

from carebase.auth.principal import Principal
from carebase.db import UnitOfWork

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
