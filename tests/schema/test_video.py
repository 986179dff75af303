"""Video as a practice and its clients use it: Zoom meetings that follow the appointment, host
links only for members, and built-in (LiveKit) rooms open to the participants around the time."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import dramatiq
import httpx
import pytest
from dramatiq.asyncio import get_event_loop_thread, set_event_loop_thread
from starlette.applications import Starlette

from carebase.app import create_app
from carebase.config import Settings
from carebase.jobs import runtime as job_runtime
from carebase.schema.relay import parse_global_id
from tests.conftest import Practice, make_settings
from tests.fixtures.graphql import GraphQLClient, documents
from tests.fixtures.scheduling import (
    Booking,
    booking_setup,
    local,
    make_client_login,
    make_type,
    next_weekday,
)
from tests.fixtures.smtp import Inbox, body_of
from tests.fixtures.zoom import FakeZoom, ZoomRequest, fake_zoom

LIVEKIT_URL = "wss://livekit.example.test"
LIVEKIT_KEY = "devkey"
LIVEKIT_SECRET = "a-secret-at-least-32-characters-long!!"


# --- an app with Zoom and LiveKit configured, on the session's database ----------------------


@pytest.fixture(scope="session")
def zoom() -> Iterator[FakeZoom]:
    with fake_zoom() as server:
        yield server


@pytest.fixture(scope="module")
async def video_app(
    app: Starlette,
    settings: Settings,
    smtp: Inbox,
    zoom: FakeZoom,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Starlette]:
    video_settings = make_settings(
        tmp_path_factory.mktemp("video"),
        smtp.port,
        CAREBASE_DATABASE_URL=settings.database_url,
        # the session app's key: its tokens are valid here and the other way round
        CAREBASE_SECRET_KEY=settings.secret_key.get_secret_value(),
        CAREBASE_LIVEKIT_URL=LIVEKIT_URL,
        CAREBASE_LIVEKIT_API_KEY=LIVEKIT_KEY,
        CAREBASE_LIVEKIT_API_SECRET=LIVEKIT_SECRET,
        **zoom.env(),
    )
    # create_app replaces process-wide job state (Dramatiq's global broker, Carebase's current
    # runtime) and its worker replaces Dramatiq's global event-loop thread, which the session
    # app's worker runs its async actors on. Both workers share the session app's loop while
    # this app lives; on the way out this app's worker stops its own (idle) loop thread, and
    # what was there before is put back.
    saved_loop_thread = get_event_loop_thread()
    saved_broker = dramatiq.get_broker()
    saved_runtime = job_runtime._current
    application = create_app(video_settings)
    try:
        async with application.router.lifespan_context(application):
            own_loop_thread = get_event_loop_thread()
            if saved_loop_thread is not None:
                set_event_loop_thread(saved_loop_thread)
            try:
                yield application
            finally:
                set_event_loop_thread(own_loop_thread)
    finally:
        set_event_loop_thread(saved_loop_thread)
        dramatiq.set_broker(saved_broker)
        job_runtime._current = saved_runtime


@pytest.fixture
async def vapi(video_app: Starlette) -> AsyncIterator[GraphQLClient]:
    transport = httpx.ASGITransport(app=video_app, client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://carebase.test") as client:
        yield GraphQLClient(client)


@pytest.fixture
async def booking(vapi: GraphQLClient, smtp: Inbox) -> Booking:
    """A practice on the video app: weekday hours, a built-in video type, a client login."""
    return await booking_setup(vapi, smtp)


# --- helpers -------------------------------------------------------------------------------


def key(global_id: str) -> uuid.UUID:
    return parse_global_id(global_id)[1]


def zoom_time(iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def this_minute() -> datetime:
    return datetime.now(UTC).replace(second=0, microsecond=0)


def error_codes(errors: list[dict[str, Any]]) -> list[str]:
    return [e["code"] for e in errors]


async def book(
    api: GraphQLClient, b: Booking, type_id: str, starts_at: str, *, token: str, **extra: Any
) -> dict[str, Any]:
    data = await api.op(
        "BookAppointment",
        {
            "input": {
                "appointmentTypeId": type_id,
                "providerId": b.provider_id,
                "startsAt": starts_at,
                **extra,
            }
        },
        token=token,
    )
    payload = data["bookAppointment"]
    assert payload["userErrors"] == [], payload
    return payload["appointment"]  # type: ignore[no-any-return]


async def book_for_client(
    api: GraphQLClient, b: Booking, starts_at: datetime, type_id: str | None = None
) -> dict[str, Any]:
    """A member books at any free time (the window tests need times outside the hours)."""
    return await book(
        api,
        b,
        type_id or b.type_id,
        starts_at.isoformat(),
        token=b.practice.owner_token,
        clientId=b.client_id,
        overrideAvailability=True,
    )


async def zoom_type(api: GraphQLClient, practice: Practice) -> str:
    """45 minutes: with the default step the slots are 9:00, 9:45, ..., 12:00, ..., 15:00."""
    return await make_type(
        api, practice, name="Zoom consult", durationMinutes=45, videoProvider="ZOOM"
    )


def meeting_with(zoom: FakeZoom, join_url: str) -> str:
    [meeting_id] = [k for k, m in zoom.meetings.items() if m["join_url"] == join_url]
    return meeting_id


def since(zoom: FakeZoom, mark: int, method: str, path: str) -> list[ZoomRequest]:
    return [r for r in zoom.requests[mark:] if r.method == method and r.path == path]


def b64url(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def room_claims(token: str) -> dict[str, Any]:
    """The LiveKit token's claims, after checking its HS256 signature with the API secret."""
    header, payload, signature = token.split(".")
    assert json.loads(b64url(header))["alg"] == "HS256"
    expected = hmac.new(
        LIVEKIT_SECRET.encode(), f"{header}.{payload}".encode(), hashlib.sha256
    ).digest()
    assert hmac.compare_digest(b64url(signature), expected)
    return json.loads(b64url(payload))  # type: ignore[no-any-return]


