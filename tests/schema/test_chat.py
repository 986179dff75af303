"""Chat as a provider and a client use it: live over graphql-transport-ws, and nobody else."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from sqlalchemy import select, update
from starlette.applications import Starlette

from carebase.models import Message, NotificationStatus, UnreadNotification, utcnow
from tests.conftest import Practice
from tests.fixtures.factories import key_of
from tests.fixtures.graphql import GraphQLClient, documents
from tests.fixtures.live import drained, listening, serve, socket, subscribed
from tests.fixtures.scheduling import make_client_login
from tests.fixtures.smtp import Inbox, body_of
from tests.fixtures.statements import assert_pinned
from tests.fixtures.waiting import eventually, jobs_settled, outbox_to, scheduler_ticks


@pytest.fixture(scope="session")
async def live(app: Starlette) -> AsyncIterator[str]:
    async with serve(app) as address:
        yield address


async def _start(api: GraphQLClient, practice: Practice, client_id: str) -> str:
    data = await api.op(
        "StartConversation", {"input": {"clientId": client_id}}, token=practice.owner_token
    )
    assert data["startConversation"]["userErrors"] == []
    return str(data["startConversation"]["conversation"]["id"])


async def _send(
    api: GraphQLClient, token: str, conversation_id: str, body: str, **extra: str
) -> dict[str, Any]:
    data = await api.op(
        "SendMessage",
        {"input": {"conversationId": conversation_id, "body": body, **extra}},
        token=token,
    )
    return data["sendMessage"]  # type: ignore[no-any-return]


async def test_a_provider_and_a_client_chat_live(
    api: GraphQLClient, practice: Practice, smtp: Inbox, live: str
) -> None:
    client_id, _, client_token = await make_client_login(api, practice, smtp)
    other_id, _, other_token = await make_client_login(api, practice, smtp, "Olga Other")
    conversation_id = await _start(api, practice, client_id)
    # starting again returns the same open conversation
    assert await _start(api, practice, client_id) == conversation_id
    async with socket(live) as mine, socket(live) as theirs, socket(live) as anonymous:
        assert (await mine.init(client_token))["type"] == "connection_ack"
        op = await mine.subscribe(
            documents()["MessageReceived"], {"conversationId": conversation_id}
        )
        assert (await theirs.init(other_token))["type"] == "connection_ack"
        theirs_op = await theirs.subscribe(
            documents()["MessageReceived"], {"conversationId": conversation_id}
        )
        refused = await theirs.receive()
        assert refused["id"] == theirs_op and refused["type"] == "next"
        assert refused["payload"]["data"] is None
        assert refused["payload"]["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        assert await theirs.receive() == {"id": theirs_op, "type": "complete"}
        await anonymous.send({"type": "connection_init", "payload": {}})
        assert await anonymous.closed_code() == 4403
        # the subscription is registered before the message
        await subscribed(f"conversation:{key_of(conversation_id)}")
        sent = await _send(api, practice.owner_token, conversation_id, "How are you feeling?")
        assert sent["userErrors"] == []
        message = await mine.receive()
        assert message["id"] == op and message["type"] == "next"
        received = message["payload"]["data"]["messageReceived"]
        assert received["body"] == "How are you feeling?"
        assert received["sender"]["__typename"] == "Member"
        # the one subscription on the conversation is mine, and it has dealt with the event
        channel = f"conversation:{key_of(conversation_id)}"
        await drained(channel)
        assert listening(channel) == 1
        await theirs.nothing_pending()
    # another client cannot post into it either
    intruder = await _send(api, other_token, conversation_id, "hi")
    assert intruder["userErrors"][0]["code"] == "NOT_FOUND"
    assert other_id != client_id


async def test_subscribing_before_connection_init_is_refused(live: str) -> None:
    async with socket(live) as early:
        await early.subscribe(documents()["AppointmentChanged"])
        assert await early.closed_code() == 4401


async def test_a_connection_holds_at_most_twenty_subscriptions(
    api: GraphQLClient, practice: Practice, smtp: Inbox, live: str
) -> None:
    client_id, _, _ = await make_client_login(api, practice, smtp)
    conversation_id = await _start(api, practice, client_id)
    async with socket(live) as ws:
        await ws.init(practice.owner_token)
        for _ in range(20):
            await ws.subscribe(documents()["MessageReceived"], {"conversationId": conversation_id})
        extra = await ws.subscribe(
            documents()["MessageReceived"], {"conversationId": conversation_id}
        )
        refused = await ws.receive()
        assert refused["id"] == extra and refused["type"] == "error"
        assert "limit" in refused["payload"][0]["message"].lower()


async def test_log_out_closes_the_socket(
    api: GraphQLClient, practice: Practice, smtp: Inbox, live: str
) -> None:
    _client_id, _, client_token = await make_client_login(api, practice, smtp)
    async with socket(live) as ws:
        await ws.init(client_token)
        await ws.subscribe(documents()["AppointmentChanged"])
        await api.op("LogOut", token=client_token)
        assert await ws.closed_code() == 4403


async def test_a_browser_from_another_origin_is_refused(practice: Practice, live: str) -> None:
    import websockets

    with pytest.raises(websockets.InvalidStatus):
        async with socket(live, Origin="https://evil.example"):
            pass


async def test_unread_counts_read_marks_and_pagination(
    app: Starlette, api: GraphQLClient, practice: Practice, smtp: Inbox
) -> None:
    from tests.fixtures.statements import count_statements

    client_id, _, client_token = await make_client_login(api, practice, smtp)
    conversation_id = await _start(api, practice, client_id)
    for i in range(25):
        await _send(api, practice.owner_token, conversation_id, f"message {i}")
    listed = await api.op("Conversations", {}, token=client_token)
    [edge] = listed["conversations"]["edges"]
    assert edge["node"]["unreadCount"] == 25
    counts = {}
    for first in (5, 20):
        with count_statements(app) as statements:
            page = await api.op(
                "ConversationMessages", {"id": conversation_id, "first": first}, token=client_token
            )
        counts[first] = len(statements)
        bodies = [e["node"]["body"] for e in page["conversation"]["messages"]["edges"]]
        assert bodies == [f"message {i}" for i in range(24, 24 - first, -1)]  # newest first
    assert_pinned("messages", counts)
    second = await api.op(
        "ConversationMessages",
        {
            "id": conversation_id,
            "first": 20,
            "after": page["conversation"]["messages"]["pageInfo"]["endCursor"],
        },
        token=client_token,
    )
    assert [e["node"]["body"] for e in second["conversation"]["messages"]["edges"]] == [
        f"message {i}" for i in range(4, -1, -1)
    ]
    read = await api.op(
        "MarkConversationRead", {"input": {"conversationId": conversation_id}}, token=client_token
    )
    assert read["markConversationRead"]["conversation"]["unreadCount"] == 0
    mine = await api.op("Conversations", {}, token=practice.owner_token)
    assert mine["conversations"]["edges"][0]["node"]["unreadCount"] == 0  # own messages


async def _unread_statuses(app: Starlette, conversation_id: str) -> list[NotificationStatus]:
    """The conversation's unread notifications, in the order of their messages."""
    async with app.state.db.unit_of_work() as uow:
        rows = await uow.session.execute(
            select(UnreadNotification.status)
            .join(Message, Message.id == UnreadNotification.message_id)
            .where(Message.conversation_id == key_of(conversation_id))
            .order_by(Message.created_at)
        )
        return list(rows.scalars())


