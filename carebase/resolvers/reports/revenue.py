"""``revenueReport``: money captured (by the time it succeeded) and refunded (by the time of
the refund), by day, month, provider or kind, in the organization's currency; and the open
invoices on the last day, by days past due. Every figure is a SQL aggregate."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.orm import aliased

from carebase.auth.policy import require_member
from carebase.auth.principal import Principal
from carebase.db import UnitOfWork
from carebase.models import (
    CAPTURED,
    Account,
    Appointment,
    Claim,
    Invoice,
    Organization,
    Payment,
    PaymentKind,
    Refund,
)
from carebase.resolvers.reports.ranges import Bucket, Period, buckets
from carebase.resolvers.reports.sql import ranges_table


class RevenueGrouping(enum.Enum):
    DAY = "DAY"
    MONTH = "MONTH"
    PROVIDER = "PROVIDER"
    KIND = "KIND"


NO_PROVIDER = "none"
KIND_LABELS = {
    PaymentKind.ONE_TIME: "One-time charge",
    PaymentKind.SCHEDULED: "Scheduled payment",
    PaymentKind.AUTOCHARGE: "Autocharge",
    PaymentKind.PACKAGE: "Package",
    PaymentKind.INVOICE: "Invoice",
    PaymentKind.NO_SHOW_FEE: "No-show fee",
    PaymentKind.LATE_CANCELLATION_FEE: "Late cancellation fee",
    PaymentKind.EXTERNAL: "External payment",
    PaymentKind.INSURANCE: "Insurance",
}
AGING = ("current", "0-30", "31-60", "61-90", "90+")


@dataclass(frozen=True)
class Money:
    gross: int = 0
    refunded: int = 0
    payments: int = 0

    @property
    def net(self) -> int:
        return self.gross - self.refunded

    def plus(self, other: Money) -> Money:
        return Money(
            self.gross + other.gross, self.refunded + other.refunded, self.payments + other.payments
        )


@dataclass(frozen=True)
class RevenueRow:
    key: str
    label: str
    money: Money
    ref: uuid.UUID | None = None  # a provider's id, made a global id by the schema


@dataclass(frozen=True)
class Aging:
    bucket: str
    amount_cents: int
    invoices: int


@dataclass(frozen=True)
class RevenueReport:
    currency: str
    rows: list[RevenueRow]
    total: Money
    outstanding: list[Aging]


def _provider_of_payment() -> tuple[Any, Any]:
    """The provider a payment earned for: its appointment's, or its invoice's or claim's
    appointment's; with the outer joins that reach them."""
    visit = aliased(Appointment)
    appointment_id = func.coalesce(
        Payment.appointment_id, Invoice.appointment_id, Claim.appointment_id
    )

    def joined(stmt: Select[Any]) -> Select[Any]:
        return (
            stmt.outerjoin(Invoice, Invoice.id == Payment.invoice_id)
            .outerjoin(Claim, Claim.id == Payment.claim_id)
            .outerjoin(visit, visit.id == appointment_id)
        )

    return visit.provider_id, joined


@dataclass(frozen=True)
class Facts:
    """Rows to sum: a table, the instant that places each row, and how it reaches payments."""

    table: Any
    at: Any
    organization: Any
    measures: tuple[Any, ...]
    to_payment: Callable[[Any], Any] = lambda stmt: stmt


def _grouped(
    facts: Facts,
    organization_id: uuid.UUID,
    conditions: tuple[ColumnElement[bool], ...],
    ranges: list[Bucket],
    group_by: RevenueGrouping,
) -> Any:
    """The facts' measures keyed by the row each fact counts in."""
    at = facts.at
    if group_by in (RevenueGrouping.DAY, RevenueGrouping.MONTH):
        # the ranges lead: one index range scan of the facts per bucket
        table = ranges_table(ranges)
        stmt = (
            select(table.c.n.label("group_key"), *facts.measures)
            .select_from(table)
            .join(
                facts.table,
                and_(facts.organization == organization_id, at >= table.c.lo, at < table.c.hi),
            )
        )
        return facts.to_payment(stmt).where(*conditions).group_by(table.c.n)
    stmt = facts.to_payment(select(*facts.measures).select_from(facts.table)).where(
        facts.organization == organization_id,
        at >= ranges[0].start,
        at < ranges[-1].end,
        *conditions,
    )
    if group_by is RevenueGrouping.KIND:
        return stmt.add_columns(Payment.kind.label("group_key")).group_by(Payment.kind)
    provider, joined = _provider_of_payment()
    return joined(stmt.add_columns(provider.label("group_key"))).group_by(provider)


