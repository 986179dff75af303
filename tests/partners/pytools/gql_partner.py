"""A partner's Python app with `gql` (pytools/requirements.txt), run by test_gql.py.

Reads {url, wsUrl, token, query, mutation, subscription} as JSON on stdin (each operation a
{document, variables}); prints one JSON line per step. HTTP requests carry
``Authorization: Bearer <token>``; the WebSocket (graphql-transport-ws) sends it in
``connection_init`` as ``{"Authorization": "Bearer <token>"}``, as the README documents. The
documents are checked against the schema gql fetches by introspection, before they are sent.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from gql.transport.aiohttp import AIOHTTPTransport
from gql.transport.websockets import WebsocketsTransport

from gql import Client, gql


def say(**line: Any) -> None:
    print(json.dumps(line), flush=True)


def request(operation: dict[str, Any]) -> Any:
    document = gql(operation["document"])
    document.variable_values = operation.get("variables") or None
    return document


async def main() -> None:
    spec = json.load(sys.stdin)
    bearer = f"Bearer {spec['token']}"
    http = AIOHTTPTransport(url=spec["url"], headers={"Authorization": bearer})
    async with Client(transport=http, fetch_schema_from_transport=True) as session:
        say(step="query", result=await session.execute(request(spec["query"])))
        say(step="mutation", result=await session.execute(request(spec["mutation"])))
    ws = WebsocketsTransport(
        url=spec["wsUrl"],
        init_payload={"Authorization": bearer},
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
    )
    async with Client(transport=ws) as session:
        say(step="subscribing", subprotocol=ws.subprotocol)
        async for result in session.subscribe(request(spec["subscription"])):
            say(step="event", result=result)
            break


if __name__ == "__main__":
    asyncio.run(main())
