"""The one ASGI middleware that turns credentials into ``scope["principal"]``."""

from __future__ import annotations

import structlog
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from carebase.auth.identity import Authenticator, client_ip


class PrincipalMiddleware:
    def __init__(self, app: ASGIApp, authenticator: Authenticator) -> None:
        self.app = app
        self.authenticator = authenticator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            headers = Headers(scope=scope)
            peer = scope["client"][0] if scope.get("client") else None
            ip = client_ip(peer, headers.get("x-forwarded-for"), self.authenticator.settings)
            # WebSocket credentials come in connection_init; the handshake is anonymous
            if scope["type"] == "http":
                principal = await self.authenticator.resolve(
                    authorization=headers.get("authorization"),
                    publishable_key=headers.get("x-carebase-publishable-key"),
                    ip=ip,
                )
                scope["principal"] = principal
                if principal.organization_id is not None:
                    # the request's context (RequestContextMiddleware resets it after)
                    structlog.contextvars.bind_contextvars(
                        organization_id=str(principal.organization_id)
                    )
            scope["client_ip"] = ip
        await self.app(scope, receive, send)
