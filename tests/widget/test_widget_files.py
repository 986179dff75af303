"""The widget's files as the package serves them: the documents module is the manifest's
widget documents (never a hand-made copy), every module the element imports is served,
the modules hold none of what the issue rules out, and the profile says whether booking
is open."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import httpx
from graphql import OperationDefinitionNode, parse

from carebase.config import Settings
from tests.fixtures.graphql import GraphQLClient
from tests.fixtures.scheduling import booking_setup
from tests.fixtures.smtp import Inbox

ROOT = Path(__file__).resolve().parents[2]
WIDGET_DOCUMENTS = ROOT / "gql" / "operations" / "widget"
MANIFEST = ROOT / "gql" / "operations" / "manifest.json"
FILES = ROOT / "carebase" / "widget"
IMPORT = re.compile(r"""(?:from|import)\s*["'](\./[a-z0-9-]+\.js)["']""")
# what the issue rules out: posting to other windows, alert boxes, Date.toString(),
# HTML built from strings, and any request to a third party
RULED_OUT = {
    "postMessage": re.compile(r"postMessage"),
    "alert()": re.compile(r"\b(alert|confirm|prompt)\("),
    "Date.toString()": re.compile(r"\.toString\(\)|toLocaleString\(\)|toUTCString\(\)"),
    "innerHTML": re.compile(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write"),
    "a URL of elsewhere": re.compile(r"https?://"),
}


def operations_in_widget_folder() -> set[str]:
    names = set()
    for path in WIDGET_DOCUMENTS.glob("*.graphql"):
        for definition in parse(path.read_text()).definitions:
            if isinstance(definition, OperationDefinitionNode) and definition.name:
                names.add(definition.name.value)
    return names


async def test_the_documents_module_is_the_manifests_widget_documents(
    http: httpx.AsyncClient,
) -> None:
    served = await http.get("/widget/documents.js")
    assert served.status_code == 200
    assert served.headers["content-type"].startswith("text/javascript")
    assert served.headers["access-control-allow-origin"] == "*"
    table = json.loads(served.text.split("Object.freeze(", 1)[1].rsplit(");", 1)[0])
    assert set(table) == operations_in_widget_folder()
    manifest = json.loads(MANIFEST.read_text())
    for name, entry in table.items():
        # the manifest marks the widget's entries; the module carries what the page sends
        assert manifest[name]["widget"] is True
        assert entry == {key: manifest[name][key] for key in entry}
        assert hashlib.sha256(entry["document"].encode()).hexdigest() == entry["sha256"]
    etag = served.headers["etag"]
    again = await http.get("/widget/documents.js", headers={"if-none-match": etag})
    assert again.status_code == 304


async def test_every_module_the_element_imports_is_served_and_none_holds_what_is_ruled_out(
    http: httpx.AsyncClient,
) -> None:
    pending, seen = ["./carebase-booking.js"], set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        response = await http.get(f"/widget/{name[2:]}")
        assert response.status_code == 200, name
        assert response.headers["content-type"].startswith("text/javascript"), name
        if name != "./documents.js":
            for rule, pattern in RULED_OUT.items():
                assert not pattern.search(response.text), f"{name} has {rule}"
        pending.extend(IMPORT.findall(response.text))
    shipped = {f"./{path.name}" for path in FILES.glob("*.js")}
    assert shipped | {"./documents.js"} == seen, "a module is shipped but never imported"


async def test_the_profile_says_whether_visitors_may_book(api: GraphQLClient, smtp: Inbox) -> None:
    b = await booking_setup(api, smtp)
    key = {"X-Carebase-Publishable-Key": b.practice.organization["publishableKey"]}
    before = await api.op("WidgetProfile", headers=key)
    assert before["publicBookingProfile"]["bookingOpen"] is False
    opened = await api.op(
        "UpdatePortalSettings",
        {"input": {"bookingOutsidePortal": True}},
        token=b.practice.owner_token,
    )
    assert opened["updatePortalSettings"]["userErrors"] == []
    after = await api.op("WidgetProfile", headers=key)
    assert after["publicBookingProfile"]["bookingOpen"] is True


async def test_the_pages_point_the_element_at_the_public_url(
    http: httpx.AsyncClient, api: GraphQLClient, smtp: Inbox, settings: Settings
) -> None:
    b = await booking_setup(api, smtp)
    page = await http.get("/widget/demo", params={"key": b.practice.organization["publishableKey"]})
    assert f'api="{settings.public_url}"' in page.text
    policy = page.headers["content-security-policy"]
    connect = next(part for part in policy.split("; ") if part.startswith("connect-src"))
    assert connect.split()[1:] == ["'self'", settings.public_url.rstrip("/")]
    manage = await http.get("/widget/manage", params={"token": "not-a-token"})
    assert manage.status_code == 200
    assert 'view="manage"' in manage.text and f'api="{settings.public_url}"' in manage.text
