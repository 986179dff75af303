"""The GraphiQL page and its files (carebase/graphiql.py): committed as the manifest and the
pinned npm versions say, served from this origin only, cached for a year, and in production
neither the page nor its files."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

from carebase.app import create_app
from carebase.config import Settings
from tests.conftest import make_settings
from tests.fixtures.smtp import Inbox

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "carebase" / "static" / "graphiql"
TOOLS = ROOT / "tools" / "graphiql"
HTML = {"Accept": "text/html"}
IDENTITY = {"Accept-Encoding": "identity"}


class Tags(HTMLParser):
    """Every tag's attributes, and the text inside script and style elements."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.inline: list[str] = []
        self._inside: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._inside = tag if tag in ("script", "style") else None

    def handle_endtag(self, tag: str) -> None:
        self._inside = None

    def handle_data(self, data: str) -> None:
        if self._inside and data.strip():
            self.inline.append(data)


async def page_tags(http: httpx.AsyncClient) -> tuple[httpx.Response, Tags]:
    response = await http.get("/graphql", headers=HTML)
    parsed = Tags()
    parsed.feed(response.text)
    return response, parsed


@pytest.fixture(scope="module")
async def production(
    settings: Settings, smtp: Inbox, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[httpx.AsyncClient]:
    prod = make_settings(
        Path(tmp_path_factory.mktemp("prod-graphiql")),
        smtp.port,
        CAREBASE_ENV="production",
        CAREBASE_SECRET_KEY=settings.secret_key.get_secret_value(),
        CAREBASE_DATABASE_URL=settings.database_url,
    )
    app = create_app(prod, run_jobs_in_process=False)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.8", 50000))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://carebase.test") as c:
            yield c
    finally:
        await app.state.runtime.dispose()
        await app.state.db.dispose()


def test_the_committed_files_are_the_manifests_at_the_pinned_versions() -> None:
    manifest = json.loads((STATIC / "manifest.json").read_text())
    declared = json.loads((TOOLS / "package.json").read_text())["dependencies"]
    locked = json.loads((TOOLS / "package-lock.json").read_text())["packages"]
    for package, version in manifest["packages"].items():
        assert declared[package] == version == locked[f"node_modules/{package}"]["version"]
    assert manifest["packages"]["graphiql"].startswith("3.8.")
    assert manifest["packages"]["react"].startswith("18.2.")
    assert manifest["packages"]["react-dom"].startswith("18.2.")
    for entry in manifest["files"]:
        body = (STATIC / entry["path"]).read_bytes()
        assert hashlib.sha256(body).hexdigest() == entry["sha256"], entry["path"]
        assert entry["path"] == f"{entry['package']}@{entry['version']}/{entry['file']}"
    listed = {entry["path"] for entry in manifest["files"]} | {"manifest.json"}
    committed = {
        path.relative_to(STATIC).as_posix() for path in STATIC.rglob("*") if path.is_file()
    }
    assert {path for path in committed if not path.startswith("page/")} == listed


async def test_the_page_loads_only_its_own_files_under_a_self_only_policy(
    http: httpx.AsyncClient,
) -> None:
    response, parsed = await page_tags(http)
    assert response.status_code == 200
    policy = {
        directive.split()[0]: set(directive.split()[1:])
        for directive in response.headers["content-security-policy"].split("; ")
    }
    assert policy["default-src"] == policy["script-src"] == policy["connect-src"] == {"'self'"}
    assert policy["style-src"] == {"'self'"}
    # fonts inside the stylesheet are data: URLs; nothing names another origin
    assert all(sources <= {"'self'", "'none'", "data:"} for sources in policy.values()), policy
    assert parsed.inline == [], "an inline script or style the policy would refuse"
    assert not any("style" in attrs for _, attrs in parsed.tags)
    urls = [
        attrs.get("src") or attrs.get("href")
        for tag, attrs in parsed.tags
        if tag in ("script", "link")
    ]
    assert [url for url in urls if url and url != "data:,"], urls
    for url in urls:
        assert url and (url == "data:," or url.startswith("/static/graphiql/")), url
    scripts = [attrs["src"] for tag, attrs in parsed.tags if tag == "script"]
    assert scripts[:3] == [
        "/static/graphiql/react@18.2.0/umd/react.production.min.js",
        "/static/graphiql/react-dom@18.2.0/umd/react-dom.production.min.js",
        "/static/graphiql/graphiql@3.8.3/graphiql.min.js",
    ]


async def test_each_file_is_served_as_committed_and_cached_for_a_year(
    http: httpx.AsyncClient,
) -> None:
    _, parsed = await page_tags(http)
    loaded = [
        (attrs.get("src") or attrs.get("href"), attrs["integrity"])
        for tag, attrs in parsed.tags
        if tag in ("script", "link") and attrs.get("integrity")
    ]
    assert len(loaded) == 6, loaded
    manifest = json.loads((STATIC / "manifest.json").read_text())
    committed = {f"/static/graphiql/{e['path']}": e["path"] for e in manifest["files"]}
    for url, integrity in loaded:
        assert url
        plain = await http.get(url, headers=IDENTITY)
        assert plain.status_code == 200, url
        assert "content-encoding" not in plain.headers
        cache = plain.headers["cache-control"]
        assert "immutable" in cache and "max-age=31536000" in cache, cache
        expected_type = "text/javascript" if url.endswith(".js") else "text/css"
        assert plain.headers["content-type"].startswith(expected_type), url
        digest = base64.b64encode(hashlib.sha384(plain.content).digest()).decode()
        assert integrity == f"sha384-{digest}", url
        if url in committed:
            assert plain.content == (STATIC / committed[url]).read_bytes(), url
        zipped = await http.get(url, headers={"Accept-Encoding": "gzip"})
        assert zipped.headers["content-encoding"] == "gzip"
        assert zipped.content == plain.content  # httpx decodes it
        assert int(zipped.headers["content-length"]) < len(plain.content)


@pytest.mark.parametrize(
    "path",
    [
        "/static/graphiql/graphiql@3.8.2/graphiql.min.js",
        "/static/graphiql/manifest.json",
        "/static/graphiql/page/start.js",
        "/static/graphiql/graphiql@3.8.3/../../../app.py",
        "/static/graphiql/%2e%2e/%2e%2e/app.py",
    ],
)
async def test_nothing_but_the_pages_files_is_served(http: httpx.AsyncClient, path: str) -> None:
    response = await http.get(path)
    assert response.status_code == 404, path
    assert "immutable" not in response.headers.get("cache-control", "")


async def test_production_serves_neither_the_page_nor_its_files(
    http: httpx.AsyncClient, production: httpx.AsyncClient
) -> None:
    _, parsed = await page_tags(http)
    scripts = [attrs["src"] for tag, attrs in parsed.tags if tag == "script"]
    assert scripts and (await http.get(str(scripts[0]))).status_code == 200
    assert (await production.get("/graphql", headers=HTML)).status_code == 404
    for url in scripts:
        assert (await production.get(str(url))).status_code == 404, url
