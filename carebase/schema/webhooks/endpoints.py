"""Outbound webhooks: endpoints, deliveries and attempts (owners and admins; keys and OAuth
clients with ``webhooks:write``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

import strawberry

from carebase.models import WebhookAttempt as WebhookAttemptModel
from carebase.models import WebhookDeliveryStatus as DeliveryStatusModel
from carebase.models import WebhookEndpoint as WebhookEndpointModel
from carebase.models import WebhookEventType as EventTypeModel
from carebase.resolvers.core.pagination import page_request
from carebase.resolvers.webhooks import deliveries as delivery_ops
from carebase.resolvers.webhooks import endpoints as endpoint_ops
from carebase.resolvers.webhooks.deliveries import DeliveryView
from carebase.resolvers.webhooks.ids import message_id
from carebase.schema.common import changes_of
from carebase.schema.context import Info
from carebase.schema.docs import MUTATION_INPUT, describe_values
from carebase.schema.errors import UserError
from carebase.schema.payloads import Payload, mutate
from carebase.schema.relay import Connection, Node, decode_id, to_global_id

WebhookEventType = strawberry.enum(
    EventTypeModel,
    name="WebhookEventType",
    description=(
        "A kind of change a webhook endpoint may hear of. On the wire (the body's `type`) it "
        "is lower-cased with its first `_` a `.`: APPOINTMENT_STATUS_CHANGED is "
        '"appointment.status_changed". TEST is sent only by sendTestWebhook.'
    ),
)
WebhookDeliveryStatus = strawberry.enum(
    DeliveryStatusModel,
    name="WebhookDeliveryStatus",
    description=(
        "PENDING: not tried yet (or being tried); RETRYING: an attempt failed with a timeout, "
        "network error, 5xx or 429 and another is due at nextAttemptAt; SUCCEEDED: answered "
        "2xx; FAILED: answered another status, its URL was unsafe, or retries ran out."
    ),
)

describe_values(
    WebhookEventType,
    {
        "APPOINTMENT_BOOKED": "An appointment was booked (portal, member or widget).",
        "APPOINTMENT_RESCHEDULED": "An appointment moved to a new time.",
        "APPOINTMENT_CANCELLED": "An appointment was cancelled.",
        "APPOINTMENT_STATUS_CHANGED": "An appointment was marked OCCURRED or NO_SHOW.",
        "FORM_REQUESTED": "A form was requested from a client.",
        "FORM_COMPLETED": "A client (or a provider for them) completed a form.",
        "FORM_SKIPPED": "A requested form was skipped.",
        "PAYMENT_SUCCEEDED": "A payment succeeded.",
        "PAYMENT_FAILED": "A payment failed (e.g. a declined card).",
        "PAYMENT_REFUNDED": "A payment was refunded, in part or in full.",
        "INVOICE_SENT": "An invoice was sent to its client.",
        "INVOICE_PAID": "An invoice was paid in full.",
        "MESSAGE_SENT": "A chat message was sent (the body never travels in a thin event).",
        "CLIENT_CREATED": "A client was created.",
        "CLIENT_UPDATED": "A client's details changed.",
        "CLAIM_STATUS_CHANGED": "An insurance claim moved to another status.",
        "TEST": "Sent only by `sendTestWebhook`.",
    },
)
describe_values(
    WebhookDeliveryStatus,
    {
        "PENDING": "Not tried yet, or being tried.",
        "RETRYING": "An attempt failed (timeout, network error, 5xx or 429); another is due.",
        "SUCCEEDED": "The endpoint answered 2xx.",
        "FAILED": "Answered another status, the URL was unsafe, or the retries ran out.",
    },
)


@strawberry.type(description="A partner's URL that receives signed events (Standard Webhooks).")
class WebhookEndpoint(Node):
    url: str = strawberry.field(description="Where events are POSTed (https in production).")
    description: str | None = strawberry.field(description="A note for the practice's admins.")
    events: list[WebhookEventType] = strawberry.field(  # type: ignore[valid-type]
        description="The event types it receives."
    )
    include_phi: bool = strawberry.field(
        description=(
            "Whether bodies carry data.object, the resource as the endpoint's creator would "
            "read it (each such delivery is an audited read); otherwise bodies are thin: "
            "type, time and global ids only."
        )
    )
    enabled: bool = strawberry.field(description="Whether events are delivered to it.")
    disabled_reason: str | None = strawberry.field(
        description="Why it was disabled (by a member, or after 3 days of failed attempts)."
    )
    created_at: datetime = strawberry.field(description="When it was registered.")

    @classmethod
    def from_model(cls, row: WebhookEndpointModel) -> WebhookEndpoint:
        return cls(
            id=to_global_id("WebhookEndpoint", row.id),
            url=row.url,
            description=row.description,
            events=[EventTypeModel(e) for e in row.events],
            include_phi=row.include_phi,
            enabled=row.enabled,
            disabled_reason=row.disabled_reason,
            created_at=row.created_at,
        )


@strawberry.type(description="One HTTP attempt of a delivery.")
class WebhookAttempt:
    at: datetime = strawberry.field(description="When it was sent (its webhook-timestamp).")
    response_status: int | None = strawberry.field(
        description="The receiver's HTTP status; null when none came (timeout, network, unsafe)."
    )
    duration_ms: int = strawberry.field(description="How long it took, in milliseconds.")
    error: str | None = strawberry.field(
        description="Why it failed without a status, or UNSAFE_URL with the reason."
    )
    response_excerpt: str | None = strawberry.field(
        description="The first kilobyte of the receiver's answer."
    )

    @classmethod
    def from_model(cls, row: WebhookAttemptModel) -> WebhookAttempt:
        return cls(
            at=row.at,
            response_status=row.response_status,
            duration_ms=row.duration_ms,
            error=row.error,
            response_excerpt=row.response_excerpt,
        )


@strawberry.type(description="One event to one endpoint, with every attempt made of it.")
class WebhookDelivery(Node):
    endpoint: WebhookEndpoint = strawberry.field(description="The endpoint it goes to.")
    event_id: str = strawberry.field(
        description="The event's id: the webhook-id header, the same on every attempt."
    )
    event_type: WebhookEventType = strawberry.field(  # type: ignore[valid-type]
        description="What happened."
    )
    status: WebhookDeliveryStatus = strawberry.field(  # type: ignore[valid-type]
        description="Where the delivery stands."
    )
    attempts: list[WebhookAttempt] = strawberry.field(description="Every attempt, oldest first.")
    next_attempt_at: datetime | None = strawberry.field(
        description="When the next attempt is due; null once it succeeded or failed."
    )
    created_at: datetime = strawberry.field(description="When the event was fanned out to it.")

    @classmethod
    def from_view(cls, view: DeliveryView) -> WebhookDelivery:
        d = view.delivery
        return cls(
            id=to_global_id("WebhookDelivery", d.id),
            endpoint=WebhookEndpoint.from_model(view.endpoint),
            event_id=message_id(d.event_id),
            event_type=d.event_type,
            status=d.status,
            attempts=[WebhookAttempt.from_model(a) for a in view.attempts],
            next_attempt_at=d.next_attempt_at,
            created_at=d.created_at,
        )


@strawberry.input(description="A new webhook endpoint.")
class CreateWebhookEndpointInput:
    url: str = strawberry.field(
        description=(
            "https in production, never a private, loopback, link-local or metadata address "
            "(UNSAFE_URL); development also allows http://127.0.0.1."
        )
    )
    events: list[WebhookEventType] = strawberry.field(  # type: ignore[valid-type]
        description="The event types to receive (at least one)."
    )
    include_phi: bool = strawberry.field(
        default=False, description="Carry data.object in each body (an audited read)."
    )
    description: str | None = strawberry.field(
        default=None, description="A note for admins (up to 500 characters)."
    )


@strawberry.input(description="Changes to a webhook endpoint; fields left out stay.")
class UpdateWebhookEndpointInput:
    id: strawberry.ID = strawberry.field(description="The endpoint.")
    url: str | None = strawberry.field(
        default=strawberry.UNSET, description="A new URL, checked as at creation."
    )
    events: list[WebhookEventType] | None = strawberry.field(  # type: ignore[valid-type]
        default=strawberry.UNSET, description="The event types to receive from now on."
    )
    include_phi: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Carry data.object in each body."
    )
    enabled: bool | None = strawberry.field(
        default=strawberry.UNSET,
        description="false stops deliveries; true resumes them and clears disabledReason.",
    )
    description: str | None = strawberry.field(
        default=strawberry.UNSET, description="A note for admins; null clears it."
    )


@strawberry.input(description="The endpoint to delete, with its deliveries.")
class DeleteWebhookEndpointInput:
    id: strawberry.ID = strawberry.field(description="The endpoint.")


@strawberry.input(description="The endpoint to send a TEST event to.")
class SendTestWebhookInput:
    id: strawberry.ID = strawberry.field(description="The endpoint.")


@strawberry.input(description="The delivery to send again.")
class RedeliverWebhookInput:
    delivery_id: strawberry.ID = strawberry.field(description="The delivery.")


@strawberry.type(description="The new endpoint and its signing secret.")
class CreateWebhookEndpointPayload(Payload):
    webhook_endpoint: WebhookEndpoint | None = strawberry.field(
        default=None, description="The endpoint."
    )
    secret: str | None = strawberry.field(
        default=None,
        description=(
            'The signing secret ("whsec_…"), shown this once: verify webhook-signature with '
            "it (Standard Webhooks)."
        ),
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing was created."
    )

    @classmethod
    async def from_result(cls, result: tuple[WebhookEndpointModel, str], info: Info) -> Self:
        endpoint, secret = result
        return cls(webhook_endpoint=WebhookEndpoint.from_model(endpoint), secret=secret)


@strawberry.type(description="The endpoint as changed.")
class UpdateWebhookEndpointPayload(Payload):
    webhook_endpoint: WebhookEndpoint | None = strawberry.field(
        default=None, description="The endpoint."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed."
    )

    @classmethod
    async def from_result(cls, result: WebhookEndpointModel, info: Info) -> Self:
        return cls(webhook_endpoint=WebhookEndpoint.from_model(result))


@strawberry.type(description="The deleted endpoint's id.")
class DeleteWebhookEndpointPayload(Payload):
    deleted_id: strawberry.ID | None = strawberry.field(
        default=None, description="The id of the endpoint deleted."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing was deleted."
    )

    @classmethod
    async def from_result(cls, result: object, info: Info) -> Self:
        assert not isinstance(result, str)
        return cls(deleted_id=to_global_id("WebhookEndpoint", result))  # type: ignore[arg-type]


@strawberry.type(description="The TEST delivery, sent at once.")
class SendTestWebhookPayload(Payload):
    delivery: WebhookDelivery | None = strawberry.field(default=None, description="The delivery.")
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing was sent."
    )

    @classmethod
    async def from_result(cls, result: DeliveryView, info: Info) -> Self:
        return cls(delivery=WebhookDelivery.from_view(result))


@strawberry.type(description="The delivery, due again now (same webhook-id, a new attempt).")
class RedeliverWebhookPayload(Payload):
    delivery: WebhookDelivery | None = strawberry.field(default=None, description="The delivery.")
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing was sent."
    )

    @classmethod
    async def from_result(cls, result: DeliveryView, info: Info) -> Self:
        return cls(delivery=WebhookDelivery.from_view(result))


@strawberry.type
class WebhookQuery:
    @strawberry.field(description="The practice's webhook endpoints, newest first (admins).")  # type: ignore[untyped-decorator]
    async def webhook_endpoints(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description="Page size (<= 100).")] = None,
        after: Annotated[
            str | None, strawberry.argument(description="The endCursor of the page before.")
        ] = None,
    ) -> Connection[WebhookEndpoint]:
        page = await endpoint_ops.list_endpoints(
            info.context.uow, info.context.principal, page=page_request(first, after)
        )
        return Connection.from_page(page, WebhookEndpoint.from_model)

    @strawberry.field(description="One endpoint's deliveries, newest first, with their attempts.")  # type: ignore[untyped-decorator]
    async def webhook_deliveries(
        self,
        info: Info,
        endpoint_id: Annotated[strawberry.ID, strawberry.argument(description="The endpoint.")],
        first: Annotated[int | None, strawberry.argument(description="Page size (<= 100).")] = None,
        after: Annotated[
            str | None, strawberry.argument(description="The endCursor of the page before.")
        ] = None,
    ) -> Connection[WebhookDelivery]:
        ctx = info.context
        page = await delivery_ops.list_deliveries(
            ctx.uow,
            ctx.principal,
            endpoint_id=decode_id(endpoint_id, "WebhookEndpoint", field="endpointId"),
            page=page_request(first, after),
        )
        return Connection.from_page(page, WebhookDelivery.from_view)


@strawberry.type
class WebhookMutation:
    @strawberry.mutation(description="Register an endpoint; its signing secret is shown once.")  # type: ignore[untyped-decorator]
    async def create_webhook_endpoint(
        self,
        info: Info,
        input: Annotated[
            CreateWebhookEndpointInput, strawberry.argument(description=MUTATION_INPUT)
        ],
    ) -> CreateWebhookEndpointPayload:
        ctx = info.context

        async def op() -> tuple[WebhookEndpointModel, str]:
            return await endpoint_ops.create_endpoint(
                ctx.uow,
                ctx.principal,
                url=input.url,
                events=input.events,
                include_phi=input.include_phi,
                description=input.description,
            )

        return await mutate(info, CreateWebhookEndpointPayload, op)

    @strawberry.mutation(description="Change an endpoint's URL, events, PHI setting or state.")  # type: ignore[untyped-decorator]
    async def update_webhook_endpoint(
        self,
        info: Info,
        input: Annotated[
            UpdateWebhookEndpointInput, strawberry.argument(description=MUTATION_INPUT)
        ],
    ) -> UpdateWebhookEndpointPayload:
        ctx = info.context
        changes = changes_of(input, "url", "events", "include_phi", "enabled", "description")

        async def op() -> WebhookEndpointModel:
            return await endpoint_ops.update_endpoint(
                ctx.uow,
                ctx.principal,
                endpoint_id=decode_id(input.id, "WebhookEndpoint"),
                changes=changes,
            )

        return await mutate(info, UpdateWebhookEndpointPayload, op)

    @strawberry.mutation(description="Delete an endpoint and its deliveries.")  # type: ignore[untyped-decorator]
    async def delete_webhook_endpoint(
        self,
        info: Info,
        input: Annotated[
            DeleteWebhookEndpointInput, strawberry.argument(description=MUTATION_INPUT)
        ],
    ) -> DeleteWebhookEndpointPayload:
        ctx = info.context

        async def op() -> object:
            return await endpoint_ops.delete_endpoint(
                ctx.uow, ctx.principal, endpoint_id=decode_id(input.id, "WebhookEndpoint")
            )

        return await mutate(info, DeleteWebhookEndpointPayload, op)

    @strawberry.mutation(description="Send a TEST event to the endpoint now.")  # type: ignore[untyped-decorator]
    async def send_test_webhook(
        self,
        info: Info,
        input: Annotated[SendTestWebhookInput, strawberry.argument(description=MUTATION_INPUT)],
    ) -> SendTestWebhookPayload:
        ctx = info.context

        async def op() -> DeliveryView:
            return await delivery_ops.send_test(
                ctx.uow, ctx.principal, endpoint_id=decode_id(input.id, "WebhookEndpoint")
            )

        return await mutate(info, SendTestWebhookPayload, op)

    @strawberry.mutation(description="Send a delivery's event again, with the same webhook-id.")  # type: ignore[untyped-decorator]
    async def redeliver_webhook(
        self,
        info: Info,
        input: Annotated[RedeliverWebhookInput, strawberry.argument(description=MUTATION_INPUT)],
    ) -> RedeliverWebhookPayload:
        ctx = info.context

        async def op() -> DeliveryView:
            return await delivery_ops.redeliver(
                ctx.uow,
                ctx.principal,
                delivery_id=decode_id(input.delivery_id, "WebhookDelivery", field="deliveryId"),
            )

        return await mutate(info, RedeliverWebhookPayload, op)
