"""The emailed manage link of a widget booking, as its visitor uses it over the HTTP API:
the link is in the confirmation email (a real SMTP server), its token reads, moves and
cancels that booking under the practice's portal rules (cancellation window, late fee,
whether clients may reschedule or cancel), a tampered or expired token is refused, and a
booking with an existing client's email shows nothing of that client."""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from carebase.auth.tokens import TokenSigner
from carebase.clock import SettableClock
from carebase.resolvers.scheduling.manage_tokens import KIND
from tests.conftest import unique_email
from tests.fixtures.billing import attach_card, book_as_member, portal_settings
from tests.fixtures.factories import key_of
from tests.fixtures.graphql import GraphQLClient
from tests.fixtures.scheduling import Booking, booking_setup, local, next_weekday
from tests.fixtures.secrets import secret
from tests.fixtures.smtp import Inbox, body_of
from tests.fixtures.waiting import eventually, scheduler_ticks

LINK = re.compile(r"(\S+)/widget/manage\?token=([A-Za-z0-9_.\-]+)")


@pytest.fixture
async def booking(api: GraphQLClient, smtp: Inbox) -> Booking:
    b = await booking_setup(api, smtp)
    await portal_settings(api, b.practice, bookingOutsidePortal=True)
    return b


def key(b: Booking) -> dict[str, str]:
    return {"X-Carebase-Publishable-Key": b.practice.organization["publishableKey"]}


async def book(
    api: GraphQLClient, b: Booking, starts_at: str, *, email: str | None = None, name: str = ""
) -> tuple[dict[str, Any], str]:
    """A widget booking; returns the appointment the widget sees and the visitor's email."""
    email = email or secret(unique_email("visitor"), "email")
    made = await api.op(
        "WidgetBook",
        {
            "input": {
                "appointmentTypeId": b.type_id,
                "providerId": b.provider_id,
                "startsAt": starts_at,
                "client": {"name": name or secret("Vera Visitor", "name"), "email": email},
            }
        },
        headers=key(b),
    )
    assert made["bookAppointmentPublic"]["userErrors"] == [], made
    return made["bookAppointmentPublic"]["appointment"], email


async def manage_token(smtp: Inbox, email: str, subject: str = "booked") -> str:
    [mail] = await smtp.wait_for(email, subject=subject)
    found = LINK.search(body_of(mail))
    assert found, body_of(mail)
    return secret(found.group(2), "token")


async def read(api: GraphQLClient, token: str) -> dict[str, Any] | None:
    return (await api.op("WidgetBooking", {"token": token}))["publicBooking"]  # type: ignore[no-any-return]


async def reschedule(api: GraphQLClient, token: str, starts_at: str) -> dict[str, Any]:
    data = await api.op("WidgetReschedule", {"input": {"token": token, "startsAt": starts_at}})
    return data["reschedulePublicBooking"]  # type: ignore[no-any-return]


async def cancel(api: GraphQLClient, token: str) -> dict[str, Any]:
    data = await api.op("WidgetCancel", {"input": {"token": token, "reason": "plans changed"}})
    return data["cancelPublicBooking"]  # type: ignore[no-any-return]


def codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]


async def client_id_of(api: GraphQLClient, b: Booking, email: str) -> str:
    found = await api.op("Clients", {"search": email}, token=b.practice.owner_token)
    [edge] = found["clients"]["edges"]
    return str(edge["node"]["id"])


async def member_view(api: GraphQLClient, b: Booking, appointment_id: str) -> dict[str, Any]:
    data = await api.op("Appointment", {"id": appointment_id}, token=b.practice.owner_token)
    return data["appointment"]  # type: ignore[no-any-return]


async def test_the_email_carries_the_link_and_its_token_reads_the_booking(
    app: Starlette, api: GraphQLClient, http: httpx.AsyncClient, booking: Booking, smtp: Inbox
) -> None:
    b = booking
    day = next_weekday(2, at_least_days=4)
    seen, email = await book(api, b, local(day, 10))
    [mail] = await smtp.wait_for(email, subject="booked")
    found = LINK.search(body_of(mail))
    assert found, body_of(mail)
    assert found.group(1) == app.state.settings.public_url
    token = secret(found.group(2), "token")
    shown = await read(api, token)
    assert shown is not None
    assert (shown["id"], shown["startsAt"], shown["status"]) == (
        seen["id"],
        local(day, 10),
        "BOOKED",
    )
    assert shown["rules"]["canReschedule"] and shown["rules"]["canCancel"]
    assert shown["rules"]["late"] is False
    # the link itself opens the widget's manage view
    page = await http.get(f"/widget/manage?token={token}")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")


