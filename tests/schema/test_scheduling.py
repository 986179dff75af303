"""Scheduling as a practice and its clients use it: hours, slots, booking, changes, video."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from tests.conftest import token_from, unique_email
from tests.fixtures.graphql import GraphQLClient
from tests.fixtures.scheduling import (
    CHICAGO,
    Booking,
    booking_setup,
    local,
    next_weekday,
)
from tests.fixtures.smtp import Inbox, body_of


@pytest.fixture
async def booking(api: GraphQLClient, smtp: Inbox) -> Booking:
    return await booking_setup(api, smtp)


def _slots_vars(b: Booking, start: str, end: str) -> dict[str, str]:
    return {"providerId": b.provider_id, "appointmentTypeId": b.type_id, "from": start, "to": end}


async def _book(
    api: GraphQLClient, b: Booking, starts_at: str, *, token: str | None = None, **extra: object
) -> dict[str, Any]:
    data = await api.op(
        "BookAppointment",
        {
            "input": {
                "appointmentTypeId": b.type_id,
                "providerId": b.provider_id,
                "startsAt": starts_at,
                **extra,
            }
        },
        token=token or b.client_token,
    )
    return data["bookAppointment"]  # type: ignore[no-any-return]


async def test_a_client_sees_thirty_days_of_slots_in_the_providers_hours(
    api: GraphQLClient, booking: Booking
) -> None:
    start = datetime.now(UTC)
    data = await api.op(
        "AvailableSlots",
        _slots_vars(booking, start.isoformat(), (start + timedelta(days=30)).isoformat()),
        token=booking.client_token,
    )
    slots = data["availableSlots"]
    assert len(slots) >= 20 * 8 - 16  # about 21 weekdays of 8 hourly slots, less today's notice
    for slot in slots:
        begins = datetime.fromisoformat(slot["startsAt"]).astimezone(CHICAGO)
        assert begins.isoweekday() <= 5 and 9 <= begins.hour < 17 and begins.minute == 0
        assert datetime.fromisoformat(slot["startsAt"]) >= start + timedelta(minutes=120)


async def test_slots_keep_local_hours_across_daylight_saving(
    api: GraphQLClient, smtp: Inbox
) -> None:
    b = await booking_setup(
        api, smtp, weekly=[{"weekday": 7, "start": "09:00", "end": "11:00"}], horizonDays=730
    )
    # US daylight saving starts on the second Sunday of March and ends the first of November
    year = datetime.now(UTC).year + 1
    for month, first_sunday_day in ((3, 8), (11, 1)):
        day = datetime(year, month, first_sunday_day, tzinfo=UTC)
        while day.isoweekday() != 7:
            day += timedelta(days=1)  # the change happens at 2 a.m. on this Sunday
        window = (day - timedelta(days=7), day + timedelta(days=8))
        data = await api.op(
            "AvailableSlots",
            _slots_vars(b, window[0].isoformat(), window[1].isoformat()),
            token=b.client_token,
        )
        starts = [datetime.fromisoformat(s["startsAt"]) for s in data["availableSlots"]]
        local_starts = {s.astimezone(CHICAGO).strftime("%H:%M") for s in starts}
        assert local_starts == {"09:00", "10:00"}
        utc_hours = sorted({s.hour for s in starts})
        assert utc_hours == [14, 15, 16]  # 9-11 CDT is 14-16 UTC, CST 15-17: both sides seen
        assert all(
            datetime.fromisoformat(s["endsAt"]) - datetime.fromisoformat(s["startsAt"])
            == timedelta(hours=1)
            for s in data["availableSlots"]
        )


async def test_overrides_buffers_notice_and_horizon(api: GraphQLClient, smtp: Inbox) -> None:
    closed = next_weekday(2, at_least_days=3)
    short = closed + timedelta(days=1)
    b = await booking_setup(
        api,
        smtp,
        overrides=[
            {"date": closed.isoformat(), "closed": True},
            {"date": short.isoformat(), "start": "13:00", "end": "15:00"},
        ],
        bufferAfterMinutes=30,
        horizonDays=20,
        minimumNoticeMinutes=60 * 24 * 2,
        slotStepMinutes=30,
    )
    span = (local(closed, 0), local(short + timedelta(days=1), 0))
    data = await api.op("AvailableSlots", _slots_vars(b, *span), token=b.client_token)
    starts = [s["startsAt"] for s in data["availableSlots"]]
    assert starts == [local(short, 13), local(short, 13, 30), local(short, 14)]
    # a booking at 13:00 with a 30 minute buffer after: 13:30 and 14:00 collide
    booked = await _book(api, b, local(short, 13))
    assert booked["userErrors"] == []
    data = await api.op("AvailableSlots", _slots_vars(b, *span), token=b.client_token)
    assert data["availableSlots"] == []
    # inside the two-day notice: nothing; past the horizon: nothing
    now = datetime.now(UTC)
    soon = await api.op(
        "AvailableSlots",
        _slots_vars(b, now.isoformat(), (now + timedelta(days=2)).isoformat()),
        token=b.client_token,
    )
    assert soon["availableSlots"] == []
    far = await api.op(
        "AvailableSlots",
        _slots_vars(
            b, (now + timedelta(days=21)).isoformat(), (now + timedelta(days=40)).isoformat()
        ),
        token=b.client_token,
    )
    assert far["availableSlots"] == []


async def test_slot_queries_are_refused_when_they_should_be(
    api: GraphQLClient, booking: Booking
) -> None:
    now = datetime.now(UTC)
    errors = await api.errors(
        "AvailableSlots",
        _slots_vars(booking, now.isoformat(), (now + timedelta(days=63)).isoformat()),
        token=booking.client_token,
    )
    assert errors[0]["extensions"]["code"] == "INVALID_INPUT"
    bad_zone = await api.op(
        "SetAvailability",
        {
            "input": {
                "providerId": booking.provider_id,
                "timezone": "Mars/Olympus",
                "weekly": [{"weekday": 1, "start": "09:00", "end": "17:00"}],
            }
        },
        token=booking.practice.owner_token,
    )
    assert bad_zone["setAvailability"]["userErrors"][0]["code"] == "INVALID_INPUT"
    bad_day = await api.op(
        "SetAvailability",
        {
            "input": {
                "providerId": booking.provider_id,
                "weekly": [{"weekday": 8, "start": "09:00", "end": "17:00"}],
            }
        },
        token=booking.practice.owner_token,
    )
    assert bad_day["setAvailability"]["userErrors"][0]["code"] == "INVALID_INPUT"


async def test_a_client_books_reschedules_and_cancels_late(
    api: GraphQLClient, booking: Booking, smtp: Inbox
) -> None:
    day = next_weekday(3, at_least_days=3)
    booked = await _book(api, booking, local(day, 10))
    assert booked["userErrors"] == []
    appointment = booked["appointment"]
    assert appointment["status"] == "BOOKED"
    assert appointment["client"]["id"] == booking.client_id
    [confirmation] = await smtp.wait_for(booking.client_email, subject="booked")
    assert "Join: https://portal.example.test/video/" in body_of(confirmation)
    assert "host=1" not in body_of(confirmation)
    moved = await api.op(
        "RescheduleAppointment",
        {"input": {"id": appointment["id"], "startsAt": local(day, 14)}},
        token=booking.client_token,
    )
    payload = moved["rescheduleAppointment"]
    assert payload["userErrors"] == []
    assert payload["appointment"]["id"] == appointment["id"]
    assert payload["appointment"]["startsAt"] == local(day, 14)
    kinds = [h["kind"] for h in payload["appointment"]["history"]]
    assert kinds == ["BOOKED", "RESCHEDULED"]
    assert payload["appointment"]["history"][1]["fromStartsAt"] == local(day, 10)
    # the old time is free again, the new one is taken
    free = await api.op(
        "AvailableSlots",
        _slots_vars(booking, local(day, 0), local(day, 23)),
        token=booking.client_token,
    )
    starts = [s["startsAt"] for s in free["availableSlots"]]
    assert local(day, 10) in starts and local(day, 14) not in starts
    # a window longer than the time left makes the client's cancel late
    await api.op(
        "UpdatePortalSettings",
        {"input": {"cancellationWindowHours": 24 * 30}},
        token=booking.practice.owner_token,
    )
    cancelled = await api.op(
        "CancelAppointment",
        {"input": {"id": appointment["id"], "reason": "Sick"}},
        token=booking.client_token,
    )
    result = cancelled["cancelAppointment"]
    assert result["userErrors"] == []
    assert result["appointment"]["status"] == "CANCELLED"
    assert result["appointment"]["lateCancellation"] is True
    assert result["appointment"]["cancellationReason"] == "Sick"
    assert result["appointment"]["cancellationInitiatedBy"] == "CLIENT"


async def test_a_practice_cancel_is_never_late(api: GraphQLClient, booking: Booking) -> None:
    await api.op(
        "UpdatePortalSettings",
        {"input": {"cancellationWindowHours": 24 * 30}},
        token=booking.practice.owner_token,
    )
    booked = await _book(api, booking, local(next_weekday(1), 9))
    cancelled = await api.op(
        "CancelAppointment",
        {"input": {"id": booked["appointment"]["id"]}},
        token=booking.practice.owner_token,
    )
    assert cancelled["cancelAppointment"]["appointment"]["lateCancellation"] is False
    on_behalf = await _book(api, booking, local(next_weekday(1), 11))
    client_said = await api.op(
        "CancelAppointment",
        {"input": {"id": on_behalf["appointment"]["id"], "initiatedBy": "CLIENT"}},
        token=booking.practice.owner_token,
    )
    assert client_said["cancelAppointment"]["appointment"]["lateCancellation"] is True


async def test_a_client_may_not_reschedule_inside_the_window(
    api: GraphQLClient, booking: Booking
) -> None:
    booked = await _book(api, booking, local(next_weekday(2), 9))
    await api.op(
        "UpdatePortalSettings",
        {"input": {"cancellationWindowHours": 24 * 30}},
        token=booking.practice.owner_token,
    )
    moved = await api.op(
        "RescheduleAppointment",
        {"input": {"id": booked["appointment"]["id"], "startsAt": local(next_weekday(2), 10)}},
        token=booking.client_token,
    )
    assert moved["rescheduleAppointment"]["userErrors"][0]["code"] == "CANCELLATION_WINDOW_PASSED"
    by_member = await api.op(
        "RescheduleAppointment",
        {"input": {"id": booked["appointment"]["id"], "startsAt": local(next_weekday(2), 10)}},
        token=booking.practice.owner_token,
    )
    assert by_member["rescheduleAppointment"]["userErrors"] == []


async def test_booking_refusals(api: GraphQLClient, booking: Booking, smtp: Inbox) -> None:
    day = next_weekday(4)
    outside = await _book(api, booking, local(day, 7))
    assert outside["userErrors"][0]["code"] == "OUTSIDE_AVAILABILITY"
    past = await _book(api, booking, local(next_weekday(4, at_least_days=-14), 10))
    assert past["userErrors"][0]["code"] == "OUTSIDE_AVAILABILITY"
    unaligned = await _book(api, booking, local(day, 10, 15))
    assert unaligned["userErrors"][0]["code"] == "OUTSIDE_AVAILABILITY"
    seconds = await _book(api, booking, local(day, 10).replace("00:00+", "00:30+"))
    assert seconds["userErrors"][0]["code"] == "INVALID_INPUT"
    other = await booking_setup(api, smtp)
    foreign = await api.op(
        "BookAppointment",
        {
            "input": {
                "appointmentTypeId": other.type_id,
                "providerId": other.provider_id,
                "startsAt": local(day, 10),
            }
        },
        token=booking.client_token,
    )
    assert foreign["bookAppointment"]["userErrors"][0]["code"] == "NOT_FOUND"
    await api.op(
        "UpdatePortalSettings",
        {"input": {"clientsCanBook": False}},
        token=booking.practice.owner_token,
    )
    disabled = await _book(api, booking, local(day, 10))
    assert disabled["userErrors"][0]["code"] == "BOOKING_DISABLED"
    # members still book for the client
    by_member = await _book(
        api,
        booking,
        local(day, 10),
        clientId=booking.client_id,
        token=booking.practice.owner_token,
    )
    assert by_member["userErrors"] == []


async def test_members_override_hours_but_never_double_book(
    api: GraphQLClient, booking: Booking
) -> None:
    day = next_weekday(5)
    owner = booking.practice.owner_token
    evening = await _book(
        api,
        booking,
        local(day, 19, 7),
        clientId=booking.client_id,
        overrideAvailability=True,
        token=owner,
    )
    assert evening["userErrors"] == []
    past = await _book(
        api,
        booking,
        local(next_weekday(5, at_least_days=-10), 8),
        clientId=booking.client_id,
        overrideAvailability=True,
        token=owner,
    )
    assert past["userErrors"] == []
    overlapping = await _book(
        api,
        booking,
        local(day, 19, 30),
        clientId=booking.client_id,
        overrideAvailability=True,
        token=owner,
    )
    assert overlapping["userErrors"][0]["code"] == "SLOT_UNAVAILABLE"
    by_client = await _book(api, booking, local(day, 19, 7), overrideAvailability=True)
    assert by_client["userErrors"][0]["code"] == "FORBIDDEN"


async def test_status_transitions(api: GraphQLClient, booking: Booking) -> None:
    owner = booking.practice.owner_token
    past = await _book(
        api,
        booking,
        local(next_weekday(1, at_least_days=-10), 9),
        clientId=booking.client_id,
        overrideAvailability=True,
        token=owner,
    )
    future = await _book(api, booking, local(next_weekday(1), 9))

    async def set_status(appointment_id: str, status: str, token: str = owner) -> dict[str, Any]:
        data = await api.op(
            "SetAppointmentStatus", {"input": {"id": appointment_id, "status": status}}, token=token
        )
        return data["setAppointmentStatus"]  # type: ignore[no-any-return]

    past_id, future_id = past["appointment"]["id"], future["appointment"]["id"]
    assert (await set_status(past_id, "OCCURRED", booking.client_token))["userErrors"][0][
        "code"
    ] == "FORBIDDEN"
    assert (await set_status(future_id, "OCCURRED"))["userErrors"][0]["code"] == (
        "INVALID_STATUS_TRANSITION"
    )
    assert (await set_status(past_id, "OCCURRED"))["appointment"]["status"] == "OCCURRED"
    assert (await set_status(past_id, "NO_SHOW"))["appointment"]["status"] == "NO_SHOW"
    assert (await set_status(past_id, "OCCURRED"))["appointment"]["status"] == "OCCURRED"
    assert (await set_status(past_id, "CANCELLED"))["userErrors"][0]["code"] == (
        "INVALID_STATUS_TRANSITION"
    )
    assert (await set_status(future_id, "CANCELLED"))["appointment"]["status"] == "CANCELLED"
    assert (await set_status(future_id, "BOOKED"))["userErrors"][0]["code"] == (
        "INVALID_STATUS_TRANSITION"
    )


async def test_the_client_gets_the_join_link_and_never_the_host_link(
    api: GraphQLClient, booking: Booking
) -> None:
    booked = await _book(api, booking, local(next_weekday(2), 15))
    appointment_id = booked["appointment"]["id"]
    mine = await api.op("Appointment", {"id": appointment_id}, token=booking.client_token)
    video = mine["appointment"]["video"]
    assert video["clientJoinUrl"].endswith(f"/video/{_raw(appointment_id)}")
    assert video["hostUrl"] is None
    theirs = await api.op("Appointment", {"id": appointment_id}, token=booking.practice.owner_token)
    assert theirs["appointment"]["video"]["hostUrl"].endswith("?host=1")
    join = await api.op(
        "JoinVideoCall", {"input": {"appointmentId": appointment_id}}, token=booking.client_token
    )
    assert join["joinVideoCall"]["userErrors"][0]["code"] == "VIDEO_NOT_CONFIGURED"


def _raw(global_id: str) -> str:
    from carebase.schema.relay import parse_global_id

    return str(parse_global_id(global_id)[1])


async def test_clients_see_only_their_own_appointments(
    api: GraphQLClient, booking: Booking, smtp: Inbox
) -> None:
    from tests.fixtures.scheduling import make_client_login

    other_id, _, other_token = await make_client_login(api, booking.practice, smtp, "Otto")
    mine = await _book(api, booking, local(next_weekday(3), 9))
    theirs = await _book(api, booking, local(next_weekday(3), 10), token=other_token)
    assert theirs["userErrors"] == []
    listed = await api.op("Appointments", {}, token=booking.client_token)
    ids = [e["node"]["id"] for e in listed["appointments"]["edges"]]
    assert ids == [mine["appointment"]["id"]]
    peek = await api.op("Node", {"id": theirs["appointment"]["id"]}, token=booking.client_token)
    assert peek["node"] is None
    upcoming = await api.op("UpcomingAppointments", {}, token=other_token)
    assert [e["node"]["client"]["id"] for e in upcoming["upcomingAppointments"]["edges"]] == [
        other_id
    ]
    everything = await api.op(
        "Appointments", {"filter": {"clientId": other_id}}, token=booking.practice.owner_token
    )
    assert everything["appointments"]["totalCount"] == 1


async def test_a_weekly_series_books_all_or_nothing(api: GraphQLClient, booking: Booking) -> None:
    day = next_weekday(1)
    blocker_day = day + timedelta(weeks=2)
    owner = booking.practice.owner_token
    await _book(api, booking, local(blocker_day, 9), clientId=booking.client_id, token=owner)
    refused = await _book(
        api, booking, local(day, 9), recurrence={"frequency": "WEEKLY", "interval": 1, "count": 4}
    )
    assert refused["userErrors"][0]["code"] == "SLOT_UNAVAILABLE"
    assert blocker_day.isoformat() in refused["userErrors"][0]["message"]
    listed = await api.op("Appointments", {}, token=booking.client_token)
    assert listed["appointments"]["totalCount"] == 1  # only the blocker: nothing half-booked
    series = await _book(
        api, booking, local(day, 10), recurrence={"frequency": "WEEKLY", "interval": 1, "count": 4}
    )
    assert series["userErrors"] == []
    assert [a["startsAt"] for a in series["appointments"]] == [
        local(day + timedelta(weeks=i), 10) for i in range(4)
    ]
    too_long = await _book(
        api, booking, local(day, 11), recurrence={"frequency": "WEEKLY", "interval": 1, "count": 53}
    )
    assert too_long["userErrors"][0]["code"] == "INVALID_INPUT"


async def test_an_idempotency_key_returns_the_first_response(
    api: GraphQLClient, booking: Booking
) -> None:
    day = next_weekday(4)
    first = await _book(api, booking, local(day, 9), idempotencyKey="k-123")
    again = await _book(api, booking, local(day, 9), idempotencyKey="k-123")
    assert again["appointment"]["id"] == first["appointment"]["id"]
    different = await _book(api, booking, local(day, 11), idempotencyKey="k-123")
    assert different["userErrors"][0]["code"] == "IDEMPOTENCY_KEY_REUSED"
    failed = await _book(api, booking, local(day, 7), idempotencyKey="k-bad")
    assert failed["userErrors"][0]["code"] == "OUTSIDE_AVAILABILITY"
    assert (await _book(api, booking, local(day, 7), idempotencyKey="k-bad"))[
        "userErrors"
    ] == failed["userErrors"]
    listed = await api.op("Appointments", {}, token=booking.client_token)
    assert listed["appointments"]["totalCount"] == 1


async def test_simultaneous_bookings_of_one_slot_give_one_appointment(
    api: GraphQLClient, booking: Booking, settings: object
) -> None:
    on_postgres = os.environ.get("CAREBASE_TEST_DATABASE_URL", "").startswith("postgres")
    attempts = 50 if on_postgres else 20
    day = next_weekday(2)
    owner = booking.practice.owner_token

    async def attempt(i: int) -> dict[str, Any]:
        # equal and overlapping (not equal) ranges, all over one another
        minute = 0 if i % 2 == 0 else 30
        return await _book(
            api,
            booking,
            local(day, 10, minute),
            clientId=booking.client_id,
            overrideAvailability=True,
            token=owner,
        )

    results = await asyncio.gather(*(attempt(i) for i in range(attempts)))
    won = [r for r in results if not r["userErrors"]]
    lost = [r for r in results if r["userErrors"]]
    assert len(won) == 1
    assert {r["userErrors"][0]["code"] for r in lost} == {"SLOT_UNAVAILABLE"}
    listed = await api.op("Appointments", {"filter": {"status": "BOOKED"}}, token=owner)
    assert listed["appointments"]["totalCount"] == 1


async def test_the_widget_books_with_the_publishable_key(
    api: GraphQLClient, booking: Booking, smtp: Inbox
) -> None:
    key = {"X-Carebase-Publishable-Key": booking.practice.organization["publishableKey"]}
    profile = await api.op("WidgetProfile", headers=key)
    assert profile["publicBookingProfile"]["organizationName"] == "Booking Practice"
    assert [t["id"] for t in profile["publicBookingProfile"]["appointmentTypes"]] == [
        booking.type_id
    ]
    assert [p["id"] for p in profile["publicBookingProfile"]["providers"]] == [booking.provider_id]
    refused = await api.errors("Clients", headers=key)
    assert refused[0]["extensions"]["code"] == "DOCUMENT_NOT_TRUSTED"
    day = next_weekday(3)
    variables = {
        "input": {
            "appointmentTypeId": booking.type_id,
            "providerId": booking.provider_id,
            "startsAt": local(day, 9),
            "client": {"name": "Wanda Widget", "email": unique_email("w")},
        }
    }
    off = await api.op("WidgetBook", variables, headers=key)
    assert off["bookAppointmentPublic"]["userErrors"][0]["code"] == "BOOKING_DISABLED"
    await api.op(
        "UpdatePortalSettings",
        {"input": {"bookingOutsidePortal": True, "clientsCanBook": False}},
        token=booking.practice.owner_token,
    )
    slots = await api.op(
        "WidgetSlots", _slots_vars(booking, local(day, 0), local(day, 23)), headers=key
    )
    assert local(day, 9) in [s["startsAt"] for s in slots["availableSlots"]]
    made = await api.op("WidgetBook", variables, headers=key)
    public = made["bookAppointmentPublic"]
    assert public["userErrors"] == []
    assert public["appointment"]["startsAt"] == local(day, 9)
    assert set(public["appointment"]) == {
        "id",
        "startsAt",
        "endsAt",
        "status",
        "appointmentType",
        "provider",
    }
    email = variables["input"]["client"]["email"]  # type: ignore[index]
    await smtp.wait_for(email, subject="invited")
    await smtp.wait_for(email, subject="booked")
    # the same email again attaches to that client, unverified until they confirm
    again = dict(variables["input"], startsAt=local(day, 11))
    second = await api.op("WidgetBook", {"input": again}, headers=key)
    assert second["bookAppointmentPublic"]["userErrors"] == []
    [ask] = await smtp.wait_for(email, subject="confirm")
    assert "https://portal.example.test/confirm-appointment?token=" in body_of(ask)
    listed = await api.op(
        "Appointments", {"filter": {"from": local(day, 10)}}, token=booking.practice.owner_token
    )
    [pending] = [e["node"] for e in listed["appointments"]["edges"]]
    assert pending["unverified"] is True
    confirmed = await api.op("ConfirmAppointment", {"input": {"token": token_from(ask)}})
    assert confirmed["confirmAppointment"]["userErrors"] == []
    after = await api.op("Appointment", {"id": pending["id"]}, token=booking.practice.owner_token)
    assert after["appointment"]["unverified"] is False


async def test_public_bookings_are_limited_per_address(
    app: Starlette, api: GraphQLClient, smtp: Inbox
) -> None:
    b = await booking_setup(api, smtp)
    key = {"X-Carebase-Publishable-Key": b.practice.organization["publishableKey"]}
    # one address of its own, so the count is this test's alone
    transport = httpx.ASGITransport(app=app, client=("198.51.100.77", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://carebase.test") as http:
        await _fill_the_hour(GraphQLClient(http), api, b, key)


async def _fill_the_hour(
    widget: GraphQLClient, api: GraphQLClient, b: Booking, key: dict[str, str]
) -> None:
    await api.op(
        "UpdatePortalSettings",
        {"input": {"bookingOutsidePortal": True}},
        token=b.practice.owner_token,
    )
    now = datetime.now(UTC)
    offered = await api.op(
        "WidgetSlots",
        _slots_vars(b, now.isoformat(), (now + timedelta(days=14)).isoformat()),
        headers=key,
    )
    starts = [datetime.fromisoformat(x["startsAt"]) for x in offered["availableSlots"][:21]]
    assert len(starts) == 21
    codes = []
    for start in starts:
        made = await widget.op(
            "WidgetBook",
            {
                "input": {
                    "appointmentTypeId": b.type_id,
                    "providerId": b.provider_id,
                    "startsAt": start.isoformat(),
                    "client": {"name": "Rae", "email": unique_email("rate")},
                }
            },
            headers=key,
        )
        errors = made["bookAppointmentPublic"]["userErrors"]
        codes.append(errors[0]["code"] if errors else "OK")
    assert codes == ["OK"] * 20 + ["RATE_LIMITED"], " ".join(codes)
