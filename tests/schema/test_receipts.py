"""Receipt emails through the real SMTP server: one per succeeded card charge (one-time,
autocharge, package, invoice) and one per refund, with the amount, what it was for, the
card's brand and last four and the practice's details; none for a declined charge; one only
when the charge is retried under its idempotency key or its success is seen twice."""

from __future__ import annotations

import uuid
from datetime import datetime
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import func, select
from starlette.applications import Starlette

from carebase.models import Email, Payment, PaymentKind, PaymentStatus, Refund
from carebase.resolvers.billing import receipts, refunds
from tests.conftest import Practice, sign_up, unique_email
from tests.fixtures.billing import (
    DECLINING,
    attach_card,
    book_as_member,
    charge,
    codes,
    past_start,
    post_event,
    set_status,
    stripe_event,
    stripe_http,
    wait_for_appointment_payments,
)
from tests.fixtures.factories import key_of
from tests.fixtures.graphql import GraphQLClient
from tests.fixtures.scheduling import booking_setup, make_type
from tests.fixtures.secrets import secret
from tests.fixtures.smtp import Inbox, body_of

RECEIPT = "Your receipt from"
REFUND_RECEIPT = "Your refund receipt from"


async def client_with_card(
    api: GraphQLClient, practice: Practice, pm: str = "pm_card_visa"
) -> tuple[str, str]:
    email = unique_email("receipt")
    made = await api.op(
        "CreateClient",
        {"input": {"name": secret("Rhea Receipt", "name"), "email": email}},
        token=practice.owner_token,
    )
    assert made["createClient"]["userErrors"] == [], made
    client_id = str(made["createClient"]["client"]["id"])
    await attach_card(api, practice.owner_token, client_id, pm)
    return client_id, email


async def receipt_rows(app: Starlette, key: str) -> int:
    async with app.state.db.unit_of_work() as uow:
        return int(
            (
                await uow.session.execute(
                    select(func.count()).select_from(Email).where(Email.dedupe_key == key)
                )
            ).scalar_one()
        )


def about(messages: list[EmailMessage], reference: uuid.UUID) -> list[EmailMessage]:
    return [m for m in messages if str(reference) in body_of(m)]


async def test_a_charge_and_its_refunds_each_send_one_receipt(
    app: Starlette, api: GraphQLClient, smtp: Inbox
) -> None:
    practice = await sign_up(api, "Receipt Practice")
    profile = await api.op(
        "UpdateBillingProfile",
        {
            "input": {
                "legalName": "Receipt Practice LLC",
                "phone": "(312) 555-0142",
                "address": {
                    "line1": "12 Lake St",
                    "city": "Chicago",
                    "state": "IL",
                    "postalCode": "60601",
                },
            }
        },
        token=practice.owner_token,
    )
    assert profile["updateBillingProfile"]["userErrors"] == [], profile
    client_id, email = await client_with_card(api, practice)
    key = f"receipt-{uuid.uuid4().hex}"
    first = await charge(api, practice.owner_token, client_id, 5000, key, description="Session")
    assert first["userErrors"] == [] and first["payment"]["status"] == "SUCCEEDED"
    for _ in range(2):  # retried under its key: the same payment, no second receipt
        again = await charge(api, practice.owner_token, client_id, 5000, key, description="Session")
        assert again["payment"]["id"] == first["payment"]["id"]
    payment_id = key_of(first["payment"]["id"])

    [receipt] = await smtp.wait_for(email, subject=RECEIPT)
    text = body_of(receipt)
    assert "Amount paid: 50.00 USD" in text
    assert "Paid with: Visa ending in 4242" in text
    assert "For: Session" in text
    assert f"Receipt number: {payment_id}" in text
    assert "Receipt Practice LLC" in text and "12 Lake St" in text
    assert "Chicago, IL 60601" in text and "Phone: (312) 555-0142" in text

    refunded = await api.op(
        "RefundPayment",
        {"input": {"paymentId": first["payment"]["id"], "amountCents": 1500}},
        token=practice.owner_token,
    )
    assert refunded["refundPayment"]["userErrors"] == [], refunded
    rest = await api.op(
        "RefundPayment",
        {"input": {"paymentId": first["payment"]["id"]}},
        token=practice.owner_token,
    )
    assert rest["refundPayment"]["payment"]["status"] == "REFUNDED"
    refund_mails = await smtp.wait_for(email, count=2, subject=REFUND_RECEIPT)
    texts = sorted(body_of(m) for m in refund_mails)
    assert any("Amount refunded: 15.00 USD" in t for t in texts), texts
    assert any("Amount refunded: 35.00 USD" in t for t in texts), texts
    assert all("Refunded to: Visa ending in 4242" in t for t in texts)
    assert all(f"receipt {payment_id}" in t for t in texts)

    # exactly one receipt per payment and per refund, in the outbox and at the SMTP server
    assert await receipt_rows(app, receipts.payment_key(payment_id)) == 1
    assert len(about(smtp.to(email), payment_id)) == 3
    assert len([m for m in smtp.to(email) if RECEIPT in str(m["Subject"])]) == 1


