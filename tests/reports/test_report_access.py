"""Who may read the reports: owners and admins, and their keys with `reports:read`. A
provider, staff, a client, a key without the scope and anonymous callers are refused;
another organization's owner reads only their own organization's numbers."""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.applications import Starlette

from tests.conftest import Practice
from tests.fixtures.billing import invited_member
from tests.fixtures.graphql import GraphQLClient, documents
from tests.fixtures.scheduling import make_client_login
from tests.fixtures.smtp import Inbox
from tests.reports.seed import FROM, TO, other_org_noise, seeded_practice

CALLS: list[tuple[str, dict[str, Any]]] = [
    ("AppointmentReport", {"from": FROM.isoformat(), "to": TO.isoformat(), "groupBy": "PROVIDER"}),
    ("RevenueReport", {"from": FROM.isoformat(), "to": TO.isoformat(), "groupBy": "KIND"}),
    ("ClientsWithIncompleteIntake", {"withinHours": 24}),
]
FIELD = {
    "AppointmentReport": "appointmentReport",
    "RevenueReport": "revenueReport",
    "ClientsWithIncompleteIntake": "clientsWithIncompleteIntake",
}


async def api_key(api: GraphQLClient, practice: Practice, scopes: list[str]) -> str:
    payload = (
        await api.op(
            "CreateApiKey",
            {"input": {"name": "reports", "scopes": scopes}},
            token=practice.owner_token,
        )
    )["createApiKey"]
    assert payload["userErrors"] == [], payload
    return str(payload["secret"])


async def codes(
    api: GraphQLClient, token: str | None, name: str, variables: dict[str, Any]
) -> list[str]:
    answer = await api.raw(documents()[name], variables, token=token)
    assert answer.get("data") is None or answer["data"].get(FIELD[name]) is None, answer
    return [e["extensions"]["code"] for e in answer["errors"]]


async def test_members_other_than_owners_and_admins_are_refused(
    app: Starlette, api: GraphQLClient, smtp: Inbox
) -> None:
    practice, _ = await seeded_practice(app, api)
    _, provider = await invited_member(api, smtp, practice, "PROVIDER")
    _, staff = await invited_member(api, smtp, practice, "STAFF")
    _, _, client = await make_client_login(api, practice, smtp)
    for name, variables in CALLS:
        for token in (provider, staff, client):
            assert await codes(api, token, name, variables) == ["FORBIDDEN"], name
        assert await codes(api, None, name, variables) == ["UNAUTHENTICATED"], name


async def test_an_admin_reads_them(app: Starlette, api: GraphQLClient, smtp: Inbox) -> None:
    practice, _ = await seeded_practice(app, api)
    _, admin = await invited_member(api, smtp, practice, "ADMIN")
    data = await api.op("AppointmentReport", CALLS[0][1], token=admin)
    assert data["appointmentReport"]["total"]["occurred"] == 3


async def test_a_key_needs_reports_read(app: Starlette, api: GraphQLClient) -> None:
    practice, _ = await seeded_practice(app, api)
    everything_else = await api_key(
        api, practice, ["appointments:write", "billing:write", "clients:write", "forms:write"]
    )
    reports = await api_key(api, practice, ["reports:read"])
    for name, variables in CALLS:
        assert await codes(api, everything_else, name, variables) == ["FORBIDDEN"], name
        data = await api.op(name, variables, token=reports)
        assert data[FIELD[name]] is not None
    revenue = await api.op("RevenueReport", CALLS[1][1], token=reports)
    assert revenue["revenueReport"]["total"]["gross"]["amountCents"] == 25000


@pytest.mark.parametrize("group_by", ["DAY", "PROVIDER"])
async def test_another_organization_reads_only_its_own(
    app: Starlette, api: GraphQLClient, group_by: str
) -> None:
    first, seeded = await seeded_practice(app, api)
    other = await other_org_noise(app, api)
    variables = {"from": FROM.isoformat(), "to": TO.isoformat(), "groupBy": group_by}
    appointments = (await api.op("AppointmentReport", variables, token=other.owner_token))[
        "appointmentReport"
    ]
    assert appointments["total"]["occurred"] == 1 and appointments["total"]["bookedMinutes"] == 60
    revenue = (await api.op("RevenueReport", variables, token=other.owner_token))["revenueReport"]
    assert revenue["total"]["gross"]["amountCents"] == 77700
    shown = json.dumps([appointments, revenue])
    for marker in ("Ada Provider", "Ben Provider", *(str(i) for i in (seeded.p1, seeded.p2))):
        assert marker not in shown
    # and the first practice does not see the other's
    mine = (await api.op("RevenueReport", variables, token=first.owner_token))["revenueReport"]
    assert mine["total"]["gross"]["amountCents"] == 25000
