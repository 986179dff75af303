"""Python `gql` (aiohttp over HTTP, websockets over WebSocket) against a fresh `carebase
serve`: a query with variables, a mutation and a subscription receiving a real chat message,
authenticated as the README documents, with the documents of gql/operations/ validated by gql
against the schema it introspects."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.fixtures.graphql import documents
from tests.partners.conftest import PYTOOLS, Partner, Served, Tool, pytools_python

pytestmark = pytest.mark.once


async def test_gql_queries_mutates_and_subscribes(served: Served, partner: Partner) -> None:
    body = f"from gql {uuid.uuid4().hex[:8]}"
    spec = {
        "url": served.url,
        "wsUrl": served.ws_url,
        "token": partner.token,
        "query": {"document": documents()["ClientDetails"], "variables": {"id": partner.client_id}},
        "mutation": {
            "document": documents()["SendMessage"],
            "variables": {"input": {"conversationId": partner.conversation_id, "body": body}},
        },
        "subscription": {
            "document": documents()["MessageReceived"],
            "variables": {"conversationId": partner.conversation_id},
        },
    }
    tool = await Tool.start(
        pytools_python(),
        str(PYTOOLS / "gql_partner.py"),
        cwd=PYTOOLS,
        stdin=json.dumps(spec).encode(),
    )
    try:
        query = await tool.line()
        assert query["step"] == "query"
        client = query["result"]["client"]
        assert client["id"] == partner.client_id and client["name"] == "Carla Client"

        mutation = await tool.line()
        assert mutation["step"] == "mutation"
        sent = mutation["result"]["sendMessage"]
        assert sent["userErrors"] == [] and sent["message"]["body"] == body
        assert sent["message"]["sender"] == {
            "__typename": "Member",
            "id": partner.owner_id,
            "name": "Petra Partner",
        }

        subscribing = await tool.line()
        assert subscribing == {"step": "subscribing", "subprotocol": "graphql-transport-ws"}
        live = f"live to gql {uuid.uuid4().hex[:8]}"

        async def send() -> None:
            await served.op(
                "SendMessage",
                {"input": {"conversationId": partner.conversation_id, "body": live}},
                partner.token,
            )

        event = await tool.until_line(send)
        assert event["step"] == "event"
        assert event["result"]["messageReceived"]["body"] == live
        assert event["result"]["messageReceived"]["sender"]["id"] == partner.owner_id
        assert await tool.finish() == []
    finally:
        tool.kill()
