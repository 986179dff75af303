"""The two webhook lists cost the same number of statements at every page size."""

from __future__ import annotations

import uuid

from starlette.applications import Starlette

from carebase.models import (
    OutboxEvent,
    WebhookAttempt,
    WebhookDelivery,
    WebhookDeliveryStatus,
    WebhookEndpoint,
    WebhookEventType,
)
from carebase.resolvers.webhooks.signing import new_secret, seal
from tests.conftest import Practice
from tests.fixtures.factories import key_of
from tests.fixtures.graphql import GraphQLClient
from tests.fixtures.statements import assert_pinned, count_statements


async def _seed(app: Starlette, practice: Practice, endpoints: int, deliveries: int) -> str:
    org, owner = key_of(practice.id), key_of(practice.owner["id"])
    async with app.state.db.unit_of_work(write=True) as uow:
        made = [
            WebhookEndpoint(
                id=uuid.uuid4(),
                organization_id=org,
                created_by_id=owner,
                url=f"http://127.0.0.1:9/count/{i}",
                events=["CLIENT_CREATED"],
                include_phi=False,
                enabled=True,
                secret_sealed=seal(app.state.settings, new_secret()),
            )
            for i in range(endpoints)
        ]
        uow.session.add_all(made)
        await uow.session.flush()
        for _ in range(deliveries):
            event = OutboxEvent(
                id=uuid.uuid4(),
                organization_id=org,
                type=WebhookEventType.CLIENT_CREATED,
                resource_type="Client",
                resource_id=uuid.uuid4(),
                occurred_at=uow.now(),
                fanned_out_at=uow.now(),
            )
            uow.session.add(event)
            await uow.session.flush()
            delivery = WebhookDelivery(
                id=uuid.uuid4(),
                organization_id=org,
                endpoint_id=made[0].id,
                event_id=event.id,
                event_type=event.type,
                resource_id=event.resource_id,
                event_at=event.occurred_at,
                status=WebhookDeliveryStatus.SUCCEEDED,
            )
            uow.session.add(delivery)
            await uow.session.flush()
            for status in (500, 200):
                uow.session.add(
                    WebhookAttempt(
                        delivery_id=delivery.id, at=uow.now(), response_status=status, duration_ms=3
                    )
                )
    from carebase.schema.relay import to_global_id

    return str(to_global_id("WebhookEndpoint", made[0].id))


async def test_webhook_lists_cost_the_same_for_any_page(
    app: Starlette, api: GraphQLClient, practice: Practice
) -> None:
    endpoint_id = await _seed(app, practice, 12, 12)
    counts: dict[int, int] = {}
    for first in (2, 12):
        with count_statements(app) as statements:
            data = await api.op("WebhookEndpoints", {"first": first}, token=practice.owner_token)
        assert len(data["webhookEndpoints"]["edges"]) == first
        counts[first] = len(statements)
    assert_pinned("webhook_endpoints", counts)
    counts = {}
    for first in (2, 12):
        with count_statements(app) as statements:
            data = await api.op(
                "WebhookDeliveries",
                {"endpointId": endpoint_id, "first": first},
                token=practice.owner_token,
            )
        edges = data["webhookDeliveries"]["edges"]
        assert len(edges) == first
        assert all(len(e["node"]["attempts"]) == 2 for e in edges)
        counts[first] = len(statements)
    assert_pinned("webhook_deliveries", counts)
