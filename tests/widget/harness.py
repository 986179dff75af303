"""What the widget's browser tests stand on: a real `carebase serve`, a practice seeded
through its API (two providers, a type, the widget open to one host origin), and the
practice's own site: a tiny static server on another port that pastes the element in."""

from __future__ import annotations

import functools
import http.server
import json
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from carebase.widget_http import widget_documents
from tests.conftest import Practice, sign_up, unique_email
from tests.fixtures.browser import LOOPBACK, carebase_serve
from tests.fixtures.graphql import GraphQLClient
from tests.fixtures.scheduling import CHICAGO, make_type, set_hours

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
# the host page records what the widget tells it, before the module has loaded
RECORD_EVENTS = """
window.__carebase = [];
for (const name of ["ready", "slot-selected", "booked", "error", "rescheduled", "cancelled"]) {
  document.addEventListener("carebase:" + name, (event) => {
    window.__carebase.push({ type: event.type, detail: event.detail });
  });
}
"""


@asynccontextmanager
async def widget_serve(tmp: Path, smtp_port: int) -> AsyncIterator[str]:
    """`carebase serve` sending its email to the tests' SMTP server."""
    async with carebase_serve(
        tmp,
        CAREBASE_SMTP_URL=f"smtp://{LOOPBACK}:{smtp_port}",
        CAREBASE_EMAIL_FROM="Carebase <no-reply@carebase.test>",
    ) as base:
        yield base


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def static_site(directory: Path) -> Iterator[int]:
    """The practice's own website: plain files from ``directory`` on a port of its own."""
    handler = functools.partial(_Quiet, directory=str(directory))
    server = http.server.ThreadingHTTPServer((LOOPBACK, 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def host_page(directory: Path, name: str, base: str, element: str) -> str:
    """Writes a page of the practice's site that pastes the widget as a partner would."""
    (directory / name).write_text(
        f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Harbor Therapy: book</title>
<script>{RECORD_EVENTS}</script>
<script type="module" src="{base}/widget/carebase-booking.js"></script>
</head>
<body>
<main>
<h1>Harbor Therapy</h1>
{element}
</main>
</body>
</html>
""",
        encoding="utf-8",
    )
    return name


@dataclass
class Seeded:
    practice: Practice
    key: str
    owner_id: str
    other_provider_id: str
    type_id: str


async def seed(api: GraphQLClient, *, origins: list[str], open_booking: bool = True) -> Seeded:
    practice = await sign_up(api, "Harbor Therapy")
    invited = await api.op(
        "InviteMember",
        {"input": {"name": "Pia Provider", "email": unique_email("pia"), "role": "PROVIDER"}},
        token=practice.owner_token,
    )
    other = invited["inviteMember"]["member"]["id"]
    await set_hours(api, practice, practice.owner["id"])
    await set_hours(api, practice, other)
    type_id = await make_type(api, practice, name="First session")
    done = await api.op(
        "UpdatePortalSettings",
        {
            "input": {
                "bookingOutsidePortal": open_booking,
                "widgetOrigins": origins,
                "cancellationWindowHours": 24,
                "lateCancellationFeeCents": 2500,
            }
        },
        token=practice.owner_token,
    )
    assert done["updatePortalSettings"]["userErrors"] == [], done
    key = str(practice.organization["publishableKey"])
    return Seeded(practice, key, practice.owner["id"], other, type_id)


async def widget_op(api: GraphQLClient, key: str, name: str, variables: dict[str, Any]) -> Any:
    """A widget document run as the widget runs it: by its hash from the manifest."""
    response = await api.http.post(
        "/graphql",
        json={
            "operationName": name,
            "variables": variables,
            "extensions": {
                "persistedQuery": {"version": 1, "sha256Hash": widget_documents()[name]["sha256"]}
            },
        },
        headers={"X-Carebase-Publishable-Key": key},
    )
    body = response.json()
    assert not body.get("errors"), body
    return body["data"]


def bookable_days(count: int) -> list[date]:
    """Weekdays (in the practice's zone) two to six days ahead: inside the week the widget
    shows first, whatever today is."""
    today = datetime.now(CHICAGO).date()
    days = [today + timedelta(days=n) for n in range(2, 7)]
    weekdays = [d for d in days if d.isoweekday() <= 5]
    assert len(weekdays) >= count, weekdays
    return weekdays[:count]


def at(day: date, hour: int) -> str:
    """A start as the API answers it: ISO 8601 in UTC with its offset."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=CHICAGO).astimezone(UTC).isoformat()


def events_carry_no_details(events: list[dict[str, Any]], *details: str) -> None:
    text = json.dumps(events)
    for detail in details:
        assert detail not in text, f"an event carried the visitor's {detail!r}: {text}"
