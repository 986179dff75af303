"""The booking widget in Debian's Chromium, pasted into a practice's own site (a second
origin) and calling a real `carebase serve` across origins: a visitor books in their time
zone with the page's UTM tags, a time taken meanwhile brings fresh times, the keyboard
alone books through the modal, the emailed manage link moves and cancels, a site not in
widgetOrigins is refused by the browser's CORS, and booking turned off is said politely.
Each step's screenshot lands in the folder the test prints; axe-core checks each page."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Locator, Page, async_playwright, expect

from carebase.widget_http import widget_documents
from tests.conftest import unique_email
from tests.fixtures.browser import CHROMIUM, CHROMIUM_ARGS, LOOPBACK, WATCH_VIOLATIONS
from tests.fixtures.graphql import GraphQLClient
from tests.fixtures.secrets import secret
from tests.fixtures.smtp import Inbox, body_of
from tests.widget.harness import (
    AXE,
    Seeded,
    at,
    bookable_days,
    events_carry_no_details,
    host_page,
    seed,
    static_site,
    widget_op,
    widget_serve,
)

WAIT = 20_000  # ms: what a slow shared machine may take to answer
MANAGE = re.compile(r"(http://[^\s]+/widget/manage\?token=[A-Za-z0-9_.\-]+)")
TOKYO = ZoneInfo("Asia/Tokyo")
# the deepest focused element, through the shadow roots
FOCUSED = """() => {
  let active = document.activeElement;
  while (active && active.shadowRoot && active.shadowRoot.activeElement) {
    active = active.shadowRoot.activeElement;
  }
  if (!active) return null;
  const style = getComputedStyle(active);
  return {
    tag: active.tagName.toLowerCase(),
    text: active.textContent.trim(),
    label: active.getAttribute("aria-label") || "",
    startsAt: active.getAttribute("data-starts-at") || "",
    name: active.getAttribute("name") || "",
    outline: style.outlineStyle + " " + style.outlineWidth,
  };
}"""

pytestmark = [
    pytest.mark.once,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's chromium is not at /usr/bin/chromium (apt-get install chromium)",
    ),
]


@pytest.fixture(scope="module")
def serve_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("widget-serve")


@pytest.fixture(scope="module")
async def served(serve_dir: Path, smtp: Inbox) -> AsyncIterator[str]:
    async with widget_serve(serve_dir, smtp.port) as base:
        yield base


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Any:
    directory = tmp_path_factory.mktemp("practice-site")
    with static_site(directory) as port:
        yield directory, port


@pytest.fixture(scope="module")
async def remote(served: str) -> AsyncIterator[GraphQLClient]:
    async with httpx.AsyncClient(base_url=served) as http:
        yield GraphQLClient(http)


@pytest.fixture(scope="module")
async def seeded(remote: GraphQLClient, site: Any) -> Seeded:
    return await seed(remote, origins=[f"http://{LOOPBACK}:{site[1]}"])


@pytest.fixture(scope="module")
def screens(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("widget-screenshots")
    print(f"\nwidget screenshots: {folder}")
    return folder


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            await launched.close()


async def new_page(
    browser: Browser, *, zone: str, width: int = 360, bypass_csp: bool = False
) -> tuple[BrowserContext, Page, list[str]]:
    context = await browser.new_context(
        timezone_id=zone,
        locale="en-US",
        viewport={"width": width, "height": 900},
        bypass_csp=bypass_csp,
    )
    page = await context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("dialog", lambda dialog: problems.append(f"a {dialog.type} dialog opened"))
    return context, page, problems


async def shot(page: Page, screens: Path, name: str) -> None:
    """A screenshot of the step, once the widget's text shows no value left unset."""
    for element in await page.locator("carebase-booking").all():
        shown = await element.locator(".panel").inner_text()
        assert not re.search(r"\b(null|undefined|NaN|Invalid Date)\b", shown), (name, shown)
    path = screens / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 0
    print(f"  {name}: {path}")


