"""GraphiQL in Debian's Chromium against a real `carebase serve`, with the network cut: the
page loads from the server alone, a signed-in query typed into the editor runs, and its
result shows in the result pane."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.async_api import Page, Route, async_playwright

from tests.conftest import PASSWORD, unique_email
from tests.fixtures.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    LOOPBACK,
    WATCH_VIOLATIONS,
    carebase_serve,
)
from tests.fixtures.waiting import eventually

QUERY_EDITOR = ".graphiql-query-editor .CodeMirror"
HEADERS_EDITOR = ".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror"
RESULT = ".result-window .CodeMirror"

pytestmark = [
    pytest.mark.once,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's chromium is not at /usr/bin/chromium (apt-get install chromium)",
    ),
]


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[str]:
    """`carebase serve` in development, on a fresh SQLite file; yields its base URL."""
    async with carebase_serve(tmp_path) as base:
        yield base


async def sign_up(base: str, name: str) -> str:
    async with httpx.AsyncClient() as http:
        response = await http.post(
            f"{base}/graphql",
            json={
                "query": "mutation($i: SignUpOrganizationInput!) { signUpOrganization(input: $i) "
                "{ accessToken userErrors { code } } }",
                "variables": {
                    "i": {
                        "organizationName": "Offline Practice",
                        "name": name,
                        "email": unique_email("graphiql"),
                        "password": PASSWORD,
                        "timezone": "Europe/Berlin",
                    }
                },
            },
        )
    payload = response.json()["data"]["signUpOrganization"]
    assert payload["userErrors"] == [], payload
    token: str = payload["accessToken"]
    return token


async def editor_text(page: Page, selector: str) -> str:
    text: str = await page.eval_on_selector(selector, "element => element.CodeMirror.getValue()")
    return text


async def _result_naming(page: Page, name: str) -> str | None:
    text = await editor_text(page, RESULT)
    return text if name in text else None


async def type_into(page: Page, selector: str, text: str) -> None:
    """Click into a CodeMirror editor, select all and type over it, as a person would."""
    await page.click(selector)
    await page.keyboard.press("Control+A")
    await page.keyboard.press("Delete")
    await page.keyboard.type(text)
    # the editors close brackets and quotes themselves; typing the closing one steps over it
    assert await editor_text(page, selector) == text


async def test_graphiql_runs_a_query_with_the_network_cut(served: str, tmp_path: Path) -> None:
    name = "Gwen Offline"
    token = await sign_up(served, name)
    requested: list[str] = []
    refused: list[str] = []

    async def cut_the_network(route: Route) -> None:
        if urlsplit(route.request.url).hostname == LOOPBACK:
            await route.continue_()
        else:
            refused.append(route.request.url)
            await route.abort("internetdisconnected")

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            context = await browser.new_context()
            context.on("request", lambda request: requested.append(request.url))
            await context.route("**/*", cut_the_network)
            await context.add_init_script(WATCH_VIOLATIONS)
            page = await context.new_page()
            page.on("websocket", lambda socket: requested.append(socket.url))
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))

            await page.goto(f"{served}/graphql")
            await page.wait_for_selector(QUERY_EDITOR, timeout=30_000)
            query = "{ viewer { ... on Member { name } } }"
            await type_into(page, QUERY_EDITOR, query)
            await page.click('.graphiql-editor-tools button[data-name="headers"]')
            await type_into(page, HEADERS_EDITOR, f'{{"Authorization": "Bearer {token}"}}')
            await page.click(".graphiql-execute-button")
            # polled from here: the page's CSP refuses wait_for_function's eval, as it should
            shown = await eventually(
                lambda: _result_naming(page, name), timeout=30, message="no result shown"
            )
            result = json.loads(shown)
            screenshot = tmp_path / "graphiql.png"
            await page.screenshot(path=str(screenshot))
            print(f"GraphiQL screenshot: {screenshot}")
            violations = await page.evaluate("window.__violations")
        finally:
            await browser.close()

    assert result["data"] == {"viewer": {"name": name}}, result
    assert errors == [] and violations == [], (errors, violations)
    assert refused == [], f"the page asked for third-party URLs: {refused}"
    assert requested, "no request was recorded"
    assert {urlsplit(url).hostname for url in requested} == {LOOPBACK}, requested
    loaded = {urlsplit(url).path for url in requested}
    assert "/static/graphiql/graphiql@3.8.3/graphiql.min.js" in loaded, loaded
    assert screenshot.stat().st_size > 0
