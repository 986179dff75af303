"""Without a Stripe key, card operations say so and everything else still works."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from carebase.app import create_app
from carebase.config import Settings
from tests.conftest import make_settings, sign_up, unique_email
from tests.fixtures.graphql import GraphQLClient
from tests.fixtures.smtp import Inbox


@pytest.fixture
async def no_stripe(
    settings: Settings, smtp: Inbox, tmp_path: Path
) -> AsyncIterator[GraphQLClient]:
    plain = make_settings(tmp_path, smtp.port, CAREBASE_DATABASE_URL=settings.database_url)
    assert not plain.stripe_secret_key
    app = create_app(plain)  # no lifespan: no worker, the session's app keeps the jobs
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://carebase.test") as http:
        yield GraphQLClient(http)
    await app.state.db.dispose()


async def test_card_operations_answer_payments_not_configured(no_stripe: GraphQLClient) -> None:
    practice = await sign_up(no_stripe, "Cash Only")
    owner = practice.owner_token
    client = (
        await no_stripe.op(
            "CreateClient", {"input": {"name": "Cass", "email": unique_email("cash")}}, token=owner
        )
    )["createClient"]["client"]
    for name, variables in (
        ("CreateSetupIntent", {"input": {"clientId": client["id"]}}),
        (
            "AttachPaymentMethod",
            {"input": {"clientId": client["id"], "stripePaymentMethodId": "pm_card_visa"}},
        ),
        ("ChargeClient", {"input": {"clientId": client["id"], "amountCents": 100}}),
    ):
        data = await no_stripe.op(name, variables, token=owner)
        [payload] = data.values()
        assert payload["userErrors"][0]["code"] == "PAYMENTS_NOT_CONFIGURED", name
    cash = await no_stripe.op(
        "RecordExternalPayment",
        {"input": {"clientId": client["id"], "amountCents": 2500, "method": "CASH"}},
        token=owner,
    )
    assert cash["recordExternalPayment"]["payment"]["status"] == "SUCCEEDED"
    listed = await no_stripe.op("Payments", {}, token=owner)
    assert listed["payments"]["totalCount"] == 1
