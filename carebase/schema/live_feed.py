"""The pub/sub feed a live subscription listens to, and what happens when it breaks.

A feed that breaks (Redis restarted) has lost whatever was published meanwhile. Rather than
go on listening to a feed with a hole in it, the subscription closes its WebSocket with 1012
(service restart), as a web process does on a deploy: the client reconnects with `after:`
and the catch-up reads what it missed from the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.websockets import WebSocket, WebSocketState

from carebase import pubsub
from carebase.schema.context import Context

log = logging.getLogger("carebase.live")

FEED_LOST_CODE = 1012
FEED_LOST_REASON = "Live updates were interrupted: reconnect with after"
# how long a closed socket's operation waits to be cancelled by its handler
CLOSING_SECONDS = 30.0


async def _close(ctx: Context) -> bool:
    """Close the subscriber's socket; False when there is none (a subscription over HTTP)."""
    socket = ctx.request
    if not isinstance(socket, WebSocket):
        return False
    if socket.client_state is WebSocketState.CONNECTED:
        with contextlib.suppress(Exception):  # already closing under us
            await socket.close(code=FEED_LOST_CODE, reason=FEED_LOST_REASON)
    return True


@asynccontextmanager
async def live_feed(ctx: Context, channel: str) -> AsyncIterator[AsyncIterator[dict[str, Any]]]:
    """``pubsub.listen`` for a subscription: subscribed on entry; a lost feed, on entry or
    later, closes the socket (over HTTP the stream ends with the error) instead of missing
    events."""
    entered = False
    try:
        async with pubsub.current().listen(channel) as events:
            entered = True
            yield events
    except pubsub.FeedLost as lost:
        log.warning("live feed lost, closing the subscriber's socket: %s", lost)
        if not await _close(ctx):
            raise
        # the socket's handler cancels this operation once the socket is gone; anything
        # this operation sent now (its end, an error) would fail on the closed socket
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.Event().wait(), CLOSING_SECONDS)
        if not entered:
            raise
