"""graphql-transport-ws: connection_init carries the credential in the shapes clients send
(graphql-ws' connectionParams as a flat map in any case, or Apollo's nested headers)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from starlette.applications import Starlette

from carebase.auth.connection_params import authorization_from
from tests.conftest import Practice
from tests.fixtures.live import Socket, serve, socket

SHAPES: dict[str, Callable[[str], dict[str, Any]]] = {
    "Authorization": lambda value: {"Authorization": value},
    "authorization": lambda value: {"authorization": value},
    "AUTHORIZATION": lambda value: {"AUTHORIZATION": value},
    "headers.Authorization": lambda value: {"headers": {"Authorization": value}},
    "headers.authorization": lambda value: {"headers": {"authorization": value}},
}


@pytest.fixture(scope="module")
async def live(app: Starlette) -> AsyncIterator[str]:
    async with serve(app) as address:
        yield address


async def init(ws: Socket, payload: dict[str, Any]) -> dict[str, Any]:
    await ws.send({"type": "connection_init", "payload": payload})
    return await ws.receive()


async def viewer_over(ws: Socket) -> dict[str, Any]:
    op = await ws.subscribe("query Me { viewer { __typename ... on Member { id } } }")
    message = await ws.receive()
    assert message["id"] == op and message["type"] == "next", message
    return message["payload"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("shape", SHAPES)
async def test_each_shape_signs_the_socket_in(practice: Practice, live: str, shape: str) -> None:
    async with socket(live) as ws:
        ack = await init(ws, SHAPES[shape](f"Bearer {practice.owner_token}"))
        assert ack["type"] == "connection_ack"
        payload = await viewer_over(ws)
        assert payload["data"]["viewer"] == {"__typename": "Member", "id": practice.owner["id"]}


@pytest.mark.parametrize("shape", SHAPES)
async def test_a_bad_token_in_each_shape_is_refused(live: str, shape: str) -> None:
    async with socket(live) as ws:
        await ws.send({"type": "connection_init", "payload": SHAPES[shape]("Bearer not-a-jwt")})
        assert await ws.closed_code() == 4403


@pytest.mark.parametrize(
    "payload",
    [{}, {"Authorization": 12}, {"headers": "Bearer x"}, {"headers": {"Authorization": ""}}],
)
async def test_no_usable_credential_is_refused(live: str, payload: dict[str, Any]) -> None:
    async with socket(live) as ws:
        await ws.send({"type": "connection_init", "payload": payload})
        assert await ws.closed_code() == 4403


def test_a_flat_value_wins_over_a_nested_one() -> None:
    both = {"authorization": "Bearer flat", "headers": {"Authorization": "Bearer nested"}}
    assert authorization_from(both) == "Bearer flat"
    assert authorization_from(None) is None