async def no_serious_violations(page: Page, where: str) -> None:
    assert AXE.is_file(), "run `npm ci --prefix tests/widget` first (.ci/run does)"
    await page.add_script_tag(path=str(AXE))
    results = await page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target)}))"
    )
    bad = [v for v in results if v["impact"] in ("serious", "critical")]
    assert bad == [], f"axe-core at {where}: {json.dumps(bad)}"


async def events(page: Page) -> list[dict[str, Any]]:
    recorded: list[dict[str, Any]] = await page.evaluate("window.__carebase")
    return recorded


def widget(page: Page) -> Locator:
    return page.locator("carebase-booking")


def heading(page: Page) -> Locator:
    return widget(page).locator("h2")


def slot(page: Page, starts_at: str) -> Locator:
    return widget(page).locator(f'button[data-starts-at="{starts_at}"]')


def spoken(text: str | None) -> str:
    """Intl puts narrow no-break spaces before AM/PM: compare as a reader sees it."""
    return re.sub(r"\s+", " ", (text or "").replace("\u202f", " ")).strip()


def clock_label(iso: str, zone: ZoneInfo) -> str:
    moment = datetime.fromisoformat(iso).astimezone(zone)
    return f"{moment.hour % 12 or 12}:{moment:%M} {'AM' if moment.hour < 12 else 'PM'}"


def hashes_only(page: Page, sent: list[dict[str, Any]]) -> None:
    def record(request: Any) -> None:
        if request.url.endswith("/graphql") and request.method == "POST":
            sent.append(request.post_data_json)

    page.on("request", record)


async def member_view(remote: GraphQLClient, seeded: Seeded, appointment_id: str) -> Any:
    seen = await remote.raw(
        "query($id: ID!) { appointment(id: $id) { startsAt status metadata provider { id } } }",
        {"id": appointment_id},
        token=seeded.practice.owner_token,
    )
    assert not seen.get("errors"), seen
    return seen["data"]["appointment"]