async def test_a_declined_charge_sends_no_receipt(
    app: Starlette, api: GraphQLClient, smtp: Inbox
) -> None:
    practice = await sign_up(api, "Declined Receipts")
    client_id, email = await client_with_card(api, practice, DECLINING)
    refused = await charge(api, practice.owner_token, client_id, 4000)
    assert codes(refused) == ["CARD_DECLINED"]
    payment_id = key_of(refused["payment"]["id"])
    assert await receipt_rows(app, receipts.payment_key(payment_id)) == 0

    # a later good charge's receipt arrives, and it is the only one the client got
    await attach_card(api, practice.owner_token, client_id)
    good = await charge(api, practice.owner_token, client_id, 4100)
    assert good["userErrors"] == []
    [receipt] = await smtp.wait_for(email, subject=RECEIPT)
    assert "Amount paid: 41.00 USD" in body_of(receipt)
    assert not about(smtp.to(email), payment_id)


async def test_a_success_seen_twice_queues_one_receipt(
    app: Starlette, api: GraphQLClient, smtp: Inbox
) -> None:
    """The Stripe confirmation and the mutation may both see a success: the key wins."""
    practice = await sign_up(api, "Twice Seen")
    client_id, email = await client_with_card(api, practice)
    paid = await charge(api, practice.owner_token, client_id, 2500)
    payment_id = key_of(paid["payment"]["id"])
    await smtp.wait_for(email, subject=RECEIPT)
    async with app.state.db.unit_of_work(write=True) as uow:
        payment = await uow.session.get_one(Payment, payment_id)
        await receipts.send_payment_receipt(uow, payment)
        await receipts.send_payment_receipt(uow, payment)
    assert await receipt_rows(app, receipts.payment_key(payment_id)) == 1


async def test_autocharge_package_and_invoice_receipts_say_what_they_were_for(
    app: Starlette, api: GraphQLClient, smtp: Inbox
) -> None:
    b = await booking_setup(api, smtp)
    owner = b.practice.owner_token
    kind = await make_type(
        api, b.practice, name="Deep Tissue", priceCents=9000, autochargeWhenOccurred=True
    )
    await attach_card(api, owner, b.client_id)

    appointment_id = await book_as_member(api, b, past_start(2), type_id=kind)
    await set_status(api, owner, appointment_id, "OCCURRED")
    [autocharge] = await wait_for_appointment_payments(app, appointment_id)
    [mail] = about(await smtp.wait_for(b.client_email, subject=RECEIPT), autocharge.id)
    text = body_of(mail)
    assert "Amount paid: 90.00 USD" in text
    assert "For: Deep Tissue on " in text and "Visa ending in 4242" in text

    made = await api.op(
        "CreatePackage",
        {
            "input": {
                "name": "Three massages",
                "priceCents": 24000,
                "items": [{"appointmentTypeId": kind, "quantity": 3}],
            }
        },
        token=owner,
    )
    bought = await api.op(
        "PurchasePackage",
        {"input": {"clientId": b.client_id, "packageId": made["createPackage"]["package"]["id"]}},
        token=b.client_token,
    )
    package_payment = key_of(bought["purchasePackage"]["payment"]["id"])
    await smtp.wait_for(b.client_email, count=2, subject=RECEIPT)
    [mail] = about(smtp.to(b.client_email), package_payment)
    assert "For: Package: Three massages" in body_of(mail)
    assert "Amount paid: 240.00 USD" in body_of(mail)

    invoice = await api.op(
        "CreateInvoice",
        {
            "input": {
                "clientId": b.client_id,
                "items": [{"description": "Intake review", "amountCents": 3000}],
            }
        },
        token=owner,
    )
    invoice_id = invoice["createInvoice"]["invoice"]["id"]
    await api.op("SendInvoice", {"input": {"id": invoice_id}}, token=owner)
    paid = await api.op("PayInvoice", {"input": {"id": invoice_id}}, token=b.client_token)
    assert paid["payInvoice"]["userErrors"] == [], paid
    invoice_payment = key_of(paid["payInvoice"]["payment"]["id"])
    await smtp.wait_for(b.client_email, count=3, subject=RECEIPT)
    [mail] = about(smtp.to(b.client_email), invoice_payment)
    assert f"For: Invoice {receipts.invoice_number(key_of(invoice_id))}" in body_of(mail)
    assert "Amount paid: 30.00 USD" in body_of(mail)


async def test_external_payments_get_no_receipt(app: Starlette, api: GraphQLClient) -> None:
    practice = await sign_up(api, "Cash Practice")
    client_id, _ = await client_with_card(api, practice)
    cash = await api.op(
        "RecordExternalPayment",
        {"input": {"clientId": client_id, "amountCents": 2000, "method": "CASH"}},
        token=practice.owner_token,
    )
    assert cash["recordExternalPayment"]["userErrors"] == [], cash
    payment_id = key_of(cash["recordExternalPayment"]["payment"]["id"])
    assert await receipt_rows(app, receipts.payment_key(payment_id)) == 0


