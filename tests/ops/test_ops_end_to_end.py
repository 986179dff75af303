"""Issue #13's "Done when", tried as a new user would, over the HTTP API: an ops lead (an
admin) reads no-show rates by provider and revenue by month over activity made through the
API (bookings, a no-show, a card charge at the fake Stripe server), then exports the audit log
with the real ``carebase audit export`` command and finds the reads just made; a partner with
a ``webhooks:write`` key registers an endpoint on a local receiver that verifies every
signature with `standardwebhooks`, hears signed events for a booking and a payment, sees the
delivery its receiver failed (500) retried once the clock moves, and redelivers one."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from starlette.applications import Starlette

from carebase.audit_export import COLUMNS
from carebase.clock import SettableClock
from tests.conftest import Practice, sign_up, unique_email
from tests.fixtures.billing import attach_card, charge, invited_member, past_start, set_status
from tests.fixtures.graphql import GraphQLClient
from tests.fixtures.scheduling import CHICAGO, make_type, set_hours
from tests.fixtures.secrets import secret
from tests.fixtures.smtp import Inbox
from tests.fixtures.waiting import eventually
from tests.reports.test_report_access import api_key
from tests.test_cli import CAREBASE, clean_env
from tests.webhooks.receiver import Receiver, receiver


@pytest.fixture
def hook(clock: SettableClock) -> Iterator[Receiver]:
    with receiver(clock.now) as r:
        yield r


async def new_client(api: GraphQLClient, practice: Practice, name: str) -> str:
    data = await api.op(
        "CreateClient",
        {"input": {"name": secret(name, "name"), "email": unique_email("ops")}},
        token=practice.owner_token,
    )
    assert data["createClient"]["userErrors"] == [], data
    return str(data["createClient"]["client"]["id"])


async def book(
    api: GraphQLClient, practice: Practice, type_id: str, provider: str, client: str, at: str
) -> str:
    data = await api.op(
        "BookAppointment",
        {
            "input": {
                "appointmentTypeId": type_id,
                "providerId": provider,
                "clientId": client,
                "startsAt": at,
                "overrideAvailability": True,  # earlier today: the visits already happened
            }
        },
        token=practice.owner_token,
    )
    assert data["bookAppointment"]["userErrors"] == [], data
    return str(data["bookAppointment"]["appointment"]["id"])


async def deliveries(api: GraphQLClient, token: str, endpoint_id: str) -> list[dict[str, Any]]:
    data = await api.op("WebhookDeliveries", {"endpointId": endpoint_id}, token=token)
    return [e["node"] for e in data["webhookDeliveries"]["edges"]]


async def delivery_of(
    api: GraphQLClient, token: str, endpoint_id: str, event_type: str, status: str, attempts: int
) -> dict[str, Any]:
    """The endpoint's one delivery of ``event_type`` once it has settled in ``status`` after
    ``attempts`` recorded attempts (the receiver hears an attempt before the job records it:
    the clock moves only once it is recorded)."""

    async def settled() -> dict[str, Any] | None:
        found = [
            d
            for d in await deliveries(api, token, endpoint_id)
            if d["eventType"] == event_type
            and d["status"] == status
            and len(d["attempts"]) == attempts
        ]
        return found[0] if found else None

    return await eventually(settled, timeout=30)


def heard(hook: Receiver, webhook_id: str) -> list[Any]:
    return [r for r in hook.received if r.headers["webhook-id"] == webhook_id]


async def test_an_ops_lead_reads_reports_and_exports_the_audit_log_and_a_partner_hears_webhooks(
    app: Starlette, api: GraphQLClient, clock: SettableClock, hook: Receiver, smtp: Inbox
) -> None:
    practice = await sign_up(api, "Lakeside Ops")
    owner_id = practice.owner["id"]
    admin_id, ops_lead = await invited_member(api, smtp, practice, "ADMIN")
    provider_id, provider_token = await invited_member(api, smtp, practice, "PROVIDER")
    for member in (owner_id, provider_id):
        await set_hours(api, practice, member)
    type_id = await make_type(api, practice, priceCents=None)

    # the partner: a key with webhooks:write only, an endpoint on the local receiver
    partner = await api_key(api, practice, ["webhooks:write"])
    created = (
        await api.op(
            "CreateWebhookEndpoint",
            {
                "input": {
                    "url": hook.url,
                    "events": ["APPOINTMENT_BOOKED", "PAYMENT_SUCCEEDED"],
                    "description": "partner CRM",
                }
            },
            token=partner,
        )
    )["createWebhookEndpoint"]
    assert created["userErrors"] == [], created
    assert created["secret"].startswith("whsec_")
    hook.secret = secret(created["secret"], "webhook secret")
    endpoint_id = str(created["webhookEndpoint"]["id"])

    # the first booking's delivery meets a receiver answering 500 once
    hook.statuses = [500]
    ada_id = await new_client(api, practice, "Ada Moss")
    first = await book(api, practice, type_id, owner_id, ada_id, past_start(0, 4))
    failed = await delivery_of(api, partner, endpoint_id, "APPOINTMENT_BOOKED", "RETRYING", 1)
    assert [a["responseStatus"] for a in failed["attempts"]] == [500]
    assert failed["nextAttemptAt"] is not None

    # the rest of the day: the owner's second visit is a no-show, the provider's occurred
    ben_id = await new_client(api, practice, "Ben Lund")
    cal_id = await new_client(api, practice, "Cal Ito")
    no_show = await book(api, practice, type_id, owner_id, ben_id, past_start(0, 2))
    seen = await book(api, practice, type_id, provider_id, cal_id, past_start(0, 3))
    await set_status(api, practice.owner_token, first, "OCCURRED")
    await set_status(api, practice.owner_token, no_show, "NO_SHOW")
    await set_status(api, practice.owner_token, seen, "OCCURRED")
    payer = await new_client(api, practice, "Dee Payer")
    await attach_card(api, practice.owner_token, payer)
    paid = await charge(api, practice.owner_token, payer, 12000, description="Session")
    assert paid["userErrors"] == [] and paid["payment"]["status"] == "SUCCEEDED", paid
    paid_at = clock.now().astimezone(CHICAGO)  # the month the revenue report files it under

    # --- the ops lead ---------------------------------------------------------------------
    today = clock.now().astimezone(CHICAGO).date()
    week = {"from": (today - timedelta(days=6)).isoformat(), "to": today.isoformat()}
    by_provider = (
        await api.op("AppointmentReport", {**week, "groupBy": "PROVIDER"}, token=ops_lead)
    )["appointmentReport"]
    rows = {r["key"]: r for r in by_provider["rows"]}
    assert rows[owner_id]["label"] == "Olive Owner"
    assert (rows[owner_id]["occurred"], rows[owner_id]["noShow"]) == (1, 1)
    assert rows[owner_id]["noShowRate"] == 0.5
    assert (rows[provider_id]["occurred"], rows[provider_id]["noShow"]) == (1, 0)
    assert rows[provider_id]["noShowRate"] == 0
    assert by_provider["total"]["noShowRate"] == pytest.approx(1 / 3)

    months = {"from": (today - timedelta(days=62)).isoformat(), "to": today.isoformat()}
    revenue = (await api.op("RevenueReport", {**months, "groupBy": "MONTH"}, token=ops_lead))[
        "revenueReport"
    ]
    by_month = {r["key"]: r for r in revenue["rows"]}
    this_month = by_month[f"{paid_at:%Y-%m}"]
    assert this_month["gross"]["amountCents"] == 12000
    assert this_month["net"]["amountCents"] == 12000 and this_month["payments"] == 1
    assert revenue["total"]["gross"]["amountCents"] == 12000

    # the no-show is followed up: its appointment and client opened, each an audited read
    opened = await api.op("Appointment", {"id": no_show}, token=ops_lead)
    assert opened["appointment"]["status"] == "NO_SHOW"
    await api.op("ClientDetails", {"id": ben_id}, token=ops_lead)

    # a provider is refused the reports; the partner's key is refused them too
    for token in (provider_token, partner):
        answer = await api.raw(
            "query($f: Date!, $t: Date!) { appointmentReport(from: $f, to: $t, groupBy: PROVIDER)"
            " { total { booked } } }",
            {"f": week["from"], "t": week["to"]},
            token=token,
        )
        assert [e["extensions"]["code"] for e in answer["errors"]] == ["FORBIDDEN"]

    # the real command, as ops would run it; awaited, so the app's worker goes on meanwhile
    command = [CAREBASE, "audit", "export", "--from", week["from"], "--to", "2100-01-01"]
    exporting = await asyncio.create_subprocess_exec(
        *command,
        "--organization",
        practice.id,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=clean_env(CAREBASE_DATABASE_URL=app.state.settings.database_url),
    )
    out, err = await asyncio.wait_for(exporting.communicate(), timeout=120)
    assert exporting.returncode == 0, err.decode()
    exported = out.decode()
    table = list(csv.reader(io.StringIO(exported, newline=""), strict=True))
    assert table[0] == list(COLUMNS)
    lines = [dict(zip(COLUMNS, r, strict=True)) for r in table[1:]]
    assert {line["organization_id"] for line in lines} == {practice.id}
    reads = {
        (line["resource"], line["resource_id"], line["client_id"])
        for line in lines
        if line["action"] == "read" and line["actor_id"] == admin_id
    }
    assert ("appointment", no_show, ben_id) in reads
    assert ("client", ben_id, ben_id) in reads
    assert "Ben Lund" not in exported  # ids only: no names in the file

    # --- the partner ----------------------------------------------------------------------
    booked = await delivery_of(api, partner, endpoint_id, "APPOINTMENT_BOOKED", "SUCCEEDED", 1)
    payment = await delivery_of(api, partner, endpoint_id, "PAYMENT_SUCCEEDED", "SUCCEEDED", 1)
    [payment_heard] = heard(hook, payment["eventId"])
    assert payment_heard.verified
    assert payment_heard.payload["type"] == "payment.succeeded"
    assert payment_heard.payload["data"]["id"] == paid["payment"]["id"]
    assert booked["eventId"] != failed["eventId"]
    [booked_heard] = heard(hook, booked["eventId"])
    assert booked_heard.verified and booked_heard.payload["type"] == "appointment.booked"

    # the failed delivery is retried once the clock passes its next attempt
    clock.advance(timedelta(minutes=10))
    retried = await delivery_of(api, partner, endpoint_id, "APPOINTMENT_BOOKED", "SUCCEEDED", 2)
    assert retried["id"] == failed["id"]
    assert [a["responseStatus"] for a in retried["attempts"]] == [500, 200]
    tries = heard(hook, failed["eventId"])
    assert len(tries) == 2 and all(t.verified for t in tries)
    assert tries[0].payload["data"]["id"] == first
    stamps = [int(t.headers["webhook-timestamp"]) for t in tries]
    assert stamps[1] - stamps[0] >= 600  # signed afresh at each attempt

    # the partner redelivers the payment's: a new attempt, the same webhook-id, signed now
    again = await api.op(
        "RedeliverWebhook", {"input": {"deliveryId": payment["id"]}}, token=partner
    )
    assert again["redeliverWebhook"]["userErrors"] == [], again
    await delivery_of(api, partner, endpoint_id, "PAYMENT_SUCCEEDED", "SUCCEEDED", 2)
    redelivered = heard(hook, payment["eventId"])
    assert len(redelivered) == 2 and all(r.verified for r in redelivered)
    assert redelivered[1].body == redelivered[0].body
    assert "Ada Moss" not in hook.received[0].body.decode()  # thin: no names
