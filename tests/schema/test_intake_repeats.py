"""``requestIntakeFlow`` again for the same flow leaves no duplicate pending request."""

from __future__ import annotations

from starlette.applications import Starlette

from tests.conftest import Practice, sign_up
from tests.fixtures.graphql import GraphQLClient
from tests.fixtures.intake import (
    HISTORY,
    create_client,
    create_flow,
    create_form,
    history_answers,
    request_flow,
    requests_of,
    submit,
    text,
)
from tests.fixtures.smtp import Inbox
from tests.fixtures.waiting import jobs_settled, outbox_to


async def test_requesting_a_flow_twice_keeps_one_pending_request_per_form(
    app: Starlette, api: GraphQLClient, practice: Practice, smtp: Inbox
) -> None:
    owner = practice.owner_token
    history = await create_form(api, owner, "Health history", HISTORY)
    consent = await create_form(api, owner, "Consent", [text("agree")])
    flow = await create_flow(api, owner, [history["id"], consent["id"]])
    client_id, email = await create_client(api, practice)
    first = await request_flow(api, owner, client_id, flow["id"])
    await smtp.wait_for(email, subject="intake")
    again = await request_flow(api, owner, client_id, flow["id"])
    assert [r["id"] for r in again] == [r["id"] for r in first]  # the same requests
    rows = await requests_of(api, owner, client_id)
    assert [(r["form"]["id"], r["status"]) for r in rows] == [
        (history["id"], "PENDING"),
        (consent["id"], "PENDING"),
    ]
    await jobs_settled(app)
    assert len(await outbox_to(app, email)) == 1  # the repeat sent nothing either

    # a form completed since is asked anew; the one still pending is not doubled
    done = await submit(api, owner, first[0]["id"], history_answers())
    assert done["userErrors"] == [], done
    third = await request_flow(api, owner, client_id, flow["id"])
    assert third[1]["id"] == first[1]["id"] and third[0]["id"] != first[0]["id"]
    rows = await requests_of(api, owner, client_id)
    assert sorted((r["form"]["name"], r["status"]) for r in rows) == [
        ("Consent", "PENDING"),
        ("Health history", "COMPLETED"),
        ("Health history", "PENDING"),
    ]


async def test_another_organization_cannot_request_the_flow(
    api: GraphQLClient, practice: Practice
) -> None:
    owner = practice.owner_token
    form = await create_form(api, owner, "Health history", HISTORY)
    flow = await create_flow(api, owner, [form["id"]])
    client_id, _ = await create_client(api, practice)
    other = await sign_up(api, "Elsewhere")
    data = await api.op(
        "RequestIntakeFlow",
        {"input": {"clientId": client_id, "intakeFlowId": flow["id"]}},
        token=other.owner_token,
    )
    assert [e["code"] for e in data["requestIntakeFlow"]["userErrors"]] == ["NOT_FOUND"]
    assert await requests_of(api, owner, client_id) == []
