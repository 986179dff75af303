"""revenueReport against the hand-worked practice of ``seed.py``.

Captured in the range (New York days): p1 10000 one-time for Ada's a1 (26 Oct), p2 2500
no-show fee for Ada's a2 (27 Oct 23:30 EDT, the 28th in UTC), p8 1500 late-cancellation fee
for Ada's a3 (28 Oct, refunded whole after the range), p3 4000 external without an
appointment (3 Nov), p4 7000 for invoice inv1 of Ben's a8 (8 Nov 23:59 EST, the 9th in UTC).
Left out: p5 failed, p6 captured 25 Oct, p7 in euros, the other organization's 77700.
Refunded in the range: 3000 of p1 (1 Nov 23:30 EST, the 2nd in UTC) and 234 of p6 (27 Oct).

Open at the end of 8 November, by days past due on the 8th: "current" 1000 (due 15 Nov)
and 600 (no due date); "0-30" 2000 (due that day, 0 days) and 500 (due 9 Oct, 30 days, paid
only on the 10th); "31-60" 3000 (45 days); "61-90" none; "90+" 4000 (100 days). Not open:
paid before, a draft, voided, inv1 (paid on the 8th).
"""

from __future__ import annotations

from typing import Any

import pytest
from starlette.applications import Starlette

from carebase.schema.relay import to_global_id
from tests.fixtures.graphql import GraphQLClient
from tests.reports.seed import FROM, TO, other_org_noise, seeded_practice


async def report(
    api: GraphQLClient,
    token: str,
    group_by: str,
    start: str = FROM.isoformat(),
    end: str = TO.isoformat(),
) -> dict[str, Any]:
    data = await api.op(
        "RevenueReport", {"from": start, "to": end, "groupBy": group_by}, token=token
    )
    return data["revenueReport"]  # type: ignore[no-any-return]


def money(row: dict[str, Any]) -> tuple[int, int, int, int]:
    return (
        row["gross"]["amountCents"],
        row["refunded"]["amountCents"],
        row["net"]["amountCents"],
        row["payments"],
    )


TOTAL = (25000, 3234, 21766, 5)


async def test_by_day_puts_money_on_its_local_day(app: Starlette, api: GraphQLClient) -> None:
    practice, _ = await seeded_practice(app, api)
    await other_org_noise(app, api)
    answer = await report(api, practice.owner_token, "DAY")
    assert answer["currency"] == "usd"
    assert len(answer["rows"]) == 14
    shown = {r["key"]: money(r) for r in answer["rows"] if money(r) != (0, 0, 0, 0)}
    assert shown == {
        "2026-10-26": (10000, 0, 10000, 1),
        "2026-10-27": (2500, 234, 2266, 1),
        "2026-10-28": (1500, 0, 1500, 1),
        "2026-11-01": (0, 3000, -3000, 0),
        "2026-11-03": (4000, 0, 4000, 1),
        "2026-11-08": (7000, 0, 7000, 1),
    }
    assert money(answer["total"]) == TOTAL
    assert all(r["gross"]["currency"] == "usd" for r in answer["rows"])


async def test_by_month(app: Starlette, api: GraphQLClient) -> None:
    practice, _ = await seeded_practice(app, api)
    answer = await report(api, practice.owner_token, "MONTH")
    assert [(r["key"], money(r)) for r in answer["rows"]] == [
        ("2026-10", (14000, 234, 13766, 3)),
        ("2026-11", (11000, 3000, 8000, 2)),
    ]
    assert money(answer["total"]) == TOTAL


async def test_by_provider_follows_the_appointment_or_its_invoice(
    app: Starlette, api: GraphQLClient
) -> None:
    practice, seeded = await seeded_practice(app, api)
    answer = await report(api, practice.owner_token, "PROVIDER")
    assert [(r["key"], r["label"], money(r)) for r in answer["rows"]] == [
        (to_global_id("Member", seeded.p1), "Ada Provider", (14000, 3000, 11000, 3)),
        (to_global_id("Member", seeded.p2), "Ben Provider", (7000, 0, 7000, 1)),
        ("none", "No provider", (4000, 234, 3766, 1)),
    ]
    assert money(answer["total"]) == TOTAL


async def test_by_kind(app: Starlette, api: GraphQLClient) -> None:
    practice, _ = await seeded_practice(app, api)
    answer = await report(api, practice.owner_token, "KIND")
    assert [(r["key"], money(r)) for r in answer["rows"]] == [
        ("ONE_TIME", (10000, 3234, 6766, 1)),
        ("INVOICE", (7000, 0, 7000, 1)),
        ("NO_SHOW_FEE", (2500, 0, 2500, 1)),
        ("LATE_CANCELLATION_FEE", (1500, 0, 1500, 1)),
        ("EXTERNAL", (4000, 0, 4000, 1)),
    ]
    assert money(answer["total"]) == TOTAL


async def test_outstanding_ages_open_invoices_on_the_last_day(
    app: Starlette, api: GraphQLClient
) -> None:
    practice, _ = await seeded_practice(app, api)
    answer = await report(api, practice.owner_token, "MONTH")
    assert [
        (b["bucket"], b["amount"]["amountCents"], b["invoices"]) for b in answer["outstanding"]
    ] == [
        ("current", 1600, 2),
        ("0-30", 2500, 2),
        ("31-60", 3000, 1),
        ("61-90", 0, 0),
        ("90+", 4000, 1),
    ]
    # on 8 October: the 100-day one was 69 days past due, the 45-day one 14; the ones
    # paid or voided later were open (7 days); those sent on 1 November were not yet
    earlier = await report(api, practice.owner_token, "MONTH", "2026-10-01", "2026-10-08")
    assert [(b["bucket"], b["amount"]["amountCents"]) for b in earlier["outstanding"]] == [
        ("current", 2000 + 500),
        ("0-30", 3000 + 800 + 700),
        ("31-60", 0),
        ("61-90", 4000),
        ("90+", 0),
    ]


@pytest.mark.parametrize(
    ("start", "end"), [("2026-11-08", "2026-11-07"), ("2025-01-01", "2026-11-08")]
)
async def test_a_bad_range_is_invalid_input(
    app: Starlette, api: GraphQLClient, start: str, end: str
) -> None:
    practice, _ = await seeded_practice(app, api)
    errors = await api.errors(
        "RevenueReport", {"from": start, "to": end, "groupBy": "DAY"}, token=practice.owner_token
    )
    assert [e["extensions"]["code"] for e in errors] == ["INVALID_INPUT"]
