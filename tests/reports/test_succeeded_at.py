"""Every way a payment becomes SUCCEEDED records when, on the unit of work's clock, and a
refund its own time; the revenue report counts them on those days.

The clock is moved days ahead first, so a time taken from the wall (``created_at``) instead
of the clock would land on another day and fail."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import select
from starlette.applications import Starlette

from carebase.clock import SettableClock
from carebase.models import Payment, PaymentKind, PaymentStatus, Refund
from tests.conftest import Practice
from tests.fixtures.billing import (
    attach_card,
    charge,
    new_client,
    payment_row,
    post_event,
    stripe_event,
    wait_for_payment,
)
from tests.fixtures.factories import key_of
from tests.fixtures.graphql import GraphQLClient
from tests.fixtures.insurance import insured_setup, new_claim
from tests.fixtures.smtp import Inbox

AHEAD = timedelta(days=9)
CHICAGO = ZoneInfo("America/Chicago")  # the `practice` fixture's zone


def close(a: datetime | None, b: datetime) -> bool:
    assert a is not None
    return abs(a - b) < timedelta(minutes=1)


async def revenue_on(
    api: GraphQLClient, practice: Practice, clock: SettableClock
) -> dict[str, int]:
    day = clock.now().astimezone(CHICAGO).date().isoformat()
    data = await api.op(
        "RevenueReport", {"from": day, "to": day, "groupBy": "KIND"}, token=practice.owner_token
    )
    report = data["revenueReport"]
    return {
        "gross": report["total"]["gross"]["amountCents"],
        "refunded": report["total"]["refunded"]["amountCents"],
        "payments": report["total"]["payments"],
    }


async def test_card_charge_external_payment_and_refunds_keep_their_times(
    app: Starlette, api: GraphQLClient, practice: Practice, clock: SettableClock
) -> None:
    clock.advance(AHEAD)
    owner = practice.owner_token
    client_id = await new_client(api, practice)
    await attach_card(api, owner, client_id)
    charged = await charge(api, owner, client_id, 5000)
    assert charged["userErrors"] == [] and charged["payment"]["status"] == "SUCCEEDED"
    card_row = await payment_row(app, charged["payment"]["id"])
    assert close(card_row.succeeded_at, clock.now())

    cash = await api.op(
        "RecordExternalPayment",
        {
            "input": {
                "clientId": client_id,
                "amountCents": 2000,
                "method": "CASH",
                "idempotencyKey": "cash-1",
            }
        },
        token=owner,
    )
    payment = cash["recordExternalPayment"]["payment"]
    assert close((await payment_row(app, payment["id"])).succeeded_at, clock.now())

    # the refund right after an external payment (once seen to hang): answered, recorded
    refunded = await api.op(
        "RefundPayment",
        {"input": {"paymentId": payment["id"], "amountCents": 500, "idempotencyKey": "cash-1"}},
        token=owner,
    )
    assert refunded["refundPayment"]["userErrors"] == []
    assert refunded["refundPayment"]["payment"]["status"] == "PARTIALLY_REFUNDED"
    card_refund = await api.op(
        "RefundPayment",
        {"input": {"paymentId": charged["payment"]["id"], "amountCents": 1000}},
        token=owner,
    )
    assert card_refund["refundPayment"]["userErrors"] == []
    async with app.state.db.unit_of_work() as uow:
        refunds = (
            (
                await uow.session.execute(
                    select(Refund).where(
                        Refund.payment_id.in_([key_of(payment["id"]), card_row.id])
                    )
                )
            )
            .scalars()
            .all()
        )
    assert len(refunds) == 2 and all(close(r.refunded_at, clock.now()) for r in refunds)
    # a refunded payment keeps the time it succeeded
    assert (await payment_row(app, card_row.id)).succeeded_at == card_row.succeeded_at
    shown = await api.raw(
        "query($id: ID!) { node(id: $id) { ... on Payment { succeededAt status } } }",
        {"id": charged["payment"]["id"]},
        token=owner,
    )
    node = shown["data"]["node"]
    assert node["status"] == "PARTIALLY_REFUNDED"
    assert close(datetime.fromisoformat(node["succeededAt"]), clock.now())
    assert await revenue_on(api, practice, clock) == {
        "gross": 7000,
        "refunded": 1500,
        "payments": 2,
    }


async def test_stripes_succeeded_event_records_the_time(
    app: Starlette,
    api: GraphQLClient,
    http: httpx.AsyncClient,
    practice: Practice,
    clock: SettableClock,
) -> None:
    clock.advance(AHEAD)
    client_id = await new_client(api, practice)
    intent = f"pi_{uuid.uuid4().hex[:24]}"
    async with app.state.db.unit_of_work(write=True) as uow:
        row = Payment(
            organization_id=key_of(practice.id),
            client_id=key_of(client_id),
            kind=PaymentKind.ONE_TIME,
            status=PaymentStatus.PROCESSING,
            amount_cents=3300,
            currency="usd",
            stripe_payment_intent_id=intent,
        )
        uow.session.add(row)
        await uow.session.flush()
        payment_id = row.id
    event = stripe_event(
        "payment_intent.succeeded",
        {"id": intent, "object": "payment_intent", "status": "succeeded",
         "metadata": {"carebase_payment": str(payment_id)}},
    )  # fmt: skip
    assert (await post_event(http, event)).status_code == 200
    done = await wait_for_payment(app, payment_id, [PaymentStatus.SUCCEEDED])
    assert close(done.succeeded_at, clock.now())
    assert (await revenue_on(api, practice, clock))["gross"] == 3300


async def test_an_insurance_payment_counts_for_the_claims_provider(
    app: Starlette, api: GraphQLClient, smtp: Inbox, clock: SettableClock
) -> None:
    ins = await insured_setup(api, smtp)
    claim = await new_claim(api, ins)
    moved = await api.op(
        "UpdateClaimStatus",
        {"input": {"id": claim["id"], "status": "SUBMITTED"}},
        token=ins.owner,
    )
    assert moved["updateClaimStatus"]["userErrors"] == []
    clock.advance(AHEAD)
    paid = await api.op(
        "RecordInsurancePayment",
        {"input": {"claimId": claim["id"], "amountCents": 2000, "paidOn": "2026-11-30"}},
        token=ins.owner,
    )
    body = paid["recordInsurancePayment"]
    assert body["userErrors"] == []
    assert close((await payment_row(app, body["payment"]["id"])).succeeded_at, clock.now())
    day = clock.now().astimezone(CHICAGO).date().isoformat()
    data = await api.op(
        "RevenueReport", {"from": day, "to": day, "groupBy": "PROVIDER"}, token=ins.owner
    )
    rows = data["revenueReport"]["rows"]
    assert [(r["key"], r["gross"]["amountCents"]) for r in rows] == [(ins.b.provider_id, 2000)]