async def join_call(
    api: GraphQLClient, appointment_id: str, token: str | None
) -> tuple[dict[str, Any] | None, list[str | None]]:
    """The payload and every code refusing it, user error or top-level."""
    result = await api.raw(
        documents()["JoinVideoCall"], {"input": {"appointmentId": appointment_id}}, token=token
    )
    payload = (result.get("data") or {}).get("joinVideoCall")
    codes: list[str | None] = [e["code"] for e in (payload or {}).get("userErrors") or ()]
    codes += [(e.get("extensions") or {}).get("code") for e in result.get("errors") or ()]
    return payload, codes


# --- Zoom ----------------------------------------------------------------------------------


async def test_zoom_types_need_zoom_settings(
    api: GraphQLClient, vapi: GraphQLClient, practice: Practice
) -> None:
    zoom_input = {
        "name": "Zoom consult",
        "durationMinutes": 45,
        "contactType": "VIDEO",
        "videoProvider": "ZOOM",
    }
    refused = (
        await api.op("CreateAppointmentType", {"input": zoom_input}, token=practice.owner_token)
    )["createAppointmentType"]
    assert refused["appointmentType"] is None
    assert error_codes(refused["userErrors"]) == ["VIDEO_NOT_CONFIGURED"]
    assert refused["userErrors"][0]["field"] == ["videoProvider"]
    built_in = await make_type(api, practice)
    switched = (
        await api.op(
            "UpdateAppointmentType",
            {"input": {"id": built_in, "videoProvider": "ZOOM"}},
            token=practice.owner_token,
        )
    )["updateAppointmentType"]
    assert error_codes(switched["userErrors"]) == ["VIDEO_NOT_CONFIGURED"]

    # the same practice on the app that has Zoom credentials
    created = (
        await vapi.op("CreateAppointmentType", {"input": zoom_input}, token=practice.owner_token)
    )["createAppointmentType"]
    assert created["userErrors"] == []
    assert created["appointmentType"]["videoProvider"] == "ZOOM"
    switched = (
        await vapi.op(
            "UpdateAppointmentType",
            {"input": {"id": built_in, "videoProvider": "ZOOM"}},
            token=practice.owner_token,
        )
    )["updateAppointmentType"]
    assert switched["userErrors"] == []
    assert switched["appointmentType"]["videoProvider"] == "ZOOM"