async def test_a_charge_stripe_confirms_later_sends_one_receipt(
    app: Starlette, api: GraphQLClient, http: httpx.AsyncClient, smtp: Inbox
) -> None:
    """A charge left PROCESSING is confirmed by Stripe's webhook, delivered twice, and the
    reconcile path may see it too: one receipt."""
    practice = await sign_up(api, "Confirmed Later")
    client_id, email = await client_with_card(api, practice)
    async with app.state.db.unit_of_work(write=True) as uow:
        payment = Payment(
            organization_id=key_of(practice.id),
            client_id=key_of(client_id),
            kind=PaymentKind.ONE_TIME,
            status=PaymentStatus.PROCESSING,
            amount_cents=3300,
            currency="usd",
            attempts=1,
            card_brand="visa",
            card_last4="4242",
        )
        uow.session.add(payment)
        await uow.session.flush()
    intent = {
        "id": f"pi_{uuid.uuid4().hex[:24]}",
        "object": "payment_intent",
        "status": "succeeded",
        "amount": 3300,
        "currency": "usd",
        "metadata": {"carebase_payment": str(payment.id)},
    }
    for _ in range(2):
        event = stripe_event("payment_intent.succeeded", intent)
        assert (await post_event(http, event)).status_code == 200
    [receipt] = await smtp.wait_for(email, subject=RECEIPT)
    assert "Amount paid: 33.00 USD" in body_of(receipt)
    assert "Visa ending in 4242" in body_of(receipt)
    assert await receipt_rows(app, receipts.payment_key(payment.id)) == 1


async def test_a_scheduled_payment_sends_its_receipt_when_charged_on_its_day(
    app: Starlette, api: GraphQLClient, smtp: Inbox
) -> None:
    practice = await sign_up(api, "Scheduled Receipts")
    client_id, email = await client_with_card(api, practice)
    today = datetime.now(ZoneInfo("America/Chicago")).date()
    planned = await api.op(
        "SchedulePayment",
        {
            "input": {
                "clientId": client_id,
                "amountCents": 1200,
                "chargeOn": today.isoformat(),
                "description": "Monthly plan",
            }
        },
        token=practice.owner_token,
    )
    assert planned["schedulePayment"]["userErrors"] == [], planned
    payment_id = key_of(planned["schedulePayment"]["payment"]["id"])
    [receipt] = await smtp.wait_for(email, subject=RECEIPT, timeout=30)
    text = body_of(receipt)
    assert "Amount paid: 12.00 USD" in text and "For: Monthly plan" in text
    assert f"Receipt number: {payment_id}" in text


async def test_a_refund_whose_answer_was_lost_gets_its_receipt_when_stripe_names_it(
    app: Starlette, api: GraphQLClient, http: httpx.AsyncClient, smtp: Inbox, stripe_api: str
) -> None:
    """Our refund reached Stripe but its answer did not reach us; Stripe's charge.refunded
    event names it by our metadata: then the client gets its receipt (once)."""
    practice = await sign_up(api, "Lost Answer")
    client_id, email = await client_with_card(api, practice)
    paid = await charge(api, practice.owner_token, client_id, 6000)
    payment_id = key_of(paid["payment"]["id"])
    async with app.state.db.unit_of_work(write=True) as uow:
        payment = await uow.session.get_one(Payment, payment_id)
        in_doubt = Refund(
            organization_id=payment.organization_id, payment_id=payment.id, amount_cents=2000
        )
        uow.session.add(in_doubt)
        await uow.session.flush()
        refunds.record_refund(payment, 2000)
        intent_id = payment.stripe_payment_intent_id
    async with stripe_http(stripe_api) as s:
        made = await s.post(
            "/v1/refunds",
            data={
                "payment_intent": intent_id,
                "amount": 2000,
                "metadata[carebase_refund]": str(in_doubt.id),
            },
        )
        assert made.status_code == 200, made.text
    charge_object = {
        "id": f"ch_{uuid.uuid4().hex[:24]}",
        "object": "charge",
        "amount": 6000,
        "amount_refunded": 2000,
        "currency": "usd",
        "payment_intent": intent_id,
        "metadata": {},
        "refunds": {"object": "list", "data": [made.json()], "has_more": False},
    }
    for _ in range(2):
        event = stripe_event("charge.refunded", charge_object)
        assert (await post_event(http, event)).status_code == 200
    [mail] = await smtp.wait_for(email, subject=REFUND_RECEIPT)
    assert "Amount refunded: 20.00 USD" in body_of(mail)
    assert await receipt_rows(app, receipts.refund_key(in_doubt.id)) == 1
