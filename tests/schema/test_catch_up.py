"""Reconnecting subscribers: `after:` sends what was missed, then live events, none twice."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from starlette.applications import Starlette

from carebase import pubsub
from carebase.schema.relay import to_global_id
from tests.conftest import Practice, sign_up
from tests.fixtures.factories import key_of
from tests.fixtures.graphql import GraphQLClient, documents
from tests.fixtures.live import Socket, drained, serve, socket, subscribed
from tests.fixtures.scheduling import booking_setup, local, make_client_login, next_weekday
from tests.fixtures.smtp import Inbox


@pytest.fixture(scope="module")
async def live(app: Starlette) -> AsyncIterator[str]:
    async with serve(app) as address:
        yield address


async def _send(api: GraphQLClient, token: str, conversation_id: str, body: str) -> str:
    data = await api.op(
        "SendMessage", {"input": {"conversationId": conversation_id, "body": body}}, token=token
    )
    assert data["sendMessage"]["userErrors"] == []
    return str(data["sendMessage"]["message"]["id"])


async def _bodies(ws: Socket, count: int) -> list[str]:
    bodies = []
    for _ in range(count):
        event = await ws.receive()
        assert event["type"] == "next", event
        bodies.append(event["payload"]["data"]["messageReceived"]["body"])
    return bodies


async def _refusal(ws: Socket, document: str, variables: dict[str, Any]) -> dict[str, Any]:
    await ws.subscribe(document, variables)
    event = await ws.receive()
    assert event["type"] == "next" and event["payload"]["data"] is None, event
    assert (await ws.receive())["type"] == "complete"
    return event["payload"]["errors"][0]  # type: ignore[no-any-return]


async def test_a_reconnecting_chat_subscriber_gets_what_it_missed_then_live(
    api: GraphQLClient, practice: Practice, smtp: Inbox, live: str
) -> None:
    client_id, _, client_token = await make_client_login(api, practice, smtp)
    started = await api.op(
        "StartConversation", {"input": {"clientId": client_id}}, token=practice.owner_token
    )
    conversation_id = started["startConversation"]["conversation"]["id"]
    seen = await _send(api, practice.owner_token, conversation_id, "seen before the drop")
    # the client is away: two messages go out with nobody listening
    await _send(api, practice.owner_token, conversation_id, "missed one")
    missed_two = await _send(api, practice.owner_token, conversation_id, "missed two")
    channel = f"conversation:{key_of(conversation_id)}"
    async with socket(live) as ws:
        await ws.init(client_token)
        await ws.subscribe(
            documents()["MessageReceivedAfter"], {"conversationId": conversation_id, "after": seen}
        )
        assert await _bodies(ws, 2) == ["missed one", "missed two"]
        await subscribed(channel)
        # the live event of a message the catch-up already sent is not sent again (the seam)
        await pubsub.current().publish(channel, {"message_id": str(key_of(missed_two))})
        await drained(channel)
        await ws.nothing_pending()
        await _send(api, practice.owner_token, conversation_id, "live again")
        assert await _bodies(ws, 1) == ["live again"]
        await drained(channel)
        await ws.nothing_pending()
    # the newest id: nothing to catch up, live from there
    async with socket(live) as ws:
        await ws.init(client_token)
        await ws.subscribe(
            documents()["MessageReceivedAfter"],
            {"conversationId": conversation_id, "after": missed_two},
        )
        await subscribed(channel)
        await _send(api, practice.owner_token, conversation_id, "only this")
        assert await _bodies(ws, 2) == ["live again", "only this"]


async def test_catching_up_on_chat_is_refused_to_outsiders_and_bad_anchors(
    api: GraphQLClient, practice: Practice, smtp: Inbox, live: str
) -> None:
    client_id, _, _ = await make_client_login(api, practice, smtp, "Cara")
    _, _, stranger_token = await make_client_login(api, practice, smtp, "Stan")
    started = await api.op(
        "StartConversation", {"input": {"clientId": client_id}}, token=practice.owner_token
    )
    conversation_id = started["startConversation"]["conversation"]["id"]
    first = await _send(api, practice.owner_token, conversation_id, "first")
    elsewhere = await sign_up(api, "Elsewhere Practice")
    document = documents()["MessageReceivedAfter"]
    async with socket(live) as ws:  # another client of the practice
        await ws.init(stranger_token)
        error = await _refusal(ws, document, {"conversationId": conversation_id, "after": first})
        assert error["extensions"]["code"] == "NOT_FOUND"
    async with socket(live) as ws:  # a member of another organization
        await ws.init(elsewhere.owner_token)
        error = await _refusal(ws, document, {"conversationId": conversation_id, "after": first})
        assert error["extensions"]["code"] == "NOT_FOUND"
    async with socket(live) as ws:
        await ws.init(practice.owner_token)
        # an id of another type, and a message id that is not in this conversation
        error = await _refusal(
            ws, document, {"conversationId": conversation_id, "after": conversation_id}
        )
        assert error["extensions"]["code"] == "INVALID_INPUT", error
        unknown = to_global_id("Message", uuid.uuid4())
        error = await _refusal(ws, document, {"conversationId": conversation_id, "after": unknown})
        assert error["extensions"]["code"] == "INVALID_INPUT"


HISTORY = "query($id: ID!) { appointment(id: $id) { history { id kind } } }"


async def _last_change(api: GraphQLClient, token: str, appointment_id: str) -> str:
    result = await api.raw(HISTORY, {"id": appointment_id}, token=token)
    return str(result["data"]["appointment"]["history"][-1]["id"])


async def _book(api: GraphQLClient, b: Any, day: int, hour: int) -> str:
    booked = await api.op(
        "BookAppointment",
        {
            "input": {
                "appointmentTypeId": b.type_id,
                "providerId": b.provider_id,
                "startsAt": local(next_weekday(day), hour),
            }
        },
        token=b.client_token,
    )
    assert booked["bookAppointment"]["userErrors"] == []
    return str(booked["bookAppointment"]["appointment"]["id"])


async def test_a_reconnecting_appointment_subscriber_gets_each_changed_appointment_once(
    api: GraphQLClient, smtp: Inbox, live: str
) -> None:
    b = await booking_setup(api, smtp)
    _, _, other_token = await make_client_login(api, b.practice, smtp, "Otto")
    first = await _book(api, b, 2, 10)
    seen = await _last_change(api, b.practice.owner_token, first)
    # while nobody listens: the first is moved twice, a second is booked
    for hour in (11, 12):
        moved = await api.op(
            "RescheduleAppointment",
            {"input": {"id": first, "startsAt": local(next_weekday(2), hour)}},
            token=b.practice.owner_token,
        )
        assert moved["rescheduleAppointment"]["userErrors"] == []
    second = await _book(api, b, 3, 10)
    last_change_of_first = await _last_change(api, b.practice.owner_token, first)
    channel = f"organization:{key_of(b.practice.id)}:appointments"
    document = documents()["AppointmentChangedAfter"]
    async with socket(live) as member, socket(live) as client, socket(live) as other:
        for ws, token in (
            (member, b.practice.owner_token),
            (client, b.client_token),
            (other, other_token),
        ):
            await ws.init(token)
            await ws.subscribe(document, {"after": seen})
        for ws in (member, client):
            events = [await ws.receive(), await ws.receive()]
            changed = [e["payload"]["data"]["appointmentChanged"] for e in events]
            # each appointment once, as it is now, in the order of its latest change
            assert [c["id"] for c in changed] == [first, second]
            assert changed[0]["history"][-1]["id"] == last_change_of_first
        await subscribed(channel, count=3)
        # a live event for a change the catch-up covered is not sent again
        await pubsub.current().publish(
            channel,
            {"appointment_id": str(key_of(first)), "change_id": str(key_of(last_change_of_first))},
        )
        await drained(channel)
        for ws in (member, client, other):  # the other client never hears of these
            await ws.nothing_pending()
        cancelled = await api.op(
            "CancelAppointment", {"input": {"id": second}}, token=b.practice.owner_token
        )
        assert cancelled["cancelAppointment"]["userErrors"] == []
        for ws in (member, client):
            event = await ws.receive()
            assert event["payload"]["data"]["appointmentChanged"]["id"] == second
        await drained(channel)
        for ws in (member, client, other):
            await ws.nothing_pending()


async def test_an_appointment_change_of_another_organization_is_no_anchor(
    api: GraphQLClient, smtp: Inbox, live: str
) -> None:
    b = await booking_setup(api, smtp)
    first = await _book(api, b, 4, 10)
    change = await _last_change(api, b.practice.owner_token, first)
    elsewhere = await sign_up(api, "Far Practice")
    async with socket(live) as ws:
        await ws.init(elsewhere.owner_token)
        error = await _refusal(ws, documents()["AppointmentChangedAfter"], {"after": change})
        assert error["extensions"]["code"] == "INVALID_INPUT"
        assert "after" in error["message"] or "Message" in error["message"]
