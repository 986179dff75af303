"""Billing over GraphQL against localstripe: cards, charges that move money once, refunds
within what was captured, external payments, invoices, tenancy and roles, statement counts.

Money is checked twice: in our answers and rows, and in localstripe's own PaymentIntents.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from starlette.applications import Starlette

from carebase.models import (
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentFailure,
    PaymentKind,
    PaymentStatus,
    Refund,
)
from carebase.resolvers.billing.charges import declined as decline_of
from tests.conftest import Practice, sign_up
from tests.fixtures.billing import (
    DECLINING,
    VISA,
    attach_card,
    charge,
    codes,
    intents_for,
    invited_member,
    new_client,
    payment_row,
    payments_of,
    stripe_http,
)
from tests.fixtures.factories import key_of, make_client
from tests.fixtures.graphql import GraphQLClient
from tests.fixtures.scheduling import CHICAGO, make_client_login
from tests.fixtures.smtp import Inbox, body_of
from tests.fixtures.statements import assert_pinned, count_statements

# ---------------------------------------------------------------------------- cards


async def test_cards_go_on_file_and_the_default_moves(
    api: GraphQLClient, practice: Practice
) -> None:
    owner = practice.owner_token
    client_id = await new_client(api, practice)
    intent = await api.op("CreateSetupIntent", {"input": {"clientId": client_id}}, token=owner)
    assert intent["createSetupIntent"]["userErrors"] == []
    secret = intent["createSetupIntent"]["clientSecret"]
    assert secret.startswith("seti_") and "_secret_" in secret

    first = await attach_card(api, owner, client_id)
    assert (first["brand"], first["last4"], first["isDefault"]) == ("visa", "4242", True)
    assert (first["expMonth"], first["expYear"]) == (12, 2030)
    second = await attach_card(api, owner, client_id, make_default=False)
    assert second["isDefault"] is False

    listed = (await api.op("BillingClient", {"id": client_id}, token=owner))["client"]
    assert [(m["id"], m["isDefault"]) for m in listed["paymentMethods"]] == [
        (first["id"], True),
        (second["id"], False),
    ]

    made = await api.op("SetDefaultPaymentMethod", {"input": {"id": second["id"]}}, token=owner)
    assert made["setDefaultPaymentMethod"]["userErrors"] == []
    assert made["setDefaultPaymentMethod"]["paymentMethod"]["isDefault"] is True
    listed = (await api.op("BillingClient", {"id": client_id}, token=owner))["client"]
    assert {m["id"]: m["isDefault"] for m in listed["paymentMethods"]} == {
        first["id"]: False,
        second["id"]: True,
    }

    removed = await api.op("RemovePaymentMethod", {"input": {"id": second["id"]}}, token=owner)
    assert removed["removePaymentMethod"]["userErrors"] == []
    listed = (await api.op("BillingClient", {"id": client_id}, token=owner))["client"]
    assert [(m["id"], m["isDefault"]) for m in listed["paymentMethods"]] == [(first["id"], True)]

    # and the one left is what a charge uses
    charged = await charge(api, owner, client_id, 1234)
    assert charged["userErrors"] == [] and charged["payment"]["status"] == "SUCCEEDED"


# ---------------------------------------------------------------------------- charges


async def test_a_charge_and_its_retry_move_money_once(
    app: Starlette, api: GraphQLClient, practice: Practice, stripe_api: str
) -> None:
    owner = practice.owner_token
    client_id = await new_client(api, practice)
    await attach_card(api, owner, client_id)
    key = f"charge-{uuid.uuid4().hex}"
    first = await charge(api, owner, client_id, 5000, key, description="Session on Monday")
    assert first["userErrors"] == []
    payment = first["payment"]
    assert (payment["status"], payment["kind"]) == ("SUCCEEDED", "ONE_TIME")
    assert payment["amount"] == {"amountCents": 5000, "currency": "usd"}
    assert payment["description"] == "Session on Monday"

    for _ in range(2):
        again = await charge(api, owner, client_id, 5000, key, description="Session on Monday")
        assert again["userErrors"] == []
        assert again["payment"]["id"] == payment["id"]
        assert again["payment"]["status"] == "SUCCEEDED"

    total, listed = await payments_of(api, owner, clientId=client_id)
    assert total == 1 and [p["id"] for p in listed] == [payment["id"]]
    [intent] = await intents_for(stripe_api, payment["id"])
    assert (intent["amount"], intent["status"]) == (5000, "succeeded")
    assert intent["metadata"]["carebase_payment"] == str(key_of(payment["id"]))
    row = await payment_row(app, payment["id"])
    assert row.stripe_payment_intent_id == intent["id"]

    # retries at the same moment: one payment, one PaymentIntent
    racing = f"race-{uuid.uuid4().hex}"
    answers = await asyncio.gather(*(charge(api, owner, client_id, 2500, racing) for _ in range(3)))
    ids = {a["payment"]["id"] for a in answers if a["payment"]}
    assert len(ids) == 1, answers
    assert all(a["userErrors"] == [] or codes(a) == ["PAYMENT_IN_PROGRESS"] for a in answers), (
        answers
    )
    [raced] = ids
    assert len(await intents_for(stripe_api, raced)) == 1
    assert (await payments_of(api, owner, clientId=client_id))[0] == 2

    reused = await charge(api, owner, client_id, 7000, key, description="Session on Monday")
    assert codes(reused) == ["IDEMPOTENCY_KEY_REUSED"]
    assert reused["payment"] is None
    assert (await payments_of(api, owner, clientId=client_id))[0] == 2
    assert len(await intents_for(stripe_api, payment["id"])) == 1


async def test_a_decline_is_kept_as_a_failed_payment(
    app: Starlette, api: GraphQLClient, practice: Practice, stripe_api: str
) -> None:
    owner = practice.owner_token
    client_id = await new_client(api, practice)
    await attach_card(api, owner, client_id, DECLINING)
    key = f"decline-{uuid.uuid4().hex}"
    declined = await charge(api, owner, client_id, 4200, key)
    [error] = declined["userErrors"]
    assert error["code"] == "CARD_DECLINED"
    assert error["message"] == "Your card was declined."  # Stripe's own words
    payment = declined["payment"]
    assert payment["status"] == "FAILED"
    assert payment["failureMessage"] == "Your card was declined."
    total, listed = await payments_of(api, owner, clientId=client_id, status="FAILED")
    assert total == 1 and listed[0]["id"] == payment["id"]
    # the same key answers the first response, the decline too, without charging again
    repeat = await charge(api, owner, client_id, 4200, key)
    assert codes(repeat) == ["CARD_DECLINED"] and repeat["payment"]["id"] == payment["id"]
    assert (await payments_of(api, owner, clientId=client_id))[0] == 1
    # a failed payment has nothing to refund
    refused = await api.op("RefundPayment", {"input": {"paymentId": payment["id"]}}, token=owner)
    assert refused["refundPayment"]["userErrors"], refused
    row = await payment_row(app, payment["id"])
    assert (row.status, row.refunded_cents) == (PaymentStatus.FAILED, 0)
    assert row.failure_code is PaymentFailure.CARD_DECLINED


def test_a_failure_is_told_by_its_code_not_its_message() -> None:
    def failed(code: PaymentFailure, message: str) -> Payment:
        return Payment(status=PaymentStatus.FAILED, failure_code=code, failure_message=message)

    no_card = decline_of(failed(PaymentFailure.NO_CARD, "Your card was declined."))
    assert no_card is not None and no_card.code.value == "NO_PAYMENT_METHOD"
    refused = decline_of(failed(PaymentFailure.CARD_DECLINED, "No card on file"))
    assert refused is not None and (refused.code.value, refused.message) == (
        "CARD_DECLINED",
        "No card on file",
    )
    not_charged = decline_of(failed(PaymentFailure.NOT_CHARGED, "The card was not charged"))
    assert not_charged is not None and not_charged.code.value == "CARD_DECLINED"
    assert decline_of(Payment(status=PaymentStatus.SUCCEEDED)) is None


async def test_no_card_no_charge(api: GraphQLClient, practice: Practice, app: Starlette) -> None:
    owner = practice.owner_token
    client_id = await new_client(api, practice)
    answer = await charge(api, owner, client_id, 3000, f"nocard-{uuid.uuid4().hex}")
    assert codes(answer) == ["NO_PAYMENT_METHOD"] and answer["payment"] is None
    assert (await payments_of(api, owner, clientId=client_id))[0] == 0
    async with app.state.db.unit_of_work() as uow:
        rows = await uow.session.execute(
            select(Payment.id).where(Payment.client_id == key_of(client_id))
        )
        assert rows.all() == []


# ---------------------------------------------------------------------------- refunds


async def test_concurrent_refunds_never_exceed_what_was_captured(
    app: Starlette, api: GraphQLClient, practice: Practice
) -> None:
    owner = practice.owner_token
    client_id = await new_client(api, practice)
    await attach_card(api, owner, client_id)
    payment = (await charge(api, owner, client_id, 4000))["payment"]
    answers = await asyncio.gather(
        *(
            api.op(
                "RefundPayment",
                {"input": {"paymentId": payment["id"], "amountCents": 3000}},
                token=owner,
            )
            for _ in range(3)
        )
    )
    outcomes = sorted(codes(a["refundPayment"]) for a in answers)
    assert outcomes == [[], ["REFUND_EXCEEDS_CAPTURED"], ["REFUND_EXCEEDS_CAPTURED"]], answers
    row = await payment_row(app, payment["id"])
    assert (row.status, row.refunded_cents) == (PaymentStatus.PARTIALLY_REFUNDED, 3000)


async def test_refunds_partial_over_and_the_rest(
    app: Starlette, api: GraphQLClient, practice: Practice, stripe_api: str
) -> None:
    owner = practice.owner_token
    client_id = await new_client(api, practice)
    await attach_card(api, owner, client_id)
    payment = (await charge(api, owner, client_id, 5000))["payment"]
    key = f"refund-{uuid.uuid4().hex}"
    for _ in range(2):  # a retried refund refunds once
        part = await api.op(
            "RefundPayment",
            {
                "input": {
                    "paymentId": payment["id"],
                    "amountCents": 1500,
                    "reason": "Short session",
                    "idempotencyKey": key,
                }
            },
            token=owner,
        )
        assert part["refundPayment"]["userErrors"] == []
        assert part["refundPayment"]["payment"]["status"] == "PARTIALLY_REFUNDED"
        assert part["refundPayment"]["payment"]["refunded"]["amountCents"] == 1500
    over = await api.op(
        "RefundPayment", {"input": {"paymentId": payment["id"], "amountCents": 3501}}, token=owner
    )
    assert codes(over["refundPayment"]) == ["REFUND_EXCEEDS_CAPTURED"]
    rest = await api.op(
        "RefundPayment", {"input": {"paymentId": payment["id"], "amountCents": None}}, token=owner
    )
    assert rest["refundPayment"]["userErrors"] == []
    done = rest["refundPayment"]["payment"]
    assert (done["status"], done["refunded"]["amountCents"]) == ("REFUNDED", 5000)
    nothing_left = await api.op(
        "RefundPayment", {"input": {"paymentId": payment["id"], "amountCents": 1}}, token=owner
    )
    assert codes(nothing_left["refundPayment"]) == ["REFUND_EXCEEDS_CAPTURED"]

    async with app.state.db.unit_of_work() as uow:
        refunds = (
            await uow.session.execute(
                select(Refund)
                .where(Refund.payment_id == key_of(payment["id"]))
                .order_by(Refund.created_at)
            )
        ).scalars()
        ours = [(r.amount_cents, r.reason) for r in refunds]
    assert ours == [(1500, "Short session"), (3500, None)]
    [intent] = await intents_for(stripe_api, payment["id"])
    async with stripe_http(stripe_api) as s:
        listed = (await s.get("/v1/refunds", params={"limit": 100})).json()["data"]
    at_stripe = sorted(
        r["amount"]
        for r in listed
        if r.get("payment_intent") == intent["id"]
        or (r.get("metadata") or {}).get("carebase_payment") == str(key_of(payment["id"]))
    )
    assert at_stripe == [1500, 3500]


# ---------------------------------------------------------------------------- external


async def test_external_payments_and_settling_an_invoice(
    api: GraphQLClient, practice: Practice
) -> None:
    owner = practice.owner_token
    client_id = await new_client(api, practice)
    cash = await api.op(
        "RecordExternalPayment",
        {
            "input": {
                "clientId": client_id,
                "amountCents": 2000,
                "method": "CASH",
                "note": "Paid at the desk",
            }
        },
        token=owner,
    )
    assert cash["recordExternalPayment"]["userErrors"] == []
    paid = cash["recordExternalPayment"]["payment"]
    assert (paid["kind"], paid["status"], paid["amount"]["amountCents"]) == (
        "EXTERNAL",
        "SUCCEEDED",
        2000,
    )
    created = await api.op(
        "CreateInvoice",
        {
            "input": {
                "clientId": client_id,
                "items": [{"description": "Intake", "amountCents": 9000}],
            }
        },
        token=owner,
    )
    invoice = created["createInvoice"]["invoice"]
    await api.op("SendInvoice", {"input": {"id": invoice["id"]}}, token=owner)
    balance = (await api.op("BillingClient", {"id": client_id}, token=owner))["client"]["balance"]
    assert balance["amountCents"] == 9000
    check = await api.op(
        "RecordExternalPayment",
        {
            "input": {
                "clientId": client_id,
                "amountCents": 9000,
                "method": "CHECK",
                "invoiceId": invoice["id"],
            }
        },
        token=owner,
    )
    assert check["recordExternalPayment"]["userErrors"] == []
    assert check["recordExternalPayment"]["payment"]["invoice"] == {
        "id": invoice["id"],
        "status": "PAID",
    }
    invoices = await api.op("Invoices", {"filter": {"clientId": client_id}}, token=owner)
    assert [e["node"]["status"] for e in invoices["invoices"]["edges"]] == ["PAID"]
    balance = (await api.op("BillingClient", {"id": client_id}, token=owner))["client"]["balance"]
    assert balance["amountCents"] == 0


# ---------------------------------------------------------------------------- invoices


async def test_invoice_lifecycle_email_and_payment_by_the_client(
    api: GraphQLClient, practice: Practice, smtp: Inbox, stripe_api: str
) -> None:
    owner = practice.owner_token
    client_id, email, client_token = await make_client_login(api, practice, smtp, "Ivy Invoice")
    due = (datetime.now(CHICAGO) + timedelta(days=14)).date().isoformat()
    created = await api.op(
        "CreateInvoice",
        {
            "input": {
                "clientId": client_id,
                "dueDate": due,
                "items": [
                    {"description": "Therapy session", "amountCents": 12000, "quantity": 3},
                    {"description": "Workbook", "amountCents": 2550},
                ],
            }
        },
        token=owner,
    )
    assert created["createInvoice"]["userErrors"] == []
    invoice = created["createInvoice"]["invoice"]
    assert invoice["status"] == "DRAFT" and invoice["dueDate"] == due
    assert invoice["total"] == {"amountCents": 3 * 12000 + 2550, "currency": "usd"}
    assert [
        (x["quantity"], x["unitPrice"]["amountCents"], x["total"]["amountCents"])
        for x in invoice["lines"]
    ] == [
        (3, 12000, 36000),
        (1, 2550, 2550),
    ]
    # a draft is owed by nobody yet
    client_view = (await api.op("BillingClient", {"id": client_id}, token=owner))["client"]
    assert client_view["balance"]["amountCents"] == 0

    sent = await api.op("SendInvoice", {"input": {"id": invoice["id"]}}, token=owner)
    assert sent["sendInvoice"]["userErrors"] == []
    assert sent["sendInvoice"]["invoice"]["status"] == "OPEN"
    [message] = await smtp.wait_for(email, subject="Invoice")
    assert f"https://portal.example.test/invoices/{key_of(invoice['id'])}" in body_of(message)
    client_view = (await api.op("BillingClient", {"id": client_id}, token=owner))["client"]
    assert client_view["balance"] == {"amountCents": 38550, "currency": "usd"}

    # a second open invoice adds to the balance; voided, it no longer counts
    other = (
        await api.op(
            "CreateInvoice",
            {
                "input": {
                    "clientId": client_id,
                    "items": [{"description": "Late fee", "amountCents": 1000}],
                }
            },
            token=owner,
        )
    )["createInvoice"]["invoice"]
    await api.op("SendInvoice", {"input": {"id": other["id"]}}, token=owner)
    client_view = (await api.op("BillingClient", {"id": client_id}, token=owner))["client"]
    assert client_view["balance"]["amountCents"] == 39550
    voided = await api.op("VoidInvoice", {"input": {"id": other["id"]}}, token=owner)
    assert voided["voidInvoice"]["invoice"]["status"] == "VOID"
    client_view = (await api.op("BillingClient", {"id": client_id}, token=owner))["client"]
    assert client_view["balance"]["amountCents"] == 38550
    void_pay = await api.op("PayInvoice", {"input": {"id": other["id"]}}, token=client_token)
    assert codes(void_pay["payInvoice"]) == ["INVOICE_NOT_OPEN"]

    # another client of the practice neither reads nor pays it
    _, _, stranger = await make_client_login(api, practice, smtp, "Nosy Neighbor")
    seen = await api.raw(
        "query($id: ID!) { node(id: $id) { id } }", {"id": invoice["id"]}, token=stranger
    )
    assert seen["data"]["node"] is None
    theirs = await api.op("Invoices", {}, token=stranger)
    assert theirs["invoices"]["totalCount"] == 0
    stolen = await api.op("PayInvoice", {"input": {"id": invoice["id"]}}, token=stranger)
    assert codes(stolen["payInvoice"]) in (["NOT_FOUND"], ["FORBIDDEN"])
    assert stolen["payInvoice"]["payment"] is None

    # the client pays their own, with their own card
    await attach_card(api, client_token, client_id)
    mine = await api.op("Invoices", {}, token=client_token)
    assert {e["node"]["id"] for e in mine["invoices"]["edges"]} == {invoice["id"], other["id"]}
    paid = await api.op(
        "PayInvoice",
        {"input": {"id": invoice["id"], "idempotencyKey": f"pay-{uuid.uuid4().hex}"}},
        token=client_token,
    )
    assert paid["payInvoice"]["userErrors"] == []
    assert paid["payInvoice"]["invoice"]["status"] == "PAID"
    assert paid["payInvoice"]["invoice"]["paidAt"] is not None
    payment = paid["payInvoice"]["payment"]
    assert (payment["kind"], payment["status"], payment["amount"]["amountCents"]) == (
        "INVOICE",
        "SUCCEEDED",
        38550,
    )
    assert payment["invoice"] == {"id": invoice["id"], "status": "PAID"}
    [intent] = await intents_for(stripe_api, payment["id"])
    assert intent["amount"] == 38550
    again = await api.op("PayInvoice", {"input": {"id": invoice["id"]}}, token=client_token)
    assert codes(again["payInvoice"]) == ["INVOICE_NOT_OPEN"]
    client_view = (await api.op("BillingClient", {"id": client_id}, token=owner))["client"]
    assert client_view["balance"]["amountCents"] == 0
    assert (await payments_of(api, owner, clientId=client_id))[0] == 1


# ---------------------------------------------------------------------------- tenancy and roles


async def test_another_organization_is_refused_everywhere(
    app: Starlette, api: GraphQLClient, practice: Practice, stripe_api: str
) -> None:
    owner = practice.owner_token
    client_id = await new_client(api, practice)
    await attach_card(api, owner, client_id)
    shared_key = f"shared-{uuid.uuid4().hex}"
    payment = (await charge(api, owner, client_id, 5000, shared_key))["payment"]
    invoice = (
        await api.op(
            "CreateInvoice",
            {
                "input": {
                    "clientId": client_id,
                    "items": [{"description": "Session", "amountCents": 8000}],
                }
            },
            token=owner,
        )
    )["createInvoice"]["invoice"]
    await api.op("SendInvoice", {"input": {"id": invoice["id"]}}, token=owner)
    scheduled = (
        await api.op(
            "SchedulePayment",
            {
                "input": {
                    "clientId": client_id,
                    "amountCents": 1000,
                    "chargeOn": (datetime.now(CHICAGO) + timedelta(days=30)).date().isoformat(),
                }
            },
            token=owner,
        )
    )["schedulePayment"]["payment"]

    other = await sign_up(api, "Elsewhere Clinic")
    them = other.owner_token
    theirs = await new_client(api, other)
    await attach_card(api, them, theirs)

    refused = await charge(api, them, client_id, 100)
    assert codes(refused) in (["NOT_FOUND"], ["FORBIDDEN"]) and refused["payment"] is None
    # an idempotency key is the organization's own: the same key works for the other one
    own = await charge(api, them, theirs, 100, shared_key)
    assert own["userErrors"] == [] and own["payment"]["status"] == "SUCCEEDED"

    for document, variables, field in [
        ("RefundPayment", {"input": {"paymentId": payment["id"]}}, "refundPayment"),
        ("PayInvoice", {"input": {"id": invoice["id"]}}, "payInvoice"),
        ("SendInvoice", {"input": {"id": invoice["id"]}}, "sendInvoice"),
        ("VoidInvoice", {"input": {"id": invoice["id"]}}, "voidInvoice"),
        (
            "CancelScheduledPayment",
            {"input": {"paymentId": scheduled["id"]}},
            "cancelScheduledPayment",
        ),
        ("CreateSetupIntent", {"input": {"clientId": client_id}}, "createSetupIntent"),
        (
            "AttachPaymentMethod",
            {"input": {"clientId": client_id, "stripePaymentMethodId": VISA}},
            "attachPaymentMethod",
        ),
        (
            "SchedulePayment",
            {"input": {"clientId": client_id, "amountCents": 100, "chargeOn": "2099-01-01"}},
            "schedulePayment",
        ),
        (
            "RecordExternalPayment",
            {"input": {"clientId": client_id, "amountCents": 100, "method": "CASH"}},
            "recordExternalPayment",
        ),
        (
            "CreateInvoice",
            {"input": {"clientId": client_id, "items": [{"description": "x", "amountCents": 1}]}},
            "createInvoice",
        ),
    ]:
        data = await api.op(document, variables, token=them)
        assert codes(data[field]) in (["NOT_FOUND"], ["FORBIDDEN"]), (document, data)

    total, listed = await payments_of(api, them)
    assert payment["id"] not in [p["id"] for p in listed]
    assert total == len(listed) and all(p["client"]["id"] == theirs for p in listed)
    assert (await payments_of(api, them, clientId=client_id))[0] == 0
    assert (await api.op("Invoices", {}, token=them))["invoices"]["totalCount"] == 0
    for node_id in (payment["id"], invoice["id"], scheduled["id"]):
        seen = await api.raw(
            "query($id: ID!) { node(id: $id) { id } }", {"id": node_id}, token=them
        )
        assert seen["data"]["node"] is None
    client_read = await api.raw(
        "query($id: ID!) { client(id: $id) { id paymentMethods { id } balance { amountCents } } }",
        {"id": client_id},
        token=them,
    )
    assert (client_read.get("data") or {}).get("client") is None

    # nothing changed for the practice
    row = await payment_row(app, payment["id"])
    assert (row.status, row.refunded_cents) == (PaymentStatus.SUCCEEDED, 0)
    assert (await payment_row(app, scheduled["id"])).status is PaymentStatus.SCHEDULED
    async with app.state.db.unit_of_work() as uow:
        stored = await uow.session.get_one(Invoice, key_of(invoice["id"]))
        assert stored.status is InvoiceStatus.OPEN
        payment_count = (
            await uow.session.execute(
                select(Payment.id).where(Payment.client_id == key_of(client_id))
            )
        ).all()
    assert len(payment_count) == 2  # the charge and the scheduled one
    assert len(await intents_for(stripe_api, payment["id"])) == 1


async def test_a_payment_cannot_name_another_organizations_invoice(
    app: Starlette, api: GraphQLClient, practice: Practice
) -> None:
    client_id = await new_client(api, practice)
    invoice = (
        await api.op(
            "CreateInvoice",
            {
                "input": {
                    "clientId": client_id,
                    "items": [{"description": "Private session", "amountCents": 8000}],
                }
            },
            token=practice.owner_token,
        )
    )["createInvoice"]["invoice"]
    await api.op("SendInvoice", {"input": {"id": invoice["id"]}}, token=practice.owner_token)
    other = await sign_up(api, "Snooping Clinic")
    theirs = await new_client(api, other)
    linked = await api.op(
        "RecordExternalPayment",
        {
            "input": {
                "clientId": theirs,
                "amountCents": 8000,
                "method": "CASH",
                "invoiceId": invoice["id"],
            }
        },
        token=other.owner_token,
    )
    payload = linked["recordExternalPayment"]
    # nothing of the other practice's invoice comes back, and no payment names it
    assert payload["payment"] is None or payload["payment"]["invoice"] is None, payload
    assert codes(payload) in (["NOT_FOUND"], ["FORBIDDEN"]), payload
    async with app.state.db.unit_of_work() as uow:
        rows = await uow.session.execute(
            select(Payment.id).where(Payment.invoice_id == key_of(invoice["id"]))
        )
        assert rows.all() == []
        stored = await uow.session.get_one(Invoice, key_of(invoice["id"]))
        assert stored.status is InvoiceStatus.OPEN


async def test_clients_see_their_own_and_every_member_works_with_billing(
    api: GraphQLClient, practice: Practice, smtp: Inbox
) -> None:
    owner = practice.owner_token
    mine_id, _, mine = await make_client_login(api, practice, smtp, "Mia Mine")
    yours_id, _, yours = await make_client_login(api, practice, smtp, "Yul Yours")
    _, staff = await invited_member(api, smtp, practice, "STAFF")
    for client_id in (mine_id, yours_id):
        await attach_card(api, owner, client_id)

    by_staff = await charge(api, staff, mine_id, 2500)
    assert by_staff["userErrors"] == [] and by_staff["payment"]["status"] == "SUCCEEDED"
    other = await charge(api, owner, yours_id, 3500)
    assert other["payment"]["status"] == "SUCCEEDED"
    refunded = await api.op(
        "RefundPayment",
        {"input": {"paymentId": by_staff["payment"]["id"], "amountCents": 500}},
        token=staff,
    )
    assert refunded["refundPayment"]["userErrors"] == []
    for client_id in (mine_id, yours_id):
        await api.op(
            "SendInvoice",
            {
                "input": {
                    "id": (
                        await api.op(
                            "CreateInvoice",
                            {
                                "input": {
                                    "clientId": client_id,
                                    "items": [{"description": "Session", "amountCents": 100}],
                                }
                            },
                            token=staff,
                        )
                    )["createInvoice"]["invoice"]["id"]
                }
            },
            token=staff,
        )

    total, listed = await payments_of(api, mine)
    assert total == 1 and [p["id"] for p in listed] == [by_staff["payment"]["id"]]
    assert (await payments_of(api, mine, clientId=yours_id))[0] == 0
    invoices = await api.op("Invoices", {}, token=mine)
    assert invoices["invoices"]["totalCount"] == 1
    assert invoices["invoices"]["edges"][0]["node"]["client"]["id"] == mine_id
    seen = await api.raw(
        "query($id: ID!) { node(id: $id) { id } }", {"id": other["payment"]["id"]}, token=mine
    )
    assert seen["data"]["node"] is None

    # a client manages only their own cards
    for document, field in (
        ("CreateSetupIntent", "createSetupIntent"),
        ("AttachPaymentMethod", "attachPaymentMethod"),
    ):
        variables: dict[str, Any] = {"clientId": yours_id}
        if document == "AttachPaymentMethod":
            variables["stripePaymentMethodId"] = VISA
        other_card = await api.op(document, {"input": variables}, token=mine)
        assert codes(other_card[field]) in (["FORBIDDEN"], ["NOT_FOUND"]), other_card
    [their_card] = (await api.op("BillingClient", {"id": yours_id}, token=yours))["client"][
        "paymentMethods"
    ]
    removed = await api.op("RemovePaymentMethod", {"input": {"id": their_card["id"]}}, token=mine)
    assert codes(removed["removePaymentMethod"]) in (["FORBIDDEN"], ["NOT_FOUND"])
    still = (await api.op("BillingClient", {"id": yours_id}, token=owner))["client"]
    assert [m["id"] for m in still["paymentMethods"]] == [their_card["id"]]

    # a client may not charge, not even themself, nor refund
    self_charge = await charge(api, mine, mine_id, 100)
    assert codes(self_charge) == ["FORBIDDEN"] and self_charge["payment"] is None
    refund = await api.op(
        "RefundPayment", {"input": {"paymentId": by_staff["payment"]["id"]}}, token=mine
    )
    assert codes(refund["refundPayment"]) in (["FORBIDDEN"], ["NOT_FOUND"])
    assert (await payments_of(api, owner))[0] == 2
    assert (await payments_of(api, yours))[0] == 1


# ---------------------------------------------------------------------------- statement counts


async def test_payments_with_client_and_invoice_cost_the_same_for_10_and_100(
    app: Starlette, api: GraphQLClient
) -> None:
    practice = await sign_up(api, "Counting Clinic")
    org = key_of(practice.id)
    async with app.state.db.unit_of_work(write=True) as uow:
        for i in range(100):
            client = await make_client(uow, organization_id=org, name=f"Payer {i:03}")
            invoice = Invoice(
                organization_id=org,
                client_id=client.id,
                currency="usd",
                total_cents=1000 + i,
                lines=[{"description": "Session", "amount_cents": 1000 + i, "quantity": 1}],
                status=InvoiceStatus.PAID,
            )
            uow.session.add(invoice)
            await uow.session.flush()
            uow.session.add(
                Payment(
                    organization_id=org,
                    client_id=client.id,
                    kind=PaymentKind.INVOICE,
                    status=PaymentStatus.SUCCEEDED,
                    amount_cents=1000 + i,
                    currency="usd",
                    invoice_id=invoice.id,
                )
            )
    counts = {}
    for first in (10, 100):
        with count_statements(app) as statements:
            data = await api.op("Payments", {"first": first}, token=practice.owner_token)
        edges = data["payments"]["edges"]
        assert len(edges) == first
        assert all(e["node"]["client"]["name"].startswith("Payer") for e in edges)
        assert all(e["node"]["invoice"]["status"] == "PAID" for e in edges)
        counts[first] = len(statements)
    assert_pinned("payments", counts)
