"""Superbills: each OCCURRED visit of the range with its codes (from its claim, else the
type's defaultProcedureCode), diagnoses, charge and what was paid; totals equal the payments;
the PDF prints them; Client.superbills and Client.claims cost the same statements for one
client or many."""

from __future__ import annotations

from typing import Any

import httpx
from starlette.applications import Starlette

from tests.fixtures.billing import (
    attach_card,
    book_as_member,
    new_client,
    past_start,
    payments_of,
    set_status,
    wait_for_appointment_payments,
)
from tests.fixtures.graphql import GraphQLClient
from tests.fixtures.insurance import (
    BILLING_NPI,
    PROVIDER_NPI,
    errors_of,
    insured_setup,
    new_claim,
    occurred_visit,
)
from tests.fixtures.paperwork import create_superbill, download, new_superbill
from tests.fixtures.pdf import page_text
from tests.fixtures.smtp import Inbox
from tests.fixtures.statements import assert_pinned, count_statements


async def _type_change(
    api: GraphQLClient, token: str, type_id: str, **fields: object
) -> dict[str, Any]:
    data = await api.op("UpdateAppointmentType", {"input": {"id": type_id, **fields}}, token=token)
    return data["updateAppointmentType"]  # type: ignore[no-any-return]


async def test_a_superbills_totals_equal_the_visits_charges_and_payments(
    api: GraphQLClient, http: httpx.AsyncClient, smtp: Inbox, app: Starlette
) -> None:
    ins = await insured_setup(api, smtp)
    b, owner = ins.b, ins.owner
    bad = await _type_change(api, owner, b.type_id, defaultProcedureCode="9083")
    assert errors_of(bad) == [("INVALID_CODE", ["defaultProcedureCode"])]
    changed = await _type_change(
        api, owner, b.type_id, defaultProcedureCode="90834", autochargeWhenOccurred=True
    )
    assert changed["appointmentType"]["defaultProcedureCode"] == "90834"

    # visit 1 (3 days ago, from insured_setup) has a claim the insurer part-paid
    claim = await new_claim(api, ins)
    await api.op(
        "UpdateClaimStatus", {"input": {"id": claim["id"], "status": "SUBMITTED"}}, token=owner
    )
    paid = await api.op(
        "RecordInsurancePayment",
        {"input": {"claimId": claim["id"], "amountCents": 9000}},
        token=owner,
    )
    assert paid["recordInsurancePayment"]["userErrors"] == []
    # visit 2 (6 days ago) has no claim: autocharged the type's price, then part-refunded
    await attach_card(api, owner, b.client_id)
    second = await occurred_visit(api, b, days_ago=6)
    await wait_for_appointment_payments(app, second)
    _, payments = await payments_of(api, owner, clientId=b.client_id)
    [charged] = [p for p in payments if p["kind"] == "AUTOCHARGE"]
    assert charged["status"] == "SUCCEEDED" and charged["amount"]["amountCents"] == 12000
    refund = await api.op(
        "RefundPayment", {"input": {"paymentId": charged["id"], "amountCents": 2000}}, token=owner
    )
    assert refund["refundPayment"]["userErrors"] == [], refund
    # a visit that did not occur and one outside the range are left out
    await book_as_member(api, b, past_start(8))
    outside = await occurred_visit(api, b, days_ago=40)
    await wait_for_appointment_payments(app, outside)

    bill = await new_superbill(api, owner, b.client_id)
    assert bill["total"]["amountCents"] == 17500 + 12000
    _, payments = await payments_of(api, owner, clientId=b.client_id)
    net = sum(
        p["amount"]["amountCents"] - p["refunded"]["amountCents"]
        for p in payments
        if p["status"] in ("SUCCEEDED", "PARTIALLY_REFUNDED")
        and p["kind"] in ("AUTOCHARGE", "INSURANCE")
    )
    # the visit 40 days ago was autocharged too, but is outside the range
    assert net == 9000 + (12000 - 2000) + 12000
    assert bill["paid"]["amountCents"] == net - 12000

    text = page_text(await download(http, bill["pdf"]["url"]))
    for expected in (
        "Harbor Therapy LLC",
        "100 Harbor Way",
        f"NPI: {BILLING_NPI}",
        "Tax ID (EIN)",
        f"NPI {PROVIDER_NPI}",
        "Cleo Client",
        "1990-04-05",
        "12 Elm St",
        "90837-95, 90785",
        "F41.1, F33.1",
        "90834",
        "$175.00",
        "$120.00",
        "$90.00",
        "$100.00",
        "Total charges $295.00",
        "Total paid $190.00",
    ):
        assert expected in text.replace("\n", " ").replace("  ", " ") or expected in text, (
            expected,
            text,
        )


async def test_a_superbill_needs_a_visit_in_a_sane_range_and_a_billing_member(
    api: GraphQLClient, smtp: Inbox
) -> None:
    ins = await insured_setup(api, smtp)
    b = ins.b
    backwards = await create_superbill(api, ins.owner, b.client_id, since=1, until=5)
    assert errors_of(backwards) == [("INVALID_INPUT", ["to"])]
    too_long = await create_superbill(api, ins.owner, b.client_id, since=400)
    assert errors_of(too_long) == [("INVALID_INPUT", ["to"])]
    empty = await create_superbill(api, ins.owner, b.client_id, since=2, until=0)
    assert errors_of(empty) == [("INVALID_INPUT", ["from"])]
    by_client = await create_superbill(api, b.client_token, b.client_id)
    assert [e["code"] for e in by_client["userErrors"]] == ["FORBIDDEN"]


async def test_client_paperwork_costs_the_same_statements_for_one_client_or_many(
    api: GraphQLClient, smtp: Inbox, app: Starlette
) -> None:
    ins = await insured_setup(api, smtp)
    await new_claim(api, ins)
    await new_superbill(api, ins.owner, ins.b.client_id)
    with count_statements(app) as one:
        listed = await api.op("ClientsPaperwork", {"first": 1}, token=ins.owner)
    [edge] = listed["clients"]["edges"]
    assert edge["node"]["claims"]["totalCount"] == 1 and len(edge["node"]["superbills"]) == 1
    for n, name in enumerate(("Second Payer", "Third Payer", "Fourth Payer")):
        client_id = await new_client(api, ins.b.practice, name)
        visit = await book_as_member(api, ins.b, past_start(2, 2 * n), client_id=client_id)
        await set_status(api, ins.owner, visit, "OCCURRED")
        await new_superbill(api, ins.owner, client_id)
    with count_statements(app) as many:
        listed = await api.op("ClientsPaperwork", {"first": 4}, token=ins.owner)
    assert len(listed["clients"]["edges"]) == 4
    assert sum(len(e["node"]["superbills"]) for e in listed["clients"]["edges"]) == 4
    assert_pinned("client_paperwork", {1: len(one), 4: len(many)})
