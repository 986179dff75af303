"""Issue 12's "done when", as a new user would go through it over the HTTP API: a practice
records a client's insurance, files a claim for a session with two diagnoses and two
service lines, downloads its CMS-1500 (right boxes) and an 837P that pyx12 accepts, exports
it, marks it paid by the insurer, charges the client's copay to their card (the receipt's
link opens for the client), and the client downloads a superbill."""

from __future__ import annotations

import httpx

from carebase.documents import cms1500_layout as grid
from tests.fixtures.billing import attach_card, charge
from tests.fixtures.graphql import GraphQLClient
from tests.fixtures.insurance import (
    DIAGNOSES,
    LINES,
    PROVIDER_NPI,
    add_policy,
    occurred_visit,
    set_billing_identity,
    set_legal_identity,
)
from tests.fixtures.paperwork import download, new_superbill, receipt_link
from tests.fixtures.pdf import in_box, page_text, text_runs
from tests.fixtures.scheduling import booking_setup
from tests.fixtures.smtp import Inbox
from tests.fixtures.x12 import pyx12_errors, segments


async def test_a_practice_bills_an_insurer_and_the_client_gets_their_paperwork(
    api: GraphQLClient, http: httpx.AsyncClient, smtp: Inbox
) -> None:
    b = await booking_setup(api, smtp)
    owner = b.practice.owner_token
    await set_billing_identity(api, b)
    await set_legal_identity(api, owner, b.client_id)
    policy_id = await add_policy(api, owner, b.client_id)
    visit = await occurred_visit(api, b)

    created = await api.op(
        "CreateClaim",
        {"input": {"appointmentId": visit, "diagnosisCodes": DIAGNOSES, "serviceLines": LINES}},
        token=owner,
    )
    assert created["createClaim"]["userErrors"] == []
    claim = created["createClaim"]["claim"]
    assert claim["policy"]["id"] == policy_id and len(claim["serviceLines"]) == 2

    # the CMS-1500: diagnoses in 21, each line's code, pointers and charge in 24
    link = (await api.op("ClaimPdf", {"id": claim["id"]}, token=owner))["node"]["cms1500Pdf"]
    runs = text_runs(await download(http, link["url"]))
    assert in_box(runs, grid.BOXES["21.A"]) == ["F411"]
    assert in_box(runs, grid.BOXES["21.B"]) == ["F331"]
    assert in_box(runs, grid.line_box("24D.code", 1)) == ["90837"]
    assert in_box(runs, grid.line_box("24E", 1)) == ["AB"]
    assert in_box(runs, grid.line_box("24D.code", 2)) == ["90785"]
    assert in_box(runs, grid.line_box("24F", 2)) == ["25 00"]
    assert in_box(runs, grid.line_box("24J", 2)) == [PROVIDER_NPI]
    assert in_box(runs, grid.BOXES["28"]) == ["175 00"]

    # its 837P, then the export (one interchange) that submits it
    preview = (await api.op("ClaimX12", {"id": claim["id"]}, token=owner))["node"]["x12"]
    assert pyx12_errors(preview) == []
    exported = (await api.op("ExportClaims", {"input": {"ids": [claim["id"]]}}, token=owner))[
        "exportClaims"
    ]
    assert exported["userErrors"] == [] and exported["claims"][0]["status"] == "SUBMITTED"
    assert pyx12_errors(exported["x12"]) == []
    [clm] = [s for s in segments(exported["x12"]) if s[0] == "CLM"]
    assert clm[2] == "175"

    # the insurer pays; the client's copay goes on their card
    paid = (
        await api.op(
            "RecordInsurancePayment",
            {"input": {"claimId": claim["id"], "amountCents": 15000, "idempotencyKey": "eob-1"}},
            token=owner,
        )
    )["recordInsurancePayment"]
    assert paid["userErrors"] == [] and paid["claim"]["status"] == "PAID"
    await attach_card(api, owner, b.client_id)
    copay = await charge(api, owner, b.client_id, 2500, description="Copay")
    assert copay["userErrors"] == [] and copay["payment"]["status"] == "SUCCEEDED"
    receipt = await receipt_link(api, b.client_token, copay["payment"]["id"])
    assert receipt is not None
    text = page_text(await download(http, receipt["url"]))
    assert "$25.00" in text and "Copay" in text and "Visa ending in 4242" in text

    # the client's superbill, found and downloaded by the client
    made = await new_superbill(api, owner, b.client_id)
    assert made["total"]["amountCents"] == 17500
    assert made["paid"]["amountCents"] == 15000  # the insurer's, on the visit's claim
    mine = (await api.op("ClientPaperwork", {"id": b.client_id}, token=b.client_token))["client"]
    assert [s["id"] for s in mine["superbills"]] == [made["id"]]
    assert [e["node"]["id"] for e in mine["claims"]["edges"]] == [claim["id"]]
    bill = page_text(await download(http, mine["superbills"][0]["pdf"]["url"]))
    assert "90837-95, 90785" in bill and "F41.1, F33.1" in bill
