"""Keyset cursors: a row inserted before a client's position while it pages causes no
duplicate and no gap, on every list that sorts its own way."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.applications import Starlette

from carebase.models import (
    Appointment,
    AppointmentStatus,
    AppointmentType,
    ContactType,
    Conversation,
    ConversationParticipant,
    Message,
    Payment,
    PaymentKind,
    PaymentStatus,
    VideoProvider,
)
from carebase.resolvers.core.pagination import Order, asc, desc, page_request, slice_page
from carebase.resolvers.intake.requests import REQUEST_ORDER
from tests.conftest import Practice
from tests.fixtures.factories import key_of, make_client, make_member
from tests.fixtures.graphql import GraphQLClient, documents

NOW = datetime.now(UTC).replace(microsecond=0)
Insert = Callable[[], Awaitable[None]]


def connection_at(data: dict[str, Any], path: str) -> dict[str, Any]:
    for part in path.split("."):
        data = data[part]
    return data


async def walk(
    api: GraphQLClient,
    practice: Practice,
    name: str,
    path: str,
    *,
    insert: Insert,
    variables: dict[str, Any] | None = None,
) -> list[str]:
    """Every id of the list, two at a time, with ``insert`` run after the first page."""
    seen: list[str] = []
    after: str | None = None
    for page in range(20):
        data = await api.op(
            name, {**(variables or {}), "first": 2, "after": after}, token=practice.owner_token
        )
        connection = connection_at(data, path)
        seen.extend(edge["node"]["id"] for edge in connection["edges"])
        if page == 0:
            await insert()
        if not connection["pageInfo"]["hasNextPage"]:
            return seen
        after = connection["pageInfo"]["endCursor"]
    raise AssertionError(f"{name} never ended: {seen}")


async def ids_of(
    api: GraphQLClient, practice: Practice, name: str, path: str, **v: Any
) -> list[str]:
    data = await api.op(name, {**v, "first": 100}, token=practice.owner_token)
    return [edge["node"]["id"] for edge in connection_at(data, path)["edges"]]


async def test_clients_by_name_ties_broken_by_id(
    app: Starlette, api: GraphQLClient, practice: Practice
) -> None:
    org = key_of(practice.id)
    async with app.state.db.unit_of_work(write=True) as uow:
        for i in range(6):  # names in pairs: the id decides inside each pair
            await make_client(uow, organization_id=org, name=f"Morgan {i // 2}")
    before = await ids_of(api, practice, "Clients", "clients")

    async def insert() -> None:
        async with app.state.db.unit_of_work(write=True) as uow:
            await make_client(uow, organization_id=org, name="Aaron First")

    seen = await walk(api, practice, "Clients", "clients", insert=insert)
    assert seen == before


async def test_members_by_name(app: Starlette, api: GraphQLClient, practice: Practice) -> None:
    org = key_of(practice.id)
    async with app.state.db.unit_of_work(write=True) as uow:
        for i in range(4):
            await make_member(uow, organization_id=org, name=f"Provider {i}")
    before = await ids_of(api, practice, "Members", "members")

    async def insert() -> None:
        async with app.state.db.unit_of_work(write=True) as uow:
            await make_member(uow, organization_id=org, name="Aaron Provider")

    assert await walk(api, practice, "Members", "members", insert=insert) == before


async def test_appointments_by_start_time(
    app: Starlette, api: GraphQLClient, practice: Practice
) -> None:
    org = key_of(practice.id)
    base = NOW + timedelta(days=2)
    async with app.state.db.unit_of_work(write=True) as uow:
        provider = await make_member(uow, organization_id=org)
        client = await make_client(uow, organization_id=org)
        kind = AppointmentType(
            organization_id=org,
            name="Session",
            duration_minutes=30,
            currency="usd",
            contact_type=ContactType.VIDEO,
            video_provider=VideoProvider.BUILT_IN,
        )
        uow.session.add(kind)
        await uow.session.flush()

    async def book(starts_at: datetime) -> None:
        async with app.state.db.unit_of_work(write=True) as uow:
            uow.session.add(
                Appointment(
                    organization_id=org,
                    client_id=client.id,
                    provider_id=provider.id,
                    appointment_type_id=kind.id,
                    starts_at=starts_at,
                    ends_at=starts_at + timedelta(minutes=30),
                    status=AppointmentStatus.BOOKED,
                )
            )

    for i in range(5):
        await book(base + timedelta(hours=i))
    before = await ids_of(api, practice, "Appointments", "appointments")

    async def insert() -> None:
        await book(base - timedelta(hours=3))  # earlier than every other

    assert await walk(api, practice, "Appointments", "appointments", insert=insert) == before


async def test_payments_newest_first(
    app: Starlette, api: GraphQLClient, practice: Practice
) -> None:
    org = key_of(practice.id)
    async with app.state.db.unit_of_work(write=True) as uow:
        client = await make_client(uow, organization_id=org)

    async def pay(at: datetime, cents: int) -> None:
        async with app.state.db.unit_of_work(write=True) as uow:
            uow.session.add(
                Payment(
                    organization_id=org,
                    client_id=client.id,
                    kind=PaymentKind.EXTERNAL,
                    status=PaymentStatus.SUCCEEDED,
                    amount_cents=cents,
                    currency="usd",
                    created_at=at,
                )
            )

    for i in range(3):  # two payments at each instant: the id orders them
        await pay(NOW - timedelta(hours=i), 100 + i)
        await pay(NOW - timedelta(hours=i), 200 + i)
    before = await ids_of(api, practice, "Payments", "payments")

    async def insert() -> None:
        await pay(NOW + timedelta(minutes=1), 999)  # the newest comes first

    assert await walk(api, practice, "Payments", "payments", insert=insert) == before


async def _conversation(
    app: Starlette, practice: Practice, *, activity: datetime | None
) -> uuid.UUID:
    org = key_of(practice.id)
    async with app.state.db.unit_of_work(write=True) as uow:
        client = await make_client(uow, organization_id=org)
        conversation = Conversation(
            organization_id=org,
            client_id=client.id,
            last_message_at=activity,
            created_at=NOW - timedelta(days=30),
        )
        uow.session.add(conversation)
        await uow.session.flush()
        for account in (client.id, key_of(practice.owner["id"])):
            uow.session.add(
                ConversationParticipant(conversation_id=conversation.id, account_id=account)
            )
        return conversation.id


async def test_conversations_by_latest_activity(
    app: Starlette, api: GraphQLClient, practice: Practice
) -> None:
    for i in range(4):
        await _conversation(app, practice, activity=NOW - timedelta(hours=i))
    await _conversation(app, practice, activity=None)  # no message: its creation counts
    before = await ids_of(api, practice, "Conversations", "conversations")

    async def insert() -> None:
        await _conversation(app, practice, activity=NOW + timedelta(minutes=5))

    assert await walk(api, practice, "Conversations", "conversations", insert=insert) == before


async def test_messages_newest_first(
    app: Starlette, api: GraphQLClient, practice: Practice
) -> None:
    conversation_id = await _conversation(app, practice, activity=NOW)
    owner = key_of(practice.owner["id"])

    async def say(at: datetime, body: str) -> None:
        async with app.state.db.unit_of_work(write=True) as uow:
            uow.session.add(
                Message(
                    organization_id=key_of(practice.id),
                    conversation_id=conversation_id,
                    sender_id=owner,
                    body=body,
                    created_at=at,
                )
            )

    for i in range(5):
        await say(NOW - timedelta(minutes=i), f"message {i}")
    data = await api.op("Conversations", {"first": 1}, token=practice.owner_token)
    global_id = data["conversations"]["edges"][0]["node"]["id"]
    path = "conversation.messages"
    before = await ids_of(api, practice, "ConversationMessages", path, id=global_id)

    async def insert() -> None:
        await say(NOW + timedelta(minutes=1), "a new one")

    seen = await walk(
        api, practice, "ConversationMessages", path, insert=insert, variables={"id": global_id}
    )
    assert seen == before


def test_a_loaded_list_pages_by_its_keys_too() -> None:
    """``Client.formRequests`` pages a list loaded whole: a cursor finds its place by value."""
    order = Order("test", asc(Payment.created_at), desc(Payment.amount_cents), asc(Payment.id))
    rows = [
        (NOW, 3, uuid.uuid4()),
        (NOW, 1, uuid.uuid4()),
        (NOW + timedelta(hours=1), 5, uuid.uuid4()),
    ]
    first = slice_page(rows, page_request(1, None), order, lambda r: r)
    assert first.items == rows[:1] and first.has_next and not first.has_previous
    rows.insert(0, (NOW - timedelta(hours=1), 9, uuid.uuid4()))  # before the cursor
    rest = slice_page(rows, page_request(10, first.cursors[-1]), order, lambda r: r)
    assert rest.items == rows[2:] and not rest.has_next and rest.has_previous


def _cursor(payload: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()


async def test_forged_sort_values_are_invalid_input_not_an_error(
    app: Starlette, api: GraphQLClient, practice: Practice
) -> None:
    """Values a database could not take (a year at the edge, a position past int32) are the
    caller's mistake, never an unexpected error."""
    org = key_of(practice.id)
    async with app.state.db.unit_of_work(write=True) as uow:
        for i in range(2):
            await make_client(uow, organization_id=org, name=f"Client {i}")
    data = await api.op("Clients", {"first": 1}, token=practice.owner_token)
    _, values = json.loads(base64.urlsafe_b64decode(data["clients"]["edges"][0]["cursor"]))
    payments_tag = Order("payments", desc(Payment.created_at), asc(Payment.id)).tag
    requests_tag = REQUEST_ORDER.tag
    forged = [
        ("Payments", [payments_tag, ["0001-01-01T00:00:00+14:00", values[1]]]),
        ("Payments", [payments_tag, ["9999-12-31T23:59:59-14:00", values[1]]]),
        ("Payments", [payments_tag, ["2026-01-01T00:00:00", values[1]]]),  # naive
        ("FormRequests", [requests_tag, ["2026-01-01T00:00:00+00:00", 2**40, values[1]]]),
        ("FormRequests", [requests_tag, ["2026-01-01T00:00:00+00:00", True, values[1]]]),
    ]
    for name, payload in forged:
        result = await api.raw(
            documents()[name], {"first": 2, "after": _cursor(payload)}, token=practice.owner_token
        )
        assert [e["extensions"]["code"] for e in result["errors"]] == ["INVALID_INPUT"], result