async def test_a_reschedule_inside_the_window_is_refused_and_outside_it_moves(
    api: GraphQLClient, booking: Booking, smtp: Inbox
) -> None:
    b = booking
    day = next_weekday(3, at_least_days=4)
    seen, email = await book(api, b, local(day, 9))
    token = await manage_token(smtp, email)
    # outside the window (24 hours, days ahead): the booking moves, keeping its id
    await portal_settings(api, b.practice, cancellationWindowHours=24)
    moved = await reschedule(api, token, local(day, 13))
    assert moved["userErrors"] == []
    assert (moved["appointment"]["id"], moved["appointment"]["startsAt"]) == (
        seen["id"],
        local(day, 13),
    )
    # the visitor hears of the new time
    await smtp.wait_for(email, subject="moved")
    # inside the window (30 days): the portal does not let clients move it any more
    await portal_settings(api, b.practice, cancellationWindowHours=720)
    shown = await read(api, token)
    assert shown is not None
    assert shown["rules"] == {
        "canReschedule": False,
        "canCancel": True,
        "late": True,
        "cancellationWindowHours": 720,
        "lateCancellationFee": None,
    }
    refused = await reschedule(api, token, local(day, 15))
    assert codes(refused) == ["CANCELLATION_WINDOW_PASSED"]
    assert refused["appointment"] is None
    assert (await member_view(api, b, seen["id"]))["startsAt"] == local(day, 13)


async def test_a_late_cancel_carries_the_late_fee_and_an_early_one_does_not(
    app: Starlette, api: GraphQLClient, booking: Booking, smtp: Inbox
) -> None:
    b = booking
    owner = b.practice.owner_token
    day = next_weekday(4, at_least_days=4)
    early, early_email = await book(api, b, local(day, 9))
    late, late_email = await book(api, b, local(day, 14))
    early_token = await manage_token(smtp, early_email)
    late_token = await manage_token(smtp, late_email)
    for email in (early_email, late_email):
        await attach_card(api, owner, await client_id_of(api, b, email))

    await portal_settings(
        api, b.practice, cancellationWindowHours=24, lateCancellationFeeCents=1500
    )
    on_time = await cancel(api, early_token)
    assert on_time["userErrors"] == [] and on_time["appointment"]["status"] == "CANCELLED"
    assert (await member_view(api, b, early["id"]))["lateCancellation"] is False

    await portal_settings(api, b.practice, cancellationWindowHours=720)
    shown = await read(api, late_token)
    assert shown is not None
    assert shown["rules"]["late"] is True
    assert shown["rules"]["lateCancellationFee"] == {"amountCents": 1500, "currency": "usd"}
    cancelled = await cancel(api, late_token)
    assert cancelled["userErrors"] == []
    assert cancelled["appointment"]["status"] == "CANCELLED"
    assert cancelled["appointment"]["rules"]["canCancel"] is False
    member = await member_view(api, b, late["id"])
    assert member["lateCancellation"] is True
    assert member["cancellationInitiatedBy"] == "CLIENT"

    late_client = await client_id_of(api, b, late_email)

    async def fee() -> list[dict[str, Any]] | None:
        data = await api.op(
            "BillingPayments", {"first": 10, "filter": {"clientId": late_client}}, token=owner
        )
        nodes = [e["node"] for e in data["payments"]["edges"]]
        return nodes if any(n["status"] == "SUCCEEDED" for n in nodes) else None

    [charged] = await eventually(fee, timeout=20, message="no late-cancellation fee charged")
    assert (charged["kind"], charged["status"], charged["amount"]["amountCents"]) == (
        "LATE_CANCELLATION_FEE",
        "SUCCEEDED",
        1500,
    )
    # the early cancel owes nothing, once every job its cancel set going has run
    await scheduler_ticks(app, 1)
    early_client = await client_id_of(api, b, early_email)
    data = await api.op(
        "BillingPayments", {"first": 10, "filter": {"clientId": early_client}}, token=owner
    )
    assert data["payments"]["totalCount"] == 0
    # a cancelled booking cannot be cancelled or moved again
    again = await cancel(api, late_token)
    assert codes(again) == ["INVALID_STATUS_TRANSITION"]


async def test_rules_that_close_rescheduling_or_cancelling_answer_typed_errors(
    api: GraphQLClient, booking: Booking, smtp: Inbox
) -> None:
    b = booking
    day = next_weekday(5, at_least_days=4)
    seen, email = await book(api, b, local(day, 11))
    token = await manage_token(smtp, email)
    await portal_settings(api, b.practice, clientsCanReschedule=False, clientsCanCancel=False)
    shown = await read(api, token)
    assert shown is not None
    assert (shown["rules"]["canReschedule"], shown["rules"]["canCancel"]) == (False, False)
    moved = await reschedule(api, token, local(day, 14))
    assert codes(moved) == ["BOOKING_DISABLED"] and moved["appointment"] is None
    cancelled = await cancel(api, token)
    assert codes(cancelled) == ["BOOKING_DISABLED"] and cancelled["appointment"] is None
    after = await member_view(api, b, seen["id"])
    assert (after["status"], after["startsAt"]) == ("BOOKED", local(day, 11))
    # opened again, the same link works
    await portal_settings(api, b.practice, clientsCanReschedule=True, clientsCanCancel=True)
    assert (await reschedule(api, token, local(day, 14)))["userErrors"] == []