async def revenue_report(
    uow: UnitOfWork,
    principal: Principal,
    *,
    first: date,
    last: date,
    group_by: RevenueGrouping,
) -> RevenueReport:
    require_member(principal, "reports")
    assert principal.organization_id is not None
    org = await uow.session.get_one(Organization, principal.organization_id)
    period = {RevenueGrouping.DAY: Period.DAY, RevenueGrouping.MONTH: Period.MONTH}.get(
        group_by, Period.ALL
    )
    ranges = buckets(first, last, ZoneInfo(org.timezone), period)
    ours = (Payment.organization_id == org.id, Payment.currency == org.currency)
    captured = _grouped(
        Facts(
            Payment,
            Payment.succeeded_at,
            Payment.organization_id,
            (func.sum(Payment.amount_cents).label("cents"), func.count().label("n")),
        ),
        org.id,
        (*ours, Payment.status.in_(CAPTURED)),
        ranges,
        group_by,
    )
    refunded = _grouped(
        Facts(
            Refund,
            Refund.refunded_at,
            Refund.organization_id,
            (func.sum(Refund.amount_cents).label("cents"), func.count().label("n")),
            lambda stmt: stmt.join(Payment, Payment.id == Refund.payment_id),
        ),
        org.id,
        ours,
        ranges,
        group_by,
    )
    gross = {r.group_key: (int(r.cents), int(r.n)) for r in await uow.session.execute(captured)}
    back = {r.group_key: int(r.cents) for r in await uow.session.execute(refunded)}
    money = {
        k: Money(gross.get(k, (0, 0))[0], back.get(k, 0), gross.get(k, (0, 0))[1])
        for k in set(gross) | set(back)
    }
    rows = await _rows(uow, org.id, ranges, group_by, money)
    total = Money()
    for row in rows:
        total = total.plus(row.money)
    return RevenueReport(
        currency=org.currency,
        rows=rows,
        total=total,
        outstanding=await _aging(uow, org, last, ranges[-1].end),
    )


async def _rows(
    uow: UnitOfWork,
    organization_id: uuid.UUID,
    ranges: list[Bucket],
    group_by: RevenueGrouping,
    money: dict[Any, Money],
) -> list[RevenueRow]:
    if group_by in (RevenueGrouping.DAY, RevenueGrouping.MONTH):
        return [RevenueRow(b.key, b.label, money.get(n, Money())) for n, b in enumerate(ranges)]
    if group_by is RevenueGrouping.KIND:
        return [
            RevenueRow(kind.value, KIND_LABELS[kind], money[kind])
            for kind in PaymentKind
            if kind in money
        ]
    providers = [p for p in money if p is not None]
    names: dict[uuid.UUID, str] = {}
    if providers:
        found = await uow.session.execute(
            select(Account.id, Account.name).where(
                Account.organization_id == organization_id, Account.id.in_(providers)
            )
        )
        names = {ref: name for ref, name in found.all()}
    rows = sorted(
        (RevenueRow(p.hex, names.get(p, ""), money[p], ref=p) for p in providers),
        key=lambda r: (r.label.casefold(), r.key),
    )
    if None in money:
        rows.append(RevenueRow(NO_PROVIDER, "No provider", money[None]))
    return rows


async def _aging(uow: UnitOfWork, org: Organization, last: date, end: Any) -> list[Aging]:
    """Invoices open at the end of ``last`` (sent before, not paid or voided by then), by
    days past their due date on ``last``; one without a due date is current."""
    due = Invoice.due_date
    bucket = case(
        (or_(due.is_(None), due > last), "current"),
        (due >= last - timedelta(days=30), "0-30"),
        (due >= last - timedelta(days=60), "31-60"),
        (due >= last - timedelta(days=90), "61-90"),
        else_="90+",
    ).label("bucket")
    # grouped outside: PostgreSQL does not match a CASE of bound values in GROUP BY
    open_then = (
        select(bucket, Invoice.total_cents)
        .where(
            Invoice.organization_id == org.id,
            Invoice.currency == org.currency,
            Invoice.sent_at.is_not(None),
            Invoice.sent_at < end,
            or_(Invoice.paid_at.is_(None), Invoice.paid_at >= end),
            or_(Invoice.voided_at.is_(None), Invoice.voided_at >= end),
        )
        .subquery()
    )
    stmt = select(open_then.c.bucket, func.sum(open_then.c.total_cents), func.count()).group_by(
        open_then.c.bucket
    )
    found = {name: (int(cents), int(n)) for name, cents, n in await uow.session.execute(stmt)}
    return [Aging(name, *found.get(name, (0, 0))) for name in AGING]