async def _make_unread_due(app: Starlette) -> None:
    async with app.state.db.unit_of_work(write=True) as uow:
        await uow.session.execute(
            update(UnreadNotification)
            .where(UnreadNotification.due_at > utcnow())
            .values(due_at=utcnow() - timedelta(seconds=1))
        )


async def test_the_unread_email_is_sent_once_and_without_content(
    app: Starlette, api: GraphQLClient, practice: Practice, smtp: Inbox
) -> None:
    client_id, email, client_token = await make_client_login(api, practice, smtp)
    conversation_id = await _start(api, practice, client_id)
    await _send(api, practice.owner_token, conversation_id, "Your lab results: all normal")
    await _send(api, practice.owner_token, conversation_id, "Second secret detail")
    await _make_unread_due(app)
    notice = (await smtp.wait_for(email, subject="new message", count=2))[0]
    sent = [NotificationStatus.SENT, NotificationStatus.SENT]
    assert await _unread_statuses(app, conversation_id) == sent
    await scheduler_ticks(app, 2)  # later passes, and all they set going, find nothing to send

    def notices() -> list[EmailMessage]:
        return [m for m in smtp.to(email) if "new message" in str(m["Subject"])]

    assert len(notices()) == 2  # one per unread message, each exactly once
    assert [r.kind for r in await outbox_to(app, email)].count("chat_unread") == 2
    body = body_of(notice)
    assert "lab results" not in body and "secret" not in body
    assert "https://portal.example.test/messages" in body
    # once read, a later due notice sends nothing
    await _send(api, practice.owner_token, conversation_id, "third")
    await api.op(
        "MarkConversationRead", {"input": {"conversationId": conversation_id}}, token=client_token
    )
    await _make_unread_due(app)
    cancelled = [*sent, NotificationStatus.CANCELLED]

    async def third_dealt_with() -> bool:
        return await _unread_statuses(app, conversation_id) == cancelled

    await eventually(third_dealt_with, message="the read message's notice was not cancelled")
    await jobs_settled(app)
    assert len(notices()) == 2
    assert [r.kind for r in await outbox_to(app, email)].count("chat_unread") == 2


