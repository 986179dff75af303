"""Time moves by the clock the units of work share, not by sleeping or editing rows."""

from __future__ import annotations

from datetime import timedelta

from carebase.clock import SettableClock
from tests.conftest import PASSWORD, Practice, unique_email
from tests.fixtures.billing import attach_card, charge, new_client
from tests.fixtures.graphql import GraphQLClient


async def _signed_up(api: GraphQLClient) -> str:
    data = await api.op(
        "SignUpOrganization",
        {
            "input": {
                "organizationName": "Clockwork Care",
                "name": "Tess Time",
                "email": unique_email("clock"),
                "password": PASSWORD,
                "timezone": "Europe/Berlin",
            }
        },
    )
    payload = data["signUpOrganization"]
    assert payload["userErrors"] == []
    return str(payload["refreshToken"])


async def test_a_refresh_token_expires_after_thirty_days(
    api: GraphQLClient, clock: SettableClock
) -> None:
    refresh = await _signed_up(api)
    clock.advance(timedelta(days=29, hours=23))
    fresh = await api.op("RefreshToken", {"input": {"refreshToken": refresh}})
    assert fresh["refreshToken"]["userErrors"] == []
    newer = fresh["refreshToken"]["refreshToken"]
    clock.advance(timedelta(days=30, minutes=1))  # thirty days after the rotation
    expired = await api.op("RefreshToken", {"input": {"refreshToken": newer}})
    assert [e["code"] for e in expired["refreshToken"]["userErrors"]] == ["TOKEN_EXPIRED"]


async def test_an_idempotency_key_is_kept_for_a_day(
    api: GraphQLClient, practice: Practice, clock: SettableClock
) -> None:
    owner = practice.owner_token
    client_id = await new_client(api, practice)
    await attach_card(api, owner, client_id)
    first = await charge(api, owner, client_id, 2500, "day-key")
    assert first["userErrors"] == []
    clock.advance(timedelta(hours=23))
    reused = await charge(api, owner, client_id, 9900, "day-key")
    assert [e["code"] for e in reused["userErrors"]] == ["IDEMPOTENCY_KEY_REUSED"]
    clock.advance(timedelta(hours=2))  # 25 hours on: the key is free again
    again = await charge(api, owner, client_id, 9900, "day-key")
    assert again["userErrors"] == [], again
    assert again["payment"]["id"] != first["payment"]["id"]
    assert again["payment"]["amount"]["amountCents"] == 9900