async def test_booking_a_zoom_appointment_creates_a_meeting(
    vapi: GraphQLClient, booking: Booking, zoom: FakeZoom, smtp: Inbox
) -> None:
    type_id = await zoom_type(vapi, booking.practice)
    starts_at = local(next_weekday(3, at_least_days=3), 9)
    mark = len(zoom.requests)
    appointment = await book(vapi, booking, type_id, starts_at, token=booking.client_token)

    [create] = since(zoom, mark, "POST", "/v2/users/me/meetings")
    assert create.authorization == f"Bearer {zoom.access_token}"
    assert {k: create.body.get(k) for k in ("topic", "type", "start_time", "duration")} == {
        "topic": "Zoom consult",
        "type": 2,
        "start_time": zoom_time(starts_at),
        "duration": 45,
    }
    assert create.body.get("timezone") == "America/Chicago"  # the provider's
    # the token came from server-to-server OAuth with the account's credentials
    grants = zoom.calls("POST", "/oauth/token")
    assert grants, zoom.requests
    assert grants[0].query == {"grant_type": "account_credentials", "account_id": zoom.account_id}
    basic = base64.b64encode(f"{zoom.client_id}:{zoom.client_secret}".encode()).decode()
    assert grants[0].authorization == f"Basic {basic}"
    assert all(
        r.authorization == f"Bearer {zoom.access_token}"
        for r in zoom.requests
        if r.path.startswith("/v2/")
    )

    # the client gets Zoom's join link and nothing to host with
    meeting_id = meeting_with(zoom, appointment["video"]["clientJoinUrl"])
    join_url = zoom.meetings[meeting_id]["join_url"]
    assert appointment["video"] == {"clientJoinUrl": join_url, "hostUrl": None}
    read = await vapi.op("AppointmentVideo", {"id": appointment["id"]}, token=booking.client_token)
    assert read["appointment"]["video"] == {"clientJoinUrl": join_url, "hostUrl": None}
    # nothing asked Zoom for a start URL on the client's behalf
    assert since(zoom, mark, "GET", f"/v2/meetings/{meeting_id}") == []

    [confirmation] = await smtp.wait_for(booking.client_email, subject="booked")
    body = body_of(confirmation)
    assert f"Join: {join_url}" in body
    assert zoom.start_urls and not any(url in body for url in zoom.start_urls)
    assert "zak=" not in body


async def test_members_get_a_fresh_start_url_on_each_read(
    vapi: GraphQLClient, booking: Booking, zoom: FakeZoom
) -> None:
    type_id = await zoom_type(vapi, booking.practice)
    appointment = await book(
        vapi,
        booking,
        type_id,
        local(next_weekday(4, at_least_days=3), 12),
        token=booking.client_token,
    )
    join_url = appointment["video"]["clientJoinUrl"]
    meeting_id = meeting_with(zoom, join_url)
    mark = len(zoom.requests)
    owner = booking.practice.owner_token
    first = (await vapi.op("AppointmentVideo", {"id": appointment["id"]}, token=owner))[
        "appointment"
    ]["video"]
    second = (await vapi.op("AppointmentVideo", {"id": appointment["id"]}, token=owner))[
        "appointment"
    ]["video"]
    assert first["clientJoinUrl"] == second["clientJoinUrl"] == join_url
    gets = since(zoom, mark, "GET", f"/v2/meetings/{meeting_id}")
    assert len(gets) == 2
    assert [first["hostUrl"], second["hostUrl"]] == zoom.start_urls[-2:]
    assert first["hostUrl"] != second["hostUrl"]
    assert first["hostUrl"].startswith(f"https://zoom.example.test/s/{meeting_id}?zak=")
    # the client, reading the same appointment in between, still gets no host link
    mine = await vapi.op("AppointmentVideo", {"id": appointment["id"]}, token=booking.client_token)
    assert mine["appointment"]["video"] == {"clientJoinUrl": join_url, "hostUrl": None}
    assert len(since(zoom, mark, "GET", f"/v2/meetings/{meeting_id}")) == 2


