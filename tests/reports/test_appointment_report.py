"""appointmentReport against the hand-worked practice of ``seed.py``.

In the range (26 October to 8 November, New York): a1 occurred, a2 no-show, a3 cancelled
late, a4 cancelled in time, a5 booked (Sunday 1 Nov 23:30 EST, the 2nd in UTC), a6 occurred
(the second 01:30 of 1 Nov), a8 booked (8 Nov 23:30 EST, the 9th in UTC), a10 occurred.
Out of it: a7 (25 Oct 23:30 EDT, the 26th in UTC), a9 (9 Nov 00:30 EST) and another
organization's visit. Live minutes: a1, a2, a6, a8, a10 are 50 each, a5 is 30.

Ada's hours: 480 minutes on Mon 26, Tue 27, Wed 28, Thu 29 October and Mon 2 to Fri 6
November; none on Friday 30 October (closed); 00:00-04:00 on Sunday 1 November, which is
300 real minutes (the 01:00-02:00 hour happens twice). Ben has no hours.
"""

from __future__ import annotations

from typing import Any

import pytest
from starlette.applications import Starlette

from carebase.schema.relay import to_global_id
from tests.fixtures.graphql import GraphQLClient
from tests.reports.seed import FROM, TO, other_org_noise, seeded_practice

ADA_HOURS = 4 * 480 + 300 + 5 * 480  # 4620


async def report(
    api: GraphQLClient,
    token: str,
    group_by: str,
    start: str = FROM.isoformat(),
    end: str = TO.isoformat(),
) -> dict[str, Any]:
    data = await api.op(
        "AppointmentReport", {"from": start, "to": end, "groupBy": group_by}, token=token
    )
    return data["appointmentReport"]  # type: ignore[no-any-return]


def counts(row: dict[str, Any]) -> tuple[int, ...]:
    return (
        row["booked"],
        row["occurred"],
        row["noShow"],
        row["cancelled"],
        row["lateCancelled"],
        row["bookedMinutes"],
        row["availableMinutes"],
    )


async def test_by_day_counts_each_appointment_on_its_local_day_across_the_dst_change(
    app: Starlette, api: GraphQLClient
) -> None:
    practice, _ = await seeded_practice(app, api)
    await other_org_noise(app, api)
    answer = await report(api, practice.owner_token, "DAY")
    rows = {r["key"]: r for r in answer["rows"]}
    # every day of the range, in order, empty ones too
    assert [r["key"] for r in answer["rows"]] == [
        "2026-10-26", "2026-10-27", "2026-10-28", "2026-10-29", "2026-10-30", "2026-10-31",
        "2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05", "2026-11-06",
        "2026-11-07", "2026-11-08",
    ]  # fmt: skip
    #                                  bkd occ ns can late min avail
    assert counts(rows["2026-10-26"]) == (0, 1, 0, 0, 0, 50, 480)
    assert counts(rows["2026-10-27"]) == (0, 0, 1, 0, 0, 50, 480)
    assert counts(rows["2026-10-28"]) == (0, 0, 0, 2, 1, 0, 480)
    assert counts(rows["2026-10-29"]) == (0, 0, 0, 0, 0, 0, 480)
    assert counts(rows["2026-10-30"]) == (0, 0, 0, 0, 0, 0, 0)  # closed by an override
    assert counts(rows["2026-11-01"]) == (1, 1, 0, 0, 0, 80, 300)  # a5, a6; a 25-hour day
    assert counts(rows["2026-11-02"]) == (0, 0, 0, 0, 0, 0, 480)  # a5 is not here
    assert counts(rows["2026-11-03"]) == (0, 1, 0, 0, 0, 50, 480)  # not the other org's
    assert counts(rows["2026-11-08"]) == (1, 0, 0, 0, 0, 50, 0)  # a8, the 9th in UTC
    assert rows["2026-10-28"]["lateCancellationRate"] == 0.5
    assert rows["2026-10-27"]["noShowRate"] == 1.0
    assert rows["2026-11-01"]["utilization"] == pytest.approx(80 / 300)
    assert rows["2026-10-30"]["utilization"] is None
    assert rows["2026-10-30"]["noShowRate"] == 0.0
    assert rows["2026-10-30"]["lateCancellationRate"] == 0.0
    assert rows["2026-11-01"]["label"] == "Sun 1 Nov 2026"

    total = answer["total"]
    assert total["key"] == "total"
    assert counts(total) == (2, 3, 1, 2, 1, 280, ADA_HOURS)
    assert total["noShowRate"] == 0.25  # 1 / (3 + 1)
    assert total["lateCancellationRate"] == 0.125  # 1 of 8
    assert total["utilization"] == pytest.approx(280 / 4620)


