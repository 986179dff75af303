"""The revenue report's types: money in and out per row, and the aging of open invoices."""

from __future__ import annotations

import strawberry

from carebase.resolvers.reports.revenue import Money as Amounts
from carebase.resolvers.reports.revenue import RevenueGrouping, RevenueRow
from carebase.resolvers.reports.revenue import RevenueReport as Result
from carebase.schema.common import Money
from carebase.schema.docs import describe_values
from carebase.schema.relay import to_global_id

RevenueReportGrouping = strawberry.enum(
    RevenueGrouping,
    name="RevenueReportGrouping",
    description="What each row of a revenue report sums.",
)
describe_values(
    RevenueReportGrouping,
    {
        "DAY": 'A row per local day of the range, key "2026-12-01".',
        "MONTH": 'A row per calendar month (cut to the range), key "2026-12".',
        "PROVIDER": "A row per provider of the appointment paid for (directly, or through its "
        'invoice or claim), key their global id; payments without one under key "none".',
        "KIND": "A row per payment kind with money in the range, key the kind (e.g. "
        "`NO_SHOW_FEE`, `EXTERNAL`, `INSURANCE`).",
    },
)


@strawberry.type(description="Money of one row of the revenue report.")
class RevenueReportRow:
    key: str = strawberry.field(
        description=(
            'What the row is: a day "2026-12-01", a month "2026-12", a provider\'s global id '
            '(or "none"), or a payment kind.'
        )
    )
    label: str = strawberry.field(
        description="A name for people of the row's day, month, provider or kind."
    )
    gross: Money = strawberry.field(
        description="Succeeded payments (card, external, insurance) by the day they succeeded."
    )
    refunded: Money = strawberry.field(description="Refunds by the day they were made.")
    net: Money = strawberry.field(description="gross − refunded.")
    payments: int = strawberry.field(description="How many payments make up `gross`.")

    @classmethod
    def of(cls, key: str, label: str, money: Amounts, currency: str) -> RevenueReportRow:
        return cls(
            key=key,
            label=label,
            gross=Money(amount_cents=money.gross, currency=currency),
            refunded=Money(amount_cents=money.refunded, currency=currency),
            net=Money(amount_cents=money.net, currency=currency),
            payments=money.payments,
        )


@strawberry.type(description="Open invoices of one age, on the report's `to` date.")
class AgingBucket:
    bucket: str = strawberry.field(
        description=(
            'Days past the due date: "current" (not yet due, or no due date), "0-30", '
            '"31-60", "61-90" or "90+".'
        )
    )
    amount: Money = strawberry.field(description="What those invoices total.")
    invoices: int = strawberry.field(description="How many invoices.")


def _key(row: RevenueRow) -> str:
    return row.key if row.ref is None else str(to_global_id("Member", row.ref))


@strawberry.type(
    description=(
        "Money captured and refunded, in the organization's currency and time zone; "
        "payments in another currency are left out."
    )
)
class RevenueReport:
    currency: str = strawberry.field(
        description="The currency of every amount (ISO 4217, lower case)."
    )
    rows: list[RevenueReportRow] = strawberry.field(
        description=(
            "The rows: by time every day or month of the range in order (empty ones with "
            'zeros); by provider in the order of their names, "none" last; by kind in the '
            "order of `PaymentKind`."
        )
    )
    total: RevenueReportRow = strawberry.field(
        description='The whole range in one row (key "total").'
    )
    outstanding: list[AgingBucket] = strawberry.field(
        description=(
            "Invoices open at the end of `to` (sent by then, not paid or voided by then), by "
            "days past their due date on `to`: every bucket, empty ones with zero."
        )
    )

    @classmethod
    def of(cls, result: Result) -> RevenueReport:
        c = result.currency
        return cls(
            currency=c,
            rows=[RevenueReportRow.of(_key(r), r.label, r.money, c) for r in result.rows],
            total=RevenueReportRow.of("total", "Total", result.total, c),
            outstanding=[
                AgingBucket(
                    bucket=a.bucket,
                    amount=Money(amount_cents=a.amount_cents, currency=c),
                    invoices=a.invoices,
                )
                for a in result.outstanding
            ],
        )