async def test_a_visitor_books_in_their_time_zone_and_the_practice_sees_the_utm_tags(
    browser: Browser,
    served: str,
    site: Any,
    seeded: Seeded,
    remote: GraphQLClient,
    screens: Path,
    serve_dir: Path,
) -> None:
    directory, port = site
    day = bookable_days(1)[0]
    starts = at(day, 10)
    name = secret("Vera Visitor", "name")
    email = unique_email("visitor")
    page_name = host_page(
        directory,
        "inline.html",
        served,
        f'<carebase-booking publishable-key="{seeded.key}"></carebase-booking>',
    )
    context, page, problems = await new_page(browser, zone="Asia/Tokyo")
    sent: list[dict[str, Any]] = []
    hashes_only(page, sent)
    try:
        await page.goto(
            f"http://{LOOPBACK}:{port}/{page_name}?utm_source=newsletter&utm_campaign=spring"
        )
        await expect(heading(page)).to_have_text("Who would you like to see?", timeout=WAIT)
        await shot(page, screens, "01-providers")
        await widget(page).get_by_role("button", name="Any available provider").click()
        await expect(heading(page)).to_have_text("Choose a time", timeout=WAIT)
        await expect(widget(page).locator('[part="zone-name"]')).to_contain_text(
            "Japan Standard Time (Asia/Tokyo)"
        )
        # 10:00 in Chicago is the next day's 1:00 AM in Tokyo, listed under that day
        tokyo = datetime.fromisoformat(starts).astimezone(TOKYO)
        assert spoken(await slot(page, starts).text_content()) == clock_label(starts, TOKYO)
        assert spoken(await slot(page, starts).get_attribute("aria-label")).startswith(
            f"{tokyo:%A}, {tokyo:%B} {tokyo.day}, "
        )
        await expect(widget(page).get_by_role("status").first).to_contain_text(
            "open from", timeout=WAIT
        )
        await no_serious_violations(page, "the week of times")
        await shot(page, screens, "02-slots-tokyo")
        # the visitor switches to the practice's zone
        await widget(page).get_by_label("Time zone").select_option("America/Chicago")
        await expect(widget(page).locator('[part="zone-name"]')).to_contain_text("Central")
        assert spoken(await slot(page, starts).text_content()) == "10:00 AM"
        await shot(page, screens, "03-slots-chicago")

        await slot(page, starts).click()
        await expect(heading(page)).to_have_text("Your details", timeout=WAIT)
        timer = widget(page).locator('[part="timer"]')
        await expect(timer).to_have_text(re.compile(r"^[45]:\d\d$"))
        await widget(page).get_by_label("Your name").fill(name)
        await widget(page).get_by_label("Email").fill(email)
        await widget(page).get_by_label("Phone (optional)").fill("+1 312 555 0188")
        await no_serious_violations(page, "the details form")
        await shot(page, screens, "04-details-held")
        await widget(page).get_by_role("button", name="Book appointment").click()
        await expect(heading(page)).to_have_text("You're booked", timeout=WAIT)
        confirmation = widget(page).locator('[part="confirmation"]')
        await expect(confirmation).to_contain_text("What happens next")
        await expect(confirmation).to_contain_text("reschedule or cancel")
        await expect(confirmation).to_contain_text("reminder")
        await no_serious_violations(page, "the confirmation")
        await shot(page, screens, "05-booked")
        told = await events(page)
    finally:
        await context.close()

    assert problems == [], problems
    kinds = [e["type"] for e in told]
    assert kinds == ["carebase:ready", "carebase:slot-selected", "carebase:booked"], told
    booked = told[-1]["detail"]
    assert booked["startsAt"] == starts and booked["providerId"] == seeded.owner_id
    assert set(booked) == {"appointmentId", "appointmentTypeId", "providerId", "startsAt", "endsAt"}
    events_carry_no_details(told, name, email, "555")
    # every call was a registered document, sent by its hash alone
    registered = {entry["sha256"] for entry in widget_documents().values()}
    assert sent and all("query" not in body for body in sent), sent
    assert {body["extensions"]["persistedQuery"]["sha256Hash"] for body in sent} <= registered
    appointment = await member_view(remote, seeded, booked["appointmentId"])
    assert appointment["startsAt"] == starts and appointment["status"] == "BOOKED"
    assert appointment["metadata"] == {"utm_source": "newsletter", "utm_campaign": "spring"}
    # the server's log never names the visitor
    logged = (serve_dir / "serve.log").read_text()
    assert '"POST /graphql HTTP/1.1" 200' in logged, "the server logged no request"
    for detail in (name, email, "312 555 0188"):
        assert detail not in logged, f"serve.log has the visitor's {detail!r}"


async def test_a_time_taken_meanwhile_brings_fresh_times(
    browser: Browser, served: str, site: Any, seeded: Seeded, remote: GraphQLClient, screens: Path
) -> None:
    directory, port = site
    day = bookable_days(2)[1]
    taken, still_open = at(day, 11), at(day, 12)
    page_name = host_page(
        directory,
        "one-provider.html",
        served,
        f'<carebase-booking publishable-key="{seeded.key}" provider="{seeded.owner_id}">'
        "</carebase-booking>",
    )
    context, page, problems = await new_page(browser, zone="America/Chicago")
    try:
        await page.goto(f"http://{LOOPBACK}:{port}/{page_name}")
        await expect(slot(page, taken)).to_be_visible(timeout=WAIT)
        # someone else books that time while this visitor looks
        other = await widget_op(
            remote,
            seeded.key,
            "WidgetBook",
            {
                "input": {
                    "appointmentTypeId": seeded.type_id,
                    "providerId": seeded.owner_id,
                    "startsAt": taken,
                    "client": {"name": "Otto Other", "email": unique_email("other")},
                }
            },
        )
        assert other["bookAppointmentPublic"]["userErrors"] == [], other
        await slot(page, taken).click()
        await expect(widget(page).get_by_role("alert")).to_contain_text(
            "that time was just taken", timeout=WAIT
        )
        await expect(slot(page, taken)).to_have_count(0)
        await expect(slot(page, still_open)).to_be_visible()
        await expect(heading(page)).to_have_text("Choose a time")
        await shot(page, screens, "06-slot-taken-fresh-times")
        told = await events(page)
    finally:
        await context.close()
    assert problems == [], problems
    refused = {"type": "carebase:error", "detail": {"code": "SLOT_UNAVAILABLE", "step": "hold"}}
    assert refused in told


