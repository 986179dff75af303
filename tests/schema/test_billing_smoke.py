"""Billing against localstripe: a card goes on file, a charge and its refunds."""

from __future__ import annotations

from tests.conftest import Practice
from tests.fixtures.graphql import GraphQLClient


async def test_card_on_file_charge_and_refunds(api: GraphQLClient, practice: Practice) -> None:
    owner = practice.owner_token
    client = (
        await api.op(
            "CreateClient",
            {"input": {"name": "Pay Er", "email": f"payer-{practice.id[-8:]}@example.test"}},
            token=owner,
        )
    )["createClient"]["client"]
    secret = await api.op("CreateSetupIntent", {"input": {"clientId": client["id"]}}, token=owner)
    assert secret["createSetupIntent"]["clientSecret"].startswith("seti_")
    card = await api.op(
        "AttachPaymentMethod",
        {"input": {"clientId": client["id"], "stripePaymentMethodId": "pm_card_visa"}},
        token=owner,
    )
    assert card["attachPaymentMethod"]["paymentMethod"]["last4"] == "4242"
    assert card["attachPaymentMethod"]["paymentMethod"]["isDefault"] is True
    charged = await api.op(
        "ChargeClient",
        {"input": {"clientId": client["id"], "amountCents": 5000, "idempotencyKey": "c-1"}},
        token=owner,
    )
    payment = charged["chargeClient"]["payment"]
    assert charged["chargeClient"]["userErrors"] == [] and payment["status"] == "SUCCEEDED"
    again = await api.op(
        "ChargeClient",
        {"input": {"clientId": client["id"], "amountCents": 5000, "idempotencyKey": "c-1"}},
        token=owner,
    )
    assert again["chargeClient"]["payment"]["id"] == payment["id"]
    part = await api.op(
        "RefundPayment", {"input": {"paymentId": payment["id"], "amountCents": 1500}}, token=owner
    )
    assert part["refundPayment"]["payment"]["status"] == "PARTIALLY_REFUNDED"
    over = await api.op(
        "RefundPayment", {"input": {"paymentId": payment["id"], "amountCents": 4000}}, token=owner
    )
    assert over["refundPayment"]["userErrors"][0]["code"] == "REFUND_EXCEEDS_CAPTURED"
    rest = await api.op("RefundPayment", {"input": {"paymentId": payment["id"]}}, token=owner)
    assert rest["refundPayment"]["payment"]["status"] == "REFUNDED"
    assert rest["refundPayment"]["payment"]["refunded"]["amountCents"] == 5000
