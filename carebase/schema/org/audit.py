"""The audit log, for owners and admins."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated

import strawberry

from carebase.models import AuditEvent as AuditEventModel
from carebase.resolvers.core.checks import aware
from carebase.resolvers.core.pagination import page_request
from carebase.resolvers.org import audit as audit_ops
from carebase.schema.context import Info
from carebase.schema.docs import AFTER, FIRST
from carebase.schema.relay import Connection, Node, decode_optional_id, to_global_id


@strawberry.enum
class AuditAction(enum.Enum):
    READ = "read"
    WRITE = "write"


@strawberry.type
class AuditEvent(Node):
    action: AuditAction
    resource: str
    resource_id: strawberry.ID | None
    operation: str | None
    actor_id: strawberry.ID | None
    api_key_id: strawberry.ID | None
    oauth_client_id: strawberry.ID | None
    client_id: strawberry.ID | None
    ip: str | None
    created_at: datetime

    @classmethod
    def from_model(cls, event: AuditEventModel) -> AuditEvent:
        def gid(kind: str, value: object) -> strawberry.ID | None:
            return to_global_id(kind, value) if value else None  # type: ignore[arg-type]

        return cls(
            id=to_global_id("AuditEvent", event.id),
            action=AuditAction(event.action),
            resource=event.resource,
            resource_id=gid(event.resource.title().replace("_", ""), event.resource_id),
            operation=event.operation,
            # a client only ever reaches their own records, so they acted when actor == client
            actor_id=gid(
                "Client" if event.actor_id and event.actor_id == event.client_id else "Member",
                event.actor_id,
            ),
            api_key_id=gid("ApiKey", event.api_key_id),
            oauth_client_id=gid("OAuthClient", event.oauth_client_id),
            client_id=gid("Client", event.client_id),
            ip=event.ip,
            created_at=event.created_at,
        )


@strawberry.input
class AuditEventFilter:
    client_id: strawberry.ID | None = None
    actor_id: strawberry.ID | None = None
    action: AuditAction | None = None
    resource: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@strawberry.type
class AuditQuery:
    @strawberry.field
    async def audit_events(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
        filter: AuditEventFilter | None = None,
    ) -> Connection[AuditEvent]:
        f = filter or AuditEventFilter()
        page = await audit_ops.list_audit_events(
            info.context.uow,
            info.context.principal,
            filter=audit_ops.AuditFilter(
                client_id=decode_optional_id(f.client_id, "Client", field="clientId"),
                actor_id=decode_optional_id(f.actor_id, "Member", "Client", field="actorId"),
                action=f.action.value if f.action else None,
                resource=f.resource,
                since=aware(f.since, "since"),
                until=aware(f.until, "until"),
            ),
            page=page_request(first, after),
        )
        return Connection.from_page(page, AuditEvent.from_model)
