"""``appointmentReport``: appointments counted by status, no-show and late-cancellation rates,
and utilisation, per provider, appointment type, day, week or month. The database counts
(one aggregate query); Python only names the rows and adds the schedule's minutes."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, func, select

from carebase.auth.policy import require_member
from carebase.auth.principal import Principal
from carebase.db import UnitOfWork
from carebase.models import (
    LIVE_STATUSES,
    Account,
    Appointment,
    AppointmentStatus,
    AppointmentType,
    Organization,
)
from carebase.resolvers.reports.availability import available_minutes
from carebase.resolvers.reports.ranges import Bucket, Period, buckets
from carebase.resolvers.reports.sql import minutes_between, ranges_table


class AppointmentGrouping(enum.Enum):
    PROVIDER = "PROVIDER"
    APPOINTMENT_TYPE = "APPOINTMENT_TYPE"
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"


PERIODS = {
    AppointmentGrouping.DAY: Period.DAY,
    AppointmentGrouping.WEEK: Period.WEEK,
    AppointmentGrouping.MONTH: Period.MONTH,
}


@dataclass(frozen=True)
class AppointmentCounts:
    booked: int = 0
    occurred: int = 0
    no_show: int = 0
    cancelled: int = 0
    late_cancelled: int = 0
    booked_minutes: int = 0
    available_minutes: int = 0

    @property
    def appointments(self) -> int:
        return self.booked + self.occurred + self.no_show + self.cancelled

    @property
    def no_show_rate(self) -> float:
        seen = self.occurred + self.no_show
        return self.no_show / seen if seen else 0.0

    @property
    def late_cancellation_rate(self) -> float:
        return self.late_cancelled / self.appointments if self.appointments else 0.0

    @property
    def utilization(self) -> float | None:
        if not self.available_minutes:
            return None
        return self.booked_minutes / self.available_minutes

    def plus(self, other: AppointmentCounts) -> AppointmentCounts:
        return AppointmentCounts(
            *(getattr(self, f) + getattr(other, f) for f in COUNT_FIELDS),
        )

    def with_available(self, minutes: int) -> AppointmentCounts:
        values = {f: getattr(self, f) for f in COUNT_FIELDS}
        return AppointmentCounts(**{**values, "available_minutes": minutes})


COUNT_FIELDS = (
    "booked",
    "occurred",
    "no_show",
    "cancelled",
    "late_cancelled",
    "booked_minutes",
    "available_minutes",
)


@dataclass(frozen=True)
class ReportRow:
    key: str  # a day, a Monday, a month; for providers and types their id's hex
    label: str
    counts: AppointmentCounts
    # the provider's or type's id, made a global id by the schema
    ref: uuid.UUID | None = None


@dataclass(frozen=True)
class AppointmentReport:
    rows: list[ReportRow]
    total: AppointmentCounts


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _measures() -> list[ColumnElement[Any]]:
    status = Appointment.status
    return [
        _count_if(status == AppointmentStatus.BOOKED).label("booked"),
        _count_if(status == AppointmentStatus.OCCURRED).label("occurred"),
        _count_if(status == AppointmentStatus.NO_SHOW).label("no_show"),
        _count_if(status == AppointmentStatus.CANCELLED).label("cancelled"),
        _count_if(
            and_(status == AppointmentStatus.CANCELLED, Appointment.late_cancellation.is_(True))
        ).label("late_cancelled"),
        func.coalesce(
            func.sum(
                case(
                    (
                        status.in_(LIVE_STATUSES),
                        minutes_between(Appointment.starts_at, Appointment.ends_at),
                    ),
                    else_=0,
                )
            ),
            0,
        ).label("booked_minutes"),
    ]


def _counts(row: Any) -> AppointmentCounts:
    return AppointmentCounts(
        booked=int(row.booked),
        occurred=int(row.occurred),
        no_show=int(row.no_show),
        cancelled=int(row.cancelled),
        late_cancelled=int(row.late_cancelled),
        booked_minutes=int(row.booked_minutes),
    )


async def appointment_report(
    uow: UnitOfWork,
    principal: Principal,
    *,
    first: date,
    last: date,
    group_by: AppointmentGrouping,
) -> AppointmentReport:
    """Appointments whose start falls on ``first``..``last`` in the organization's zone."""
    require_member(principal, "reports")
    assert principal.organization_id is not None
    org = await uow.session.get_one(Organization, principal.organization_id)
    zone = ZoneInfo(org.timezone)
    period = PERIODS.get(group_by, Period.ALL)
    ranges = buckets(first, last, zone, period)
    available = await available_minutes(uow, org.id, ranges)
    if period is Period.ALL:
        rows = await _by_reference(uow, org.id, ranges[0], group_by, available.by_provider)
    else:
        rows = await _by_time(uow, org.id, ranges, available.by_bucket)
    total = AppointmentCounts()
    for row in rows:
        total = total.plus(row.counts)
    return AppointmentReport(rows=rows, total=total.with_available(available.total))


async def _by_time(
    uow: UnitOfWork,
    organization_id: uuid.UUID,
    ranges: Sequence[Bucket],
    available: dict[int, int],
) -> list[ReportRow]:
    table = ranges_table(ranges)
    stmt = (
        select(table.c.n, *_measures())
        .select_from(table)
        .join(
            Appointment,
            and_(
                Appointment.organization_id == organization_id,
                Appointment.starts_at >= table.c.lo,
                Appointment.starts_at < table.c.hi,
            ),
        )
        .group_by(table.c.n)
    )
    found = {int(r.n): _counts(r) for r in await uow.session.execute(stmt)}
    return [
        ReportRow(
            key=b.key,
            label=b.label,
            counts=found.get(n, AppointmentCounts()).with_available(available.get(n, 0)),
        )
        for n, b in enumerate(ranges)
    ]


async def _by_reference(
    uow: UnitOfWork,
    organization_id: uuid.UUID,
    whole: Bucket,
    group_by: AppointmentGrouping,
    available: dict[uuid.UUID, int],
) -> list[ReportRow]:
    by_provider = group_by is AppointmentGrouping.PROVIDER
    column = Appointment.provider_id if by_provider else Appointment.appointment_type_id
    stmt = (
        select(column.label("ref"), *_measures())
        .where(
            Appointment.organization_id == organization_id,
            Appointment.starts_at >= whole.start,
            Appointment.starts_at < whole.end,
        )
        .group_by(column)
    )
    found = {r.ref: _counts(r) for r in await uow.session.execute(stmt)}
    # a provider with hours but no appointment is a row too: the idle time is the point
    refs = set(found) | ({p for p, m in available.items() if m} if by_provider else set())
    if not refs:
        return []
    names = await _names(uow, organization_id, refs, by_provider)
    rows = [
        ReportRow(
            key=ref.hex,
            label=names.get(ref, ""),
            counts=found.get(ref, AppointmentCounts()).with_available(
                available.get(ref, 0) if by_provider else 0
            ),
            ref=ref,
        )
        for ref in refs
    ]
    return sorted(rows, key=lambda r: (r.label.casefold(), r.key))


async def _names(
    uow: UnitOfWork, organization_id: uuid.UUID, refs: set[uuid.UUID], providers: bool
) -> dict[uuid.UUID, str]:
    model: type[Account] | type[AppointmentType] = Account if providers else AppointmentType
    rows = await uow.session.execute(
        select(model.id, model.name).where(
            model.organization_id == organization_id, model.id.in_(refs)
        )
    )
    return {ref: name for ref, name in rows.all()}
