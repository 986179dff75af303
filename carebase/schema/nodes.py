"""``node`` and ``nodes``: every type that implements Node, listed here and nowhere else.

A new Node type is one line below (its resolver-side ``NodeSource`` and how its rows become
GraphQL objects); ``tests/schema/test_nodes.py`` fails for a Node type of the exported schema
that is missing here. ``nodes`` asks each type's source once, whatever the number of ids.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

import strawberry

from carebase.errors import DomainError, invalid
from carebase.resolvers.billing import nodes as billing
from carebase.resolvers.chat import nodes as chat
from carebase.resolvers.core.nodes import NodeSource, load_nodes
from carebase.resolvers.insurance import nodes as insurance
from carebase.resolvers.intake import nodes as intake
from carebase.resolvers.org import nodes as org
from carebase.resolvers.people import nodes as people
from carebase.resolvers.scheduling import nodes as scheduling
from carebase.resolvers.webhooks import nodes as webhooks
from carebase.schema.billing.types import (
    Invoice,
    Package,
    PackagePurchase,
    Payment,
    PaymentMethod,
)
from carebase.schema.chat.conversations import Conversation, Message
from carebase.schema.context import Info
from carebase.schema.insurance.claims import Claim
from carebase.schema.insurance.superbills import Superbill
from carebase.schema.insurance.types import InsurancePolicy
from carebase.schema.intake.forms import Form, FormRequest, intake_flow_of
from carebase.schema.org.audit import AuditEvent
from carebase.schema.org.organizations import ApiKey, OAuthClient, Organization
from carebase.schema.people.clients import Client, Member
from carebase.schema.relay import Node, parse_global_id
from carebase.schema.scheduling.types import Appointment, AppointmentType
from carebase.schema.webhooks.endpoints import WebhookDelivery, WebhookEndpoint

MAX_IDS = 100

# the rows' GraphQL objects, in the rows' order (None for one that cannot be shown)
Build = Callable[[Info, list[Any]], Awaitable[list[Node | None]]]


def each(from_model: Callable[[Any], Node]) -> Build:
    async def build(info: Info, rows: list[Any]) -> list[Node | None]:
        return [from_model(row) for row in rows]

    return build


async def _forms(info: Info, rows: list[Any]) -> list[Node | None]:
    versions = await info.context.loaders.form_version.load_many([(f.id, f.version) for f in rows])
    return [Form.of(f, v) if v is not None else None for f, v in zip(rows, versions, strict=True)]


async def _flows(info: Info, rows: list[Any]) -> list[Node | None]:
    return [await intake_flow_of(info, flow) for flow in rows]


async def _purchases(info: Info, rows: list[Any]) -> list[Node | None]:
    packages, payments = await billing.purchase_parts(info.context.uow, rows)
    return [
        PackagePurchase.of(
            row, packages[row.package_id], payments.get(row.payment_id) if row.payment_id else None
        )
        for row in rows
    ]


async def _deliveries(info: Info, rows: list[Any]) -> list[Node | None]:
    views = await webhooks.delivery_views(info.context.uow, rows)
    return [WebhookDelivery.from_view(v) for v in views]


@dataclass(frozen=True)
class NodeType:
    source: NodeSource
    build: Build


NODE_TYPES: dict[str, NodeType] = {
    "ApiKey": NodeType(org.API_KEYS, each(ApiKey.from_model)),
    "Appointment": NodeType(scheduling.APPOINTMENTS, each(Appointment.from_model)),
    "AppointmentType": NodeType(scheduling.APPOINTMENT_TYPES, each(AppointmentType.from_model)),
    "AuditEvent": NodeType(org.AUDIT_EVENTS, each(AuditEvent.from_model)),
    "Claim": NodeType(insurance.CLAIMS, each(Claim.from_model)),
    "Client": NodeType(people.CLIENTS, each(Client.from_model)),
    "Conversation": NodeType(chat.CONVERSATIONS, each(Conversation.from_model)),
    "Form": NodeType(intake.FORMS, _forms),
    "FormRequest": NodeType(intake.FORM_REQUESTS, each(FormRequest.from_model)),
    "InsurancePolicy": NodeType(insurance.INSURANCE_POLICIES, each(InsurancePolicy.from_model)),
    "IntakeFlow": NodeType(intake.INTAKE_FLOWS, _flows),
    "Invoice": NodeType(billing.INVOICES, each(Invoice.from_model)),
    "Member": NodeType(people.MEMBERS, each(Member.from_model)),
    "Message": NodeType(chat.MESSAGES, each(Message.from_model)),
    "OAuthClient": NodeType(org.OAUTH_CLIENTS, each(OAuthClient.from_model)),
    "Organization": NodeType(org.ORGANIZATIONS, each(Organization.from_model)),
    "Package": NodeType(billing.PACKAGES, each(Package.from_model)),
    "PackagePurchase": NodeType(billing.PACKAGE_PURCHASES, _purchases),
    "Payment": NodeType(billing.PAYMENTS, each(Payment.from_model)),
    "PaymentMethod": NodeType(billing.PAYMENT_METHODS, each(PaymentMethod.from_model)),
    "Superbill": NodeType(insurance.SUPERBILLS, each(Superbill.from_model)),
    "WebhookDelivery": NodeType(webhooks.WEBHOOK_DELIVERIES, _deliveries),
    "WebhookEndpoint": NodeType(webhooks.WEBHOOK_ENDPOINTS, each(WebhookEndpoint.from_model)),
}


async def resolve_nodes(info: Info, global_ids: Sequence[str]) -> list[Node | None]:
    """Each id's object, or null for an id that is malformed, of no Node type, missing, or
    not the caller's to read; one lookup per type asked."""
    keys: list[tuple[str, uuid.UUID] | None] = []
    wanted: dict[str, list[uuid.UUID]] = defaultdict(list)
    for global_id in global_ids:
        try:
            type_name, key = parse_global_id(global_id)
        except DomainError:
            keys.append(None)
            continue
        keys.append((type_name, key) if type_name in NODE_TYPES else None)
        if type_name in NODE_TYPES:
            wanted[type_name].append(key)
    found: dict[tuple[str, uuid.UUID], Node] = {}
    ctx = info.context
    for type_name, ids in wanted.items():
        node_type = NODE_TYPES[type_name]
        rows = list((await load_nodes(ctx.uow, ctx.principal, node_type.source, ids)).values())
        for row, node in zip(rows, await node_type.build(info, rows), strict=True):
            if node is not None:
                found[(type_name, row.id)] = node
    return [found.get(k) if k else None for k in keys]


@strawberry.type
class NodeQuery:
    @strawberry.field(  # type: ignore[untyped-decorator]
        description=(
            "Any object that implements `Node`, by global id; null when the id is "
            "malformed, of an unknown type, missing or not the caller's to read."
        )
    )
    async def node(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID,
            strawberry.argument(description="A global id, as any object's `id` answers it."),
        ],
    ) -> Node | None:
        return (await resolve_nodes(info, [id]))[0]

    @strawberry.field(  # type: ignore[untyped-decorator]
        description=(
            "Objects by global id, in the order asked (null in place of each one "
            "the caller cannot read); one lookup per type. At most 100 ids "
            "(`INVALID_INPUT`)."
        )
    )
    async def nodes(
        self,
        info: Info,
        ids: Annotated[
            list[strawberry.ID], strawberry.argument(description="Up to 100 global ids.")
        ],
    ) -> list[Node | None]:
        if len(ids) > MAX_IDS:
            raise invalid(f"At most {MAX_IDS} ids", "ids")
        return await resolve_nodes(info, ids)
