"""The soak's webhook receiver: verifies each delivery's signature, fails a share of them
with 503 and holds a share for a while (so a worker can be killed while one is in flight),
and keeps what it accepted in arrival order; plus which process holds a connection to it."""

from __future__ import annotations

import asyncio
import json
import os
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web
from standardwebhooks import Webhook, WebhookVerificationError


@dataclass
class Accepted:
    message_id: str
    resource: str
    timestamp: str
    type: str


@dataclass
class Receiver:
    fail_share: float = 0.2
    hold_share: float = 0.25
    hold_seconds: float = 1.5
    secret: str = ""
    accepted: list[Accepted] = field(default_factory=list)
    failed: int = 0
    bad_signatures: int = 0
    # the client ports of requests being held right now
    held: set[int] = field(default_factory=set)
    port: int = 0
    _runner: web.AppRunner | None = None

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        try:
            Webhook(self.secret).verify(body, {k.lower(): v for k, v in request.headers.items()})
        except WebhookVerificationError:
            self.bad_signatures += 1
            return web.Response(status=400)
        event: dict[str, Any] = json.loads(body)
        fail = random.random() < self.fail_share
        if random.random() < self.hold_share:
            peer = request.transport.get_extra_info("peername") if request.transport else None
            port = int(peer[1]) if peer else 0
            self.held.add(port)
            try:
                await asyncio.sleep(self.hold_seconds)
            finally:
                self.held.discard(port)
        if fail:
            self.failed += 1
            return web.Response(status=503, text="soak: failing on purpose")
        self.accepted.append(
            Accepted(
                request.headers["webhook-id"],
                event["data"]["id"],
                event["timestamp"],
                event["type"],
            )
        )
        return web.Response(status=204)

    async def start(self, port: int) -> str:
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.port = port
        return f"http://127.0.0.1:{port}/hook"

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    def first_arrivals(self) -> list[Accepted]:
        """Each event once, where it first arrived (a redelivery after a lost answer repeats it)."""
        seen: set[str] = set()
        found = []
        for a in self.accepted:
            if a.message_id not in seen:
                seen.add(a.message_id)
                found.append(a)
        return found

    def out_of_order(self) -> int:
        """Events that arrived after a later event of the same resource."""
        newest: dict[str, str] = {}
        late = 0
        for a in self.first_arrivals():
            if a.resource in newest and a.timestamp < newest[a.resource]:
                late += 1
            else:
                newest[a.resource] = a.timestamp
        return late


def _socket_inodes(local_ports: set[int]) -> set[str]:
    """Inodes of the loopback TCP sockets whose local port is one of ``local_ports``."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            port = int(parts[1].rsplit(":", 1)[1], 16)
            if port in local_ports:
                found.add(parts[9])
    return found


def holds_connection(pid: int, client_ports: set[int]) -> bool:
    """Whether process ``pid`` owns one of the client ends (by port) of the held requests."""
    inodes = _socket_inodes(client_ports)
    if not inodes:
        return False
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for fd in fds:
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:[") and target[8:-1] in inodes:
            return True
    return False