async def test_reschedule_moves_the_meeting_and_cancel_deletes_it(
    vapi: GraphQLClient, booking: Booking, zoom: FakeZoom, smtp: Inbox
) -> None:
    type_id = await zoom_type(vapi, booking.practice)
    day = next_weekday(2, at_least_days=4)
    appointment = await book(vapi, booking, type_id, local(day, 9), token=booking.client_token)
    join_url = appointment["video"]["clientJoinUrl"]
    meeting_id = meeting_with(zoom, join_url)

    mark = len(zoom.requests)
    moved = (
        await vapi.op(
            "RescheduleAppointment",
            {"input": {"id": appointment["id"], "startsAt": local(day, 15)}},
            token=booking.client_token,
        )
    )["rescheduleAppointment"]
    assert moved["userErrors"] == []
    assert moved["appointment"]["video"] == {"clientJoinUrl": join_url, "hostUrl": None}
    [patch] = since(zoom, mark, "PATCH", f"/v2/meetings/{meeting_id}")
    assert patch.authorization == f"Bearer {zoom.access_token}"
    assert patch.body["start_time"] == zoom_time(local(day, 15))
    assert patch.body.get("duration", 45) == 45
    assert zoom.meetings[meeting_id]["start_time"] == zoom_time(local(day, 15))
    assert since(zoom, mark, "POST", "/v2/users/me/meetings") == []  # the same meeting
    [moved_mail] = await smtp.wait_for(booking.client_email, subject="moved")
    assert f"Join: {join_url}" in body_of(moved_mail)
    assert not any(url in body_of(moved_mail) for url in zoom.start_urls)

    mark = len(zoom.requests)
    cancelled = (
        await vapi.op(
            "CancelVideoAppointment",
            {"input": {"id": appointment["id"], "reason": "Provider unwell"}},
            token=booking.practice.owner_token,
        )
    )["cancelAppointment"]
    assert cancelled["userErrors"] == []
    assert cancelled["appointment"]["status"] == "CANCELLED"
    [delete] = since(zoom, mark, "DELETE", f"/v2/meetings/{meeting_id}")
    assert delete.authorization == f"Bearer {zoom.access_token}"
    assert meeting_id in zoom.deleted


async def test_a_cancelled_zoom_appointment_still_reads_without_a_host_link(
    vapi: GraphQLClient, booking: Booking, zoom: FakeZoom
) -> None:
    """Once its meeting is deleted, a practice still lists and opens the appointment."""
    type_id = await zoom_type(vapi, booking.practice)
    appointment = await book(
        vapi,
        booking,
        type_id,
        local(next_weekday(5, at_least_days=3), 12),
        token=booking.client_token,
    )
    owner = booking.practice.owner_token
    # the practice cancels from its calendar, with the answer its screens ask for
    result = await vapi.raw(
        documents()["CancelAppointment"], {"input": {"id": appointment["id"]}}, token=owner
    )
    assert "errors" not in result, result
    payload = result["data"]["cancelAppointment"]
    assert payload["userErrors"] == []
    assert payload["appointment"]["status"] == "CANCELLED"
    assert payload["appointment"]["video"]["hostUrl"] is None
    meeting_id = meeting_with(zoom, appointment["video"]["clientJoinUrl"])
    assert meeting_id in zoom.deleted
    read = await vapi.raw(documents()["AppointmentVideo"], {"id": appointment["id"]}, token=owner)
    assert "errors" not in read, read
    assert read["data"]["appointment"]["status"] == "CANCELLED"
    assert read["data"]["appointment"]["video"]["hostUrl"] is None


# --- built-in video (LiveKit) --------------------------------------------------------------


