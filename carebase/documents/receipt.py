"""A payment receipt: what was paid, for what, how, when, by whom to whom, and the refunds
made against it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from carebase.documents.statement_pdf import Practice, Sheet, money


@dataclass(frozen=True)
class RefundLine:
    at: datetime
    amount_cents: int


@dataclass(frozen=True)
class ReceiptDocument:
    practice: Practice
    receipt_number: str
    paid_at: datetime  # in the practice's time zone
    client_name: str
    description: str
    amount_cents: int
    currency: str
    method: str  # "Visa ending in 4242", "Cash", "Insurance payment"
    refunds: tuple[RefundLine, ...]

    @property
    def refunded_cents(self) -> int:
        return sum(r.amount_cents for r in self.refunds)


def render(doc: ReceiptDocument) -> bytes:
    sheet = Sheet("Receipt")
    sheet.heading(doc.practice, "Receipt")
    sheet.labelled("Receipt number", doc.receipt_number)
    sheet.labelled("Date", doc.paid_at.strftime("%Y-%m-%d %H:%M %Z").strip())
    sheet.labelled("Billed to", doc.client_name)
    sheet.labelled("For", doc.description)
    sheet.labelled("Amount paid", money(doc.amount_cents, doc.currency))
    sheet.labelled("Paid with", doc.method)
    if doc.refunds:
        sheet.gap()
        sheet.table(
            [160, 120],
            ["Refunded on", "Amount"],
            [[r.at.strftime("%Y-%m-%d"), money(r.amount_cents, doc.currency)] for r in doc.refunds],
        )
        sheet.gap()
        sheet.labelled("Total refunded", money(doc.refunded_cents, doc.currency))
        sheet.labelled("Net paid", money(doc.amount_cents - doc.refunded_cents, doc.currency))
    return sheet.output()
