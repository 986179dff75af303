"""The Stripe gateway's typed outcomes: a decline carries Stripe's codes, not only words."""

from __future__ import annotations

import uuid

import pytest
import stripe

from carebase.config import Settings
from carebase.gateways.stripe import CardDeclined, StripeGateway
from tests.fixtures.billing import DECLINING
from tests.fixtures.secrets import secret


async def test_a_declined_charge_carries_stripes_code(settings: Settings) -> None:
    gateway = StripeGateway(settings)
    client = str(uuid.uuid4())
    customer = await gateway.create_customer(
        client_id=client,
        email=secret(f"declined-{client[:8]}@example.test", "email"),
        name=secret(f"Dee Clined {client[:8]}", "name"),
    )
    card = await gateway.attach_card(payment_method_id=DECLINING, customer_id=customer)
    with pytest.raises(CardDeclined) as raised:
        await gateway.charge(
            payment_id=str(uuid.uuid4()),
            attempt=1,
            amount_cents=1200,
            currency="usd",
            customer_id=customer,
            payment_method_id=card.id,
            description=None,
        )
    assert raised.value.code == "card_declined"
    assert raised.value.message  # Stripe's words for the client, shown as they are


def test_the_codes_come_from_stripes_error_not_its_message() -> None:
    body = {
        "error": {
            "type": "card_error",
            "code": "card_declined",
            "decline_code": "insufficient_funds",
            "message": "No card on file",  # words that must not decide anything
            "payment_intent": {"id": "pi_123"},
        }
    }
    error = stripe.CardError(  # type: ignore[no-untyped-call]
        "No card on file", None, "card_declined", json_body=body
    )
    declined = CardDeclined.of(error)
    assert (declined.code, declined.decline_code, declined.intent_id) == (
        "card_declined",
        "insufficient_funds",
        "pi_123",
    )
    assert declined.message == "No card on file"