async def press_tab_until(page: Page, wanted: Any, limit: int = 80) -> dict[str, Any]:
    for _ in range(limit):
        await page.keyboard.press("Tab")
        focused = await page.evaluate(FOCUSED)
        if focused and wanted(focused):
            return dict(focused)
    raise AssertionError(f"Tab never reached it; last focus: {focused}")


async def test_the_keyboard_alone_books_through_the_modal(
    browser: Browser, served: str, site: Any, seeded: Seeded, remote: GraphQLClient, screens: Path
) -> None:
    directory, port = site
    day = bookable_days(3)[2]
    starts = at(day, 13)
    email = unique_email("keys")
    page_name = host_page(
        directory,
        "modal.html",
        served,
        f'<carebase-booking publishable-key="{seeded.key}" mode="modal" theme="dark">'
        "</carebase-booking>",
    )
    context, page, problems = await new_page(browser, zone="America/Chicago")
    try:
        await page.goto(f"http://{LOOPBACK}:{port}/{page_name}")
        await expect(widget(page).locator('[part="trigger"]')).to_be_visible(timeout=WAIT)
        await expect(heading(page)).to_have_text("Who would you like to see?", timeout=WAIT)
        await press_tab_until(page, lambda f: f["text"] == "Book an appointment")
        await page.keyboard.press("Enter")
        await expect(widget(page).locator("dialog")).to_be_visible()
        await press_tab_until(page, lambda f: f["text"] == "Any available provider")
        await page.keyboard.press("Enter")
        await expect(slot(page, starts)).to_be_visible(timeout=WAIT)
        focused = await press_tab_until(page, lambda f: f["startsAt"] == starts)
        assert not focused["outline"].startswith("none"), focused  # focus is visible
        await shot(page, screens, "07-keyboard-slot-focused")
        await page.keyboard.press("Enter")
        await expect(heading(page)).to_have_text("Your details", timeout=WAIT)
        await press_tab_until(page, lambda f: f["name"] == "name")
        await page.keyboard.type("Kim Keys")
        await page.keyboard.press("Tab")
        await page.keyboard.type(email)
        await press_tab_until(page, lambda f: f["text"] == "Book appointment")
        await shot(page, screens, "08-keyboard-details")
        await page.keyboard.press("Enter")
        await expect(heading(page)).to_have_text("You're booked", timeout=WAIT)
        await no_serious_violations(page, "the modal's confirmation (dark theme)")
        await shot(page, screens, "09-keyboard-booked")
        await page.keyboard.press("Escape")
        await expect(widget(page).locator("dialog")).to_be_hidden()
        told = await events(page)
    finally:
        await context.close()
    assert problems == [], problems
    booked = [e["detail"] for e in told if e["type"] == "carebase:booked"]
    assert [b["startsAt"] for b in booked] == [starts]
    appointment = await member_view(remote, seeded, booked[0]["appointmentId"])
    assert appointment["startsAt"] == starts