async def test_by_week_keys_each_monday_and_the_dst_week_has_its_extra_hour(
    app: Starlette, api: GraphQLClient
) -> None:
    practice, _ = await seeded_practice(app, api)
    answer = await report(api, practice.owner_token, "WEEK")
    assert [(r["key"], counts(r)) for r in answer["rows"]] == [
        ("2026-10-26", (1, 2, 1, 2, 1, 180, 4 * 480 + 300)),
        ("2026-11-02", (1, 1, 0, 0, 0, 100, 5 * 480)),
    ]


async def test_by_month_cuts_the_months_to_the_range(app: Starlette, api: GraphQLClient) -> None:
    practice, _ = await seeded_practice(app, api)
    answer = await report(api, practice.owner_token, "MONTH")
    assert [(r["key"], r["label"], counts(r)) for r in answer["rows"]] == [
        ("2026-10", "October 2026", (0, 1, 1, 2, 1, 100, 4 * 480)),
        ("2026-11", "November 2026", (2, 2, 0, 0, 0, 180, 300 + 5 * 480)),
    ]


async def test_by_provider_has_each_providers_rates_and_utilisation(
    app: Starlette, api: GraphQLClient
) -> None:
    practice, seeded = await seeded_practice(app, api)
    answer = await report(api, practice.owner_token, "PROVIDER")
    ada, ben = answer["rows"]
    assert (ada["key"], ada["label"]) == (to_global_id("Member", seeded.p1), "Ada Provider")
    assert (ben["key"], ben["label"]) == (to_global_id("Member", seeded.p2), "Ben Provider")
    assert counts(ada) == (0, 3, 1, 2, 1, 200, ADA_HOURS)
    assert ada["noShowRate"] == 0.25
    assert ada["lateCancellationRate"] == pytest.approx(1 / 6)
    assert ada["utilization"] == pytest.approx(200 / 4620)
    assert counts(ben) == (2, 0, 0, 0, 0, 80, 0)
    assert ben["utilization"] is None
    assert counts(answer["total"]) == (2, 3, 1, 2, 1, 280, ADA_HOURS)


async def test_by_appointment_type(app: Starlette, api: GraphQLClient) -> None:
    practice, seeded = await seeded_practice(app, api)
    answer = await report(api, practice.owner_token, "APPOINTMENT_TYPE")
    check_in, therapy = answer["rows"]  # by name
    assert (check_in["key"], check_in["label"]) == (
        to_global_id("AppointmentType", seeded.t2),
        "Check-in",
    )
    assert counts(check_in) == (1, 0, 0, 2, 1, 30, 0)
    assert therapy["key"] == to_global_id("AppointmentType", seeded.t1)
    assert counts(therapy) == (1, 3, 1, 0, 0, 250, 0)
    assert therapy["utilization"] is None
    assert counts(answer["total"]) == (2, 3, 1, 2, 1, 280, ADA_HOURS)


async def test_one_day_range_is_the_local_day_only(app: Starlette, api: GraphQLClient) -> None:
    practice, _ = await seeded_practice(app, api)
    answer = await report(api, practice.owner_token, "DAY", "2026-11-01", "2026-11-01")
    assert [(r["key"], counts(r)) for r in answer["rows"]] == [
        ("2026-11-01", (1, 1, 0, 0, 0, 80, 300))
    ]


@pytest.mark.parametrize(
    ("start", "end", "why"),
    [
        ("2026-11-08", "2026-10-26", "before"),
        ("2026-01-01", "2027-02-05", "at most 400"),  # 401 days
    ],
)
async def test_a_bad_range_is_invalid_input(
    app: Starlette, api: GraphQLClient, start: str, end: str, why: str
) -> None:
    practice, _ = await seeded_practice(app, api)
    errors = await api.errors(
        "AppointmentReport",
        {"from": start, "to": end, "groupBy": "DAY"},
        token=practice.owner_token,
    )
    assert [e["extensions"]["code"] for e in errors] == ["INVALID_INPUT"]
    assert why in errors[0]["message"]


async def test_four_hundred_days_is_allowed(app: Starlette, api: GraphQLClient) -> None:
    practice, _ = await seeded_practice(app, api)
    answer = await report(api, practice.owner_token, "DAY", "2026-01-01", "2027-02-04")
    assert len(answer["rows"]) == 400
    assert counts(answer["total"])[:6] == (3, 4, 1, 2, 1, 380)  # a7 and a9 are in now
