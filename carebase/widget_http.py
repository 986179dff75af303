"""The booking widget at the edge: its files and pages under ``/widget``, and CORS that lets
the sites an organization lists (``widgetOrigins``) call the API beside
``CAREBASE_ALLOWED_ORIGINS``.

The widget is plain ES modules shipped in the package (``carebase/widget/``): no build step.
Its pages (the demo and the manage view) may be framed by the same origins only, through
``frame-ancestors``; they load nothing from anywhere else.
"""

from __future__ import annotations

import contextvars
import functools
import hashlib
import html
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from carebase.config import Settings
from carebase.db import Database
from carebase.resolvers.core.checks import ORIGIN_RE
from carebase.resolvers.org import widget_origins
from carebase.resolvers.scheduling.manage_tokens import appointment_of

FILES = Path(__file__).parent / "widget"
MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
# the files change with the package: browsers revalidate them (ETag) rather than keep stale ones
REVALIDATE = "public, max-age=300, must-revalidate"

_widget_origin: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "carebase_widget_origin", default=None
)


class WidgetCORSMiddleware(CORSMiddleware):
    """Starlette's CORS, where an allowed origin is also one an organization lists for its
    widget (looked up once per request, cached a few seconds)."""

    def __init__(self, app: ASGIApp, *, db: Database, **options: Any) -> None:
        super().__init__(app, **options)
        self.db = db

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        origin = Headers(scope=scope).get("origin") if scope["type"] == "http" else None
        token = None
        if origin and not super().is_allowed_origin(origin) and await self._listed(origin):
            token = _widget_origin.set(origin)
        try:
            await super().__call__(scope, receive, send)
        finally:
            if token is not None:
                _widget_origin.reset(token)

    def is_allowed_origin(self, origin: str) -> bool:
        return super().is_allowed_origin(origin) or _widget_origin.get() == origin

    async def _listed(self, origin: str) -> bool:
        if not ORIGIN_RE.fullmatch(origin):
            return False
        async with self.db.unit_of_work() as uow:
            return await widget_origins.is_widget_origin(uow, origin)


@functools.cache
def _file(name: str) -> tuple[bytes, str] | None:
    path = (FILES / name).resolve()
    if path.parent != FILES.resolve() or not path.is_file() or path.suffix not in MEDIA_TYPES:
        return None
    body = path.read_bytes()
    return body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


async def widget_file(request: Request) -> Response:
    found = _file(request.path_params["name"])
    if found is None:
        return Response("Not found", status_code=404, media_type="text/plain")
    body, etag = found
    headers = {
        "ETag": etag,
        "Cache-Control": REVALIDATE,
        # the element is loaded by the practices' own sites
        "Access-Control-Allow-Origin": "*",
        "Cross-Origin-Resource-Policy": "cross-origin",
    }
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(
        body, media_type=MEDIA_TYPES[Path(request.path_params["name"]).suffix], headers=headers
    )


def content_security_policy(ancestors: Sequence[str]) -> str:
    framers = " ".join(["'self'", *ancestors])
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            # the element styles its shadow root with its own <style>
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
            f"frame-ancestors {framers}",
        ]
    )


def _page(title: str, body: str, ancestors: Sequence[str]) -> HTMLResponse:
    document = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<link rel="stylesheet" href="/widget/page.css">
<script type="module" src="/widget/carebase-booking.js"></script>
</head>
<body>
<main>
{body}
</main>
</body>
</html>
"""
    return HTMLResponse(
        document,
        headers={
            "Content-Security-Policy": content_security_policy(ancestors),
            "Cache-Control": "no-store",
        },
    )


def _attribute(value: str) -> str:
    return html.escape(value, quote=True)


def routes(settings: Settings, db: Database) -> list[BaseRoute]:
    async def demo(request: Request) -> Response:
        key = request.query_params.get("key", "").strip()
        async with db.unit_of_work() as uow:
            listed = await widget_origins.origins_for_key(uow, key) if key else None
        if listed is None:
            return _page(
                "Booking",
                "<h1>Booking</h1><p>This link needs a practice's publishable key "
                "(<code>?key=pk_…</code>).</p>",
                settings.allowed_origins,
            )
        extra = "".join(
            f' {name}="{_attribute(request.query_params[name])}"'
            for name in ("provider", "appointment-type", "theme", "mode", "timezone")
            if request.query_params.get(name)
        )
        body = (
            "<h1>Book an appointment</h1>\n"
            f'<carebase-booking publishable-key="{_attribute(key)}"'
            f' api-url="{_attribute(settings.public_url)}"{extra}></carebase-booking>'
        )
        return _page("Book an appointment", body, [*settings.allowed_origins, *listed])

    async def manage(request: Request) -> Response:
        token = request.query_params.get("token", "").strip()
        named = appointment_of(settings, token) if token else None
        listed: list[str] = []
        key = ""
        if named is not None:
            async with db.unit_of_work() as uow:
                key, listed = await widget_origins.widget_of_organization(uow, named[0])
        body = (
            "<h1>Your appointment</h1>\n"
            f'<carebase-booking view="manage" manage-token="{_attribute(token)}"'
            f' publishable-key="{_attribute(key)}"'
            f' api-url="{_attribute(settings.public_url)}"></carebase-booking>'
        )
        return _page("Your appointment", body, [*settings.allowed_origins, *listed])

    return [
        Route("/widget/demo", demo, methods=["GET"]),
        Route("/widget/manage", manage, methods=["GET"]),
        Route("/widget/{name:str}", widget_file, methods=["GET"]),
    ]