async def test_a_join_link_is_the_clients_never_the_hosts(api: GraphQLClient, smtp: Inbox) -> None:
    from tests.fixtures.scheduling import booking_setup, local, next_weekday

    b = await booking_setup(api, smtp)
    booked = await api.op(
        "BookAppointment",
        {
            "input": {
                "appointmentTypeId": b.type_id,
                "providerId": b.provider_id,
                "startsAt": local(next_weekday(2), 10),
            }
        },
        token=b.client_token,
    )
    appointment_id = booked["bookAppointment"]["appointment"]["id"]
    conversation_id = await _start(api, b.practice, b.client_id)
    sent = await _send(
        api,
        b.practice.owner_token,
        conversation_id,
        "Here is your link",
        appointmentId=appointment_id,
    )
    link = sent["message"]["joinUrl"]
    assert link.startswith("https://portal.example.test/video/") and "host" not in link
    page = await api.op("ConversationMessages", {"id": conversation_id}, token=b.client_token)
    assert page["conversation"]["messages"]["edges"][0]["node"]["joinUrl"] == link


async def test_appointment_changes_reach_members_and_only_the_clients_own(
    api: GraphQLClient, smtp: Inbox, live: str
) -> None:
    from tests.fixtures.scheduling import booking_setup, local, next_weekday

    b = await booking_setup(api, smtp)
    _, _, other_token = await make_client_login(api, b.practice, smtp, "Other")
    async with socket(live) as member, socket(live) as client, socket(live) as other:
        for ws, token in (
            (member, b.practice.owner_token),
            (client, b.client_token),
            (other, other_token),
        ):
            await ws.init(token)
            await ws.subscribe(documents()["AppointmentChanged"])
        await subscribed(f"organization:{key_of(b.practice.id)}:appointments", count=3)
        booked = await api.op(
            "BookAppointment",
            {
                "input": {
                    "appointmentTypeId": b.type_id,
                    "providerId": b.provider_id,
                    "startsAt": local(next_weekday(4), 10),
                }
            },
            token=b.client_token,
        )
        appointment_id = booked["bookAppointment"]["appointment"]["id"]
        for ws in (member, client):
            event = await ws.receive()
            assert event["payload"]["data"]["appointmentChanged"]["id"] == appointment_id
        # all three subscriptions have taken the event: the other client's let it pass
        await drained(f"organization:{key_of(b.practice.id)}:appointments")
        await other.nothing_pending()


async def test_removal_from_a_conversation_ends_that_subscription(
    api: GraphQLClient, practice: Practice, smtp: Inbox, live: str
) -> None:
    client_id, _, _ = await make_client_login(api, practice, smtp)
    invited = await api.op(
        "InviteMember",
        {
            "input": {
                "name": "Sam",
                "email": f"sam-{client_id[-6:]}@example.test",
                "role": "PROVIDER",
            }
        },
        token=practice.owner_token,
    )
    sam_email = invited["inviteMember"]["member"]["email"]
    from tests.conftest import PASSWORD, token_from

    [invite] = await smtp.wait_for(sam_email)
    sam_token = (
        await api.op(
            "AcceptInvitation", {"input": {"token": token_from(invite), "password": PASSWORD}}
        )
    )["acceptInvitation"]["accessToken"]
    sam_id = invited["inviteMember"]["member"]["id"]
    started = await api.op(
        "StartConversation",
        {"input": {"clientId": client_id, "memberIds": [sam_id]}},
        token=practice.owner_token,
    )
    conversation_id = started["startConversation"]["conversation"]["id"]
    async with socket(live) as ws:
        await ws.init(sam_token)
        op = await ws.subscribe(documents()["MessageReceived"], {"conversationId": conversation_id})
        await subscribed(f"conversation:{key_of(conversation_id)}")
        await _send(api, practice.owner_token, conversation_id, "before")
        assert (await ws.receive())["payload"]["data"]["messageReceived"]["body"] == "before"
        removed = await api.op(
            "RemoveConversationMember",
            {"input": {"conversationId": conversation_id, "memberId": sam_id}},
            token=practice.owner_token,
        )
        assert removed["removeConversationMember"]["userErrors"] == []
        done = await ws.receive()
        assert done == {"id": op, "type": "complete"}
        # nothing listens on the conversation any more, so "after" has nowhere to go
        assert listening(f"conversation:{key_of(conversation_id)}") == 0
        await _send(api, practice.owner_token, conversation_id, "after")
        await ws.nothing_pending()


async def test_an_expired_access_token_closes_the_socket_with_4401(
    api: GraphQLClient, practice: Practice, settings: object, live: str
) -> None:
    import base64
    import json

    from carebase.auth.tokens import TokenSigner

    payload = practice.owner_token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    short, _ = TokenSigner(settings.secret_key.get_secret_value()).issue(  # type: ignore[attr-defined]
        subject=claims["sub"],
        kind="user",
        organization_id=claims["org"],
        session_id=claims["sid"],
        ttl=3,
    )
    async with socket(live) as ws:
        assert (await ws.init(short))["type"] == "connection_ack"
        await ws.subscribe(documents()["AppointmentChanged"])
        assert await ws.closed_code(timeout=15) == 4401
