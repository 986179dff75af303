"""A large practice for benchmarks: a year of appointments, payments, forms and messages.

Rows are built as plain dicts from a fixed random seed and written with Core ``insert()``
executemany in chunks (ORM objects one by one would take minutes); the one password every
account shares is hashed once.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from carebase.auth.passwords import hash_password
from carebase.config import Settings
from carebase.db import make_engine
from carebase.models import (
    Account,
    Appointment,
    AppointmentStatus,
    AppointmentType,
    Availability,
    ContactType,
    Conversation,
    ConversationParticipant,
    Form,
    FormRequest,
    FormRequestStatus,
    FormVersion,
    Initiator,
    Invoice,
    InvoiceStatus,
    Message,
    Organization,
    Payment,
    PaymentKind,
    PaymentStatus,
    Refund,
    Role,
)
from carebase.models.base import Base

SEED = 15  # fixed: the same practice every run (relative to today)
TIMEZONE = "America/New_York"
OWNER_EMAIL = "owner@demo.carebase.local"
CHUNK = 2000
PAST_DAYS, FUTURE_DAYS = 300, 65  # a year of appointments around today
OPENS, CLOSES = 8, 18  # weekday hours, local time
BUSY_DAYS = 30  # the busy provider's check-ins fill the next 30 days
LATE_CANCELLATION_FEE, NO_SHOW_FEE = 5000, 7500

FIRST = [
    "Ada", "Ben", "Cleo", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lea",
    "Milo", "Nia", "Omar", "Pia", "Quin", "Rosa", "Theo", "Uma", "Vik", "Wren", "Yara", "Zed",
]  # fmt: skip
LAST = [
    "Moss", "Reyes", "Okafor", "Lund", "Silva", "Novak", "Park", "Haddad", "Berg", "Costa",
    "Diaz", "Ekker", "Fox", "Grant", "Holm", "Ito", "Jansen", "Khan", "Lopez", "Mori",
]  # fmt: skip
LINES = [
    "Thanks, see you then.",
    "Could we move next week's session?",
    "Here is the worksheet we talked about.",
    "Running five minutes late, sorry!",
    "How did the breathing exercise go this week?",
    "I filled in the intake form.",
    "Reminder: bring your insurance card.",
    "Sounds good.",
]


@dataclass(frozen=True)
class Size:
    """How much of each to make; ``scaled`` shrinks it for tests and quick benchmarks."""

    providers: int = 50
    clients: int = 5000
    appointments: int = 50_000
    busy_bookings: int = 500  # the first provider's check-ins over the next 30 days
    long_conversation: int = 150  # messages in the first client's conversation

    def scaled(self, scale: float) -> Size:
        def part(n: int, least: int) -> int:
            return max(least, round(n * scale))

        return Size(
            providers=part(self.providers, 2),
            clients=part(self.clients, 4),
            appointments=part(self.appointments, 20),
            busy_bookings=part(self.busy_bookings, 5),
            long_conversation=part(self.long_conversation, 10),
        )


@dataclass
class Tables:
    """The rows to write, per table (written parents first)."""

    rows: dict[Table, list[dict[str, Any]]] = field(default_factory=dict)

    def add(self, table: Table, row: dict[str, Any]) -> None:
        self.rows.setdefault(table, []).append(row)

    def total(self) -> int:
        return sum(len(r) for r in self.rows.values())


def _t(model: Any) -> Table:
    table: Table = model.__table__
    return table


class Builder:
    def __init__(self, size: Size, password_hash: str, today: date) -> None:
        self.size = size
        self.password_hash = password_hash
        self.rng = random.Random(SEED)
        self.zone = ZoneInfo(TIMEZONE)
        self.now = datetime.now(UTC)  # what is past (settled) and what is booked
        # messages are dated from midnight: the same rows all day
        self.midnight = datetime.combine(today, time(0), UTC)
        self.today = today
        self.out = Tables()

    def new_id(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def stamps(self, at: datetime, updated: datetime | None = None) -> dict[str, Any]:
        return {"id": self.new_id(), "created_at": at, "updated_at": updated or at}

    def local(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), self.zone).astimezone(UTC)

    def build(self) -> Tables:
        self.organization()
        self.members()
        self.types()
        self.clients()
        self.appointments()
        self.forms()
        self.conversations()
        return self.out

    def organization(self) -> None:
        founded = self.local(self.today - timedelta(days=PAST_DAYS + 30), 9)
        self.founded = founded
        self.org_id = self.new_id()
        self.out.add(
            _t(Organization),
            {
                "id": self.org_id,
                "created_at": founded,
                "updated_at": founded,
                "name": "Evergreen Wellness (demo)",
                "timezone": TIMEZONE,
                "currency": "usd",
                "publishable_key": f"pk_seed_{self.rng.getrandbits(96):024x}",
                "late_cancellation_fee_cents": LATE_CANCELLATION_FEE,
                "no_show_fee_cents": NO_SHOW_FEE,
            },
        )

    def account(self, *, email: str, name: str, role: Role, **extra: Any) -> uuid.UUID:
        row = {
            **self.stamps(self.founded),
            "organization_id": self.org_id,
            "email": email,
            "name": name,
            "role": role,
            "timezone": TIMEZONE,
            "password_hash": self.password_hash,
            "invitation_accepted_at": self.founded,
            "provider_id": None,
            "phone": None,
            "first_name": None,
            "last_name": None,
        }
        row.update(extra)
        self.out.add(_t(Account), row)
        result: uuid.UUID = row["id"]
        return result

    def members(self) -> None:
        self.owner_id = self.account(email=OWNER_EMAIL, name="Olivia Owner", role=Role.OWNER)
        self.provider_ids = []
        for i in range(self.size.providers):
            first, last = FIRST[i % len(FIRST)], LAST[(i * 7) % len(LAST)]
            provider = self.account(
                email=f"provider{i}@demo.carebase.local", name=f"{first} {last}", role=Role.PROVIDER
            )
            self.provider_ids.append(provider)
            self.out.add(
                _t(Availability),
                {
                    **self.stamps(self.founded),
                    "organization_id": self.org_id,
                    "provider_id": provider,
                    "timezone": TIMEZONE,
                    "weekly": [
                        {"weekday": d, "start": f"{OPENS:02}:00", "end": f"{CLOSES:02}:00"}
                        for d in range(1, 6)
                    ],
                    "overrides": [],
                },
            )

    def types(self) -> None:
        # (name, minutes, price, contact); the check-in fills the busy provider's calendar
        specs = [
            ("Initial consultation", 60, 15000, ContactType.IN_PERSON),
            ("Follow-up session", 45, 11000, ContactType.VIDEO),
            ("Short session", 30, 7000, ContactType.PHONE),
            ("Check-in", 10, None, ContactType.PHONE),
        ]
        self.type_ids: list[uuid.UUID] = []
        self.type_minutes: dict[uuid.UUID, int] = {}
        self.type_price: dict[uuid.UUID, int | None] = {}
        for name, minutes, price, contact in specs:
            row = {
                **self.stamps(self.founded),
                "organization_id": self.org_id,
                "name": name,
                "duration_minutes": minutes,
                "price_cents": price,
                "currency": "usd",
                "contact_type": contact,
                "bookable_by_clients": price is not None,
            }
            self.out.add(_t(AppointmentType), row)
            self.type_ids.append(row["id"])
            self.type_minutes[row["id"]] = minutes
            self.type_price[row["id"]] = price
        self.check_in = self.type_ids.pop()

    def clients(self) -> None:
        self.client_ids: list[uuid.UUID] = []
        self.clients_of: dict[uuid.UUID, list[uuid.UUID]] = {p: [] for p in self.provider_ids}
        self.provider_of: dict[uuid.UUID, uuid.UUID] = {}
        for i in range(self.size.clients):
            first = FIRST[i % len(FIRST)]
            last = LAST[(i // len(FIRST)) % len(LAST)]
            provider = self.provider_ids[i % len(self.provider_ids)]
            joined = self.founded + timedelta(days=self.rng.randrange(0, PAST_DAYS // 2))
            client = self.account(
                email=f"{first.lower()}.{last.lower()}{i}@demo.carebase.local",
                name=f"{first} {last}",
                role=Role.CLIENT,
                provider_id=provider,
                phone=f"+1555{i:07d}",
                first_name=first,
                last_name=last,
                created_at=joined,
                updated_at=joined,
                invitation_accepted_at=joined,
            )
            self.client_ids.append(client)
            self.clients_of[provider].append(client)
            self.provider_of[client] = provider

    def hourly_grid(self, first: date, days: int) -> list[datetime]:
        return [
            self.local(day, hour)
            for day in (first + timedelta(days=d) for d in range(days))
            if day.isoweekday() <= 5
            for hour in range(OPENS, CLOSES)
        ]

    def appointments(self) -> None:
        start_day = self.today - timedelta(days=PAST_DAYS)
        grid = self.hourly_grid(start_day, PAST_DAYS + FUTURE_DAYS)
        busy_from = self.local(self.today + timedelta(days=1), 0)
        busy_until = busy_from + timedelta(days=BUSY_DAYS)
        regular = self.size.appointments - self.size.busy_bookings
        per_provider, extra = divmod(regular, len(self.provider_ids))
        for i, provider in enumerate(self.provider_ids):
            slots = grid
            if i == 0:  # the busy provider's next 30 days hold only check-ins
                slots = [s for s in grid if not busy_from <= s < busy_until]
            wanted = per_provider + (1 if i < extra else 0)
            if wanted > len(slots):
                raise ValueError("more appointments than a provider's hours hold")
            for starts in sorted(self.rng.sample(slots, wanted)):
                type_id = self.rng.choice(self.type_ids)
                self.appointment(provider, type_id, starts)
        days = [busy_from.date() + timedelta(days=d) for d in range(BUSY_DAYS)]
        grid10 = [
            self.local(day, hour, minute)
            for day in days
            if day.isoweekday() <= 5
            for hour in range(OPENS, CLOSES)
            for minute in range(0, 60, 10)
        ]
        for starts in sorted(self.rng.sample(grid10, self.size.busy_bookings)):
            self.appointment(self.provider_ids[0], self.check_in, starts)

    def appointment(self, provider: uuid.UUID, type_id: uuid.UUID, starts: datetime) -> None:
        rng = self.rng
        client = rng.choice(self.clients_of[provider] or self.client_ids)
        ends = starts + timedelta(minutes=self.type_minutes[type_id])
        booked = min(starts - timedelta(hours=rng.randrange(24, 24 * 30)), self.now)
        status, cancelled = AppointmentStatus.BOOKED, None
        late, initiator = False, None
        if ends < self.now:
            roll = rng.random()
            if roll < 0.80:
                status = AppointmentStatus.OCCURRED
            elif roll < 0.87:
                status = AppointmentStatus.NO_SHOW
            else:
                status = AppointmentStatus.CANCELLED
                late = rng.random() < 0.3
                ahead = (
                    timedelta(hours=rng.randrange(1, 24))
                    if late
                    else timedelta(days=rng.randrange(2, 14))
                )
                cancelled = max(starts - ahead, booked)
                initiator = rng.choice([Initiator.CLIENT, Initiator.PRACTICE])
        settled = cancelled or (ends if status is not AppointmentStatus.BOOKED else booked)
        row = {
            **self.stamps(booked, settled),
            "organization_id": self.org_id,
            "client_id": client,
            "provider_id": provider,
            "appointment_type_id": type_id,
            "starts_at": starts,
            "ends_at": ends,
            "status": status,
            "booked_by_id": client if rng.random() < 0.6 else self.owner_id,
            "cancelled_at": cancelled,
            "cancelled_by_id": (client if initiator is Initiator.CLIENT else self.owner_id)
            if cancelled
            else None,
            "cancel_initiated_by": initiator,
            "late_cancellation": late,
            "cancellation_reason": "Schedule conflict" if cancelled else None,
        }
        self.out.add(_t(Appointment), row)
        self.payments(row, self.type_price[type_id])

    def payments(self, appt: dict[str, Any], price: int | None) -> None:
        rng = self.rng
        status = appt["status"]
        if status is AppointmentStatus.NO_SHOW:
            self.payment(appt, PaymentKind.NO_SHOW_FEE, NO_SHOW_FEE, appt["ends_at"])
        elif status is AppointmentStatus.CANCELLED and appt["late_cancellation"]:
            self.payment(appt, PaymentKind.LATE_CANCELLATION_FEE, LATE_CANCELLATION_FEE, None)
        elif status is AppointmentStatus.OCCURRED and price is not None:
            roll = rng.random()
            if roll < 0.12:
                self.invoice(appt, price)
            elif roll < 0.95:
                self.payment(appt, PaymentKind.ONE_TIME, price, appt["ends_at"])

    def payment(
        self,
        appt: dict[str, Any],
        kind: PaymentKind,
        amount: int,
        at: datetime | None,
        *,
        invoice_id: uuid.UUID | None = None,
    ) -> None:
        rng = self.rng
        at = at or appt["cancelled_at"]
        refunded, status = 0, PaymentStatus.SUCCEEDED
        roll = rng.random()
        if kind is PaymentKind.ONE_TIME and roll < 0.05:
            refunded, status = amount, PaymentStatus.REFUNDED
        elif kind is PaymentKind.ONE_TIME and roll < 0.08:
            refunded, status = amount // 2, PaymentStatus.PARTIALLY_REFUNDED
        row = {
            **self.stamps(at),
            "organization_id": self.org_id,
            "client_id": appt["client_id"],
            "kind": kind,
            "status": status,
            "amount_cents": amount,
            "currency": "usd",
            "refunded_cents": refunded,
            "description": None,
            "appointment_id": appt["id"],
            "invoice_id": invoice_id,
            "stripe_payment_intent_id": f"pi_seed_{rng.getrandbits(64):016x}",
            "attempts": 1,
            "succeeded_at": at,  # the revenue report buckets by it
            "created_by_id": self.owner_id,
        }
        self.out.add(_t(Payment), row)
        if refunded:
            # never in the future: a refund a few days after a recent payment waits for today
            when = min(at + timedelta(days=rng.randrange(1, 10)), self.now)
            self.out.add(
                _t(Refund),
                {
                    **self.stamps(when),
                    "organization_id": self.org_id,
                    "payment_id": row["id"],
                    "amount_cents": refunded,
                    "reason": "Goodwill",
                    "refunded_at": when,
                    "stripe_refund_id": f"re_seed_{rng.getrandbits(64):016x}",
                    "created_by_id": self.owner_id,
                },
            )

    def invoice(self, appt: dict[str, Any], price: int) -> None:
        sent = appt["ends_at"]
        paid = self.rng.random() < 0.8 and sent + timedelta(days=7) < self.now
        row = {
            **self.stamps(sent),
            "organization_id": self.org_id,
            "client_id": appt["client_id"],
            "status": InvoiceStatus.PAID if paid else InvoiceStatus.OPEN,
            "currency": "usd",
            "total_cents": price,
            "lines": [{"description": "Session", "amount_cents": price, "quantity": 1}],
            "due_date": (sent + timedelta(days=14)).date(),
            "appointment_id": appt["id"],
            "sent_at": sent,
            "paid_at": sent + timedelta(days=3) if paid else None,
        }
        self.out.add(_t(Invoice), row)
        if paid:
            self.payment(
                appt, PaymentKind.INVOICE, price, sent + timedelta(days=3), invoice_id=row["id"]
            )

    def forms(self) -> None:
        questions = {
            "Intake questionnaire": [
                {"key": "reason", "label": "What brings you in?", "type": "LONG_TEXT"},
                {"key": "first_visit", "label": "Is this your first therapy?", "type": "YES_NO"},
                {"key": "referral", "label": "How did you hear of us?", "type": "TEXT"},
            ],
            "Consent to treatment": [
                {"key": "agree", "label": "I consent to treatment", "type": "YES_NO"},
            ],
        }
        forms = []
        for name, qs in questions.items():
            form = {
                **self.stamps(self.founded),
                "organization_id": self.org_id,
                "name": name,
                "version": 1,
            }
            self.out.add(_t(Form), form)
            self.out.add(
                _t(FormVersion),
                {
                    **self.stamps(self.founded),
                    "form_id": form["id"],
                    "version": 1,
                    "name": name,
                    "questions": [{**q, "required": True, "options": None} for q in qs],
                },
            )
            forms.append(form["id"])
        for client in self.client_ids:
            done = self.rng.random() < 0.85
            status = FormRequestStatus.COMPLETED if done else FormRequestStatus.PENDING
            for position, form_id in enumerate(forms):
                sent = self.founded + timedelta(days=self.rng.randrange(0, PAST_DAYS))
                answers = (
                    {"reason": "Stress at work", "first_visit": True, "referral": "A friend"}
                    if position == 0
                    else {"agree": True}
                )
                self.out.add(
                    _t(FormRequest),
                    {
                        **self.stamps(sent),
                        "organization_id": self.org_id,
                        "client_id": client,
                        "form_id": form_id,
                        "form_version": 1,
                        "position": position,
                        "required": True,
                        "status": status,
                        "answers": answers if done else None,
                        "filled_by_id": client if done else None,
                        "completed_at": sent + timedelta(days=1) if done else None,
                    },
                )

    def conversations(self) -> None:
        for n, client in enumerate(self.client_ids[::5]):  # a fifth of the clients talk
            if n == 0:  # the owner is in this one: the benchmark reads its messages
                self.conversation(client, self.size.long_conversation, owner=True)
            else:
                self.conversation(client, self.rng.randrange(3, 14))

    def conversation(self, client: uuid.UUID, count: int, *, owner: bool = False) -> None:
        provider = self.provider_of[client]
        started = self.midnight - timedelta(days=self.rng.randrange(20, PAST_DAYS // 2))
        step = (self.midnight - started) / (count + 1)
        times = [started + step * (k + 1) for k in range(count)]
        conversation = {
            **self.stamps(started, times[-1]),
            "organization_id": self.org_id,
            "client_id": client,
            "started_by_id": provider,
            "last_message_at": times[-1],
        }
        self.out.add(_t(Conversation), conversation)
        for account in (client, provider, *([self.owner_id] if owner else [])):
            self.out.add(
                _t(ConversationParticipant),
                {
                    **self.stamps(started, times[-1]),
                    "conversation_id": conversation["id"],
                    "account_id": account,
                    "last_read_at": times[-1],
                },
            )
        for k, at in enumerate(times):
            self.out.add(
                _t(Message),
                {
                    **self.stamps(at),
                    "organization_id": self.org_id,
                    "conversation_id": conversation["id"],
                    "sender_id": provider if k % 2 == 0 else client,
                    "body": self.rng.choice(LINES),
                },
            )


def build_practice(size: Size, password_hash: str, today: date | None = None) -> Tables:
    """The rows of the whole practice, built in memory before any is written."""
    return Builder(size, password_hash, today or datetime.now(UTC).date()).build()


def _chunks(rows: Sequence[dict[str, Any]]) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


async def _write(conn: AsyncConnection, tables: Tables, progress: Progress) -> None:
    overall = progress.add_task("rows", total=tables.total())
    order = Base.metadata.sorted_tables  # parents first (payments after invoices)
    for table in sorted(tables.rows, key=order.index):
        rows = tables.rows[table]
        task = progress.add_task(table.name, total=len(rows))
        for chunk in _chunks(rows):
            await conn.execute(insert(table), list(chunk))
            progress.advance(task, len(chunk))
            progress.advance(overall, len(chunk))


async def seed_large(settings: Settings, *, password: str, scale: float = 1.0) -> Size:
    """Write the large practice (``scale`` < 1 for a smaller one of the same shape)."""
    size = Size() if scale == 1 else Size().scaled(scale)
    columns = [
        TextColumn("[progress.description]{task.description:>26}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    ]
    with Progress(*columns) as progress:
        prepare = progress.add_task("building rows", total=2)
        password_hash = hash_password(password, settings.password_hash_cost)
        progress.advance(prepare)
        tables = build_practice(size, password_hash)
        progress.advance(prepare)
        engine = make_engine(settings)
        try:
            async with engine.begin() as conn:
                await _write(conn, tables, progress)
        finally:
            await engine.dispose()
    return size
