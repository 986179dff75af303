"""The outbox: each change writes its event row in its own transaction; a rolled-back change
writes none."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select
from starlette.applications import Starlette

from carebase.auth.principal import Principal
from carebase.models import OutboxEvent, Role, WebhookEventType
from carebase.resolvers.people.clients import update_client
from tests.conftest import Practice
from tests.fixtures.billing import book_as_member, new_client, set_status
from tests.fixtures.factories import key_of
from tests.fixtures.graphql import GraphQLClient
from tests.fixtures.scheduling import booking_setup, local, next_weekday
from tests.fixtures.smtp import Inbox


async def events_of(app: Starlette, resource_id: uuid.UUID) -> list[WebhookEventType]:
    async with app.state.db.unit_of_work() as uow:
        rows = await uow.session.execute(
            select(OutboxEvent.type)
            .where(OutboxEvent.resource_id == resource_id)
            .order_by(OutboxEvent.created_at)
        )
        return [t for (t,) in rows]


async def test_changes_write_their_events(app: Starlette, api: GraphQLClient, smtp: Inbox) -> None:
    b = await booking_setup(api, smtp)
    appointment_id = await book_as_member(api, b, local(next_weekday(1), 10))
    await set_status(api, b.practice.owner_token, appointment_id, "CANCELLED")
    booked, cancelled = await events_of(app, key_of(appointment_id))
    assert booked is WebhookEventType.APPOINTMENT_BOOKED
    # a status set to CANCELLED by a member is the cancellation itself or a status change
    assert cancelled in (
        WebhookEventType.APPOINTMENT_CANCELLED,
        WebhookEventType.APPOINTMENT_STATUS_CHANGED,
    )
    assert WebhookEventType.CLIENT_CREATED in await events_of(app, key_of(b.client_id))


async def test_a_rolled_back_change_writes_no_event(
    app: Starlette, api: GraphQLClient, practice: Practice
) -> None:
    client_id = key_of(await new_client(api, practice))
    owner = Principal(
        kind="user",
        organization_id=key_of(practice.id),
        account_id=key_of(practice.owner["id"]),
        role=Role.OWNER,
    )

    class Abandoned(Exception):
        pass

    with pytest.raises(Abandoned):
        async with app.state.db.unit_of_work(write=True) as uow:
            await update_client(
                uow, owner, client_id=client_id, changes={"name": "Renamed Then Rolled Back"}
            )
            assert any(isinstance(row, OutboxEvent) for row in uow.session.new)
            raise Abandoned
    assert await events_of(app, client_id) == [WebhookEventType.CLIENT_CREATED]

    async with app.state.db.unit_of_work(write=True) as uow:
        await update_client(uow, owner, client_id=client_id, changes={"name": "Renamed For Real"})
    assert await events_of(app, client_id) == [
        WebhookEventType.CLIENT_CREATED,
        WebhookEventType.CLIENT_UPDATED,
    ]
