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
from carebase.schema.docs import AFTER, FIRST, describe_values
from carebase.schema.people.clients import Client, Viewer, person_of
from carebase.schema.relay import Connection, Node, decode_optional_id, to_global_id


@strawberry.enum(description="Whether an audited access read or changed data.")
class AuditAction(enum.Enum):
    READ = "read"
    WRITE = "write"


describe_values(
    AuditAction,
    {
        "READ": "PHI was read.",
        "WRITE": "Data was created, changed or removed.",
    },
)


@strawberry.type(
    description=(
        "One audited access to PHI or change: who, what, which "
        "client, when and from where. Owners and admins with "
        "`audit:read`."
    )
)
class AuditEvent(Node):
    action: AuditAction = strawberry.field(description="Whether the access read or changed data.")
    resource: str = strawberry.field(
        description=(
            "The kind of record accessed, lower case with `_` (e.g. "
            "`client`, `form_request`, `payment`)."
        )
    )
    resource_id: strawberry.ID | None = strawberry.field(
        description="The global id of the record accessed, when it has one."
    )
    operation: str | None = strawberry.field(
        description=(
            "The GraphQL field or mutation (or job) that made the access, e.g. `updateClient`."
        )
    )
    actor_id: strawberry.ID | None = strawberry.field(
        description=(
            "The global id of the account (member or client) that acted; "
            "null for the system and the widget."
        )
    )
    api_key_id: strawberry.ID | None = strawberry.field(
        description="The global id of the API key the actor used, if any."
    )
    oauth_client_id: strawberry.ID | None = strawberry.field(
        description="The global id of the OAuth client the actor used, if any."
    )
    client_id: strawberry.ID | None = strawberry.field(
        description="The global id of the client whose data it was, if any."
    )
    ip: str | None = strawberry.field(description="The caller's IP address, when known.")
    created_at: datetime = strawberry.field(description="When the access happened (ISO 8601, UTC).")
    model: strawberry.Private[AuditEventModel]

    @strawberry.field(  # type: ignore[untyped-decorator]
        description=(
            "The member or client who acted (batch-loaded); null for the system and the "
            "widget, or when the account is gone."
        )
    )
    async def actor(self, info: Info) -> Viewer | None:
        if self.model.actor_id is None:
            return None
        return person_of(await info.context.loaders.account.load(self.model.actor_id))

    @strawberry.field(  # type: ignore[untyped-decorator]
        description=(
            "The client whose data it was (batch-loaded; reading it is itself an audited "
            "read of that client); null when none, or when the client is gone."
        )
    )
    async def client(self, info: Info) -> Client | None:
        if self.model.client_id is None:
            return None
        found = await info.context.loaders.client.load(self.model.client_id)
        return Client.from_model(found) if found else None

    @classmethod
    def from_model(cls, event: AuditEventModel) -> AuditEvent:
        def gid(kind: str, value: object) -> strawberry.ID | None:
            return to_global_id(kind, value) if value else None  # type: ignore[arg-type]

        return cls(
            id=to_global_id("AuditEvent", event.id),
            action=AuditAction(event.action),
            resource=event.resource,
            resource_id=gid(audit_ops.resource_type(event.resource), event.resource_id),
            operation=event.operation,
            actor_id=gid(audit_ops.actor_type(event.actor_id, event.client_id), event.actor_id),
            api_key_id=gid("ApiKey", event.api_key_id),
            oauth_client_id=gid("OAuthClient", event.oauth_client_id),
            client_id=gid("Client", event.client_id),
            ip=event.ip,
            created_at=event.created_at,
            model=event,
        )


@strawberry.input(description="Which audit events to list; fields combine with AND.")
class AuditEventFilter:
    client_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only events about this client (global id)."
    )
    actor_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only events by this member or client (global id)."
    )
    action: AuditAction | None = strawberry.field(
        default=None, description="Only reads or only writes."
    )
    resource: str | None = strawberry.field(
        default=None, description="Only this kind of record (e.g. `client`)."
    )
    since: datetime | None = strawberry.field(
        default=None,
        description=(
            "Only events at or after this instant (ISO 8601 with offset; "
            "without one is `INVALID_INPUT`)."
        ),
    )
    until: datetime | None = strawberry.field(
        default=None, description="Only events before this instant (ISO 8601 with offset)."
    )
    from_: datetime | None = strawberry.field(
        default=None,
        name="from",
        description=(
            "Only events at or after this instant, as `from` reads in the other lists' "
            "filters (the same as `since`; both given, both apply)."
        ),
    )
    to: datetime | None = strawberry.field(
        default=None,
        description=(
            "Only events before this instant, as `to` reads in the other lists' filters "
            "(the same as `until`; both given, both apply)."
        ),
    )


@strawberry.type
class AuditQuery:
    @strawberry.field(  # type: ignore[untyped-decorator]
        description=(
            "The organization's audit log, newest first. Owners and admins with `audit:read`."
        )
    )
    async def audit_events(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
        filter: Annotated[
            AuditEventFilter | None, strawberry.argument(description="Only the events that match.")
        ] = None,
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
                from_=aware(f.from_, "from"),
                to=aware(f.to, "to"),
            ),
            page=page_request(first, after),
        )
        return Connection.from_page(page, AuditEvent.from_model)
