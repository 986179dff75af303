"""A superbill: the itemized statement a client files with their insurer for reimbursement
(the practice and provider identity, the client, each visit's codes, charge and payment)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from carebase.documents.claim_data import PostalAddress
from carebase.documents.statement_pdf import Practice, Sheet, address_lines, money


@dataclass(frozen=True)
class Visit:
    day: date
    place_of_service: str | None
    procedure_codes: tuple[str, ...]
    diagnoses: tuple[str, ...]
    charge_cents: int
    paid_cents: int
    provider_name: str
    provider_npi: str | None


@dataclass(frozen=True)
class SuperbillDocument:
    practice: Practice
    client_name: str
    client_date_of_birth: date | None
    client_address: PostalAddress | None
    from_date: date
    to_date: date
    visits: tuple[Visit, ...]
    currency: str
    issued_on: date

    @property
    def total_cents(self) -> int:
        return sum(v.charge_cents for v in self.visits)

    @property
    def paid_cents(self) -> int:
        return sum(v.paid_cents for v in self.visits)


def render(doc: SuperbillDocument) -> bytes:
    sheet = Sheet("Superbill")
    sheet.heading(doc.practice, "Superbill")
    sheet.labelled("Statement date", doc.issued_on.isoformat())
    sheet.labelled("Services from", f"{doc.from_date.isoformat()} to {doc.to_date.isoformat()}")
    sheet.gap()
    sheet.labelled("Client", doc.client_name)
    if doc.client_date_of_birth:
        sheet.labelled("Date of birth", doc.client_date_of_birth.isoformat())
    for i, line in enumerate(address_lines(doc.client_address)):
        sheet.labelled("Address" if i == 0 else "", line)
    providers = {(v.provider_name, v.provider_npi) for v in doc.visits}
    for name, npi in sorted(providers, key=lambda p: p[0]):
        sheet.labelled("Provider", f"{name}, NPI {npi}" if npi else name)
    sheet.gap()
    sheet.table(
        [62, 34, 80, 120, 70, 70],
        ["Date", "POS", "CPT/HCPCS", "Diagnoses (ICD-10-CM)", "Charge", "Paid"],
        [
            [
                v.day.isoformat(),
                v.place_of_service or "",
                ", ".join(v.procedure_codes),
                ", ".join(v.diagnoses),
                money(v.charge_cents, doc.currency),
                money(v.paid_cents, doc.currency),
            ]
            for v in doc.visits
        ],
    )
    sheet.gap()
    sheet.labelled("Total charges", money(doc.total_cents, doc.currency))
    sheet.labelled("Total paid", money(doc.paid_cents, doc.currency))
    sheet.labelled("Balance", money(doc.total_cents - doc.paid_cents, doc.currency))
    return sheet.output()
