"""The appointment report's types: a row per provider, type, day, week or month."""

from __future__ import annotations

import strawberry

from carebase.resolvers.reports.appointments import (
    AppointmentCounts,
    AppointmentGrouping,
    ReportRow,
)
from carebase.resolvers.reports.appointments import (
    AppointmentReport as Result,
)
from carebase.schema.docs import describe_values
from carebase.schema.relay import to_global_id

AppointmentReportGrouping = strawberry.enum(
    AppointmentGrouping,
    name="AppointmentReportGrouping",
    description="What each row of an appointment report counts.",
)
describe_values(
    AppointmentReportGrouping,
    {
        "PROVIDER": "A row per provider with appointments or hours in the range; the key is "
        "the provider's global id (a `Member`).",
        "APPOINTMENT_TYPE": "A row per appointment type booked in the range; the key is the "
        "type's global id. Hours are not kept per type: `availableMinutes` is 0 and "
        "`utilization` null in these rows (the total has them).",
        "DAY": 'A row per local day of the range, key "2026-12-01".',
        "WEEK": 'A row per week (Monday to Sunday, cut to the range), key its Monday "2026-11-30".',
        "MONTH": 'A row per calendar month (cut to the range), key "2026-12".',
    },
)


@strawberry.type(
    description=(
        "Appointments of one row of the report, counted by their status now. Every "
        "appointment is in exactly one of `booked`, `occurred`, `noShow` and `cancelled`."
    )
)
class AppointmentReportRow:
    key: str = strawberry.field(
        description=(
            "What the row is: a provider's or type's global id; a day `2026-12-01`; a week's "
            "Monday `2026-11-30`; a month `2026-12`."
        )
    )
    label: str = strawberry.field(
        description="A name for people: the provider's or type's name, or the day, week or month."
    )
    booked: int = strawberry.field(description="Appointments still `BOOKED`.")
    occurred: int = strawberry.field(description="Appointments marked `OCCURRED`.")
    no_show: int = strawberry.field(description="Appointments marked `NO_SHOW`.")
    cancelled: int = strawberry.field(description="Appointments `CANCELLED` (late or not).")
    late_cancelled: int = strawberry.field(
        description="The cancelled appointments that were cancelled late (a subset of `cancelled`)."
    )
    no_show_rate: float = strawberry.field(
        description="noShow / (occurred + noShow); 0 when both are 0."
    )
    late_cancellation_rate: float = strawberry.field(
        description="lateCancelled / every appointment in the row; 0 when there is none."
    )
    booked_minutes: int = strawberry.field(
        description="Minutes of the live appointments (booked, occurred, no-show)."
    )
    available_minutes: int = strawberry.field(
        description=(
            "Minutes the providers' weekly hours and date overrides open in the row's time "
            "(each provider's hours in their availability's time zone)."
        )
    )
    utilization: float | None = strawberry.field(
        description="bookedMinutes / availableMinutes; null with no availability."
    )

    @classmethod
    def of(cls, key: str, label: str, counts: AppointmentCounts) -> AppointmentReportRow:
        return cls(
            key=key,
            label=label,
            booked=counts.booked,
            occurred=counts.occurred,
            no_show=counts.no_show,
            cancelled=counts.cancelled,
            late_cancelled=counts.late_cancelled,
            no_show_rate=counts.no_show_rate,
            late_cancellation_rate=counts.late_cancellation_rate,
            booked_minutes=counts.booked_minutes,
            available_minutes=counts.available_minutes,
            utilization=counts.utilization,
        )


def _key(row: ReportRow, grouping: AppointmentGrouping) -> str:
    if row.ref is None:
        return row.key
    kind = "Member" if grouping is AppointmentGrouping.PROVIDER else "AppointmentType"
    return str(to_global_id(kind, row.ref))


@strawberry.type(
    description=(
        "Appointments counted per row, in the organization's time zone: an appointment "
        "counts by its start, from ≤ its local date ≤ to."
    )
)
class AppointmentReport:
    rows: list[AppointmentReportRow] = strawberry.field(
        description=(
            "The rows: by time every day, week or month of the range in order (empty ones "
            "with zeros); by provider or type in the order of their names."
        )
    )
    total: AppointmentReportRow = strawberry.field(
        description='The whole range in one row (key "total"), every provider\'s hours included.'
    )

    @classmethod
    def of(cls, result: Result, grouping: AppointmentGrouping) -> AppointmentReport:
        return cls(
            rows=[
                AppointmentReportRow.of(_key(r, grouping), r.label, r.counts) for r in result.rows
            ],
            total=AppointmentReportRow.of("total", "Total", result.total),
        )
