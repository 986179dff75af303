"""Reports for owners and admins (a key or OAuth client needs `reports:read`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from carebase.resolvers.core.pagination import page_request
from carebase.resolvers.reports import appointments as appointment_ops
from carebase.resolvers.reports import intake as intake_ops
from carebase.resolvers.reports import revenue as revenue_ops
from carebase.schema.context import Info
from carebase.schema.docs import AFTER, FIRST
from carebase.schema.relay import Connection
from carebase.schema.reports.appointments import AppointmentReport, AppointmentReportGrouping
from carebase.schema.reports.intake import IncompleteIntake
from carebase.schema.reports.revenue import RevenueReport, RevenueReportGrouping

FROM = "The first local day of the report (the organization's time zone), inclusive."
TO = (
    "The last local day, inclusive: on or after `from` and at most 400 days on "
    "(otherwise `INVALID_INPUT`)."
)
WHO = "Owners and admins; an API key or OAuth client needs `reports:read`."


@strawberry.type
class ReportsQuery:
    @strawberry.field(  # type: ignore[untyped-decorator]
        description=(
            "Appointments by status, no-show and late-cancellation rates and utilisation, per "
            "provider, appointment type, day, week or month, counted by the database. " + WHO
        )
    )
    async def appointment_report(
        self,
        info: Info,
        from_: Annotated[date, strawberry.argument(name="from", description=FROM)],
        to: Annotated[date, strawberry.argument(description=TO)],
        group_by: Annotated[
            AppointmentReportGrouping,  # type: ignore[valid-type]
            strawberry.argument(description="What each row counts."),
        ],
    ) -> AppointmentReport:
        result = await appointment_ops.appointment_report(
            info.context.uow, info.context.principal, first=from_, last=to, group_by=group_by
        )
        return AppointmentReport.of(result, group_by)

    @strawberry.field(  # type: ignore[untyped-decorator]
        description=(
            "Money captured, refunded and net per day, month, provider or payment kind, and "
            "the aging of open invoices on `to`, summed by the database. " + WHO
        )
    )
    async def revenue_report(
        self,
        info: Info,
        from_: Annotated[date, strawberry.argument(name="from", description=FROM)],
        to: Annotated[date, strawberry.argument(description=TO)],
        group_by: Annotated[
            RevenueReportGrouping,  # type: ignore[valid-type]
            strawberry.argument(description="What each row sums."),
        ],
    ) -> RevenueReport:
        result = await revenue_ops.revenue_report(
            info.context.uow, info.context.principal, first=from_, last=to, group_by=group_by
        )
        return RevenueReport.of(result)

    @strawberry.field(  # type: ignore[untyped-decorator]
        description=(
            "Clients with required forms still pending and a live appointment starting within "
            "the next `withinHours`, one item each (their soonest such appointment), soonest "
            "first. " + WHO
        )
    )
    async def clients_with_incomplete_intake(
        self,
        info: Info,
        within_hours: Annotated[
            int,
            strawberry.argument(description="How far ahead to look, in hours: 1 to 744 (31 days)."),
        ],
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
    ) -> Connection[IncompleteIntake]:
        page = await intake_ops.clients_with_incomplete_intake(
            info.context.uow,
            info.context.principal,
            within_hours=within_hours,
            page=page_request(first, after),
        )
        return Connection.from_page(page, lambda a: IncompleteIntake(model=a))


__all__ = ["ReportsQuery"]
