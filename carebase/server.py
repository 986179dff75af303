"""How `carebase serve` runs uvicorn: deadlines for slow clients, capped concurrency.

uvicorn has no deadline for a request's head: a client that sends half a header line and
then trickles a byte now and then holds a connection for as long as it likes. The protocol
below closes a connection whose head (or body) is not in by its deadline.
"""

from __future__ import annotations

import asyncio
import gc
import socket
from types import FrameType
from typing import Any, Protocol

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from carebase.config import Settings

# a request allocates tens of thousands of short-lived objects (a page of nodes): the young
# generation is collected every this many allocations instead of CPython's 700
GC_GEN0_THRESHOLD = 50_000

TIMEOUT_RESPONSE = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"content-length: 16\r\nconnection: close\r\n\r\nRequest Timeout\n"
)


class DeadlineHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, with a deadline for each request's head and body."""

    head_timeout: float = 10.0
    body_timeout: float = 30.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._expire)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expire(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        if self.cycle is None or not self.cycle.response_started or self.cycle.response_complete:
            self.transport.write(TIMEOUT_RESPONSE)  # no response is under way on it
        self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(self.head_timeout)  # the first request's head, from the first byte on

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._deadline is None:  # a keep-alive connection's next request
            self._arm(self.head_timeout)

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        self._arm(self.body_timeout)

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._disarm()

    def handle_websocket_upgrade(self) -> None:
        self._disarm()  # the socket has its own ping and message limits from here on
        super().handle_websocket_upgrade()


def protocol_for(settings: Settings) -> type[DeadlineHttpProtocol]:
    return type(
        "CarebaseHttpProtocol",
        (DeadlineHttpProtocol,),
        {
            "head_timeout": settings.request_head_timeout_seconds,
            "body_timeout": settings.request_body_timeout_seconds,
        },
    )


def uvicorn_config(app: Any, settings: Settings, **options: Any) -> uvicorn.Config:
    """The uvicorn settings every Carebase web process runs with."""
    defaults: dict[str, Any] = {
        "http": protocol_for(settings),
        "ws": "websockets-sansio",
        "ws_max_size": settings.max_body_bytes,  # a socket carries no more than HTTP does
        "limit_concurrency": settings.max_concurrency,
        "proxy_headers": False,  # X-Forwarded-For is judged by CAREBASE_TRUSTED_PROXIES
        "server_header": False,
        "log_level": "info",
        # on SIGTERM: stop accepting, let in-flight requests finish (up to this), close
        # WebSockets with 1012 (service restart), then the app's own shutdown
        "timeout_graceful_shutdown": settings.shutdown_grace_seconds,
    }
    defaults.update(options)
    return uvicorn.Config(app, **defaults)


class Drains(Protocol):
    draining: bool


class DrainingServer(uvicorn.Server):
    """uvicorn's server, marking the app not ready (``/readyz`` 503) as soon as it is told to
    stop, so a proxy that still probes it takes it out of rotation while it drains."""

    def __init__(self, config: uvicorn.Config, *, readiness: Drains) -> None:
        super().__init__(config)
        self.readiness = readiness

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self.readiness.draining = True
        super().handle_exit(sig, frame)

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        tune_gc()


def tune_gc() -> None:
    """For a web process once it has started: what start-up made (modules, the schema, the
    pools) is frozen out of the collector's sight, so no collection walks it again, and the
    young generation is collected less often."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(GC_GEN0_THRESHOLD, middle, old)
