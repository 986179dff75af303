"""What a refund undoes beside the money: a fully refunded package purchase takes back its
unused credits (used ones stay used; a partial refund takes none), a refunded invoice payment
reopens the invoice for what is still owed; each recorded in the audit log. A client cannot
refund, and a refund Stripe refuses changes nothing."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import func, select, update
from starlette.applications import Starlette

from carebase.models import AuditEvent, Email, Payment, PaymentStatus, Refund
from tests.fixtures.billing import (
    attach_card,
    book_as_member,
    codes,
    credits_of,
    past_start,
    payment_row,
    post_event,
    stripe_event,
    stripe_http,
)
from tests.fixtures.factories import key_of
from tests.fixtures.graphql import GraphQLClient
from tests.fixtures.scheduling import Booking, booking_setup, make_type
from tests.fixtures.smtp import Inbox, body_of
from tests.fixtures.waiting import eventually


async def refund(
    api: GraphQLClient, token: str, payment_id: str, cents: int | None = None
) -> dict[str, Any]:
    data = await api.op(
        "RefundPayment", {"input": {"paymentId": payment_id, "amountCents": cents}}, token=token
    )
    return dict(data["refundPayment"])


async def bought_package(api: GraphQLClient, b: Booking, kind: str, quantity: int = 4) -> str:
    """The package's payment id, bought by the client with their own card."""
    made = await api.op(
        "CreatePackage",
        {
            "input": {
                "name": f"{quantity} sessions",
                "priceCents": 20000,
                "items": [{"appointmentTypeId": kind, "quantity": quantity}],
            }
        },
        token=b.practice.owner_token,
    )
    bought = await api.op(
        "PurchasePackage",
        {"input": {"clientId": b.client_id, "packageId": made["createPackage"]["package"]["id"]}},
        token=b.client_token,
    )
    assert bought["purchasePackage"]["userErrors"] == [], bought
    return str(bought["purchasePackage"]["payment"]["id"])


async def stripe_forgets(app: Starlette, stripe_api: str, payment_id: str) -> None:
    """The payment names a PaymentIntent Stripe does not know (as after the key moved to
    another account or mode): Stripe answers its refund with a 404."""
    missing = f"pi_{uuid.uuid4().hex[:24]}"
    async with stripe_http(stripe_api) as s:
        assert (await s.get(f"/v1/payment_intents/{missing}")).status_code == 404
    async with app.state.db.unit_of_work(write=True) as uow:
        await uow.session.execute(
            update(Payment)
            .where(Payment.id == key_of(payment_id))
            .values(stripe_payment_intent_id=missing)
        )


async def audit_rows(app: Starlette, resource: str, client_id: str) -> list[AuditEvent]:
    async with app.state.db.unit_of_work() as uow:
        rows = await uow.session.execute(
            select(AuditEvent).where(
                AuditEvent.resource == resource,
                AuditEvent.client_id == key_of(client_id),
                AuditEvent.operation == "refundPayment",
            )
        )
        return list(rows.scalars())


