"""The outbox: every change others react to (webhooks today) is one row written in the
change's own transaction, so a change that rolls back sends nothing and one that commits is
never lost. The scheduler fans the rows out into deliveries (``resolvers/webhooks``).

Every area calls ``record_change`` where its change happens; the insurance area calls
``record_claim_status_changed`` when a claim moves.
"""

from __future__ import annotations

import uuid

from carebase.db import UnitOfWork
from carebase.models import OutboxEvent, WebhookEventType


def record_change(
    uow: UnitOfWork,
    event_type: WebhookEventType,
    *,
    organization_id: uuid.UUID,
    resource_type: str,
    resource_id: uuid.UUID,
    client_id: uuid.UUID | None = None,
    actor_id: uuid.UUID | None = None,
) -> OutboxEvent:
    """Add the event to the unit of work (flushed with the change; no statement of its own)."""
    event = OutboxEvent(
        id=uuid.uuid4(),
        organization_id=organization_id,
        type=event_type,
        resource_type=resource_type,
        resource_id=resource_id,
        client_id=client_id,
        actor_id=actor_id,
        occurred_at=uow.now(),
    )
    uow.session.add(event)
    return event


def record_claim_status_changed(
    uow: UnitOfWork,
    *,
    organization_id: uuid.UUID,
    claim_id: uuid.UUID,
    client_id: uuid.UUID,
    actor_id: uuid.UUID | None = None,
) -> OutboxEvent:
    """For the insurance area: call where a claim's status changes."""
    return record_change(
        uow,
        WebhookEventType.CLAIM_STATUS_CHANGED,
        organization_id=organization_id,
        resource_type="Claim",
        resource_id=claim_id,
        client_id=client_id,
        actor_id=actor_id,
    )
