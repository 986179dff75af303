"""Dates at the ends of the calendar and other odd bounds answer typed errors or numbers,
never an unexpected error."""

from __future__ import annotations

import pytest

from tests.conftest import Practice
from tests.fixtures.graphql import GraphQLClient


@pytest.mark.parametrize(
    ("first", "last"),
    [("9999-12-01", "9999-12-31"), ("0001-01-01", "0001-01-31"), ("2026-01-01", "2025-01-01")],
)
@pytest.mark.parametrize("field", ["appointmentReport", "revenueReport"])
async def test_calendar_edges_are_typed(
    api: GraphQLClient, practice: Practice, field: str, first: str, last: str
) -> None:
    result = await api.raw(
        f'query {{ {field}(from: "{first}", to: "{last}", groupBy: MONTH) {{ total {{ key }} }} }}',
        token=practice.owner_token,
    )
    codes = [e.get("extensions", {}).get("code") for e in result.get("errors") or []]
    assert codes == ["INVALID_INPUT"], result


@pytest.mark.parametrize("hours", [0, -1, 2**31 - 1])
async def test_incomplete_intake_window_bounds_are_typed(
    api: GraphQLClient, practice: Practice, hours: int
) -> None:
    result = await api.raw(
        f"query {{ clientsWithIncompleteIntake(withinHours: {hours}) {{ edges {{ cursor }} }} }}",
        token=practice.owner_token,
    )
    codes = [e.get("extensions", {}).get("code") for e in result.get("errors") or []]
    assert "INTERNAL_SERVER_ERROR" not in codes, result


async def test_a_superbill_at_the_calendars_end_is_typed(
    api: GraphQLClient, practice: Practice
) -> None:
    client = await api.op(
        "CreateClient",
        {"input": {"name": "Edge Case", "email": "edge-superbill@example.test"}},
        token=practice.owner_token,
    )
    client_id = client["createClient"]["client"]["id"]
    result = await api.raw(
        "mutation($input: CreateSuperbillInput!) { createSuperbill(input: $input) "
        "{ userErrors { code field } } }",
        {"input": {"clientId": client_id, "from": "9999-12-01", "to": "9999-12-31"}},
        token=practice.owner_token,
    )
    assert "errors" not in result, result
    assert result["data"]["createSuperbill"]["userErrors"] == [
        {"code": "INVALID_INPUT", "field": ["from"]}
    ]
