"""Signed file links: a client opens their own superbill and receipt and nobody else's; a
claim's form is for members only; a link dies after 15 minutes, a changed one is refused;
every download leaves an audited read."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import httpx
from starlette.applications import Starlette

from carebase.clock import SettableClock
from carebase.config import Settings
from tests.conftest import sign_up
from tests.fixtures.billing import DECLINING, attach_card, charge
from tests.fixtures.factories import key_of
from tests.fixtures.graphql import GraphQLClient
from tests.fixtures.insurance import insured_setup, new_claim
from tests.fixtures.paperwork import download, downloads_of, new_superbill, receipt_link
from tests.fixtures.pdf import fetch, page_text
from tests.fixtures.scheduling import make_client_login
from tests.fixtures.smtp import Inbox


def _retarget(token: str, audience_hex: str) -> str:
    """The same token with another account as its audience, the signature kept."""
    encoded, signature = token.split(".")
    message = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
    parts = message.split(":")
    parts[3] = audience_hex
    forged = base64.urlsafe_b64encode(":".join(parts).encode()).rstrip(b"=").decode()
    return f"{forged}.{signature}"


async def test_a_client_downloads_their_own_superbill_and_receipt_and_nobody_elses(
    api: GraphQLClient, http: httpx.AsyncClient, smtp: Inbox, app: Starlette, settings: Settings
) -> None:
    ins = await insured_setup(api, smtp)
    b = ins.b
    bill = await new_superbill(api, ins.owner, b.client_id)
    await attach_card(api, ins.owner, b.client_id)
    paid = await charge(api, ins.owner, b.client_id, 4000, description="Copay")
    assert paid["userErrors"] == [], paid
    payment_id = paid["payment"]["id"]

    # the client's own: links answered to the client, each opening its PDF
    own_bill = (await api.op("Superbill", {"id": bill["id"]}, token=b.client_token))["node"]
    assert own_bill["pdf"]["url"].startswith(f"{settings.public_url}/files/")
    text = page_text(await download(http, own_bill["pdf"]["url"]))
    assert "Superbill" in text and "Cleo Client" in text
    own_receipt = await receipt_link(api, b.client_token, payment_id)
    assert own_receipt is not None
    receipt = page_text(await download(http, own_receipt["url"]))
    assert "$40.00" in receipt and "Visa ending in 4242" in receipt and "Copay" in receipt

    # another client of the practice, and a member of another practice, reach neither
    other_id, _, other_token = await make_client_login(api, b.practice, smtp, "Otto Other")
    assert (await api.op("Superbill", {"id": bill["id"]}, token=other_token))["node"] is None
    assert await receipt_link(api, other_token, payment_id) is None
    elsewhere = await sign_up(api, "Elsewhere Clinic")
    assert (await api.op("Superbill", {"id": bill["id"]}, token=elsewhere.owner_token))[
        "node"
    ] is None
    assert await receipt_link(api, elsewhere.owner_token, payment_id) is None

    # a link handed to the client, pointed at the other client, is refused (403, plain)
    token = own_bill["pdf"]["url"].rsplit("/", 1)[1]
    forged = await fetch(http, f"/files/{_retarget(token, key_of(other_id).hex)}")
    assert forged.status_code == 403 and forged.headers["content-type"].startswith("text/plain")
    assert "%PDF" not in forged.text

    # each download is an audited read by the account the link was handed to
    [bill_read] = await downloads_of(app, bill["id"])
    assert bill_read.actor_id == key_of(b.client_id) and bill_read.action == "read"
    assert bill_read.resource == "file_superbill" and bill_read.client_id == key_of(b.client_id)
    [receipt_read] = await downloads_of(app, payment_id)
    assert receipt_read.resource == "file_receipt"

    # a refund shows on the receipt; a failed charge has none
    refunded = await api.op(
        "RefundPayment", {"input": {"paymentId": payment_id, "amountCents": 1000}}, token=ins.owner
    )
    assert refunded["refundPayment"]["userErrors"] == [], refunded
    again = await receipt_link(api, ins.owner, payment_id)
    assert again is not None
    after = page_text(await download(http, again["url"]))
    assert "Total refunded $10.00" in after and "Net paid $30.00" in after
    assert "(217) 555-0100" in after and b.practice.organization["name"] in after
    await attach_card(api, ins.owner, b.client_id, DECLINING)
    failed = await charge(api, ins.owner, b.client_id, 1500)
    assert failed["payment"]["status"] == "FAILED"
    assert await receipt_link(api, ins.owner, failed["payment"]["id"]) is None


async def test_a_claim_form_is_for_members_only(
    api: GraphQLClient, http: httpx.AsyncClient, smtp: Inbox, app: Starlette
) -> None:
    ins = await insured_setup(api, smtp)
    claim = await new_claim(api, ins)
    errors = await api.errors("ClaimPdf", {"id": claim["id"]}, token=ins.b.client_token)
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    link = (await api.op("ClaimPdf", {"id": claim["id"]}, token=ins.owner))["node"]["cms1500Pdf"]
    # the member's link pointed at the client (who may not open claim forms) is refused
    token = link["url"].rsplit("/", 1)[1]
    retargeted = await fetch(http, f"/files/{_retarget(token, key_of(ins.b.client_id).hex)}")
    assert retargeted.status_code == 403
    await download(http, link["url"])
    [read] = await downloads_of(app, claim["id"])
    assert read.actor_id == key_of(ins.b.practice.owner["id"]) and read.resource == "file_cms1500"


async def test_a_link_expires_after_15_minutes_and_a_changed_one_is_refused(
    api: GraphQLClient, http: httpx.AsyncClient, smtp: Inbox, app: Starlette, clock: SettableClock
) -> None:
    ins = await insured_setup(api, smtp)
    bill = await new_superbill(api, ins.owner, ins.b.client_id)
    link = bill["pdf"]
    expires = datetime.fromisoformat(link["expiresAt"])
    assert timedelta(minutes=14) < expires - datetime.now(UTC) <= timedelta(minutes=15)
    token = link["url"].rsplit("/", 1)[1]

    for bad in (
        token[:-2] + ("AA" if not token.endswith("AA") else "BB"),  # signature changed
        "x" + token[1:],  # message changed
        "no-dot-at-all",
        token.split(".")[0] + ".",
        "%00%ff.",
    ):
        refused = await fetch(http, f"/files/{bad}")
        assert refused.status_code == 403, (bad, refused.text)
        assert refused.headers["content-type"].startswith("text/plain")
        assert refused.headers["cache-control"] == "no-store"

    await download(http, link["url"])
    clock.advance(timedelta(minutes=15, seconds=1))
    expired = await fetch(http, link["url"])
    assert expired.status_code == 410 and "expired" in expired.text
    assert len(await downloads_of(app, bill["id"])) == 1  # the refusals read nothing
