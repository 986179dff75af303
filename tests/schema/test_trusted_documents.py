"""Trusted documents: a publishable key runs only the widget's registered documents
(gql/operations/widget), by sha256 or as their exact text; anything else from it is
DOCUMENT_NOT_TRUSTED, over POST, GET, a batch or a WebSocket. Other callers are unchanged."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from typing import Any

import httpx
import pytest
import websockets
from starlette.applications import Starlette

from carebase.schema.manifest import registered_documents, widget_documents
from tests.conftest import unique_email
from tests.fixtures.graphql import GraphQLClient, documents
from tests.fixtures.live import serve, socket
from tests.fixtures.scheduling import Booking, booking_setup, local, next_weekday
from tests.fixtures.secrets import secret
from tests.fixtures.smtp import Inbox, body_of

MANAGE = re.compile(r"/widget/manage\?token=([A-Za-z0-9_.\-]+)")
WIDGET = (
    "WidgetProfile",
    "WidgetSlots",
    "WidgetHoldSlot",
    "WidgetBook",
    "WidgetBooking",
    "WidgetReschedule",
    "WidgetCancel",
)
INTROSPECTION = "query Probe { __schema { queryType { name } types { name } } }"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def codes(answer: dict[str, Any]) -> list[str | None]:
    return [(e.get("extensions") or {}).get("code") for e in answer.get("errors") or []]


def assert_untrusted(answer: dict[str, Any]) -> None:
    assert answer.get("data") is None, answer
    assert codes(answer) == ["DOCUMENT_NOT_TRUSTED"], answer


class Widget:
    """The widget's calls with the publishable key, sent by hash or as the registered text."""

    def __init__(self, http: httpx.AsyncClient, key: str, mode: str) -> None:
        self.http = http
        self.headers = {"X-Carebase-Publishable-Key": key}
        self.mode = mode

    async def post(self, body: dict[str, Any], **headers: str) -> dict[str, Any]:
        response = await self.http.post("/graphql", json=body, headers=self.headers | headers)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    async def op(self, name: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        text = documents()[name]
        body: dict[str, Any] = {"variables": variables or {}}
        if self.mode == "hash":
            body["extensions"] = {"persistedQuery": {"version": 1, "sha256Hash": sha(text)}}
        else:
            body["query"] = text
        answer = await self.post(body)
        assert not answer.get("errors"), (name, answer)
        return answer["data"]  # type: ignore[no-any-return]


@pytest.fixture
async def booking(api: GraphQLClient, smtp: Inbox) -> Booking:
    b = await booking_setup(api, smtp)
    done = await api.op(
        "UpdatePortalSettings",
        {"input": {"bookingOutsidePortal": True}},
        token=b.practice.owner_token,
    )
    assert done["updatePortalSettings"]["userErrors"] == [], done
    return b


def key(b: Booking) -> str:
    return str(b.practice.organization["publishableKey"])


def test_the_widget_documents_are_the_trusted_ones() -> None:
    """The manifest marks exactly the widget folder's operations, each registered."""
    trusted = widget_documents()
    assert {sha(documents()[name]) for name in WIDGET} == set(trusted)
    for digest, text in trusted.items():
        assert registered_documents()[digest] == text
    assert sha(documents()["Clients"]) not in trusted


@pytest.mark.parametrize("mode", ["hash", "text"])
async def test_every_widget_document_runs_by_hash_and_by_exact_text(
    http: httpx.AsyncClient, booking: Booking, smtp: Inbox, mode: str
) -> None:
    b = booking
    widget = Widget(http, key(b), mode)
    profile = (await widget.op("WidgetProfile"))["publicBookingProfile"]
    assert b.type_id in [t["id"] for t in profile["appointmentTypes"]]
    day = next_weekday(3, at_least_days=4)
    slots = await widget.op(
        "WidgetSlots",
        {
            "providerId": b.provider_id,
            "appointmentTypeId": b.type_id,
            "from": local(day, 0),
            "to": local(day, 23),
        },
    )
    assert local(day, 10) in [s["startsAt"] for s in slots["availableSlots"]]
    held = await widget.op(
        "WidgetHoldSlot",
        {
            "input": {
                "providerId": b.provider_id,
                "appointmentTypeId": b.type_id,
                "startsAt": local(day, 10),
            }
        },
    )
    assert held["holdSlot"]["userErrors"] == [], held
    email = secret(unique_email(f"trusted-{mode}"), "email")
    booked = await widget.op(
        "WidgetBook",
        {
            "input": {
                "appointmentTypeId": b.type_id,
                "providerId": b.provider_id,
                "startsAt": local(day, 10),
                "client": {"name": secret(f"Tru Sted {mode}", "name"), "email": email},
                "holdId": held["holdSlot"]["hold"]["id"],
            }
        },
    )
    assert booked["bookAppointmentPublic"]["userErrors"] == [], booked
    [mail] = await smtp.wait_for(email, subject="booked")
    found = MANAGE.search(body_of(mail))
    assert found, body_of(mail)
    token = secret(found.group(1), "token")
    shown = await widget.op("WidgetBooking", {"token": token})
    assert shown["publicBooking"]["startsAt"] == local(day, 10)
    moved = await widget.op(
        "WidgetReschedule", {"input": {"token": token, "startsAt": local(day, 14)}}
    )
    assert moved["reschedulePublicBooking"]["userErrors"] == [], moved
    cancelled = await widget.op("WidgetCancel", {"input": {"token": token, "reason": "trusted"}})
    assert cancelled["cancelPublicBooking"]["appointment"]["status"] == "CANCELLED"


async def test_any_other_document_from_the_key_is_refused(
    http: httpx.AsyncClient, booking: Booking, caplog: pytest.LogCaptureFixture
) -> None:
    widget = Widget(http, key(booking), "text")
    registered = documents()["WidgetProfile"]
    # one character changed: the same operation, still valid GraphQL, no longer registered
    changed = registered.replace("timezone", "timezone ", 1)
    assert changed != registered
    with caplog.at_level(logging.INFO):
        assert_untrusted(await widget.post({"query": changed}))
        assert_untrusted(await widget.post({"query": INTROSPECTION}))
        assert_untrusted(await widget.post({"query": "{ __typename }"}))
        # a registered document of another folder, by text and by hash
        assert_untrusted(await widget.post({"query": documents()["Organization"]}))
        by_hash = {"persistedQuery": {"version": 1, "sha256Hash": sha(documents()["Clients"])}}
        assert_untrusted(await widget.post({"extensions": by_hash}))
        # the changed text sent with its own (correct) hash: still not a trusted document
        named = {"persistedQuery": {"version": 1, "sha256Hash": sha(changed)}}
        assert_untrusted(await widget.post({"query": changed, "extensions": named}))
    # expected refusals: INFO lines with the code, no error logged
    assert any("DOCUMENT_NOT_TRUSTED" in r.getMessage() for r in caplog.records)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_the_refusal_is_a_request_error_under_the_graphql_response_type(
    http: httpx.AsyncClient, booking: Booking
) -> None:
    response = await http.post(
        "/graphql",
        json={"query": INTROSPECTION},
        headers={
            "X-Carebase-Publishable-Key": key(booking),
            "Accept": "application/graphql-response+json",
        },
    )
    assert response.status_code == 400
    assert "data" not in response.json()
    assert codes(response.json()) == ["DOCUMENT_NOT_TRUSTED"]


async def test_a_key_cannot_register_or_run_a_persisted_query(
    http: httpx.AsyncClient, booking: Booking
) -> None:
    widget = Widget(http, key(booking), "text")
    owner = {"Authorization": f"Bearer {booking.practice.owner_token}"}
    new = f"query Sneak{sha(unique_email())[:12]} {{ organization {{ name }} }}"
    apq = {"persistedQuery": {"version": 1, "sha256Hash": sha(new)}}
    # an unknown hash from the key is refused outright (no "send the query" invitation)
    assert_untrusted(await widget.post({"extensions": apq}))
    # registration (hash and text) is refused, and nothing is stored
    assert_untrusted(await widget.post({"query": new, "extensions": apq}))
    missing = await http.post("/graphql", json={"extensions": apq}, headers=owner)
    assert codes(missing.json()) == ["PERSISTED_QUERY_NOT_FOUND"]
    # a document a member stored is theirs to run by hash, not the key's
    stored = await http.post("/graphql", json={"query": new, "extensions": apq}, headers=owner)
    assert stored.json()["data"]["organization"]["name"]
    again = await http.post("/graphql", json={"extensions": apq}, headers=owner)
    assert again.json()["data"] == stored.json()["data"]
    assert_untrusted(await widget.post({"extensions": apq}))


async def test_over_get_only_a_widget_document_runs(
    http: httpx.AsyncClient, booking: Booking
) -> None:
    headers = {"X-Carebase-Publishable-Key": key(booking), "Accept": "application/json"}
    profile = documents()["WidgetProfile"]
    trusted = {"persistedQuery": {"version": 1, "sha256Hash": sha(profile)}}
    by_hash = await http.get(
        "/graphql", params={"extensions": json.dumps(trusted)}, headers=headers
    )
    assert by_hash.status_code == 200, by_hash.text
    assert by_hash.json()["data"]["publicBookingProfile"]["organizationName"]
    by_text = await http.get("/graphql", params={"query": profile}, headers=headers)
    assert by_text.json()["data"] == by_hash.json()["data"]
    other = await http.get("/graphql", params={"query": INTROSPECTION}, headers=headers)
    assert_untrusted(other.json())
    stranger = {"persistedQuery": {"version": 1, "sha256Hash": sha(documents()["Viewer"])}}
    refused = await http.get(
        "/graphql", params={"extensions": json.dumps(stranger)}, headers=headers
    )
    assert_untrusted(refused.json())


async def test_a_batch_from_the_key_is_refused_and_nothing_runs(
    http: httpx.AsyncClient, booking: Booking, smtp: Inbox
) -> None:
    b = booking
    email = unique_email("batched")
    book = {
        "query": documents()["WidgetBook"],
        "variables": {
            "input": {
                "appointmentTypeId": b.type_id,
                "providerId": b.provider_id,
                "startsAt": local(next_weekday(2, at_least_days=4), 11),
                "client": {"name": "Bat Ched", "email": email},
            }
        },
    }
    response = await http.post(
        "/graphql", json=[book, book], headers={"X-Carebase-Publishable-Key": key(b)}
    )
    assert response.status_code == 400, response.text
    assert codes(response.json()) == ["DOCUMENT_NOT_TRUSTED"]
    assert "data" not in response.json()
    clients = await GraphQLClient(http).op(
        "Clients", {"first": 50, "search": email}, token=b.practice.owner_token
    )
    assert clients["clients"]["totalCount"] == 0
    # without the key a batch is still the server's plain refusal, not this code
    plain = await http.post(
        "/graphql",
        json=[{"query": "{ __typename }"}, {"query": "{ __typename }"}],
        headers={"Authorization": f"Bearer {b.practice.owner_token}"},
    )
    assert plain.status_code == 400 and codes(plain.json()) == [None]


async def test_a_websocket_with_the_key_is_closed_at_connection_init(
    app: Starlette, booking: Booking
) -> None:
    pk = key(booking)
    async with serve(app) as address:
        for headers, payload in (
            ({"X-Carebase-Publishable-Key": pk}, {}),
            ({}, {"X-Carebase-Publishable-Key": pk}),
            ({}, {"headers": {"X-Carebase-Publishable-Key": pk}}),
        ):
            async with socket(address, **headers) as ws:
                await ws.send({"type": "connection_init", "payload": payload})
                with pytest.raises(websockets.ConnectionClosed) as closed:
                    await ws.receive()
                assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403


async def test_signed_in_and_anonymous_callers_still_send_any_document(
    api: GraphQLClient, booking: Booking
) -> None:
    owner = booking.practice.owner_token
    probe = await api.raw(INTROSPECTION, token=owner)
    assert probe["data"]["__schema"]["queryType"] == {"name": "Query"}
    own = await api.raw("query Mine { organization { name } }", token=owner)
    assert own["data"]["organization"]["name"] == booking.practice.organization["name"]
    # a member may run a widget document by text with its own credential too
    profile = await api.raw(documents()["WidgetProfile"], token=owner)
    assert profile["data"]["publicBookingProfile"]["organizationName"]
    # anonymous: full documents as before (the manage link's token is its own credential)
    anonymous = await api.raw('query Anon { publicBooking(token: "nope") { id } }')
    assert anonymous == {"data": {"publicBooking": None}, "extensions": anonymous["extensions"]}
    # a wrong key is no key: UNAUTHENTICATED, as without one (never a hint it was a key)
    wrong = await api.raw(
        "query Wrong { publicBookingProfile { timezone } }",
        headers={"X-Carebase-Publishable-Key": "pk_" + "0" * 32},
    )
    assert codes(wrong) == ["UNAUTHENTICATED"]