async def test_a_full_refund_takes_back_unused_credits_and_a_partial_one_none(
    app: Starlette, api: GraphQLClient, smtp: Inbox
) -> None:
    b = await booking_setup(api, smtp)
    owner = b.practice.owner_token
    kind = await make_type(api, b.practice, name="Credited", priceCents=6000)
    await attach_card(api, b.client_token, b.client_id)
    payment_id = await bought_package(api, b, kind)
    assert await credits_of(api, owner, b.client_id) == {kind: 4}
    used = await book_as_member(api, b, past_start(2), type_id=kind)
    assert await credits_of(api, owner, b.client_id) == {kind: 3}

    # a client may not refund, not even their own purchase
    refused = await refund(api, b.client_token, payment_id)
    assert codes(refused) in (["FORBIDDEN"], ["NOT_FOUND"])
    assert (await payment_row(app, payment_id)).status is PaymentStatus.SUCCEEDED

    part = await refund(api, owner, payment_id, 5000)
    assert part["userErrors"] == [] and part["payment"]["status"] == "PARTIALLY_REFUNDED"
    assert await credits_of(api, owner, b.client_id) == {kind: 3}
    assert await audit_rows(app, "package_credits", b.client_id) == []

    rest = await refund(api, owner, payment_id)
    assert rest["userErrors"] == [] and rest["payment"]["status"] == "REFUNDED"
    assert await credits_of(api, owner, b.client_id) == {kind: 0}
    [row] = await audit_rows(app, "package_credits", b.client_id)
    assert row.action == "write" and row.actor_id == key_of(b.practice.owner["id"])

    # the used credit stays used: cancelling its appointment gives nothing back
    cancelled = await api.op(
        "CancelAppointment", {"input": {"id": used, "reason": "moved away"}}, token=owner
    )
    assert cancelled["cancelAppointment"]["userErrors"] == [], cancelled
    assert await credits_of(api, owner, b.client_id) == {kind: 0}


async def test_a_refunded_invoice_payment_reopens_the_invoice_for_what_is_owed(
    app: Starlette, api: GraphQLClient, smtp: Inbox
) -> None:
    b = await booking_setup(api, smtp)
    owner = b.practice.owner_token
    await attach_card(api, b.client_token, b.client_id)
    made = await api.op(
        "CreateInvoice",
        {
            "input": {
                "clientId": b.client_id,
                "items": [{"description": "Assessment", "amountCents": 4000}],
            }
        },
        token=owner,
    )
    invoice_id = made["createInvoice"]["invoice"]["id"]
    await api.op("SendInvoice", {"input": {"id": invoice_id}}, token=owner)
    paid = await api.op("PayInvoice", {"input": {"id": invoice_id}}, token=b.client_token)
    assert paid["payInvoice"]["invoice"]["status"] == "PAID"
    assert paid["payInvoice"]["invoice"]["amountDue"]["amountCents"] == 0
    payment_id = paid["payInvoice"]["payment"]["id"]

    back = await refund(api, owner, payment_id, 1500)
    assert back["userErrors"] == [], back
    assert back["payment"]["invoice"]["status"] == "OPEN"
    [listed] = [
        e["node"]
        for e in (await api.op("Invoices", {"first": 10}, token=b.client_token))["invoices"][
            "edges"
        ]
        if e["node"]["id"] == invoice_id
    ]
    assert (listed["status"], listed["amountDue"]["amountCents"]) == ("OPEN", 1500)
    assert listed["paidAt"] is None
    billing = await api.op("ClientBilling", {"id": b.client_id}, token=owner)
    assert billing["client"]["balance"]["amountCents"] == 1500
    [row] = await audit_rows(app, "invoice", b.client_id)
    assert row.resource_id == key_of(invoice_id)

    # what is still owed is what the next payment charges; then it is paid again
    again = await api.op("PayInvoice", {"input": {"id": invoice_id}}, token=b.client_token)
    assert again["payInvoice"]["userErrors"] == [], again
    assert again["payInvoice"]["payment"]["amount"]["amountCents"] == 1500
    assert again["payInvoice"]["invoice"]["status"] == "PAID"
    assert again["payInvoice"]["invoice"]["amountDue"]["amountCents"] == 0
    billing = await api.op("ClientBilling", {"id": b.client_id}, token=owner)
    assert billing["client"]["balance"]["amountCents"] == 0


