"""What superbills and receipts share: a letter page in the core fonts, the practice's
heading, labelled lines and money in dollars."""

from __future__ import annotations

from dataclasses import dataclass

from fpdf import FPDF

from carebase.documents.claim_data import PostalAddress
from carebase.documents.pdf_text import latin1, phone_text

MARGIN = 54.0  # 0.75 in


@dataclass(frozen=True)
class Practice:
    name: str
    address: PostalAddress | None
    phone: str | None
    npi: str | None = None
    tax_id: str | None = None
    tax_id_type: str | None = None


def money(cents: int, currency: str) -> str:
    sign = "-" if cents < 0 else ""
    dollars, rest = divmod(abs(cents), 100)
    symbol = "$" if currency.lower() == "usd" else f"{currency.upper()} "
    return f"{sign}{symbol}{dollars:,}.{rest:02d}"


def address_lines(address: PostalAddress | None) -> list[str]:
    if address is None:
        return []
    lines = [address.line1]
    if address.line2:
        lines.append(address.line2)
    lines.append(f"{address.city}, {address.state} {address.postal_code}")
    return lines


class Sheet:
    def __init__(self, title: str) -> None:
        self.pdf = FPDF(unit="pt", format="letter")
        self.pdf.set_margins(MARGIN, MARGIN, MARGIN)
        self.pdf.set_auto_page_break(True, margin=MARGIN)
        self.pdf.set_title(title)
        self.pdf.set_creator("Carebase")
        self.pdf.add_page()

    def text(self, value: str, *, size: float = 10, bold: bool = False, height: float = 14) -> None:
        self.pdf.set_font("Helvetica", style="B" if bold else "", size=size)
        self.pdf.cell(0, height, latin1(value), new_x="LMARGIN", new_y="NEXT")

    def gap(self, points: float = 8) -> None:
        self.pdf.ln(points)

    def labelled(self, label: str, value: str) -> None:
        self.pdf.set_font("Helvetica", style="B", size=10)
        self.pdf.cell(130, 14, latin1(label))
        self.pdf.set_font("Helvetica", size=10)
        self.pdf.cell(0, 14, latin1(value), new_x="LMARGIN", new_y="NEXT")

    def heading(self, practice: Practice, title: str) -> None:
        self.text(practice.name, size=14, bold=True, height=18)
        for line in address_lines(practice.address):
            self.text(line)
        if practice.phone:
            self.text(f"Phone: {phone_text(practice.phone)}")
        if practice.npi:
            self.text(f"NPI: {practice.npi}")
        if practice.tax_id:
            self.text(f"Tax ID ({practice.tax_id_type or 'EIN'}): {practice.tax_id}")
        self.gap()
        self.text(title, size=16, bold=True, height=22)
        self.gap(4)

    def table(self, widths: list[float], header: list[str], rows: list[list[str]]) -> None:
        pdf = self.pdf
        pdf.set_font("Helvetica", style="B", size=9)
        for width, name in zip(widths, header, strict=True):
            pdf.cell(width, 14, latin1(name), border="B")
        pdf.ln(14)
        pdf.set_font("Helvetica", size=9)
        for row in rows:
            for width, value in zip(widths, row, strict=True):
                pdf.cell(width, 14, latin1(value))
            pdf.ln(14)

    def output(self) -> bytes:
        return bytes(self.pdf.output())
