"""`carebase seed --size large`, scaled down: the practice's shape, and the owner using it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import ColumnElement, func, select

from carebase import migrate
from carebase.app import create_app
from carebase.config import Settings
from carebase.db import make_engine
from carebase.models import (
    Account,
    Appointment,
    AppointmentStatus,
    Conversation,
    FormRequest,
    Invoice,
    Message,
    Payment,
    PaymentStatus,
    Refund,
    Role,
)
from carebase.seed import DEMO_PASSWORD
from carebase.seed_large import OWNER_EMAIL, Size, build_practice, seed_large
from tests.conftest import database_url_for_run, make_settings, reset_database
from tests.fixtures.graphql import GraphQLClient
from tests.fixtures.secrets import secret
from tests.fixtures.smtp import Inbox

SCALE = 0.01


@pytest.fixture
async def seeded(tmp_path: Path, smtp: Inbox) -> AsyncIterator[tuple[Settings, Size]]:
    url = database_url_for_run(str(tmp_path))
    if url.startswith("postgres"):
        url += "_seed"  # its own database: the session's stays as other tests left it
    settings = make_settings(tmp_path, smtp.port, CAREBASE_DATABASE_URL=url)
    await asyncio.to_thread(reset_database, url)
    await asyncio.to_thread(migrate.upgrade, settings)
    secret(DEMO_PASSWORD, "password")
    yield settings, await seed_large(settings, password=DEMO_PASSWORD, scale=SCALE)


async def test_a_scaled_large_seed_has_the_practice_s_shape(
    seeded: tuple[Settings, Size],
) -> None:
    settings, size = seeded
    assert size == Size(
        providers=2, clients=50, appointments=500, busy_bookings=5, long_conversation=10
    )
    engine = make_engine(settings)
    now = datetime.now(UTC)
    try:
        async with engine.connect() as conn:

            async def count(*where: ColumnElement[bool], of: Any = Appointment.id) -> int:
                query = select(func.count(of))
                return int((await conn.execute(query.where(*where))).scalar_one())

            by_role = select(Account.role, func.count()).group_by(Account.role)
            roles = {role: n for role, n in await conn.execute(by_role)}
            assert roles == {Role.OWNER: 1, Role.PROVIDER: 2, Role.CLIENT: 50}
            assert await count() == 500
            # past appointments are settled, future ones booked
            past_booked = await count(
                Appointment.ends_at < now, Appointment.status == AppointmentStatus.BOOKED
            )
            assert past_booked == 0
            assert await count(Appointment.starts_at > now) > 0
            future_settled = await count(
                Appointment.starts_at > now, Appointment.status != AppointmentStatus.BOOKED
            )
            assert future_settled == 0
            for status in (AppointmentStatus.OCCURRED, AppointmentStatus.NO_SHOW):
                assert await count(Appointment.status == status) > 0
            assert await count(Appointment.late_cancellation.is_(True)) > 0
            assert await count(Appointment.cancelled_at.is_not(None)) > 0
            assert await count(of=Payment.id) > 0
            assert await count(Payment.status == PaymentStatus.REFUNDED, of=Payment.id) > 0
            assert await count(of=Refund.id) > 0
            # the revenue report buckets by these: every payment has succeeded_at, and each
            # refund its own time after it (not the moment the seed ran)
            assert await count(Payment.succeeded_at.is_(None), of=Payment.id) == 0
            late_refunds = select(func.count(Refund.id)).where(Refund.refunded_at > now)
            assert (await conn.execute(late_refunds)).scalar_one() == 0
            refunded_before_paid = (
                select(func.count(Refund.id))
                .join(Payment, Payment.id == Refund.payment_id)
                .where(Refund.refunded_at <= Payment.succeeded_at)
            )
            assert (await conn.execute(refunded_before_paid)).scalar_one() == 0
            assert await count(of=Invoice.id) > 0
            assert await count(of=FormRequest.id) == 2 * size.clients
            assert await count(of=Conversation.id) == size.clients // 5
            assert await count(of=Message.id) >= size.long_conversation
    finally:
        await engine.dispose()


def test_the_large_practice_is_the_same_every_run() -> None:
    size = Size().scaled(SCALE)
    first = build_practice(size, "hash", date(2026, 6, 1))
    second = build_practice(size, "hash", date(2026, 6, 1))
    assert first.total() == second.total() > 0
    ids = {t.name: [r["id"] for r in rows] for t, rows in first.rows.items()}
    assert ids == {t.name: [r["id"] for r in rows] for t, rows in second.rows.items()}


async def test_the_seeded_owner_signs_in_and_lists_appointments(
    seeded: tuple[Settings, Size],
) -> None:
    settings, size = seeded
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://carebase.test") as http:
            api = GraphQLClient(http)
            login = await api.op(
                "LogIn", {"input": {"email": OWNER_EMAIL, "password": DEMO_PASSWORD}}
            )
            assert login["logIn"]["userErrors"] == []
            token = secret(login["logIn"]["accessToken"], "access token")
            data = await api.op("Appointments", {"first": 20}, token=token)
    page = data["appointments"]
    assert page["totalCount"] == size.appointments
    assert len(page["edges"]) == 20
    assert page["pageInfo"]["hasNextPage"]
    for edge in page["edges"]:
        node = edge["node"]
        assert node["client"]["name"] and node["provider"]["name"]
        assert node["appointmentType"]["name"]
