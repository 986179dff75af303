"""``availableSlots`` offers only what the caller could book: no slot for a client while the
portal takes no bookings or the type is the practice's to book, none for the widget while
booking outside the portal is off; members see every slot."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.fixtures.billing import portal_settings
from tests.fixtures.graphql import GraphQLClient, documents
from tests.fixtures.scheduling import Booking, booking_setup, make_type
from tests.fixtures.smtp import Inbox

START = datetime.now(UTC)


def _vars(b: Booking, type_id: str | None = None) -> dict[str, str]:
    return {
        "providerId": b.provider_id,
        "appointmentTypeId": type_id or b.type_id,
        "from": START.isoformat(),
        "to": (START + timedelta(days=14)).isoformat(),
    }


async def slots(
    api: GraphQLClient,
    b: Booking,
    *,
    token: str | None = None,
    type_id: str | None = None,
    **h: str,
) -> list[dict[str, Any]]:
    # the widget (a publishable key in ``h``) sends its own registered document
    name = "WidgetSlots" if h else "AvailableSlots"
    data = await api.op(name, _vars(b, type_id), token=token, headers=h or None)
    return data["availableSlots"]  # type: ignore[no-any-return]


async def book(api: GraphQLClient, b: Booking, starts_at: str, type_id: str) -> list[str]:
    data = await api.op(
        "BookAppointment",
        {
            "input": {
                "appointmentTypeId": type_id,
                "providerId": b.provider_id,
                "startsAt": starts_at,
            }
        },
        token=b.client_token,
    )
    return [e["code"] for e in data["bookAppointment"]["userErrors"]]


async def test_a_client_is_offered_nothing_the_portal_would_refuse(
    api: GraphQLClient, smtp: Inbox
) -> None:
    b = await booking_setup(api, smtp)
    owner = b.practice.owner_token
    offered = await slots(api, b, token=b.client_token)
    assert offered and offered == await slots(api, b, token=owner)

    await portal_settings(api, b.practice, clientsCanBook=False)
    assert await slots(api, b, token=b.client_token) == []
    assert await book(api, b, offered[0]["startsAt"], b.type_id) == ["BOOKING_DISABLED"]
    assert await slots(api, b, token=owner) == offered  # the practice still books for clients

    await portal_settings(api, b.practice, clientsCanBook=True)
    staff_only = await make_type(api, b.practice, name="Assessment", bookableByClients=False)
    assert await slots(api, b, token=b.client_token, type_id=staff_only) == []
    assert await book(api, b, offered[0]["startsAt"], staff_only) == ["BOOKING_DISABLED"]
    assert await slots(api, b, token=owner, type_id=staff_only) != []
    # what is offered books
    assert await book(api, b, offered[0]["startsAt"], b.type_id) == []


async def test_the_widget_is_offered_nothing_while_booking_outside_the_portal_is_off(
    api: GraphQLClient, smtp: Inbox
) -> None:
    b = await booking_setup(api, smtp)
    key = {"X-Carebase-Publishable-Key": b.practice.organization["publishableKey"]}
    assert await slots(api, b, **key) == []  # off by default
    await portal_settings(api, b.practice, bookingOutsidePortal=True)
    offered = await slots(api, b, **key)
    assert offered and offered == await slots(api, b, token=b.practice.owner_token)
    # independent of portal booking
    await portal_settings(api, b.practice, clientsCanBook=False)
    assert await slots(api, b, **key) == offered
    staff_only = await make_type(api, b.practice, name="Assessment", bookableByClients=False)
    result = await api.raw(documents()["WidgetSlots"], _vars(b, staff_only), headers=key)
    assert result["data"] is None  # a type clients may not book is not the widget's to show
    assert [e["extensions"]["code"] for e in result["errors"]] == ["NOT_FOUND"]
