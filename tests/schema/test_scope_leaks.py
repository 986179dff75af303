"""Issue 9, findings 9 and 10: what a credential without the area's scope, and a client,
may read of the practice.

A key or OAuth client needs the area's read scope for each root query field (packages are
billing, appointment types, hours and slots are appointments); clients keep what they read
today. Of a member, a client sees only the name: email and role answer null to them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.conftest import Practice
from tests.fixtures.graphql import GraphQLClient
from tests.fixtures.scheduling import Booking, booking_setup, local, next_weekday
from tests.fixtures.smtp import Inbox
from tests.schema.test_credentials import create_key, create_oauth_client, token_request

PACKAGES = "query { packages { id name price { amountCents currency } } }"
TYPES = """query {
  appointmentTypes {
    id name price { amountCents currency } bookableByClients autochargeWhenOccurred
  }
}"""
TYPE_NODE = """query ($id: ID!) {
  node(id: $id) {
    __typename id ... on AppointmentType { price { amountCents } autochargeWhenOccurred }
  }
}"""
AVAILABILITY = "query ($id: ID!) { availability(providerId: $id) { providerId timezone } }"
SLOTS = """query ($p: ID!, $t: ID!, $from: DateTime!, $to: DateTime!) {
  availableSlots(providerId: $p, appointmentTypeId: $t, from: $from, to: $to) { startsAt }
}"""
MEMBER_NODE = """query ($id: ID!) {
  node(id: $id) { __typename id ... on Member { name email role timezone } }
}"""
APPOINTMENT = """query ($id: ID!) {
  appointment(id: $id) { id provider { id name email role } }
}"""
MESSAGES = """query ($id: ID!) {
  conversation(id: $id) {
    messages(first: 10) {
      edges { node { body sender { __typename ... on Member { id name email role } } } }
    }
  }
}"""


@pytest.fixture
async def booking(api: GraphQLClient, smtp: Inbox) -> Booking:
    return await booking_setup(api, smtp)


async def make_package(api: GraphQLClient, b: Booking) -> str:
    data = await api.op(
        "CreatePackage",
        {
            "input": {
                "name": "Five sessions",
                "priceCents": 50000,
                "items": [{"appointmentTypeId": b.type_id, "quantity": 5}],
            }
        },
        token=b.practice.owner_token,
    )
    assert data["createPackage"]["userErrors"] == [], data
    return str(data["createPackage"]["package"]["id"])


def forbidden(result: dict[str, Any]) -> bool:
    """A top-level FORBIDDEN error, as for every root field a credential lacks the scope of."""
    errors = result.get("errors") or []
    return bool(errors) and errors[0]["extensions"]["code"] == "FORBIDDEN"


def slot_vars(b: Booking) -> dict[str, str]:
    start = datetime.now(UTC)
    return {
        "p": b.provider_id,
        "t": b.type_id,
        "from": start.isoformat(),
        "to": (start + timedelta(days=14)).isoformat(),
    }


async def oauth_token(
    api: GraphQLClient, http: httpx.AsyncClient, practice: Practice, scopes: list[str]
) -> str:
    oauth, secret = await create_oauth_client(api, practice.owner_token, scopes)
    response = await token_request(
        http, {"grant_type": "client_credentials"}, basic=(oauth["clientId"], secret)
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


# ------------------------------------------------------------------ finding 9: scopes


async def test_a_clients_read_key_is_refused_billing_and_scheduling_reads(
    api: GraphQLClient, http: httpx.AsyncClient, booking: Booking
) -> None:
    await make_package(api, booking)
    _, key = await create_key(api, booking.practice.owner_token, ["clients:read"])
    oauth = await oauth_token(api, http, booking.practice, ["clients:read"])
    for token in (key, oauth):
        # the credential works for its own area
        listed = await api.raw("query { clients { totalCount } }", token=token)
        assert listed["data"]["clients"]["totalCount"] == 1, listed
        for document, variables in (
            (PACKAGES, None),
            (TYPES, None),
            (AVAILABILITY, {"id": booking.provider_id}),
            (SLOTS, slot_vars(booking)),
        ):
            result = await api.raw(document, variables, token=token)
            assert forbidden(result), (document, result)
            assert result["data"] is None or not any(result["data"].values()), result
        # node answers null for what the caller may not read
        result = await api.raw(TYPE_NODE, {"id": booking.type_id}, token=token)
        assert result == {"data": {"node": None}, "extensions": result.get("extensions")}


async def test_a_key_with_the_area_scope_reads_it(
    api: GraphQLClient, http: httpx.AsyncClient, booking: Booking
) -> None:
    package_id = await make_package(api, booking)
    _, billing = await create_key(api, booking.practice.owner_token, ["billing:read"])
    result = await api.raw(PACKAGES, token=billing)
    assert not result.get("errors"), result
    assert [p["id"] for p in result["data"]["packages"]] == [package_id]
    # billing is not scheduling
    assert forbidden(await api.raw(TYPES, token=billing))

    _, scheduling = await create_key(api, booking.practice.owner_token, ["appointments:read"])
    oauth = await oauth_token(api, http, booking.practice, ["appointments:write"])
    for token in (scheduling, oauth):
        result = await api.raw(TYPES, token=token)
        assert not result.get("errors"), result
        [kind] = result["data"]["appointmentTypes"]
        assert kind["id"] == booking.type_id and kind["price"]["amountCents"] == 12000
        assert kind["autochargeWhenOccurred"] is False
        node = (await api.raw(TYPE_NODE, {"id": booking.type_id}, token=token))["data"]["node"]
        assert node["id"] == booking.type_id and node["price"] == {"amountCents": 12000}
        result = await api.raw(AVAILABILITY, {"id": booking.provider_id}, token=token)
        assert result["data"]["availability"]["providerId"] == booking.provider_id, result
        result = await api.raw(SLOTS, slot_vars(booking), token=token)
        assert not result.get("errors") and result["data"]["availableSlots"], result
        assert forbidden(await api.raw(PACKAGES, token=token))


async def test_clients_keep_reading_what_they_may_book(
    api: GraphQLClient, booking: Booking
) -> None:
    package_id = await make_package(api, booking)
    token = booking.client_token
    result = await api.raw(PACKAGES, token=token)
    assert [p["id"] for p in result["data"]["packages"]] == [package_id], result
    result = await api.raw(TYPES, token=token)
    assert [t["id"] for t in result["data"]["appointmentTypes"]] == [booking.type_id], result
    result = await api.raw(AVAILABILITY, {"id": booking.provider_id}, token=token)
    assert result["data"]["availability"]["providerId"] == booking.provider_id, result
    result = await api.raw(SLOTS, slot_vars(booking), token=token)
    assert result["data"]["availableSlots"], result


# ------------------------------------------------------------------ finding 10: members


async def _appointment_and_message(api: GraphQLClient, b: Booking) -> tuple[str, str]:
    day = next_weekday(3)
    booked = (
        await api.op(
            "BookAppointment",
            {
                "input": {
                    "appointmentTypeId": b.type_id,
                    "providerId": b.provider_id,
                    "startsAt": local(day, 10),
                }
            },
            token=b.client_token,
        )
    )["bookAppointment"]
    assert booked["userErrors"] == [], booked
    started = (
        await api.op(
            "StartConversation",
            {"input": {"clientId": b.client_id}},
            token=b.practice.owner_token,
        )
    )["startConversation"]
    assert started["userErrors"] == [], started
    conversation_id = started["conversation"]["id"]
    sent = (
        await api.op(
            "SendMessage",
            {"input": {"conversationId": conversation_id, "body": "See you Wednesday"}},
            token=b.practice.owner_token,
        )
    )["sendMessage"]
    assert sent["userErrors"] == [], sent
    return str(booked["appointment"]["id"]), str(conversation_id)


async def test_a_client_sees_of_a_member_only_the_name(
    api: GraphQLClient, booking: Booking
) -> None:
    appointment_id, conversation_id = await _appointment_and_message(api, booking)
    owner = booking.practice.owner
    token = booking.client_token

    result = await api.raw(MEMBER_NODE, {"id": booking.provider_id}, token=token)
    assert not result.get("errors"), result
    member = result["data"]["node"]
    assert member["__typename"] == "Member" and member["name"] == owner["name"]
    assert member["email"] is None and member["role"] is None

    result = await api.raw(APPOINTMENT, {"id": appointment_id}, token=token)
    assert not result.get("errors"), result
    provider = result["data"]["appointment"]["provider"]
    assert provider == {
        "id": booking.provider_id,
        "name": owner["name"],
        "email": None,
        "role": None,
    }

    result = await api.raw(MESSAGES, {"id": conversation_id}, token=token)
    assert not result.get("errors"), result
    [edge] = result["data"]["conversation"]["messages"]["edges"]
    sender = edge["node"]["sender"]
    assert sender["name"] == owner["name"] and sender["email"] is None and sender["role"] is None


async def test_members_still_see_a_members_email_and_role(
    api: GraphQLClient, booking: Booking
) -> None:
    appointment_id, conversation_id = await _appointment_and_message(api, booking)
    practice = booking.practice
    # the sign-up payload's viewer (an anonymous request) is the owner's own account
    assert practice.owner["email"] == practice.owner_email and practice.owner["role"] == "OWNER"
    expected = {"email": practice.owner_email, "role": "OWNER"}
    token = practice.owner_token

    member = (await api.raw(MEMBER_NODE, {"id": booking.provider_id}, token=token))["data"]["node"]
    assert {k: member[k] for k in expected} == expected
    provider = (await api.raw(APPOINTMENT, {"id": appointment_id}, token=token))["data"][
        "appointment"
    ]["provider"]
    assert {k: provider[k] for k in expected} == expected
    result = await api.raw(MESSAGES, {"id": conversation_id}, token=token)
    [edge] = result["data"]["conversation"]["messages"]["edges"]
    assert {k: edge["node"]["sender"][k] for k in expected} == expected, result
    viewer = (await api.op("Viewer", token=token))["viewer"]
    assert {k: viewer[k] for k in expected} == expected