async def test_a_refund_stripe_refuses_writes_nothing(
    app: Starlette, api: GraphQLClient, smtp: Inbox, stripe_api: str
) -> None:
    b = await booking_setup(api, smtp)
    owner = b.practice.owner_token
    kind = await make_type(api, b.practice, name="Refused", priceCents=6000)
    await attach_card(api, b.client_token, b.client_id)
    payment_id = await bought_package(api, b, kind, quantity=2)
    await stripe_forgets(app, stripe_api, payment_id)

    refused = await refund(api, owner, payment_id)
    assert codes(refused) == ["REFUND_FAILED"], refused
    row = await payment_row(app, payment_id)
    assert (row.status, row.refunded_cents) == (PaymentStatus.SUCCEEDED, 0)
    assert await credits_of(api, owner, b.client_id) == {kind: 2}
    assert await audit_rows(app, "package_credits", b.client_id) == []
    async with app.state.db.unit_of_work() as uow:
        refunds = await uow.session.execute(
            select(func.count()).select_from(Refund).where(Refund.payment_id == row.id)
        )
        assert refunds.scalar_one() == 0
        receipts = await uow.session.execute(
            select(func.count())
            .select_from(Email)
            .where(Email.account_id == key_of(b.client_id), Email.kind == "refund_receipt")
        )
        assert receipts.scalar_one() == 0


async def test_an_invoice_refund_that_stripe_refuses_leaves_it_paid(
    app: Starlette, api: GraphQLClient, smtp: Inbox, stripe_api: str
) -> None:
    b = await booking_setup(api, smtp)
    owner = b.practice.owner_token
    await attach_card(api, b.client_token, b.client_id)
    made = await api.op(
        "CreateInvoice",
        {"input": {"clientId": b.client_id, "items": [{"description": "X", "amountCents": 900}]}},
        token=owner,
    )
    invoice_id = made["createInvoice"]["invoice"]["id"]
    await api.op("SendInvoice", {"input": {"id": invoice_id}}, token=owner)
    paid = await api.op("PayInvoice", {"input": {"id": invoice_id}}, token=b.client_token)
    payment_id = paid["payInvoice"]["payment"]["id"]
    await stripe_forgets(app, stripe_api, payment_id)

    assert codes(await refund(api, owner, payment_id)) == ["REFUND_FAILED"]
    listed = await api.op("Invoices", {"first": 10}, token=owner)
    [invoice] = [e["node"] for e in listed["invoices"]["edges"] if e["node"]["id"] == invoice_id]
    assert (invoice["status"], invoice["amountDue"]["amountCents"]) == ("PAID", 0)
    assert await audit_rows(app, "invoice", b.client_id) == []


async def test_a_full_refund_made_in_stripes_dashboard_takes_the_credits_back_too(
    app: Starlette, api: GraphQLClient, http: httpx.AsyncClient, smtp: Inbox
) -> None:
    b = await booking_setup(api, smtp)
    owner = b.practice.owner_token
    kind = await make_type(api, b.practice, name="Dashboard", priceCents=6000)
    await attach_card(api, b.client_token, b.client_id)
    payment_id = await bought_package(api, b, kind, quantity=3)
    intent_id = (await payment_row(app, payment_id)).stripe_payment_intent_id
    charge_object = {
        "id": f"ch_{uuid.uuid4().hex[:24]}",
        "object": "charge",
        "amount": 20000,
        "amount_refunded": 20000,
        "currency": "usd",
        "payment_intent": intent_id,
        "refunded": True,
        "metadata": {},
    }
    event = stripe_event("charge.refunded", charge_object)
    for _ in range(2):  # delivered twice: applied once
        assert (await post_event(http, event)).status_code == 200

    async def refunded() -> bool:
        return (await payment_row(app, payment_id)).status is PaymentStatus.REFUNDED

    await eventually(refunded, timeout=15)
    assert await credits_of(api, owner, b.client_id) == {kind: 0}
    [row] = await audit_rows(app, "package_credits", b.client_id)
    assert row.actor_id is None  # no member of ours made it
    [mail] = await smtp.wait_for(b.client_email, subject="Your refund receipt from")
    assert "Amount refunded: 200.00 USD" in body_of(mail)
    assert "For: Package: 3 sessions" in body_of(mail)