async def test_the_emailed_manage_link_reschedules_and_cancels(
    browser: Browser, served: str, seeded: Seeded, remote: GraphQLClient, smtp: Inbox, screens: Path
) -> None:
    day = bookable_days(3)[2]
    first, moved = at(day, 9), at(day, 15)
    email = unique_email("manage")
    made = await widget_op(
        remote,
        seeded.key,
        "WidgetBook",
        {
            "input": {
                "appointmentTypeId": seeded.type_id,
                "providerId": seeded.other_provider_id,
                "startsAt": first,
                "client": {"name": "Mona Manage", "email": email},
            }
        },
    )
    assert made["bookAppointmentPublic"]["userErrors"] == [], made
    appointment_id = made["bookAppointmentPublic"]["appointment"]["id"]
    [mail] = await smtp.wait_for(email, subject="booked")
    found = MANAGE.search(body_of(mail))
    assert found, body_of(mail)
    link = secret(found.group(1), "manage link")
    assert link.startswith(f"{served}/widget/manage?token=")

    context, page, problems = await new_page(browser, zone="America/Chicago", bypass_csp=True)
    try:
        await page.goto(link)
        await expect(heading(page)).to_have_text("Your appointment", timeout=WAIT)
        await expect(widget(page).locator('[part="status"]')).to_have_text("Booked")
        await expect(widget(page).locator('[part="rules"]')).to_contain_text(
            "You can change or cancel online until"
        )
        await expect(widget(page).locator('[part="rules"]')).to_contain_text("$25.00")
        await no_serious_violations(page, "the manage view")
        await shot(page, screens, "10-manage")
        await widget(page).get_by_role("button", name="Reschedule").click()
        await expect(heading(page)).to_have_text("Choose a new time", timeout=WAIT)
        await slot(page, moved).click()
        await expect(heading(page)).to_have_text("Move your appointment?")
        await shot(page, screens, "11-manage-confirm-move")
        await widget(page).get_by_role("button", name="Move appointment").click()
        await expect(widget(page).locator('[part="notice"]')).to_contain_text(
            "Your appointment is moved", timeout=WAIT
        )
        await expect(widget(page).locator(f'dd[data-starts-at="{moved}"]')).to_be_visible()
        await shot(page, screens, "12-manage-moved")
        assert (await member_view(remote, seeded, appointment_id))["startsAt"] == moved

        await widget(page).get_by_role("button", name="Cancel appointment").click()
        await expect(heading(page)).to_have_text("Cancel your appointment?")
        await widget(page).get_by_role("button", name="Yes, cancel it").click()
        await expect(widget(page).locator('[part="status"]')).to_have_text(
            "Cancelled", timeout=WAIT
        )
        await expect(widget(page).get_by_role("button", name="Reschedule")).to_have_count(0)
        await shot(page, screens, "13-manage-cancelled")
    finally:
        await context.close()
    assert problems == [], problems
    assert (await member_view(remote, seeded, appointment_id))["status"] == "CANCELLED"


async def test_a_site_not_in_widget_origins_is_refused_by_cors_and_the_widget_says_so(
    browser: Browser, served: str, site: Any, seeded: Seeded, screens: Path
) -> None:
    directory, port = site
    page_name = host_page(
        directory,
        "elsewhere.html",
        served,
        f'<carebase-booking publishable-key="{seeded.key}"></carebase-booking>',
    )
    context, page, problems = await new_page(browser, zone="Europe/Berlin")
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    try:
        # the same files from another origin (localhost is not 127.0.0.1 to a browser)
        await page.goto(f"http://localhost:{port}/{page_name}")
        await expect(widget(page).get_by_role("alert")).to_contain_text(
            "could not reach the booking service", timeout=WAIT
        )
        await shot(page, screens, "14-origin-refused")
        told = await events(page)
    finally:
        await context.close()
    assert problems == [], problems
    assert any("CORS" in line for line in console), console
    assert {"type": "carebase:error", "detail": {"code": "NETWORK", "step": "profile"}} in told


async def test_with_booking_outside_the_portal_off_the_widget_says_so_politely(
    browser: Browser, served: str, site: Any, remote: GraphQLClient, screens: Path
) -> None:
    directory, port = site
    closed = await seed(remote, origins=[f"http://{LOOPBACK}:{port}"], open_booking=False)
    page_name = host_page(
        directory,
        "closed.html",
        served,
        f'<carebase-booking publishable-key="{closed.key}" '
        'contact="Call us on 312 555 0100 to book."></carebase-booking>',
    )
    context, page, problems = await new_page(browser, zone="America/Chicago")
    try:
        await page.goto(f"http://{LOOPBACK}:{port}/{page_name}")
        await expect(heading(page)).to_have_text("Online booking is not available", timeout=WAIT)
        message = widget(page).locator('[part="closed"]')
        await expect(message).to_contain_text("Harbor Therapy is not taking online bookings")
        await expect(message).to_contain_text("Call us on 312 555 0100 to book.")
        await no_serious_violations(page, "booking turned off")
        await shot(page, screens, "15-booking-off")
    finally:
        await context.close()
    assert problems == [], problems


