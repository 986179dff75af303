"""Insurance over GraphQL: the billing identity (NPI checked with Luhn), legal identity on
clients, policies (one primary at a time), claims with their code checks, statuses and
history, insurance payments, the claims list and who may see what."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from starlette.applications import Starlette

from carebase.models import OutboxEvent, Payment, PaymentKind, PaymentStatus, WebhookEventType
from tests.conftest import sign_up
from tests.fixtures.billing import invited_member
from tests.fixtures.factories import key_of
from tests.fixtures.graphql import GraphQLClient
from tests.fixtures.insurance import (
    BAD_NPI,
    BILLING_NPI,
    CLIENT_ADDRESS,
    DIAGNOSES,
    LINES,
    Insured,
    add_policy,
    create_claim,
    errors_of,
    insured_setup,
    new_claim,
    occurred_visit,
)
from tests.fixtures.scheduling import booking_setup
from tests.fixtures.smtp import Inbox
from tests.fixtures.statements import assert_pinned, count_statements

# ------------------------------------------------------------------ billing identity


async def test_billing_profile_is_set_and_a_bad_npi_is_refused(
    api: GraphQLClient, smtp: Inbox
) -> None:
    ins = await insured_setup(api, smtp)
    shown = await api.op("BillingProfile", token=ins.owner)
    profile = shown["organization"]["billingProfile"]
    assert (profile["npi"], profile["taxId"], profile["taxIdType"]) == (
        BILLING_NPI,
        "123456789",
        "EIN",
    )
    assert profile["address"]["postalCode"] == "627011234"
    assert profile["phone"] == "2175550100"

    bad = await api.op("UpdateBillingProfile", {"input": {"npi": BAD_NPI}}, token=ins.owner)
    assert errors_of(bad["updateBillingProfile"]) == [("INVALID_CODE", ["npi"])]
    bad = await api.op(
        "UpdateMemberBilling",
        {"input": {"memberId": ins.b.provider_id, "npi": "123456789"}},
        token=ins.owner,
    )
    assert errors_of(bad["updateMemberBilling"]) == [("INVALID_CODE", ["npi"])]
    bad = await api.op(
        "UpdateBillingProfile", {"input": {"defaultPlaceOfService": "98"}}, token=ins.owner
    )
    assert errors_of(bad["updateBillingProfile"]) == [("INVALID_CODE", ["defaultPlaceOfService"])]
    # a client reads no billing profile and cannot set one
    assert (await api.op("BillingProfile", token=ins.b.client_token))["organization"][
        "billingProfile"
    ] is None
    refused = await api.op(
        "UpdateBillingProfile", {"input": {"legalName": "X"}}, token=ins.b.client_token
    )
    assert errors_of(refused["updateBillingProfile"]) == [("FORBIDDEN", None)]


async def test_a_provider_may_not_change_billing_identity(api: GraphQLClient, smtp: Inbox) -> None:
    ins = await insured_setup(api, smtp)
    _, provider = await invited_member(api, smtp, ins.b.practice, "PROVIDER")
    refused = await api.op(
        "UpdateMemberBilling",
        {"input": {"memberId": ins.b.provider_id, "npi": BILLING_NPI}},
        token=provider,
    )
    assert errors_of(refused["updateMemberBilling"]) == [("FORBIDDEN", None)]


# ------------------------------------------------------------------ policies


async def test_policies_one_primary_at_a_time_and_subscriber_defaults_to_the_client(
    api: GraphQLClient, smtp: Inbox
) -> None:
    ins = await insured_setup(api, smtp)
    shown = await api.op("ClientInsurance", {"id": ins.b.client_id}, token=ins.owner)
    client = shown["client"]
    assert (client["firstName"], client["lastName"], client["sex"]) == ("Cleo", "Client", "FEMALE")
    [policy] = client["insurancePolicies"]
    assert (policy["priority"], policy["planType"], policy["relationship"]) == (
        "PRIMARY",
        "GROUP_HEALTH",
        "SELF",
    )
    assert policy["subscriber"]["firstName"] == "Cleo"
    assert policy["subscriber"]["address"]["postalCode"] == CLIENT_ADDRESS["postalCode"]

    second = await api.op(
        "AddInsurancePolicy",
        {
            "input": {
                "clientId": ins.b.client_id,
                "payerName": "Other",
                "payerId": "OT1",
                "memberId": "M2",
            }
        },
        token=ins.owner,
    )
    assert errors_of(second["addInsurancePolicy"]) == [("INVALID_INPUT", ["priority"])]
    spouse = {
        "firstName": "Sam",
        "lastName": "Client",
        "dateOfBirth": "1988-01-02",
        "sex": "MALE",
        "address": CLIENT_ADDRESS,
    }
    secondary = await add_policy(
        api,
        ins.owner,
        ins.b.client_id,
        priority="SECONDARY",
        relationship="SPOUSE",
        planType="MEDICARE",
        subscriber=spouse,
    )
    no_subscriber = await api.op(
        "AddInsurancePolicy",
        {
            "input": {
                "clientId": ins.b.client_id,
                "payerName": "X",
                "payerId": "X",
                "memberId": "X",
                "relationship": "CHILD",
                "validFrom": "2020-01-01",
                "validTo": "2020-12-31",
            }
        },
        token=ins.owner,
    )
    assert errors_of(no_subscriber["addInsurancePolicy"]) == [("INVALID_INPUT", ["subscriber"])]

    updated = await api.op(
        "UpdateInsurancePolicy",
        {"input": {"id": secondary, "groupNumber": None, "memberId": "NEW1"}},
        token=ins.owner,
    )
    got = updated["updateInsurancePolicy"]["insurancePolicy"]
    assert (got["memberId"], got["groupNumber"], got["subscriber"]["firstName"]) == (
        "NEW1",
        None,
        "Sam",
    )
    # the client sees their own policies; another practice sees nothing
    own = await api.op("ClientInsurance", {"id": ins.b.client_id}, token=ins.b.client_token)
    assert len(own["client"]["insurancePolicies"]) == 2
    other = await sign_up(api, "Elsewhere")
    assert (await api.op("ClientInsurance", {"id": ins.b.client_id}, token=other.owner_token))[
        "client"
    ] is None
    refused = await api.op(
        "RemoveInsurancePolicy", {"input": {"id": secondary}}, token=other.owner_token
    )
    assert errors_of(refused["removeInsurancePolicy"]) == [("NOT_FOUND", ["id"])]
    removed = await api.op("RemoveInsurancePolicy", {"input": {"id": secondary}}, token=ins.owner)
    assert removed["removeInsurancePolicy"]["removedId"] == secondary
    shown = await api.op("ClientInsurance", {"id": ins.b.client_id}, token=ins.owner)
    assert [p["id"] for p in shown["client"]["insurancePolicies"]] == [ins.policy_id]


# ------------------------------------------------------------------ claims


async def claim_events(app: Starlette, claim_gid: str) -> list[WebhookEventType]:
    """The outbox rows (what partners' webhooks hear) of one claim."""
    async with app.state.db.unit_of_work() as uow:
        rows = await uow.session.execute(
            select(OutboxEvent.type)
            .where(OutboxEvent.resource_id == key_of(claim_gid))
            .order_by(OutboxEvent.created_at)
        )
        return [t for (t,) in rows]


async def test_a_claim_is_filed_moved_through_its_statuses_and_paid(
    api: GraphQLClient, smtp: Inbox, app: Starlette
) -> None:
    ins = await insured_setup(api, smtp)
    claim = await new_claim(api, ins)
    assert claim["status"] == "DRAFT"
    assert claim["diagnosisCodes"] == DIAGNOSES
    assert claim["policy"]["id"] == ins.policy_id
    assert claim["renderingProvider"]["id"] == ins.b.provider_id
    assert claim["totalCharge"]["amountCents"] == 17500
    assert [line["diagnosisPointers"] for line in claim["serviceLines"]] == [["A", "B"], ["B"]]
    assert claim["serviceLines"][0]["modifiers"] == ["95"]

    async def move(status: str, note: str | None = None) -> dict[str, Any]:
        data = await api.op(
            "UpdateClaimStatus",
            {"input": {"id": claim["id"], "status": status, "note": note}},
            token=ins.owner,
        )
        return data["updateClaimStatus"]  # type: ignore[no-any-return]

    assert errors_of(await move("PAID")) == [("INVALID_STATUS_TRANSITION", ["status"])]
    assert await claim_events(app, claim["id"]) == []  # a refused move announces nothing
    submitted = await move("SUBMITTED")
    assert submitted["claim"]["submittedAt"] is not None
    assert await claim_events(app, claim["id"]) == [WebhookEventType.CLAIM_STATUS_CHANGED]
    edit = await api.op(
        "UpdateClaim", {"input": {"id": claim["id"], "diagnosisCodes": ["F41.1"]}}, token=ins.owner
    )
    assert errors_of(edit["updateClaim"]) == [("CLAIM_NOT_EDITABLE", ["id"])]
    await move("REJECTED", "wrong member id")
    back = await move("DRAFT")
    assert back["claim"]["status"] == "DRAFT"
    fixed = await api.op(
        "UpdateClaim",
        {
            "input": {
                "id": claim["id"],
                "diagnosisCodes": ["F41.1"],
                "serviceLines": [LINES[1] | {"diagnosisPointers": ["A"]}],
            }
        },
        token=ins.owner,
    )
    assert fixed["updateClaim"]["userErrors"] == []
    assert fixed["updateClaim"]["claim"]["totalCharge"]["amountCents"] == 2500
    await move("SUBMITTED")

    paid = await api.op(
        "RecordInsurancePayment",
        {
            "input": {
                "claimId": claim["id"],
                "amountCents": 2000,
                "paidOn": "2026-11-30",
                "payerReference": "EFT-1",
                "idempotencyKey": "remit-1",
            }
        },
        token=ins.owner,
    )
    body = paid["recordInsurancePayment"]
    assert body["userErrors"] == []
    assert (body["payment"]["kind"], body["payment"]["status"]) == ("INSURANCE", "SUCCEEDED")
    assert (body["claim"]["status"], body["claim"]["paid"]["amountCents"]) == ("PAID", 2000)
    again = await api.op(
        "RecordInsurancePayment",
        {
            "input": {
                "claimId": claim["id"],
                "amountCents": 2000,
                "paidOn": "2026-11-30",
                "payerReference": "EFT-1",
                "idempotencyKey": "remit-1",
            }
        },
        token=ins.owner,
    )
    assert again["recordInsurancePayment"]["payment"]["id"] == body["payment"]["id"]
    more = await api.op(
        "RecordInsurancePayment",
        {"input": {"claimId": claim["id"], "amountCents": 300}},
        token=ins.owner,
    )
    assert more["recordInsurancePayment"]["claim"]["paid"]["amountCents"] == 2300
    history = [
        (h["fromStatus"], h["toStatus"]) for h in more["recordInsurancePayment"]["claim"]["history"]
    ]
    assert history == [
        (None, "DRAFT"),
        ("DRAFT", "SUBMITTED"),
        ("SUBMITTED", "REJECTED"),
        ("REJECTED", "DRAFT"),
        ("DRAFT", "SUBMITTED"),
        ("SUBMITTED", "ACCEPTED"),
        ("ACCEPTED", "PAID"),
        ("PAID", "PAID"),
    ]
    async with app.state.db.unit_of_work() as uow:
        rows = (
            (
                await uow.session.execute(
                    select(Payment).where(Payment.claim_id == key_of(claim["id"]))
                )
            )
            .scalars()
            .all()
        )
    assert sorted(p.amount_cents for p in rows) == [300, 2000]
    assert {(p.kind, p.status, p.appointment_id) for p in rows} == {
        (PaymentKind.INSURANCE, PaymentStatus.SUCCEEDED, None)
    }


async def _refusal(api: GraphQLClient, ins: Insured, **fields: Any) -> list[Any]:
    return errors_of(await create_claim(api, ins, **fields))


async def test_claims_refuse_bad_codes_each_with_a_typed_error(
    api: GraphQLClient, smtp: Inbox
) -> None:
    ins = await insured_setup(api, smtp)
    line = LINES[0]
    assert await _refusal(api, ins, diagnosisCodes=["Q99.99X"]) == [
        ("INVALID_CODE", ["diagnosisCodes", "0"])
    ]
    # F41 is a category, not billable
    assert await _refusal(api, ins, diagnosisCodes=["F41.1", "F41"]) == [
        ("INVALID_CODE", ["diagnosisCodes", "1"])
    ]
    thirteen = [
        "F41.1",
        "F33.1",
        "F32.0",
        "F32.1",
        "F40.10",
        "F43.10",
        "F43.21",
        "F42.2",
        "F50.2",
        "F51.01",
        "F90.0",
        "Z63.0",
        "E66.9",
    ]
    assert await _refusal(api, ins, diagnosisCodes=thirteen) == [
        ("INVALID_INPUT", ["diagnosisCodes"])
    ]
    five = line | {"modifiers": ["95", "GT", "59", "25", "76"]}
    assert await _refusal(api, ins, serviceLines=[five]) == [
        ("INVALID_INPUT", ["serviceLines", "0", "modifiers"])
    ]
    missing = line | {"diagnosisPointers": ["C"]}
    assert await _refusal(api, ins, serviceLines=[missing]) == [
        ("INVALID_INPUT", ["serviceLines", "0", "diagnosisPointers"])
    ]
    assert await _refusal(api, ins, serviceLines=[line | {"procedureCode": "9083"}]) == [
        ("INVALID_CODE", ["serviceLines", "0", "procedureCode"])
    ]
    assert await _refusal(api, ins, serviceLines=[line | {"procedureCode": "W1234"}]) == [
        ("INVALID_CODE", ["serviceLines", "0", "procedureCode"])
    ]
    assert await _refusal(api, ins, serviceLines=[line | {"placeOfService": "98"}]) == [
        ("INVALID_CODE", ["serviceLines", "0", "placeOfService"])
    ]
    assert await _refusal(api, ins, serviceLines=[line] * 7) == [
        ("INVALID_INPUT", ["serviceLines"])
    ]
    assert await _refusal(api, ins, serviceLines=[line | {"units": 0}]) == [
        ("INVALID_INPUT", ["serviceLines", "0", "units"])
    ]
    # HCPCS and a CPT category II code pass the format check; the default place applies
    ok = await create_claim(
        api,
        ins,
        serviceLines=[
            line | {"procedureCode": "G0447"},
            {k: v for k, v in line.items() if k != "placeOfService"} | {"procedureCode": "3085F"},
        ],
    )
    assert ok["userErrors"] == []
    assert [s["placeOfService"] for s in ok["claim"]["serviceLines"]] == ["10", "11"]


async def test_claims_refuse_the_wrong_appointment_and_a_client_without_legal_identity(
    api: GraphQLClient, smtp: Inbox
) -> None:
    ins = await insured_setup(api, smtp)
    from tests.fixtures.billing import book_as_member, past_start

    booked = await book_as_member(api, ins.b, past_start(5))
    assert await _refusal(api, ins, appointmentId=booked) == [("INVALID_INPUT", ["appointmentId"])]
    other = await booking_setup(api, smtp)
    elsewhere = await occurred_visit(api, other)
    assert await _refusal(api, ins, appointmentId=elsewhere) == [("NOT_FOUND", ["appointmentId"])]
    # the other practice has no billing identity and its client no legal name
    refused = await api.op(
        "CreateClaim",
        {"input": {"appointmentId": elsewhere, "diagnosisCodes": DIAGNOSES, "serviceLines": LINES}},
        token=other.practice.owner_token,
    )
    assert errors_of(refused["createClaim"]) == [("INVALID_INPUT", ["billingProfile", "legalName"])]
    # a client may not file claims; a client's own claims are theirs to read
    refused = await api.op(
        "CreateClaim",
        {
            "input": {
                "appointmentId": ins.appointment_id,
                "diagnosisCodes": DIAGNOSES,
                "serviceLines": LINES,
            }
        },
        token=ins.b.client_token,
    )
    assert errors_of(refused["createClaim"]) == [("FORBIDDEN", None)]


async def test_claims_list_filters_and_is_scoped(api: GraphQLClient, smtp: Inbox) -> None:
    ins = await insured_setup(api, smtp)
    first = await new_claim(api, ins)
    second_visit = await occurred_visit(api, ins.b, days_ago=6)
    second = (await create_claim(api, ins, appointmentId=second_visit))["claim"]
    await api.op(
        "UpdateClaimStatus", {"input": {"id": first["id"], "status": "SUBMITTED"}}, token=ins.owner
    )
    listed = (await api.op("Claims", token=ins.owner))["claims"]
    assert [e["node"]["id"] for e in listed["edges"]] == [second["id"], first["id"]]
    page = (await api.op("Claims", {"first": 1}, token=ins.owner))["claims"]
    assert page["pageInfo"]["hasNextPage"] and page["totalCount"] == 2
    rest = (
        await api.op(
            "Claims", {"first": 1, "after": page["pageInfo"]["endCursor"]}, token=ins.owner
        )
    )["claims"]
    assert [e["node"]["id"] for e in rest["edges"]] == [first["id"]]
    submitted = (await api.op("Claims", {"filter": {"status": "SUBMITTED"}}, token=ins.owner))[
        "claims"
    ]
    assert [e["node"]["id"] for e in submitted["edges"]] == [first["id"]]
    own = (await api.op("Claims", token=ins.b.client_token))["claims"]
    assert own["totalCount"] == 2
    other = await sign_up(api, "Elsewhere")
    assert (await api.op("Claims", token=other.owner_token))["claims"]["totalCount"] == 0


async def test_claims_list_costs_the_same_statements_for_one_claim_or_many(
    api: GraphQLClient, smtp: Inbox, app: Starlette
) -> None:
    ins = await insured_setup(api, smtp)
    await new_claim(api, ins)
    with count_statements(app) as one:
        await api.op("Claims", token=ins.owner)
    for days in (5, 7, 9):
        visit = await occurred_visit(api, ins.b, days_ago=days)
        assert (await create_claim(api, ins, appointmentId=visit))["userErrors"] == []
    with count_statements(app) as many:
        listed = await api.op("Claims", token=ins.owner)
    assert listed["claims"]["totalCount"] == 4
    assert_pinned("claims", {1: len(one), 4: len(many)})
