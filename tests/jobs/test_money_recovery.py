"""When a commit, an answer or a message is lost, money still moves once."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from starlette.applications import Starlette

from carebase import db as db_module
from carebase.gateways import stripe as stripe_gateway
from carebase.models import Payment, PaymentStatus, utcnow
from tests.conftest import Practice
from tests.fixtures.billing import (
    attach_card,
    book_as_member,
    charge,
    intents_for,
    new_client,
    past_start,
    payments_for_appointment,
    set_status,
)
from tests.fixtures.graphql import GraphQLClient, documents
from tests.fixtures.scheduling import booking_setup, make_type
from tests.fixtures.smtp import Inbox
from tests.fixtures.waiting import eventually


async def test_a_retry_after_a_lost_commit_charges_once(
    app: Starlette,
    api: GraphQLClient,
    practice: Practice,
    stripe_api: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    owner = practice.owner_token
    client_id = await new_client(api, practice)
    await attach_card(api, owner, client_id)
    real = db_module.flush_audit

    async def commit_lost(uow: Any) -> None:
        if any(r.get("operation") == "chargeClient" for r in uow.audit_rows):
            raise ConnectionResetError("the database went away at commit")
        await real(uow)

    monkeypatch.setattr(db_module, "flush_audit", commit_lost)
    key = uuid.uuid4().hex
    lost = await api.raw(
        documents()["ChargeClient"],
        {"input": {"clientId": client_id, "amountCents": 4400, "idempotencyKey": key}},
        token=owner,
    )
    # the caller learns that it failed (masked), and sees no payment that was never saved
    assert lost.get("data") is None, lost
    assert [e["extensions"]["code"] for e in lost["errors"]] == ["INTERNAL_SERVER_ERROR"]
    monkeypatch.setattr(db_module, "flush_audit", real)
    again = await charge(api, owner, client_id, 4400, key)
    assert again["userErrors"] == [] and again["payment"]["status"] == "SUCCEEDED"
    assert len(await intents_for(stripe_api, again["payment"]["id"])) == 1  # adopted, not redone


async def test_an_invoice_in_payment_cannot_be_paid_again(
    api: GraphQLClient, practice: Practice, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = practice.owner_token
    client_id = await new_client(api, practice)
    await attach_card(api, owner, client_id)
    created = await api.op(
        "CreateInvoice",
        {
            "input": {
                "clientId": client_id,
                "items": [{"description": "Session", "amountCents": 9900}],
            }
        },
        token=owner,
    )
    invoice_id = created["createInvoice"]["invoice"]["id"]
    await api.op("SendInvoice", {"input": {"id": invoice_id}}, token=owner)

    def unreachable(*args: Any, **kwargs: Any) -> Any:
        raise stripe_gateway.StripeUnavailable("timed out")

    monkeypatch.setattr(stripe_gateway.StripeGateway, "charge", unreachable)
    first = await api.op("PayInvoice", {"input": {"id": invoice_id}}, token=owner)
    assert first["payInvoice"]["payment"]["status"] == "PROCESSING"
    monkeypatch.undo()
    second = await api.op("PayInvoice", {"input": {"id": invoice_id}}, token=owner)
    assert second["payInvoice"]["userErrors"][0]["code"] == "PAYMENT_IN_PROGRESS"


async def test_a_lost_autocharge_message_is_found_by_the_scheduler(
    app: Starlette, api: GraphQLClient, smtp: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    b = await booking_setup(api, smtp)
    owner = b.practice.owner_token
    kind = await make_type(
        api, b.practice, name="Auto", priceCents=9000, autochargeWhenOccurred=True
    )
    await attach_card(api, owner, b.client_id)
    appointment_id = await book_as_member(api, b, past_start(2), type_id=kind)
    db = app.state.db
    real = db.dispatch
    monkeypatch.setattr(
        db,
        "dispatch",
        lambda jobs: real([j for j in jobs if j.actor != "billing.charge_appointment"]),
    )
    await set_status(api, owner, appointment_id, "OCCURRED")
    monkeypatch.setattr(db, "dispatch", real)
    [payment] = await payments_for_appointment(app, appointment_id)
    assert payment.status is PaymentStatus.SCHEDULED
    async with db.unit_of_work(write=True) as uow:  # its message is a while overdue now
        await uow.session.execute(
            update(Payment)
            .where(Payment.id == payment.id)
            .values(created_at=utcnow() - timedelta(minutes=2))
        )

    async def charged() -> bool:  # the in-process scheduler finds it and resends its job
        [payment] = await payments_for_appointment(app, appointment_id)
        return payment.status is PaymentStatus.SUCCEEDED

    await eventually(charged, timeout=15, message="the overdue autocharge was not resent")


async def test_a_dashboard_refund_reported_only_as_an_amount_is_recorded(
    app: Starlette,
    api: GraphQLClient,
    http: httpx.AsyncClient,
    practice: Practice,
) -> None:
    from tests.fixtures.billing import payment_row, post_event, stripe_event

    owner = practice.owner_token
    client_id = await new_client(api, practice)
    await attach_card(api, owner, client_id)
    paid = (await charge(api, owner, client_id, 5000))["payment"]
    row = await payment_row(app, paid["id"])
    charge_object = {  # as current API versions send it: no refunds list
        "id": "ch_" + uuid.uuid4().hex[:12],
        "object": "charge",
        "amount": 5000,
        "amount_refunded": 2000,
        "payment_intent": row.stripe_payment_intent_id,
        "metadata": {},
        "refunded": False,
    }
    response = await post_event(http, stripe_event("charge.refunded", charge_object))
    assert response.status_code == 200

    async def refunded() -> Payment | None:
        row = await payment_row(app, paid["id"])
        return row if row.refunded_cents else None

    row = await eventually(refunded, message="the dashboard refund was not recorded")
    assert row.refunded_cents == 2000 and row.status is PaymentStatus.PARTIALLY_REFUNDED
