"""A practice in America/New_York whose report answers are worked out by hand in the tests.

The range is Monday 26 October to Sunday 8 November 2026: daylight saving time ends on
Sunday 1 November at 02:00 EDT (clocks go back to 01:00 EST), so that Sunday is 25 hours
long and every instant after it is UTC-5 instead of UTC-4. Rows near local midnight fall on
a different UTC date than their local one: a report that bucketed by UTC date, or by one
fixed offset, gets them wrong.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from starlette.applications import Starlette

from carebase.models import (
    Appointment,
    AppointmentStatus,
    AppointmentType,
    Availability,
    ContactType,
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentKind,
    PaymentStatus,
    Refund,
    Role,
)
from tests.conftest import PASSWORD, Practice, unique_email
from tests.fixtures.factories import key_of, make_client, make_member
from tests.fixtures.graphql import GraphQLClient
from tests.fixtures.secrets import secret

NEW_YORK = ZoneInfo("America/New_York")
FROM, TO = date(2026, 10, 26), date(2026, 11, 8)


def ny(y: int, m: int, d: int, hh: int, mm: int = 0, *, fold: int = 0) -> datetime:
    """A New York wall time as a UTC instant (``fold=1``: the second 01:30 of 1 November)."""
    return datetime(y, m, d, hh, mm, tzinfo=NEW_YORK, fold=fold).astimezone(UTC)


async def sign_up_in(api: GraphQLClient, timezone: str, name: str = "Hudson Wellness") -> Practice:
    email = unique_email("owner")
    data = await api.op(
        "SignUpOrganization",
        {
            "input": {
                "organizationName": name,
                "name": "Nora Owner",
                "email": email,
                "password": PASSWORD,
                "timezone": timezone,
            }
        },
    )
    payload = data["signUpOrganization"]
    assert payload["userErrors"] == [], payload
    secret(payload["accessToken"], "access token")
    secret(payload["refreshToken"], "refresh token")
    return Practice(payload["organization"], payload["accessToken"], email, payload["viewer"])


@dataclass
class Seeded:
    org: uuid.UUID
    p1: uuid.UUID
    p2: uuid.UUID
    t1: uuid.UUID
    t2: uuid.UUID
    ids: dict[str, uuid.UUID] = field(default_factory=dict)


async def seed(app: Starlette, practice: Practice) -> Seeded:
    org = key_of(practice.id)
    async with app.state.db.unit_of_work(write=True) as uow:
        s = uow.session
        p1 = await make_member(uow, organization_id=org, name="Ada Provider", role=Role.PROVIDER)
        p2 = await make_member(uow, organization_id=org, name="Ben Provider", role=Role.PROVIDER)
        client = await make_client(uow, organization_id=org, name="Rhea Client")
        t1 = AppointmentType(
            organization_id=org,
            name="Therapy session",
            duration_minutes=50,
            currency="usd",
            contact_type=ContactType.IN_PERSON,
        )
        t2 = AppointmentType(
            organization_id=org,
            name="Check-in",
            duration_minutes=30,
            currency="usd",
            contact_type=ContactType.IN_PERSON,
        )
        s.add_all([t1, t2])
        await s.flush()
        # Ada works Monday to Friday 09:00-17:00 (480 minutes), is closed Friday 30 October
        # and opens 00:00-04:00 on Sunday 1 November: five real hours across the change
        s.add(
            Availability(
                organization_id=org,
                provider_id=p1.id,
                timezone="America/New_York",
                weekly=[{"weekday": d, "start": "09:00", "end": "17:00"} for d in range(1, 6)],
                overrides=[
                    {"date": "2026-10-30", "closed": True},
                    {"date": "2026-11-01", "closed": False, "start": "00:00", "end": "04:00"},
                ],
            )
        )
        ids: dict[str, uuid.UUID] = {}

        def visit(
            name: str,
            provider: Any,
            kind: AppointmentType,
            at: datetime,
            status: AppointmentStatus,
            *,
            late: bool = False,
        ) -> Appointment:
            row = Appointment(
                id=uuid.uuid4(),
                organization_id=org,
                client_id=client.id,
                provider_id=provider.id,
                appointment_type_id=kind.id,
                starts_at=at,
                ends_at=at + timedelta(minutes=kind.duration_minutes),
                status=status,
                late_cancellation=late,
                cancelled_at=at - timedelta(hours=2)
                if status is AppointmentStatus.CANCELLED
                else None,
            )
            s.add(row)
            ids[name] = row.id
            return row

        st = AppointmentStatus
        a1 = visit("a1", p1, t1, ny(2026, 10, 26, 10), st.OCCURRED)
        a2 = visit("a2", p1, t1, ny(2026, 10, 27, 10), st.NO_SHOW)
        a3 = visit("a3", p1, t2, ny(2026, 10, 28, 10), st.CANCELLED, late=True)
        visit("a4", p1, t2, ny(2026, 10, 28, 11), st.CANCELLED)
        # Sunday 1 November 23:30 EST is 04:30Z on the 2nd: still the 1st here
        visit("a5", p2, t2, ny(2026, 11, 1, 23, 30), st.BOOKED)
        # the second 01:30 of 1 November (EST), inside Ada's night-opening override
        visit("a6", p1, t1, ny(2026, 11, 1, 1, 30, fold=1), st.OCCURRED)
        # Sunday 25 October 23:30 EDT is 03:30Z on the 26th: before the range
        visit("a7", p1, t1, ny(2026, 10, 25, 23, 30), st.OCCURRED)
        # Sunday 8 November 23:30 EST is 04:30Z on the 9th: the range's last day
        a8 = visit("a8", p2, t1, ny(2026, 11, 8, 23, 30), st.BOOKED)
        # Monday 9 November 00:30 EST: after the range
        visit("a9", p2, t1, ny(2026, 11, 9, 0, 30), st.BOOKED)
        visit("a10", p1, t1, ny(2026, 11, 3, 10), st.OCCURRED)
        await s.flush()

        def invoice(
            name: str,
            total: int,
            due: date | None,
            *,
            sent: datetime | None = ny(2026, 10, 1, 9),
            paid: datetime | None = None,
            voided: datetime | None = None,
            appointment: Appointment | None = None,
        ) -> Invoice:
            row = Invoice(
                id=uuid.uuid4(),
                organization_id=org,
                client_id=client.id,
                status=(
                    InvoiceStatus.VOID
                    if voided
                    else InvoiceStatus.PAID
                    if paid
                    else InvoiceStatus.OPEN
                    if sent
                    else InvoiceStatus.DRAFT
                ),
                currency="usd",
                total_cents=total,
                lines=[{"description": "Visit", "amount_cents": total, "quantity": 1}],
                due_date=due,
                sent_at=sent,
                paid_at=paid,
                voided_at=voided,
                appointment_id=appointment.id if appointment else None,
            )
            s.add(row)
            ids[name] = row.id
            return row

        inv1 = invoice(
            "inv1",
            7000,
            date(2026, 11, 20),
            sent=ny(2026, 11, 1, 9),
            paid=ny(2026, 11, 8, 23, 59),
            appointment=a8,
        )
        invoice("current", 1000, date(2026, 11, 15), sent=ny(2026, 11, 1, 9))
        invoice("due_on_to", 2000, date(2026, 11, 8))
        invoice("thirty_days", 500, date(2026, 10, 9), paid=ny(2026, 11, 10, 9))
        invoice("forty_five_days", 3000, date(2026, 9, 24))
        invoice("hundred_days", 4000, date(2026, 7, 31))
        invoice("paid_before", 800, date(2026, 10, 1), paid=ny(2026, 11, 5, 9))
        invoice("draft", 900, date(2026, 10, 1), sent=None)
        invoice("voided", 700, date(2026, 10, 1), voided=ny(2026, 11, 2, 9))
        invoice("no_due_date", 600, None, sent=ny(2026, 11, 1, 9))
        await s.flush()

        def payment(
            name: str,
            kind: PaymentKind,
            cents: int,
            succeeded: datetime | None,
            *,
            status: PaymentStatus = PaymentStatus.SUCCEEDED,
            appointment: Appointment | None = None,
            invoice_row: Invoice | None = None,
            currency: str = "usd",
            refunded: int = 0,
        ) -> Payment:
            row = Payment(
                id=uuid.uuid4(),
                organization_id=org,
                client_id=client.id,
                kind=kind,
                status=status,
                amount_cents=cents,
                currency=currency,
                refunded_cents=refunded,
                appointment_id=appointment.id if appointment else None,
                invoice_id=invoice_row.id if invoice_row else None,
                succeeded_at=succeeded,
            )
            s.add(row)
            ids[name] = row.id
            return row

        k = PaymentKind
        p_1 = payment(
            "p1",
            k.ONE_TIME,
            10000,
            ny(2026, 10, 26, 12),
            appointment=a1,
            status=PaymentStatus.PARTIALLY_REFUNDED,
            refunded=3000,
        )
        # 23:30 EDT on the 27th is 03:30Z on the 28th
        payment("p2", k.NO_SHOW_FEE, 2500, ny(2026, 10, 27, 23, 30), appointment=a2)
        payment("p3", k.EXTERNAL, 4000, ny(2026, 11, 3, 10))
        payment("p4", k.INVOICE, 7000, ny(2026, 11, 8, 23, 59), invoice_row=inv1)
        payment("p5", k.ONE_TIME, 9999, None, status=PaymentStatus.FAILED)
        p_6 = payment(
            "p6",
            k.ONE_TIME,
            1234,
            ny(2026, 10, 25, 22),
            status=PaymentStatus.PARTIALLY_REFUNDED,
            refunded=234,
        )
        payment("p7", k.ONE_TIME, 5000, ny(2026, 11, 3, 10), currency="eur")
        p_8 = payment(
            "p8",
            k.LATE_CANCELLATION_FEE,
            1500,
            ny(2026, 10, 28, 15),
            appointment=a3,
            status=PaymentStatus.REFUNDED,
            refunded=1500,
        )
        await s.flush()
        s.add_all(
            [
                # 23:30 EST on 1 November is 04:30Z on the 2nd
                Refund(
                    organization_id=org,
                    payment_id=p_1.id,
                    amount_cents=3000,
                    refunded_at=ny(2026, 11, 1, 23, 30),
                ),
                # a refund in the range of a payment from before it
                Refund(
                    organization_id=org,
                    payment_id=p_6.id,
                    amount_cents=234,
                    refunded_at=ny(2026, 10, 27, 12),
                ),
                # after the range
                Refund(
                    organization_id=org,
                    payment_id=p_8.id,
                    amount_cents=1500,
                    refunded_at=ny(2026, 11, 9, 0, 30),
                ),
            ]
        )
    return Seeded(org=org, p1=p1.id, p2=p2.id, t1=t1.id, t2=t2.id, ids=ids)


async def seeded_practice(app: Starlette, api: GraphQLClient) -> tuple[Practice, Seeded]:
    practice = await sign_up_in(api, "America/New_York")
    return practice, await seed(app, practice)


async def other_org_noise(app: Starlette, api: GraphQLClient) -> Practice:
    """Another practice with an appointment and a payment inside the same range."""
    other = await sign_up_in(api, "America/New_York", name="Elsewhere Clinic")
    org = key_of(other.id)
    async with app.state.db.unit_of_work(write=True) as uow:
        provider = await make_member(uow, organization_id=org, name="Zed Provider")
        client = await make_client(uow, organization_id=org, name="Zia Client")
        kind = AppointmentType(
            organization_id=org,
            name="Visit",
            duration_minutes=60,
            currency="usd",
            contact_type=ContactType.IN_PERSON,
        )
        uow.session.add(kind)
        await uow.session.flush()
        uow.session.add(
            Appointment(
                organization_id=org,
                client_id=client.id,
                provider_id=provider.id,
                appointment_type_id=kind.id,
                starts_at=ny(2026, 11, 3, 12),
                ends_at=ny(2026, 11, 3, 13),
                status=AppointmentStatus.OCCURRED,
            )
        )
        uow.session.add(
            Payment(
                organization_id=org,
                client_id=client.id,
                kind=PaymentKind.ONE_TIME,
                status=PaymentStatus.SUCCEEDED,
                amount_cents=77700,
                currency="usd",
                succeeded_at=ny(2026, 11, 3, 12),
            )
        )
    return other
