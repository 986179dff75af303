"""graphql-ws (npm, pinned in tests/partners/js/package-lock.json) in Node against a fresh
`carebase serve`: connectionParams {Authorization: "Bearer …"}, a subscription to a
conversation, and a message the test sends arriving on it; a token the server refuses closes
the socket with 4403 instead."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.fixtures.graphql import documents
from tests.partners.conftest import JS, Partner, Served, Tool, node

pytestmark = pytest.mark.once


async def subscriber(served: Served, token: str, conversation_id: str) -> Tool:
    return await Tool.start(
        node(),
        str(JS / "subscribe.mjs"),
        served.ws_url,
        token,
        documents()["MessageReceived"],
        json.dumps({"conversationId": conversation_id}),
        cwd=JS,
    )


async def test_graphql_ws_receives_a_message_the_test_sends(
    served: Served, partner: Partner
) -> None:
    tool = await subscriber(served, partner.token, partner.conversation_id)
    try:
        assert await tool.line() == {"step": "connected", "protocol": "graphql-transport-ws"}
        body = f"live to graphql-ws {uuid.uuid4().hex[:8]}"

        async def send() -> None:
            await served.op(
                "SendMessage",
                {"input": {"conversationId": partner.conversation_id, "body": body}},
                partner.token,
            )

        event = await tool.until_line(send)
        assert event["step"] == "event", event
        assert "errors" not in event["result"], event
        message = event["result"]["data"]["messageReceived"]
        assert message["body"] == body
        assert message["sender"] == {
            "__typename": "Member",
            "id": partner.owner_id,
            "name": "Petra Partner",
        }
        assert await tool.finish() == []
    finally:
        tool.kill()


async def test_graphql_ws_with_a_refused_token_is_closed_4403(
    served: Served, partner: Partner
) -> None:
    tool = await subscriber(served, partner.token + "x", partner.conversation_id)
    try:
        line = await tool.line()
        assert line["step"] == "error" and line["code"] == 4403, line
    finally:
        tool.kill()