async def test_a_cursor_from_another_list_or_forged_is_invalid_input_naming_after(
    app: Starlette, api: GraphQLClient, practice: Practice
) -> None:
    org = key_of(practice.id)
    async with app.state.db.unit_of_work(write=True) as uow:
        for i in range(3):
            await make_member(uow, organization_id=org, name=f"Provider {i}")
            await make_client(uow, organization_id=org, name=f"Client {i}")
    data = await api.op("Members", {"first": 1}, token=practice.owner_token)
    members_cursor = data["members"]["pageInfo"]["endCursor"]
    data = await api.op("Clients", {"first": 1}, token=practice.owner_token)
    clients_cursor = data["clients"]["edges"][0]["cursor"]
    tag, values = json.loads(base64.urlsafe_b64decode(clients_cursor))
    forged = [
        members_cursor,  # sorted alike (name, id), but another list's
        _cursor([tag, values[:1]]),  # too few values
        _cursor([tag, [values[0], "not-a-uuid"]]),
        _cursor([tag, [7, values[1]]]),  # a number where the name goes
        _cursor({"o": 1}),
        _cursor([tag, [[1], values[1]]]),
        _cursor([tag, [values[0], values[1]]])[:-2] + "!!",  # cut and garbled
        _cursor([tag, values]) + "A" * 2000,  # longer than any of ours
        _cursor("[" * 400 + "]" * 400),
        "not base64!",
        base64.urlsafe_b64encode(b"o:1").decode(),  # an offset cursor of old
    ]
    answers = []
    for after in forged:
        result = await api.raw(
            documents()["Clients"], {"first": 2, "after": after}, token=practice.owner_token
        )
        assert result["data"] is None, result
        answers.append([(e["extensions"]["code"], e["message"]) for e in result["errors"]])
    assert answers == [[("INVALID_INPUT", "after is not a cursor from this list")]] * len(forged)