def tampered(token: str) -> str:
    """The same token with one character of its signature changed."""
    head, payload, signature = token.split(".")
    flipped = ("A" if signature[5] != "A" else "B").join((signature[:5], signature[6:]))
    return ".".join((head, payload, flipped))


async def test_a_tampered_or_expired_token_is_refused(
    app: Starlette, api: GraphQLClient, booking: Booking, smtp: Inbox, clock: SettableClock
) -> None:
    b = booking
    day = next_weekday(1, at_least_days=4)
    seen, email = await book(api, b, local(day, 10))
    token = await manage_token(smtp, email)
    settings = app.state.settings
    signer = TokenSigner(settings.secret_key.get_secret_value() + ":" + KIND)
    appointment, organization = str(key_of(seen["id"])), str(key_of(b.practice.organization["id"]))
    expired, _ = signer.issue(subject=appointment, kind=KIND, organization_id=organization, ttl=-60)
    # signed with the access tokens' key: no manage token, whatever it names
    other_key, _ = TokenSigner(settings.secret_key.get_secret_value()).issue(
        subject=appointment, kind=KIND, organization_id=organization
    )
    # a genuine token naming an appointment that does not exist
    unknown, _ = signer.issue(subject=str(uuid.uuid4()), kind=KIND, organization_id=organization)
    for bad in (tampered(token), expired, other_key, unknown, "", "not-a-token"):
        assert await read(api, bad) is None, bad
        assert codes(await reschedule(api, bad, local(day, 14))) == ["TOKEN_INVALID"]
        assert codes(await cancel(api, bad)) == ["TOKEN_INVALID"]
    assert (await member_view(api, b, seen["id"]))["status"] == "BOOKED"
    # once the appointment has begun, the link only shows it
    begun = datetime.fromisoformat(local(day, 10)) + timedelta(minutes=5)
    clock.advance(begun - clock.now())
    shown = await read(api, token)
    assert shown is not None
    assert (shown["rules"]["canReschedule"], shown["rules"]["canCancel"]) == (False, False)
    assert codes(await reschedule(api, token, local(day + timedelta(days=7), 10))) == [
        "TOKEN_EXPIRED"
    ]
    assert codes(await cancel(api, token)) == ["TOKEN_EXPIRED"]


async def test_an_existing_clients_email_shows_nothing_of_that_client(
    api: GraphQLClient, booking: Booking, smtp: Inbox
) -> None:
    b = booking
    owner = b.practice.owner_token
    day = next_weekday(2, at_least_days=5)
    theirs = await book_as_member(api, b, local(day, 9))
    client = (await member_view(api, b, theirs))["client"]
    assert client["id"] == b.client_id
    # someone books with the client's email (and another name): the answer is the same
    # shape as for a new visitor, and carries nothing of the client
    stranger, _ = await book(api, b, local(day, 13), email=b.client_email, name="Mal Other")
    fresh, _ = await book(api, b, local(day, 15))
    assert set(stranger) == set(fresh)
    shown = json.dumps(stranger)
    for private in (client["name"], b.client_email, b.client_id, theirs, str(key_of(theirs))):
        assert private not in shown
    # the email goes to the client's own inbox, asking to confirm; its manage link shows
    # this booking only
    token = await manage_token(smtp, b.client_email, subject="confirm")
    managed = await read(api, token)
    assert managed is not None and managed["id"] == stranger["id"]
    managed_text = json.dumps(managed)
    for private in (client["name"], b.client_email, b.client_id, theirs, "Mal Other"):
        assert private not in managed_text
    # attached to the client, unverified until the emailed confirmation
    member = await member_view(api, b, stranger["id"])
    assert member["client"]["id"] == b.client_id
    assert member["unverified"] is True
    [ask] = await smtp.wait_for(b.client_email, subject="confirm")
    confirm = re.search(r"confirm-appointment\?token=([A-Za-z0-9_\-]+)", body_of(ask))
    assert confirm, body_of(ask)
    done = await api.op("ConfirmAppointment", {"input": {"token": confirm.group(1)}})
    assert done["confirmAppointment"]["userErrors"] == []
    assert (await member_view(api, b, stranger["id"]))["unverified"] is False
    # the client's name on record is theirs, not the one typed into the widget
    found = await api.op("Clients", {"search": b.client_email}, token=owner)
    assert [e["node"]["name"] for e in found["clients"]["edges"]] == [client["name"]]
