"""The matrix's world, built once per module, and the app on a real socket for WebSockets."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from tests.fixtures.graphql import GraphQLClient
from tests.fixtures.live import serve
from tests.fixtures.smtp import Inbox
from tests.security.world import World, build_world, quiet

# an address of its own, so per-address limits count this suite's requests alone
SECURITY_PEER = ("198.51.100.41", 41000)


@pytest.fixture(scope="module")
async def security_api(app: Starlette) -> AsyncIterator[GraphQLClient]:
    transport = httpx.ASGITransport(app=app, client=SECURITY_PEER)
    async with httpx.AsyncClient(transport=transport, base_url="http://carebase.test") as http:
        yield GraphQLClient(http)


@pytest.fixture(scope="module")
async def world(security_api: GraphQLClient, app: Starlette, smtp: Inbox) -> World:
    built = await build_world(security_api, app, smtp)
    await quiet(built)
    return built


@pytest.fixture(scope="module")
async def security_live(app: Starlette) -> AsyncIterator[str]:
    async with serve(app) as address:
        yield address
