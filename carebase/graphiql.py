"""The development GraphiQL page and its files, all served from the package.

The npm packages' browser builds are committed under ``static/graphiql/`` (listed with their
sha256 in its ``manifest.json``; ``tools/graphiql/assets.py`` keeps them the pinned ones), so
the page works without internet. Every file's URL changes with its content (the package's
version, or a digest for our own), so each can be cached for a year. The page's CSP allows
'self' only: nothing is loaded from, or sent to, anywhere else.
"""

from __future__ import annotations

import base64
import functools
import gzip
import hashlib
import html
import json
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

STATIC = Path(__file__).parent / "static" / "graphiql"
PREFIX = "/static/graphiql/"
CACHE_FOREVER = "public, max-age=31536000, immutable"
# the stylesheet's fonts are data: URLs inside it, which no third party sees
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "font-src 'self' data:",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)
MEDIA_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}
OWN_FILES = (("page/page.css", "style"), ("page/start.js", "script"))


@dataclass(frozen=True)
class Asset:
    url: str
    kind: str  # "script", "style" or "license" (served, not loaded)
    body: bytes

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES.get(Path(self.url).suffix, "text/plain; charset=utf-8")

    @property
    def integrity(self) -> str:
        return "sha384-" + base64.b64encode(hashlib.sha384(self.body).digest()).decode()

    @functools.cached_property
    def gzipped(self) -> bytes:
        return gzip.compress(self.body, compresslevel=6, mtime=0)


@functools.cache
def assets() -> tuple[Asset, ...]:
    """The manifest's files, then ours, in the order the page loads them."""
    manifest = json.loads((STATIC / "manifest.json").read_text())
    found = [
        Asset(PREFIX + entry["path"], entry["kind"], (STATIC / entry["path"]).read_bytes())
        for entry in manifest["files"]
    ]
    for path, kind in OWN_FILES:
        body = (STATIC / path).read_bytes()
        folder, name = path.split("/")
        digest = hashlib.sha256(body).hexdigest()[:16]
        found.append(Asset(f"{PREFIX}{folder}@{digest}/{name}", kind, body))
    return tuple(found)


@functools.cache
def _by_url() -> dict[str, Asset]:
    return {asset.url: asset for asset in assets()}


@functools.cache
def page_html() -> str:
    tags: dict[str, list[str]] = {"style": [], "script": []}
    for asset in assets():
        url, integrity = html.escape(asset.url), asset.integrity
        if asset.kind == "style":
            tags["style"].append(f'<link rel="stylesheet" href="{url}" integrity="{integrity}">')
        elif asset.kind == "script":
            tags["script"].append(f'<script src="{url}" integrity="{integrity}"></script>')
    head = "\n    ".join(tags["style"])
    scripts = "\n    ".join(tags["script"])
    return f"""<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Carebase GraphiQL</title>
    <link rel="icon" href="data:,">
    {head}
  </head>
  <body>
    <div id="graphiql">Loading…</div>
    <noscript>GraphiQL needs JavaScript.</noscript>
    {scripts}
  </body>
</html>
"""


def page() -> HTMLResponse:
    return HTMLResponse(page_html(), headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY})


async def serve_asset(request: Request) -> Response:
    asset = _by_url().get(request.url.path)
    if asset is None:
        return Response("Not Found", status_code=404, media_type="text/plain")
    headers = {"Cache-Control": CACHE_FOREVER, "Vary": "Accept-Encoding"}
    body = asset.body
    if "gzip" in request.headers.get("accept-encoding", ""):
        body = asset.gzipped
        headers["Content-Encoding"] = "gzip"
    return Response(body, media_type=asset.media_type, headers=headers)


def routes() -> list[BaseRoute]:
    """Mounted in development only, beside the page."""
    return [Route(PREFIX + "{path:path}", serve_asset, methods=["GET", "HEAD"])]
