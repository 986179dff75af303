"""A local webhook receiver: answers scripted statuses and verifies every request with the
`standardwebhooks` package, against the app's clock (the tests move it)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError


class ClockedWebhook(Webhook):
    """Standard Webhooks verification, the 5-minute timestamp window taken from ``now``."""

    def __init__(self, secret: str, now: Callable[[], datetime]) -> None:
        super().__init__(secret)
        self._now = now

    def _Webhook__verify_timestamp(self, header: str) -> datetime:
        from datetime import UTC

        stamp = datetime.fromtimestamp(float(header), tz=UTC)
        if abs(stamp - self._now()) > timedelta(minutes=5):
            raise WebhookVerificationError("timestamp outside the 5-minute window")
        return stamp


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    verified: bool
    payload: Any


@dataclass
class Receiver:
    port: int
    statuses: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    secret: str | None = None
    now: Callable[[], datetime] | None = None
    # how many of the next requests get no answer until ``release`` is set (a hung receiver)
    hold: int = 0
    release: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/carebase"


@contextmanager
def receiver(now: Callable[[], datetime]) -> Iterator[Receiver]:
    state = Receiver(port=0, now=now)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            body = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            verified, payload = False, None
            if state.secret:
                try:
                    payload = ClockedWebhook(state.secret, now).verify(body, headers)
                    verified = True
                except WebhookVerificationError:
                    verified = False
            state.received.append(Received(headers, body, verified, payload))
            if state.hold > 0:
                state.hold -= 1
                state.release.wait(timeout=60)  # the sender gave up long before
            status = state.statuses.pop(0) if state.statuses else 200
            self.send_response(status)
            self.send_header("content-type", "text/plain")
            self.end_headers()
            self.wfile.write(f"answered {status}".encode())

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()
