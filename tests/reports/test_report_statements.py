"""The reports aggregate in the database: the same statements whether a practice has a
handful of rows or many times more, and every statement over appointments, payments or
refunds is an aggregate (no row of them comes back to Python)."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from starlette.applications import Starlette

from carebase.models import (
    Appointment,
    AppointmentStatus,
    Payment,
    PaymentKind,
    PaymentStatus,
    Refund,
)
from tests.fixtures.graphql import GraphQLClient
from tests.fixtures.statements import count_statements
from tests.reports.seed import Seeded, ny, seeded_practice

FACT_TABLES = re.compile(r"\b(appointments|payments|refunds)\b", re.IGNORECASE)
AGGREGATE = re.compile(r"\b(sum|count)\(", re.IGNORECASE)


async def grow(app: Starlette, seeded: Seeded, times: int) -> None:
    """``times`` more appointments, payments and refunds spread over the range."""
    async with app.state.db.unit_of_work(write=True) as uow:
        client = (await uow.session.get_one(Appointment, seeded.ids["a1"])).client_id
        for i in range(times):
            at = ny(2026, 10, 26, 9) + timedelta(hours=7 * i)
            visit = Appointment(
                id=uuid.uuid4(),
                organization_id=seeded.org,
                client_id=client,
                provider_id=seeded.p1 if i % 2 else seeded.p2,
                appointment_type_id=seeded.t1,
                starts_at=at,
                ends_at=at + timedelta(minutes=50),
                status=AppointmentStatus.OCCURRED,
            )
            uow.session.add(visit)
            await uow.session.flush()
            pay = Payment(
                id=uuid.uuid4(),
                organization_id=seeded.org,
                client_id=client,
                kind=PaymentKind.ONE_TIME,
                status=PaymentStatus.PARTIALLY_REFUNDED,
                amount_cents=1000,
                refunded_cents=100,
                currency="usd",
                appointment_id=visit.id,
                succeeded_at=at,
            )
            uow.session.add(pay)
            await uow.session.flush()
            uow.session.add(
                Refund(
                    organization_id=seeded.org, payment_id=pay.id, amount_cents=100, refunded_at=at
                )
            )


@pytest.mark.parametrize(
    ("operation", "group_by"),
    [
        ("AppointmentReport", "DAY"),
        ("AppointmentReport", "WEEK"),
        ("AppointmentReport", "PROVIDER"),
        ("AppointmentReport", "APPOINTMENT_TYPE"),
        ("RevenueReport", "DAY"),
        ("RevenueReport", "MONTH"),
        ("RevenueReport", "PROVIDER"),
        ("RevenueReport", "KIND"),
    ],
)
async def test_a_report_costs_the_same_statements_as_rows_grow(
    app: Starlette, api: GraphQLClient, operation: str, group_by: str
) -> None:
    practice, seeded = await seeded_practice(app, api)
    variables = {"from": "2026-10-26", "to": "2026-11-08", "groupBy": group_by}
    counts: dict[int, int] = {}
    answers = []
    for more in (0, 40):
        await grow(app, seeded, more)
        with count_statements(app) as statements:
            data = await api.op(operation, variables, token=practice.owner_token)
        answers.append(data)
        counts[more] = len(statements)
        facts = [
            s
            for s in statements
            if FACT_TABLES.search(s) and s.lstrip().upper().startswith(("SELECT", "WITH"))
        ]
        assert facts, statements
        assert all(AGGREGATE.search(s) for s in facts), facts
    assert counts[0] == counts[40], counts
    assert answers[0] != answers[1]  # the rows added were counted
