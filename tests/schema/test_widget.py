"""The booking widget's API: slot holds, metadata, the manage link, widget origins (CORS)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from tests.conftest import unique_email
from tests.fixtures.graphql import GraphQLClient
from tests.fixtures.scheduling import Booking, booking_setup, local, next_weekday
from tests.fixtures.secrets import secret
from tests.fixtures.smtp import Inbox, body_of

MANAGE = re.compile(r"/widget/manage\?token=([A-Za-z0-9_.\-]+)")


@pytest.fixture
async def booking(api: GraphQLClient, smtp: Inbox) -> Booking:
    return await booking_setup(api, smtp)


def key_of(b: Booking) -> dict[str, str]:
    return {"X-Carebase-Publishable-Key": b.practice.organization["publishableKey"]}


async def open_widget(api: GraphQLClient, b: Booking, **settings: Any) -> None:
    done = await api.op(
        "UpdatePortalSettings",
        {"input": {"bookingOutsidePortal": True, **settings}},
        token=b.practice.owner_token,
    )
    assert done["updatePortalSettings"]["userErrors"] == [], done


def hold_vars(b: Booking, starts_at: str) -> dict[str, Any]:
    return {
        "input": {
            "providerId": b.provider_id,
            "appointmentTypeId": b.type_id,
            "startsAt": starts_at,
        }
    }


async def widget_at(app: Starlette, address: str) -> tuple[httpx.AsyncClient, GraphQLClient]:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    http = httpx.AsyncClient(transport=transport, base_url="http://carebase.test")
    return http, GraphQLClient(http)


async def test_a_hold_keeps_the_time_from_others_and_the_booking_uses_it(
    app: Starlette, api: GraphQLClient, booking: Booking, smtp: Inbox
) -> None:
    b = booking
    await open_widget(api, b)
    day = next_weekday(2)
    http, widget = await widget_at(app, "198.51.100.21")
    async with http:
        held = await widget.op("WidgetHoldSlot", hold_vars(b, local(day, 10)), headers=key_of(b))
        hold = held["holdSlot"]["hold"]
        assert held["holdSlot"]["userErrors"] == []
        assert hold["startsAt"] == local(day, 10)
        # others no longer see it offered, nor can they hold or book it
        slots = await api.op(
            "WidgetSlots",
            {
                "providerId": b.provider_id,
                "appointmentTypeId": b.type_id,
                "from": local(day, 0),
                "to": local(day, 23),
            },
            headers=key_of(b),
        )
        starts = [s["startsAt"] for s in slots["availableSlots"]]
        assert local(day, 10) not in starts and local(day, 11) in starts
        other = await api.op("WidgetHoldSlot", hold_vars(b, local(day, 10)), headers=key_of(b))
        assert other["holdSlot"]["userErrors"][0]["code"] == "SLOT_UNAVAILABLE"
        email = unique_email("held")
        book = {
            "input": {
                "appointmentTypeId": b.type_id,
                "providerId": b.provider_id,
                "startsAt": local(day, 10),
                "client": {"name": "Hana Held", "email": email},
                "holdId": hold["id"],
                "idempotencyKey": "hold-book-1",
                "metadata": {"utm_source": "newsletter", "utm_campaign": "spring"},
            }
        }
        made = await widget.op("WidgetBook", book, headers=key_of(b))
        assert made["bookAppointmentPublic"]["userErrors"] == [], made
        appointment = made["bookAppointmentPublic"]["appointment"]
        # a retry answers the same booking
        again = await widget.op("WidgetBook", book, headers=key_of(b))
        assert again["bookAppointmentPublic"]["appointment"]["id"] == appointment["id"]
        # the hold is used up
        reuse = dict(book["input"], idempotencyKey="hold-book-2", startsAt=local(day, 10))
        used = await widget.op("WidgetBook", {"input": reuse}, headers=key_of(b))
        assert used["bookAppointmentPublic"]["userErrors"][0]["code"] == "HOLD_EXPIRED"
    # members see the metadata, clients do not
    seen = await api.raw(
        "query($id: ID!) { appointment(id: $id) { metadata } }",
        {"id": appointment["id"]},
        token=b.practice.owner_token,
    )
    assert seen["data"]["appointment"]["metadata"] == {
        "utm_source": "newsletter",
        "utm_campaign": "spring",
    }
    [booked] = await smtp.wait_for(email, subject="booked")
    assert MANAGE.search(body_of(booked)), body_of(booked)


async def test_a_hold_lapses_after_five_minutes_and_an_address_holds_at_most_three(
    app: Starlette, api: GraphQLClient, booking: Booking, clock: Any
) -> None:
    b = booking
    await open_widget(api, b)
    day = next_weekday(4)
    http, widget = await widget_at(app, "198.51.100.22")
    async with http:
        holds = []
        for hour in (9, 10, 11):
            made = await widget.op(
                "WidgetHoldSlot", hold_vars(b, local(day, hour)), headers=key_of(b)
            )
            assert made["holdSlot"]["userErrors"] == [], made
            holds.append(made["holdSlot"]["hold"])
        fourth = await widget.op("WidgetHoldSlot", hold_vars(b, local(day, 13)), headers=key_of(b))
        assert fourth["holdSlot"]["userErrors"][0]["code"] == "RATE_LIMITED"
        clock.advance(timedelta(seconds=301))
        late = await widget.op(
            "WidgetBook",
            {
                "input": {
                    "appointmentTypeId": b.type_id,
                    "providerId": b.provider_id,
                    "startsAt": local(day, 9),
                    "client": {"name": "Lou Late", "email": unique_email("late")},
                    "holdId": holds[0]["id"],
                }
            },
            headers=key_of(b),
        )
        assert late["bookAppointmentPublic"]["userErrors"][0]["code"] == "HOLD_EXPIRED"
        # lapsed holds no longer count
        fifth = await widget.op("WidgetHoldSlot", hold_vars(b, local(day, 13)), headers=key_of(b))
        assert fifth["holdSlot"]["userErrors"] == []


async def test_bad_metadata_is_invalid_input_naming_the_field(
    api: GraphQLClient, booking: Booking
) -> None:
    b = booking
    await open_widget(api, b)
    made = await api.op(
        "WidgetBook",
        {
            "input": {
                "appointmentTypeId": b.type_id,
                "providerId": b.provider_id,
                "startsAt": local(next_weekday(3), 14),
                "client": {"name": "Meta", "email": unique_email("meta")},
                "metadata": {"nested": {"no": 1}},
            }
        },
        headers=key_of(b),
    )
    [error] = made["bookAppointmentPublic"]["userErrors"]
    assert error["code"] == "INVALID_INPUT" and error["field"] == ["metadata", "nested"]


async def test_the_manage_link_reads_moves_and_cancels_under_the_portal_rules(
    api: GraphQLClient, booking: Booking, smtp: Inbox
) -> None:
    b = booking
    await open_widget(api, b)
    day = next_weekday(5, at_least_days=4)
    email = unique_email("manage")
    made = await api.op(
        "WidgetBook",
        {
            "input": {
                "appointmentTypeId": b.type_id,
                "providerId": b.provider_id,
                "startsAt": local(day, 9),
                "client": {"name": "Mae Manage", "email": email},
            }
        },
        headers=key_of(b),
    )
    assert made["bookAppointmentPublic"]["userErrors"] == []
    [booked] = await smtp.wait_for(email, subject="booked")
    found = MANAGE.search(body_of(booked))
    assert found
    token = secret(found.group(1), "token")
    read = await api.op("WidgetBooking", {"token": token})
    shown = read["publicBooking"]
    assert shown["startsAt"] == local(day, 9)
    assert shown["rules"]["canReschedule"] and shown["rules"]["canCancel"]
    assert (await api.op("WidgetBooking", {"token": token + "x"}))["publicBooking"] is None
    moved = await api.op(
        "WidgetReschedule", {"input": {"token": token, "startsAt": local(day, 13)}}
    )
    assert moved["reschedulePublicBooking"]["userErrors"] == []
    assert moved["reschedulePublicBooking"]["appointment"]["startsAt"] == local(day, 13)
    # the practice closes rescheduling: the link says so
    await open_widget(api, b, clientsCanReschedule=False)
    refused = await api.op(
        "WidgetReschedule", {"input": {"token": token, "startsAt": local(day, 14)}}
    )
    assert refused["reschedulePublicBooking"]["userErrors"][0]["code"] == "BOOKING_DISABLED"
    cancelled = await api.op("WidgetCancel", {"input": {"token": token, "reason": "Away"}})
    assert cancelled["cancelPublicBooking"]["userErrors"] == []
    assert cancelled["cancelPublicBooking"]["appointment"]["status"] == "CANCELLED"
    assert cancelled["cancelPublicBooking"]["appointment"]["rules"]["canCancel"] is False
    bad = await api.op("WidgetCancel", {"input": {"token": "nope"}})
    assert bad["cancelPublicBooking"]["userErrors"][0]["code"] == "TOKEN_INVALID"


async def test_widget_origins_are_checked_and_honoured_by_cors(
    api: GraphQLClient, http: httpx.AsyncClient, booking: Booking
) -> None:
    b = booking
    bad = await api.op(
        "UpdatePortalSettings",
        {"input": {"widgetOrigins": ["https://site.example/path"]}},
        token=b.practice.owner_token,
    )
    assert bad["updatePortalSettings"]["userErrors"][0]["field"] == ["widgetOrigins", "0"]
    origin = "https://clinic-site.example"
    preflight = {
        "origin": origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type, x-carebase-publishable-key",
    }
    before = await http.options("/graphql", headers=preflight)
    assert before.status_code == 400
    await open_widget(api, b, widgetOrigins=[origin + "/", "http://localhost:8080"])
    listed = await api.op("Organization", token=b.practice.owner_token)
    assert listed["organization"]["portalSettings"]["widgetOrigins"] == [
        origin,
        "http://localhost:8080",
    ]
    after = await http.options("/graphql", headers=preflight)
    assert after.status_code == 200
    assert after.headers["access-control-allow-origin"] == origin
    page = await http.get("/widget/demo", params={"key": b.practice.organization["publishableKey"]})
    assert page.status_code == 200
    assert f"frame-ancestors 'self' {origin}" in page.headers["content-security-policy"]
    assert "x-frame-options" not in page.headers
    script = await http.get("/widget/carebase-booking.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