async def test_the_demo_page_runs_under_its_policy_and_several_widgets_share_a_page(
    browser: Browser, served: str, site: Any, seeded: Seeded, screens: Path
) -> None:
    context, page, problems = await new_page(browser, zone="America/Chicago", width=1024)
    await context.add_init_script(WATCH_VIOLATIONS)
    try:
        await page.goto(f"{served}/widget/demo?key={seeded.key}")
        await expect(heading(page)).to_have_text("Who would you like to see?", timeout=WAIT)
        await shot(page, screens, "16-demo-page")
        violations = await page.evaluate("window.__violations")
    finally:
        await context.close()
    assert problems == [] and violations == [], (problems, violations)

    directory, port = site
    page_name = host_page(
        directory,
        "two-widgets.html",
        served,
        f'<carebase-booking id="inline" publishable-key="{seeded.key}" theme="light"'
        f' provider="{seeded.owner_id}"></carebase-booking>\n'
        f'<carebase-booking id="floating" publishable-key="{seeded.key}" mode="floating"'
        ' theme="auto" appointment-type="First session" provider="Pia Provider"'
        ' button-text="Book with Pia"></carebase-booking>',
    )
    context, page, problems = await new_page(browser, zone="America/Chicago", width=1024)
    try:
        await page.goto(f"http://{LOOPBACK}:{port}/{page_name}")
        inline, floating = page.locator("#inline"), page.locator("#floating")
        await expect(inline.locator("h2")).to_have_text("Choose a time", timeout=WAIT)
        trigger = floating.get_by_role("button", name="Book with Pia")
        await expect(trigger).to_be_visible()
        await trigger.click()
        await expect(floating.locator("dialog h2")).to_have_text("Choose a time", timeout=WAIT)
        # each lists its own provider's times
        pia = floating.locator("button[data-provider-id]").first
        olive = inline.locator("button[data-provider-id]").first
        assert await pia.get_attribute("data-provider-id") == seeded.other_provider_id
        assert await olive.get_attribute("data-provider-id") == seeded.owner_id
        await shot(page, screens, "17-two-widgets-floating-open")
        told = await events(page)
    finally:
        await context.close()
    assert problems == [], problems
    assert [e["type"] for e in told] == ["carebase:ready", "carebase:ready"], told


async def test_when_the_hold_runs_out_the_widget_says_so_and_offers_the_times_again(
    browser: Browser, served: str, site: Any, seeded: Seeded, screens: Path
) -> None:
    directory, port = site
    day = bookable_days(2)[1]
    starts = at(day, 14)
    page_name = host_page(
        directory,
        "hold.html",
        served,
        f'<carebase-booking publishable-key="{seeded.key}" provider="{seeded.other_provider_id}"'
        ' name="Hal Hold"></carebase-booking>',
    )
    context, page, problems = await new_page(browser, zone="America/Chicago")
    # the page's clock, moved on by the test: the countdown runs on it
    await context.clock.install()
    try:
        await page.goto(f"http://{LOOPBACK}:{port}/{page_name}")
        await expect(slot(page, starts)).to_be_visible(timeout=WAIT)
        await slot(page, starts).click()
        await expect(heading(page)).to_have_text("Your details", timeout=WAIT)
        # prefilled from the attribute
        await expect(widget(page).get_by_label("Your name")).to_have_value("Hal Hold")
        await page.clock.fast_forward("04:10")
        await expect(widget(page).get_by_role("status").first).to_have_text(
            "One minute left to finish booking this time."
        )
        await page.clock.fast_forward("01:00")
        await expect(heading(page)).to_have_text("Your hold ran out")
        await shot(page, screens, "18-hold-ran-out")
        await widget(page).get_by_role("button", name="Choose another time").click()
        await expect(heading(page)).to_have_text("Choose a time", timeout=WAIT)
        told = await events(page)
    finally:
        await context.close()
    assert problems == [], problems
    expired = {"type": "carebase:error", "detail": {"code": "HOLD_EXPIRED", "step": "details"}}
    assert expired in told
