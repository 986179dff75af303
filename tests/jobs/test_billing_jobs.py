"""Billing by job against localstripe: attempts in doubt reconciled, scheduled payments on their
day, autocharge once per appointment, fees, package credits, and the Stripe webhook inbox.

The app's in-process worker and scheduler (every 0.5 s) run during these tests; actors are
also called directly, as a redelivered message would run them.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import stripe
from sqlalchemy import select, update
from starlette.applications import Starlette

from carebase.jobs.billing import StillInDoubt, charge_appointment, reconcile
from carebase.models import (
    Appointment,
    AppointmentStatus,
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentKind,
    PaymentStatus,
    Refund,
    WebhookEvent,
)
from tests.conftest import STRIPE_KEY, WEBHOOK_SECRET, Practice, sign_up, unique_email
from tests.fixtures.billing import (
    DECLINING,
    attach_card,
    book_as_member,
    charge,
    codes,
    credits_of,
    intents_for,
    invoices_for_client,
    new_client,
    past_start,
    payment_row,
    payments_for_appointment,
    portal_settings,
    post_event,
    set_status,
    stripe_event,
    stripe_http,
    stripe_ids,
    wait_for_appointment_payments,
    wait_for_payment,
    webhook_rows,
)
from tests.fixtures.factories import key_of
from tests.fixtures.graphql import GraphQLClient
from tests.fixtures.scheduling import (
    CHICAGO,
    Booking,
    booking_setup,
    local,
    make_type,
    next_weekday,
)
from tests.fixtures.smtp import Inbox, body_of
from tests.fixtures.stripe_server import signed_event
from tests.fixtures.waiting import eventually, scheduler_ticks

# ---------------------------------------------------------------------------- helpers


async def applied(app: Starlette, event_id: str) -> WebhookEvent:
    """The stored event once its job applied it (marked in the transaction that applies it)."""

    async def done() -> WebhookEvent | None:
        rows = await webhook_rows(app, event_id)
        return rows[0] if rows and rows[0].processed_at is not None else None

    return await eventually(done, message=f"stripe event {event_id} was not applied")


async def processing_payment(
    app: Starlette, practice: Practice, client_id: str, cents: int
) -> Payment:
    """A payment whose Stripe call is in doubt: PROCESSING, its outcome unknown to us."""
    async with app.state.db.unit_of_work(write=True) as uow:
        payment = Payment(
            organization_id=key_of(practice.id),
            client_id=key_of(client_id),
            kind=PaymentKind.ONE_TIME,
            status=PaymentStatus.PROCESSING,
            amount_cents=cents,
            currency="usd",
            attempts=1,
        )
        uow.session.add(payment)
        await uow.session.flush()
    return payment


def stripe_sdk(stripe_api: str) -> stripe.StripeClient:
    return stripe.StripeClient(STRIPE_KEY, base_addresses={"api": stripe_api})


async def client_booking(
    api: GraphQLClient, b: Booking, starts_at: str, type_id: str | None = None
) -> str:
    data = await api.op(
        "BookAppointment",
        {
            "input": {
                "appointmentTypeId": type_id or b.type_id,
                "providerId": b.provider_id,
                "startsAt": starts_at,
            }
        },
        token=b.client_token,
    )
    assert data["bookAppointment"]["userErrors"] == [], data
    return str(data["bookAppointment"]["appointment"]["id"])


async def cancel(api: GraphQLClient, token: str, appointment_id: str) -> dict[str, Any]:
    data = await api.op("CancelAppointment", {"input": {"id": appointment_id}}, token=token)
    assert data["cancelAppointment"]["userErrors"] == [], data
    return data["cancelAppointment"]["appointment"]  # type: ignore[no-any-return]


@pytest.fixture
async def widget(app: Starlette) -> AsyncIterator[GraphQLClient]:
    """The widget's caller, from an address of its own (public bookings are rate limited)."""
    peer = f"198.51.100.{random.randint(2, 250)}"
    transport = httpx.ASGITransport(app=app, client=(peer, 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://carebase.test") as http:
        yield GraphQLClient(http)


# ---------------------------------------------------------------------------- in doubt


async def test_an_attempt_in_doubt_is_found_at_stripe_not_charged_again(
    app: Starlette, api: GraphQLClient, practice: Practice, stripe_api: str
) -> None:
    runtime = app.state.runtime
    client_id = await new_client(api, practice)
    await attach_card(api, practice.owner_token, client_id)
    customer, method = await stripe_ids(app, client_id)

    # the request reached Stripe, then we lost the answer
    payment = await processing_payment(app, practice, client_id, 6400)
    intent = await asyncio.to_thread(
        stripe_sdk(stripe_api).v1.payment_intents.create,
        params={
            "amount": 6400,
            "currency": "usd",
            "customer": customer,
            "payment_method": method,
            "off_session": True,
            "confirm": True,
            "metadata": {"carebase_payment": str(payment.id)},
        },
    )
    assert intent.status == "succeeded"
    await reconcile(runtime, str(payment.id))
    row = await payment_row(app, payment.id)
    assert row.status is PaymentStatus.SUCCEEDED
    assert row.stripe_payment_intent_id == intent.id
    assert [i["id"] for i in await intents_for(stripe_api, payment.id)] == [intent.id]
    await reconcile(runtime, str(payment.id))  # redelivered: nothing more
    assert len(await intents_for(stripe_api, payment.id)) == 1


async def test_an_attempt_that_never_reached_stripe_is_made_once_later(
    app: Starlette, api: GraphQLClient, practice: Practice, stripe_api: str
) -> None:
    runtime = app.state.runtime
    client_id = await new_client(api, practice)
    await attach_card(api, practice.owner_token, client_id)
    # the request may still be in flight: no intent yet, and a fresh attempt is not repeated
    lost = await processing_payment(app, practice, client_id, 1700)
    with pytest.raises(StillInDoubt):
        await reconcile(runtime, str(lost.id))
    assert await intents_for(stripe_api, lost.id) == []
    assert (await payment_row(app, lost.id)).status is PaymentStatus.PROCESSING
    # long after, it never reached Stripe: the same attempt is made, once
    async with app.state.db.unit_of_work(write=True) as uow:
        await uow.session.execute(
            update(Payment)
            .where(Payment.id == lost.id)
            .values(updated_at=datetime.now(UTC) - timedelta(minutes=5))
        )
    await reconcile(runtime, str(lost.id))
    await reconcile(runtime, str(lost.id))
    assert (await payment_row(app, lost.id)).status is PaymentStatus.SUCCEEDED
    [made] = await intents_for(stripe_api, lost.id)
    assert made["amount"] == 1700


# ---------------------------------------------------------------------------- scheduled


async def test_scheduled_payments_run_on_their_day(
    app: Starlette, api: GraphQLClient, practice: Practice, stripe_api: str
) -> None:
    owner = practice.owner_token
    client_id = await new_client(api, practice)
    await attach_card(api, owner, client_id)
    today = datetime.now(CHICAGO).date()

    def schedule(day: Any, cents: int) -> dict[str, Any]:
        return {"input": {"clientId": client_id, "amountCents": cents, "chargeOn": day.isoformat()}}

    past = await api.op("SchedulePayment", schedule(today - timedelta(days=1), 1000), token=owner)
    assert codes(past["schedulePayment"]) == ["INVALID_INPUT"]
    assert past["schedulePayment"]["payment"] is None

    later = (
        await api.op("SchedulePayment", schedule(today + timedelta(days=1), 2000), token=owner)
    )["schedulePayment"]
    assert later["userErrors"] == [] and later["payment"]["status"] == "SCHEDULED"
    now = (await api.op("SchedulePayment", schedule(today, 3000), token=owner))["schedulePayment"]
    assert now["userErrors"] == []
    assert (now["payment"]["status"], now["payment"]["kind"]) == ("SCHEDULED", "SCHEDULED")
    assert now["payment"]["scheduledFor"] == today.isoformat()

    done = await wait_for_payment(app, now["payment"]["id"], [PaymentStatus.SUCCEEDED])
    assert done.amount_cents == 3000
    assert len(await intents_for(stripe_api, now["payment"]["id"])) == 1
    await scheduler_ticks(app, 2)  # more scheduler passes: tomorrow's stays, today's charged once
    assert (await payment_row(app, later["payment"]["id"])).status is PaymentStatus.SCHEDULED
    assert len(await intents_for(stripe_api, now["payment"]["id"])) == 1

    cancelled = await api.op(
        "CancelScheduledPayment", {"input": {"paymentId": later["payment"]["id"]}}, token=owner
    )
    assert cancelled["cancelScheduledPayment"]["userErrors"] == []
    assert cancelled["cancelScheduledPayment"]["payment"]["status"] == "CANCELLED"
    too_late = await api.op(
        "CancelScheduledPayment", {"input": {"paymentId": now["payment"]["id"]}}, token=owner
    )
    assert too_late["cancelScheduledPayment"]["userErrors"], too_late
    assert (await payment_row(app, now["payment"]["id"])).status is PaymentStatus.SUCCEEDED
    assert await intents_for(stripe_api, later["payment"]["id"]) == []


async def test_a_failed_scheduled_payment_tells_the_client_and_the_practice(
    app: Starlette, api: GraphQLClient, practice: Practice, smtp: Inbox
) -> None:
    owner = practice.owner_token
    email = unique_email("sched")
    created = await api.op(
        "CreateClient", {"input": {"name": "Sam Scheduled", "email": email}}, token=owner
    )
    client_id = created["createClient"]["client"]["id"]
    await attach_card(api, owner, client_id, DECLINING)
    today = datetime.now(CHICAGO).date().isoformat()
    scheduled = await api.op(
        "SchedulePayment",
        {"input": {"clientId": client_id, "amountCents": 4500, "chargeOn": today}},
        token=owner,
    )
    payment_id = scheduled["schedulePayment"]["payment"]["id"]
    failed = await wait_for_payment(
        app, payment_id, [PaymentStatus.FAILED, PaymentStatus.SUCCEEDED]
    )
    assert failed.status is PaymentStatus.FAILED
    assert failed.failure_message == "Your card was declined."
    [to_client] = await smtp.wait_for(email, subject="did not go through")
    assert "45.00 USD" in body_of(to_client)
    [to_owner] = await smtp.wait_for(practice.owner_email, subject="Scheduled payment failed")
    assert "Sam Scheduled" in str(to_owner["Subject"])
    await scheduler_ticks(app, 2)  # later passes neither charge nor email again
    assert len(smtp.to(email)) == 1
    assert (await payment_row(app, payment_id)).attempts == 1


# ---------------------------------------------------------------------------- autocharge


async def test_occurred_is_charged_once_through_flips_and_redelivery(
    app: Starlette, api: GraphQLClient, smtp: Inbox, stripe_api: str
) -> None:
    b = await booking_setup(api, smtp)
    owner = b.practice.owner_token
    kind = await make_type(
        api, b.practice, name="Autocharged", priceCents=9000, autochargeWhenOccurred=True
    )
    await attach_card(api, owner, b.client_id)
    appointment_id = await book_as_member(api, b, past_start(2), type_id=kind)
    await set_status(api, owner, appointment_id, "OCCURRED")
    [payment] = await wait_for_appointment_payments(app, appointment_id)
    assert (payment.kind, payment.status, payment.amount_cents) == (
        PaymentKind.AUTOCHARGE,
        PaymentStatus.SUCCEEDED,
        9000,
    )
    shown = await api.op("AppointmentPayments", {"id": appointment_id}, token=owner)
    [listed] = shown["appointment"]["payments"]
    assert (listed["kind"], listed["status"]) == ("AUTOCHARGE", "SUCCEEDED")
    assert listed["appointmentId"] == appointment_id

    await set_status(api, owner, appointment_id, "NO_SHOW")
    await set_status(api, owner, appointment_id, "OCCURRED")
    await charge_appointment(app.state.runtime, str(payment.id))  # the job, redelivered
    await asyncio.gather(
        *(charge_appointment(app.state.runtime, str(payment.id)) for _ in range(3))
    )
    await scheduler_ticks(app, 1)  # what the flips set going, and a scheduler pass, have run
    rows = await payments_for_appointment(app, appointment_id)
    assert [(p.id, p.kind, p.status) for p in rows] == [
        (payment.id, PaymentKind.AUTOCHARGE, PaymentStatus.SUCCEEDED)
    ]
    assert len(await intents_for(stripe_api, payment.id)) == 1
    shown = await api.op("AppointmentPayments", {"id": appointment_id}, token=owner)
    assert len(shown["appointment"]["payments"]) == 1
    # the client sees it too
    theirs = await api.op("AppointmentPayments", {"id": appointment_id}, token=b.client_token)
    assert [p["id"] for p in theirs["appointment"]["payments"]] == [listed["id"]]


async def test_occurred_without_a_card_is_invoiced_instead(
    app: Starlette, api: GraphQLClient, smtp: Inbox, stripe_api: str
) -> None:
    b = await booking_setup(api, smtp)
    owner = b.practice.owner_token
    kind = await make_type(
        api, b.practice, name="Autocharged", priceCents=9000, autochargeWhenOccurred=True
    )
    appointment_id = await book_as_member(api, b, past_start(1), type_id=kind)
    await set_status(api, owner, appointment_id, "OCCURRED")
    [payment] = await wait_for_appointment_payments(app, appointment_id)
    assert payment.status is not PaymentStatus.SUCCEEDED
    assert await intents_for(stripe_api, payment.id) == []
    [invoice] = await invoices_for_client(app, b.client_id)
    assert (invoice.status, invoice.total_cents) == (InvoiceStatus.OPEN, 9000)
    assert invoice.appointment_id == key_of(appointment_id)
    [message] = await smtp.wait_for(b.client_email, subject="Invoice")
    assert f"https://portal.example.test/invoices/{invoice.id}" in body_of(message)
    billing = await api.op("BillingClient", {"id": b.client_id}, token=owner)
    assert billing["client"]["balance"] == {"amountCents": 9000, "currency": "usd"}
    # redelivered, the job neither charges nor invoices again
    await charge_appointment(app.state.runtime, str(payment.id))
    assert len(await invoices_for_client(app, b.client_id)) == 1


async def test_a_correction_before_the_job_ran_cancels_the_pending_autocharge(
    app: Starlette, api: GraphQLClient, smtp: Inbox, stripe_api: str
) -> None:
    b = await booking_setup(api, smtp)
    owner = b.practice.owner_token
    kind = await make_type(
        api, b.practice, name="Autocharged", priceCents=9000, autochargeWhenOccurred=True
    )
    await attach_card(api, owner, b.client_id)
    await portal_settings(api, b.practice, noShowFeeCents=2500)
    appointment_id = await book_as_member(api, b, past_start(3), type_id=kind)
    # marked OCCURRED and its autocharge planned, but the job has not run yet
    async with app.state.db.unit_of_work(write=True) as uow:
        await uow.session.execute(
            update(Appointment)
            .where(Appointment.id == key_of(appointment_id))
            .values(status=AppointmentStatus.OCCURRED)
        )
        pending = Payment(
            organization_id=key_of(b.practice.id),
            client_id=key_of(b.client_id),
            kind=PaymentKind.AUTOCHARGE,
            status=PaymentStatus.SCHEDULED,
            amount_cents=9000,
            currency="usd",
            appointment_id=key_of(appointment_id),
        )
        uow.session.add(pending)
    await set_status(api, owner, appointment_id, "NO_SHOW")
    assert (await payment_row(app, pending.id)).status is PaymentStatus.CANCELLED
    await charge_appointment(app.state.runtime, str(pending.id))  # the job, arriving late
    await scheduler_ticks(app, 1)  # and whatever the correction set going has run
    rows = await payments_for_appointment(app, appointment_id)
    # the correction moves no money: no charge for the old status, no fee for the new one
    assert [(p.kind, p.status) for p in rows] == [(PaymentKind.AUTOCHARGE, PaymentStatus.CANCELLED)]
    assert await intents_for(stripe_api, pending.id) == []


# ---------------------------------------------------------------------------- fees


async def test_no_show_and_late_cancellation_fees(
    app: Starlette, api: GraphQLClient, widget: GraphQLClient, smtp: Inbox, stripe_api: str
) -> None:
    b = await booking_setup(api, smtp)
    owner = b.practice.owner_token
    await attach_card(api, owner, b.client_id)
    await portal_settings(
        api,
        b.practice,
        noShowFeeCents=2500,
        lateCancellationFeeCents=1500,
        cancellationWindowHours=720,
        bookingOutsidePortal=True,
    )

    # an unverified widget booking (someone used the client's email) is never charged
    day = next_weekday(4, at_least_days=4)
    public = await widget.op(
        "WidgetBook",
        {
            "input": {
                "appointmentTypeId": b.type_id,
                "providerId": b.provider_id,
                "startsAt": local(day, 15),
                "client": {"name": "Cleo Client", "email": b.client_email},
            }
        },
        headers={"X-Carebase-Publishable-Key": b.practice.organization["publishableKey"]},
    )
    assert public["bookAppointmentPublic"]["userErrors"] == [], public
    unverified_id = public["bookAppointmentPublic"]["appointment"]["id"]
    starts = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(days=5)
    async with app.state.db.unit_of_work(write=True) as uow:
        row = await uow.session.get_one(Appointment, key_of(unverified_id))
        assert row.unverified is True
        row.starts_at, row.ends_at = starts, starts + timedelta(hours=1)
    await set_status(api, owner, unverified_id, "NO_SHOW")

    no_show = await book_as_member(api, b, past_start(2))
    await set_status(api, owner, no_show, "NO_SHOW")
    [fee] = await wait_for_appointment_payments(app, no_show)
    assert (fee.kind, fee.status, fee.amount_cents) == (
        PaymentKind.NO_SHOW_FEE,
        PaymentStatus.SUCCEEDED,
        2500,
    )
    assert len(await intents_for(stripe_api, fee.id)) == 1

    late_day = next_weekday(2, at_least_days=4)
    late = await client_booking(api, b, local(late_day, 10))
    cancelled = await cancel(api, b.client_token, late)
    assert cancelled["lateCancellation"] is True
    [late_fee] = await wait_for_appointment_payments(app, late)
    assert (late_fee.kind, late_fee.status, late_fee.amount_cents) == (
        PaymentKind.LATE_CANCELLATION_FEE,
        PaymentStatus.SUCCEEDED,
        1500,
    )

    by_practice = await book_as_member(api, b, local(late_day, 13))
    cancelled = await cancel(api, owner, by_practice)
    assert cancelled["lateCancellation"] is False

    await scheduler_ticks(app, 1)  # every job the cancels set going, and a pass, have run
    assert await payments_for_appointment(app, by_practice) == []
    assert await payments_for_appointment(app, unverified_id) == []
    assert len(await payments_for_appointment(app, no_show)) == 1
    assert len(await payments_for_appointment(app, late)) == 1
    listed = await api.op(
        "BillingPayments", {"first": 50, "filter": {"clientId": b.client_id}}, token=owner
    )
    assert sorted(e["node"]["kind"] for e in listed["payments"]["edges"]) == [
        "LATE_CANCELLATION_FEE",
        "NO_SHOW_FEE",
    ]


# ---------------------------------------------------------------------------- packages


async def test_packages_are_bought_and_their_credits_pay_for_bookings(
    app: Starlette, api: GraphQLClient, smtp: Inbox, stripe_api: str
) -> None:
    b = await booking_setup(api, smtp)
    owner = b.practice.owner_token
    kind = await make_type(
        api, b.practice, name="Autocharged", priceCents=9000, autochargeWhenOccurred=True
    )
    made = await api.op(
        "CreatePackage",
        {
            "input": {
                "name": "Four sessions",
                "priceCents": 24000,
                "items": [{"appointmentTypeId": kind, "quantity": 4}],
            }
        },
        token=owner,
    )
    assert made["createPackage"]["userErrors"] == []
    package = made["createPackage"]["package"]
    assert package["price"] == {"amountCents": 24000, "currency": "usd"}
    assert package["items"] == [{"appointmentType": {"id": kind}, "quantity": 4}]
    listed = await api.op("Packages", token=b.client_token)
    assert [p["id"] for p in listed["packages"]] == [package["id"]]

    await attach_card(api, b.client_token, b.client_id)  # the client's own card
    bought = await api.op(
        "PurchasePackage",
        {"input": {"clientId": b.client_id, "packageId": package["id"]}},
        token=b.client_token,
    )
    purchase = bought["purchasePackage"]
    assert purchase["userErrors"] == []
    assert purchase["packagePurchase"]["package"]["id"] == package["id"]
    assert (purchase["payment"]["kind"], purchase["payment"]["status"]) == ("PACKAGE", "SUCCEEDED")
    assert len(await intents_for(stripe_api, purchase["payment"]["id"])) == 1
    assert await credits_of(api, owner, b.client_id) == {kind: 4}

    # a booking of the covered type draws a credit, and when it occurs nothing is charged
    covered = await book_as_member(api, b, past_start(2), type_id=kind)
    assert await credits_of(api, owner, b.client_id) == {kind: 3}
    await set_status(api, owner, covered, "OCCURRED")
    # a no-show keeps its credit used, and the credit stands in for the fee
    await portal_settings(api, b.practice, noShowFeeCents=2500)
    missed = await book_as_member(api, b, past_start(3), type_id=kind)
    assert await credits_of(api, owner, b.client_id) == {kind: 2}
    await set_status(api, owner, missed, "NO_SHOW")
    assert await credits_of(api, owner, b.client_id) == {kind: 2}

    # a cancel in time gives it back
    day = next_weekday(3, at_least_days=4)
    in_time = await client_booking(api, b, local(day, 10), type_id=kind)
    assert await credits_of(api, owner, b.client_id) == {kind: 1}
    assert (await cancel(api, b.client_token, in_time))["lateCancellation"] is False
    assert await credits_of(api, owner, b.client_id) == {kind: 2}

    # a late cancel keeps it used, and the credit stands in for the fee
    await portal_settings(
        api, b.practice, cancellationWindowHours=720, lateCancellationFeeCents=1500
    )
    late = await client_booking(api, b, local(day, 13), type_id=kind)
    assert await credits_of(api, owner, b.client_id) == {kind: 1}
    assert (await cancel(api, b.client_token, late))["lateCancellation"] is True
    assert await credits_of(api, owner, b.client_id) == {kind: 1}
    await scheduler_ticks(app, 1)  # every job the bookings set going, and a pass, have run
    for appointment_id in (covered, missed, in_time, late):
        assert await payments_for_appointment(app, appointment_id) == [], appointment_id
    seen_by_client = await api.op("BillingClient", {"id": b.client_id}, token=b.client_token)
    assert seen_by_client["client"]["packageCredits"] == [
        {"appointmentType": {"id": kind, "name": "Autocharged"}, "remaining": 1}
    ]
    assert (await api.op("Payments", {}, token=owner))["payments"]["totalCount"] == 1

    # a declined purchase grants nothing
    other_id = await new_client(api, b.practice, "Dee Declined")
    await attach_card(api, owner, other_id, DECLINING)
    refused = await api.op(
        "PurchasePackage",
        {"input": {"clientId": other_id, "packageId": package["id"]}},
        token=owner,
    )
    assert codes(refused["purchasePackage"]) == ["CARD_DECLINED"]
    assert refused["purchasePackage"]["payment"]["status"] == "FAILED"
    assert await credits_of(api, owner, other_id) == {}


# ---------------------------------------------------------------------------- webhooks


async def test_a_bad_signature_is_refused_with_no_effect(
    app: Starlette, api: GraphQLClient, http: httpx.AsyncClient, practice: Practice
) -> None:
    client_id = await new_client(api, practice)
    payment = await processing_payment(app, practice, client_id, 3300)
    event = stripe_event(
        "payment_intent.succeeded",
        {
            "id": f"pi_{uuid.uuid4().hex[:24]}",
            "object": "payment_intent",
            "status": "succeeded",
            "amount": 3300,
            "metadata": {"carebase_payment": str(payment.id)},
        },
    )
    forged = await post_event(http, event, secret="whsec_not_ours")
    assert forged.status_code == 400
    unsigned = await http.post("/webhooks/stripe", content=b'{"id": "evt_x"}')
    assert unsigned.status_code == 400
    body, header = signed_event(
        WEBHOOK_SECRET, event, timestamp=int(datetime.now(UTC).timestamp()) - 3600
    )
    stale = await http.post("/webhooks/stripe", content=body, headers={"Stripe-Signature": header})
    assert stale.status_code == 400
    await scheduler_ticks(app, 1)  # nothing was stored, so nothing is there to apply
    assert await webhook_rows(app, event["id"]) == []
    assert (await payment_row(app, payment.id)).status is PaymentStatus.PROCESSING


async def test_an_event_delivered_three_times_is_applied_once(
    app: Starlette, api: GraphQLClient, http: httpx.AsyncClient, practice: Practice
) -> None:
    owner = practice.owner_token
    client_id = await new_client(api, practice)
    invoice = (
        await api.op(
            "CreateInvoice",
            {
                "input": {
                    "clientId": client_id,
                    "items": [{"description": "Session", "amountCents": 3300}],
                }
            },
            token=owner,
        )
    )["createInvoice"]["invoice"]
    await api.op("SendInvoice", {"input": {"id": invoice["id"]}}, token=owner)
    payment = await processing_payment(app, practice, client_id, 3300)
    async with app.state.db.unit_of_work(write=True) as uow:
        await uow.session.execute(
            update(Payment)
            .where(Payment.id == payment.id)
            .values(kind=PaymentKind.INVOICE, invoice_id=key_of(invoice["id"]))
        )
    intent_id = f"pi_{uuid.uuid4().hex[:24]}"
    event = stripe_event(
        "payment_intent.succeeded",
        {
            "id": intent_id,
            "object": "payment_intent",
            "status": "succeeded",
            "amount": 3300,
            "currency": "usd",
            "metadata": {"carebase_payment": str(payment.id)},
        },
    )
    for _ in range(3):
        answer = await post_event(http, event)
        assert answer.status_code == 200, answer.text
    row = await wait_for_payment(app, payment.id, [PaymentStatus.SUCCEEDED])
    assert row.stripe_payment_intent_id == intent_id
    [stored] = await webhook_rows(app, event["id"])
    assert stored.type == "payment_intent.succeeded"
    stored = await applied(app, event["id"])
    async with app.state.db.unit_of_work() as uow:
        settled = await uow.session.get_one(Invoice, key_of(invoice["id"]))
        assert settled.status is InvoiceStatus.PAID
    balance = await api.op("BillingClient", {"id": client_id}, token=owner)
    assert balance["client"]["balance"]["amountCents"] == 0


async def test_a_payment_failed_event_fails_a_processing_payment(
    app: Starlette, api: GraphQLClient, http: httpx.AsyncClient, practice: Practice
) -> None:
    client_id = await new_client(api, practice)
    payment = await processing_payment(app, practice, client_id, 2100)
    event = stripe_event(
        "payment_intent.payment_failed",
        {
            "id": f"pi_{uuid.uuid4().hex[:24]}",
            "object": "payment_intent",
            "status": "requires_payment_method",
            "amount": 2100,
            "metadata": {"carebase_payment": str(payment.id)},
            "last_payment_error": {"code": "card_declined", "message": "Insufficient funds."},
        },
    )
    assert (await post_event(http, event)).status_code == 200
    row = await wait_for_payment(app, payment.id, [PaymentStatus.FAILED])
    assert row.failure_message == "Insufficient funds."
    # a late success for the same payment does not undo the outcome we already hold
    late = stripe_event(
        "payment_intent.succeeded", dict(event["data"]["object"], status="succeeded")
    )
    assert (await post_event(http, late)).status_code == 200
    await applied(app, late["id"])
    assert (await payment_row(app, payment.id)).status is PaymentStatus.FAILED


async def test_dashboard_refunds_and_disputes_arrive_by_webhook(
    app: Starlette, api: GraphQLClient, http: httpx.AsyncClient, practice: Practice, stripe_api: str
) -> None:
    owner = practice.owner_token
    client_id = await new_client(api, practice)
    await attach_card(api, owner, client_id)
    payment = (await charge(api, owner, client_id, 5000))["payment"]
    ours = await api.op(
        "RefundPayment", {"input": {"paymentId": payment["id"], "amountCents": 1000}}, token=owner
    )
    assert ours["refundPayment"]["userErrors"] == []
    row = await payment_row(app, payment["id"])
    intent_id = row.stripe_payment_intent_id
    assert intent_id
    async with stripe_http(stripe_api) as s:
        intent = (await s.get(f"/v1/payment_intents/{intent_id}")).json()
        latest = intent["latest_charge"]
        charge_id = latest["id"] if isinstance(latest, dict) else latest
        # someone refunds 2,000 in Stripe's dashboard: no metadata of ours
        dashboard = await s.post("/v1/refunds", data={"payment_intent": intent_id, "amount": 2000})
        assert dashboard.status_code == 200, dashboard.text
        async with app.state.db.unit_of_work() as uow:
            our_refund_id = (
                await uow.session.execute(
                    select(Refund.stripe_refund_id).where(Refund.payment_id == row.id)
                )
            ).scalar_one()
        assert our_refund_id
        mine = (await s.get(f"/v1/refunds/{our_refund_id}")).json()
    refunds = [mine, dashboard.json()]
    charge_object = {
        "id": charge_id,
        "object": "charge",
        "amount": 5000,
        "amount_refunded": 3000,
        "currency": "usd",
        "payment_intent": intent_id,
        "refunded": False,
        "metadata": {},
        "refunds": {"object": "list", "data": refunds, "has_more": False},
    }
    refunded = stripe_event("charge.refunded", charge_object)
    answer = await post_event(http, refunded)
    assert answer.status_code == 200
    await applied(app, refunded["id"])
    row = await payment_row(app, payment["id"])
    assert (row.status, row.refunded_cents) == (PaymentStatus.PARTIALLY_REFUNDED, 3000)
    # the same refunds reported again by a later event are not counted twice
    again = stripe_event("charge.refunded", charge_object)
    assert (await post_event(http, again)).status_code == 200
    await applied(app, again["id"])
    row = await payment_row(app, payment["id"])
    assert row.refunded_cents == 3000
    async with app.state.db.unit_of_work() as uow:
        recorded = (
            await uow.session.execute(
                select(Refund.amount_cents)
                .where(Refund.payment_id == row.id)
                .order_by(Refund.amount_cents)
            )
        ).all()
    assert [r for (r,) in recorded] == [1000, 2000]
    # what is left to refund is what Stripe left
    over = await api.op(
        "RefundPayment", {"input": {"paymentId": payment["id"], "amountCents": 2001}}, token=owner
    )
    assert codes(over["refundPayment"]) == ["REFUND_EXCEEDS_CAPTURED"]

    dispute = {
        "id": f"dp_{uuid.uuid4().hex[:24]}",
        "object": "dispute",
        "amount": 5000,
        "currency": "usd",
        "charge": charge_id,
        "payment_intent": intent_id,
        "reason": "fraudulent",
        "status": "needs_response",
        "metadata": {},
    }
    disputed = stripe_event("charge.dispute.created", dispute)
    assert (await post_event(http, disputed)).status_code == 200
    await applied(app, disputed["id"])
    shown = await api.op("Payments", {"filter": {"clientId": client_id}}, token=owner)
    [node] = [e["node"] for e in shown["payments"]["edges"]]
    assert node["disputed"] is True


# ---------------------------------------------------------------------------- the org's day


async def test_the_orgs_today_is_in_its_time_zone(api: GraphQLClient, app: Starlette) -> None:
    """Far from UTC (Pacific/Kiritimati is UTC+14), today there is tomorrow in UTC, or later."""
    practice = await sign_up(api, "Island Practice")
    owner = practice.owner_token
    moved = await api.op(
        "UpdateOrganization", {"input": {"timezone": "Pacific/Kiritimati"}}, token=owner
    )
    if moved["updateOrganization"]["userErrors"]:
        pytest.skip("the organization's time zone cannot be changed")
    client_id = await new_client(api, practice)
    await attach_card(api, owner, client_id)
    today_there = datetime.now(ZoneInfo("Pacific/Kiritimati")).date()
    made = await api.op(
        "SchedulePayment",
        {
            "input": {
                "clientId": client_id,
                "amountCents": 1100,
                "chargeOn": today_there.isoformat(),
            }
        },
        token=owner,
    )
    assert made["schedulePayment"]["userErrors"] == []
    await wait_for_payment(app, made["schedulePayment"]["payment"]["id"], [PaymentStatus.SUCCEEDED])