async def test_the_client_joins_the_built_in_room_shortly_before_the_start(
    vapi: GraphQLClient, booking: Booking
) -> None:
    starts = this_minute() + timedelta(minutes=10)  # 9 to 10 minutes from now
    appointment = await book_for_client(vapi, booking, starts)
    ends = datetime.fromisoformat(appointment["endsAt"])
    assert ends == starts + timedelta(minutes=60)

    payload, codes = await join_call(vapi, appointment["id"], booking.client_token)
    assert codes == [] and payload is not None
    assert payload["roomUrl"] == LIVEKIT_URL
    assert datetime.fromisoformat(payload["expiresAt"]) == ends
    claims = room_claims(payload["token"])
    assert claims["video"]["room"] == str(key(appointment["id"]))
    assert claims["video"].get("roomJoin") is True
    assert not claims["video"].get("roomAdmin")  # the client does not run the room
    assert claims["sub"] == str(key(booking.client_id))
    assert claims["iss"] == LIVEKIT_KEY
    assert abs(claims["exp"] - ends.timestamp()) <= 5

    # the provider hosts the same room
    payload, codes = await join_call(vapi, appointment["id"], booking.practice.owner_token)
    assert codes == [] and payload is not None
    host = room_claims(payload["token"])
    assert host["video"]["room"] == str(key(appointment["id"]))
    assert host["video"].get("roomAdmin") is True
    assert host["sub"] == str(key(booking.provider_id))
    assert abs(host["exp"] - ends.timestamp()) <= 5


async def test_the_room_is_open_from_fifteen_minutes_before_until_the_end(
    vapi: GraphQLClient, booking: Booking
) -> None:
    base = this_minute()
    kind = await make_type(vapi, booking.practice, name="Check-in", durationMinutes=15)
    ended = await book_for_client(vapi, booking, base - timedelta(minutes=60), kind)
    running = await book_for_client(vapi, booking, base - timedelta(minutes=10), kind)
    early = await book_for_client(vapi, booking, base + timedelta(minutes=17), kind)

    payload, codes = await join_call(vapi, running["id"], booking.client_token)
    assert codes == [] and payload is not None and payload["token"]
    assert datetime.fromisoformat(payload["expiresAt"]) == datetime.fromisoformat(running["endsAt"])
    assert (
        abs(room_claims(payload["token"])["exp"] - (base + timedelta(minutes=5)).timestamp()) <= 5
    )

    for appointment in (early, ended):
        payload, codes = await join_call(vapi, appointment["id"], booking.client_token)
        assert codes == ["VIDEO_NOT_OPEN"], (appointment, codes)
        assert payload is not None and payload["token"] is None and payload["roomUrl"] is None

    # a cancelled appointment has no room, even at its time
    cancelled = (
        await vapi.op(
            "CancelVideoAppointment",
            {"input": {"id": running["id"]}},
            token=booking.practice.owner_token,
        )
    )["cancelAppointment"]
    assert cancelled["userErrors"] == []
    _, codes = await join_call(vapi, running["id"], booking.client_token)
    assert codes == ["VIDEO_NOT_OPEN"]


async def test_only_a_signed_in_participant_joins(
    vapi: GraphQLClient, booking: Booking, smtp: Inbox
) -> None:
    appointment = await book_for_client(vapi, booking, this_minute() + timedelta(minutes=5))

    payload, codes = await join_call(vapi, appointment["id"], None)
    assert codes and set(codes) <= {"UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND"}, codes
    assert payload is None or payload["token"] is None

    _, _, other_token = await make_client_login(vapi, booking.practice, smtp, "Otto Other")
    payload, codes = await join_call(vapi, appointment["id"], other_token)
    assert codes and set(codes) <= {"FORBIDDEN", "NOT_FOUND"}, codes
    assert payload is None or payload["token"] is None

    other_practice = await booking_setup(vapi, smtp)
    payload, codes = await join_call(vapi, appointment["id"], other_practice.client_token)
    assert codes and set(codes) <= {"FORBIDDEN", "NOT_FOUND"}, codes
    assert payload is None or payload["token"] is None

    # an API key may read and even write appointments, but nobody joins a call as a key
    created = (
        await vapi.op(
            "CreateApiKey",
            {"input": {"name": "calendar sync", "scopes": ["appointments:write"]}},
            token=booking.practice.owner_token,
        )
    )["createApiKey"]
    assert created["userErrors"] == []
    secret = created["secret"]
    seen = await vapi.op("AppointmentVideo", {"id": appointment["id"]}, token=secret)
    assert seen["appointment"]["id"] == appointment["id"]
    payload, codes = await join_call(vapi, appointment["id"], secret)
    assert codes == ["FORBIDDEN"], codes
    assert payload is None or payload["token"] is None

    # the client it is for still gets in
    payload, codes = await join_call(vapi, appointment["id"], booking.client_token)
    assert codes == [] and payload is not None and payload["token"]
