"""The CMS-1500 (02/12) claim form as a PDF: each value the claim fills, in Courier on the
NUCC print grid (``cms1500_layout``), over a light drawing of the boxes it prints in."""

from __future__ import annotations

from datetime import date

from fpdf import FPDF

from carebase.documents import cms1500_layout as grid
from carebase.documents.claim_data import ClaimDocument, Person, PostalAddress
from carebase.documents.pdf_text import latin1, phone_text

TITLE = "HEALTH INSURANCE CLAIM FORM"
APPROVAL = "APPROVED BY NATIONAL UNIFORM CLAIM COMMITTEE (NUCC) 02/12"
# the printed captions a reader finds each value by (the form's own words, shortened)
CAPTIONS = {
    "payer": "CARRIER",
    "1": "1. MEDICARE  MEDICAID  TRICARE  CHAMPVA  GROUP HEALTH PLAN  FECA BLK LUNG  OTHER",
    "1a": "1a. INSURED'S I.D. NUMBER",
    "2": "2. PATIENT'S NAME (Last, First)",
    "3": "3. PATIENT'S BIRTH DATE / SEX",
    "4": "4. INSURED'S NAME (Last, First)",
    "5": "5. PATIENT'S ADDRESS",
    "6": "6. RELATIONSHIP TO INSURED",
    "7": "7. INSURED'S ADDRESS",
    "11": "11. INSURED'S POLICY GROUP",
    "11a": "a. INSURED'S DATE OF BIRTH / SEX",
    "11b": "b. OTHER CLAIM ID",
    "11c": "c. INSURANCE PLAN NAME",
    "11d": "d. ANOTHER HEALTH BENEFIT PLAN? NO",
    "12": "12. PATIENT'S SIGNATURE",
    "13": "13. INSURED'S SIGNATURE",
    "21": "21. DIAGNOSIS (ICD Ind.)",
    "25": "25. FEDERAL TAX I.D. (SSN EIN)",
    "26": "26. PATIENT'S ACCOUNT NO.",
    "27": "27. ACCEPT ASSIGNMENT",
    "28": "28. TOTAL CHARGE",
    "29": "29. AMOUNT PAID",
    "31": "31. RENDERING PROVIDER",
    "32": "32. SERVICE FACILITY",
    "32a": "32a. NPI",
    "33": "33. BILLING PROVIDER",
    "33a": "33a. NPI",
    "33b": "33b.",
}
LINE_CAPTIONS = {
    "24A.from": "24A. FROM",
    "24A.to": "TO",
    "24B": "B. POS",
    "24D.code": "D. CPT/HCPCS",
    "24D.modifiers": "MODIFIER",
    "24E": "E. PTR",
    "24F": "F. CHARGES",
    "24G": "G. UNITS",
    "24J": "J. RENDERING NPI",
}


def _long_date(day: date) -> str:
    return day.strftime("%m %d %Y")


def _short_date(day: date) -> str:
    return day.strftime("%m %d %y")


def _name(person: Person) -> str:
    return f"{person.last_name}, {person.first_name}".upper()


def _money(cents: int, width: int) -> str:
    """Dollars right-aligned, a space for the decimal point, then the cents (no $ sign)."""
    dollars, rest = divmod(cents, 100)
    return f"{dollars:>{width - 3}} {rest:02d}"


def _city_line(address: PostalAddress) -> str:
    return f"{address.city}, {address.state} {address.postal_code}".upper()


class _Form:
    def __init__(self) -> None:
        self.pdf = FPDF(unit="pt", format="letter")
        self.pdf.set_auto_page_break(False)
        self.pdf.set_title("CMS-1500 claim")
        self.pdf.set_creator("Carebase")
        self.pdf.add_page()

    def outline(self) -> None:
        """The boxes as thin rules with their numbers, in a small sans-serif face (labels are
        drawn, values are printed: only values are in Courier)."""
        pdf = self.pdf
        pdf.set_draw_color(200, 60, 60)
        pdf.set_text_color(200, 60, 60)
        pdf.set_line_width(0.3)
        pdf.set_font("Helvetica", size=5)
        pdf.text(grid.POINTS_PER_COLUMN, 4 * grid.POINTS_PER_LINE, APPROVAL)
        pdf.set_font("Helvetica", style="B", size=10)
        pdf.text(20 * grid.POINTS_PER_COLUMN, 5.6 * grid.POINTS_PER_LINE, TITLE)
        pdf.set_font("Helvetica", size=4)
        boxes = [*grid.BOXES.items()]
        for n in range(1, len(grid.SERVICE_LINES) + 1):
            boxes += [(name, grid.line_box(name, n)) for name in grid.LINE_COLUMNS]
        captioned: set[str] = set()
        for name, box in boxes:
            pdf.rect(box.left, box.top, box.right - box.left, box.bottom - box.top)
            key = name if name in LINE_CAPTIONS else name.split(".")[0]
            caption = LINE_CAPTIONS.get(key) or CAPTIONS.get(key)
            if caption and key not in captioned:
                captioned.add(key)  # once, above the box's first part
                pdf.text(box.left + 0.8, box.top - 1.2, caption)
        pdf.set_text_color(0, 0, 0)
        pdf.set_font(grid.FONT, size=grid.FONT_SIZE)

    def put(self, box: grid.Box, value: str) -> None:
        text = latin1(value)[: box.width].rstrip()
        shown = text.lstrip()
        if shown:
            # right-aligned values start where their padding ends: each run is only its text
            left = box.left + (len(text) - len(shown)) * grid.POINTS_PER_COLUMN
            self.pdf.text(left, box.top + grid.BASELINE, shown)

    def at(self, name: str, value: str) -> None:
        self.put(grid.BOXES[name], value)

    def mark(self, name: str) -> None:
        self.at(name, "X")


def render(doc: ClaimDocument) -> bytes:
    form = _Form()
    form.outline()
    patient, insured = doc.patient, doc.subscriber
    form.at("payer.name", doc.payer_name.upper())
    form.mark(f"1.{doc.plan_type}")
    form.at("1a", doc.member_id)
    form.at("2", _name(patient))
    form.at("3.date", _long_date(patient.date_of_birth))
    if patient.sex in ("MALE", "FEMALE"):
        form.mark(f"3.{patient.sex}")
    form.at("4", _name(insured))
    form.at("5.street", patient.address.line1.upper())
    form.at("5.city", patient.address.city.upper())
    form.at("5.state", patient.address.state.upper())
    form.at("5.zip", patient.address.postal_code)
    form.mark(f"6.{doc.relationship}")
    form.at("7.street", insured.address.line1.upper())
    form.at("7.city", insured.address.city.upper())
    form.at("7.state", insured.address.state.upper())
    form.at("7.zip", insured.address.postal_code)
    form.at("11", doc.group_number or "NONE")
    form.at("11a.date", _long_date(insured.date_of_birth))
    if insured.sex in ("MALE", "FEMALE"):
        form.mark(f"11a.{insured.sex}")
    form.at("11c", doc.payer_name.upper())
    form.mark("11d.NO")  # claims go to the primary payer only
    form.at("12", "SIGNATURE ON FILE")
    form.at("13", "SIGNATURE ON FILE")
    form.at("21.indicator", "0")  # ICD-10-CM
    for letter, code in zip("ABCDEFGHIJKL", doc.diagnoses, strict=False):
        form.at(f"21.{letter}", code.replace(".", ""))
    for n, line in enumerate(doc.lines, start=1):
        form.put(grid.line_box("24A.from", n), _short_date(line.service_date))
        form.put(grid.line_box("24A.to", n), _short_date(line.service_date))
        form.put(grid.line_box("24B", n), line.place_of_service)
        form.put(grid.line_box("24D.code", n), line.procedure_code)
        form.put(grid.line_box("24D.modifiers", n), " ".join(line.modifiers))
        form.put(grid.line_box("24E", n), "".join(line.diagnosis_pointers))
        form.put(grid.line_box("24F", n), _money(line.charge_cents, 9))
        form.put(grid.line_box("24G", n), str(line.units))
        form.put(grid.line_box("24J", n), doc.rendering_npi)
    billing = doc.billing
    form.at("25", billing.tax_id)
    form.mark("25.SSN" if billing.tax_id_type == "SSN" else "25.EIN")
    # the paper box holds 14 characters of the account number the 837P sends whole (CLM01)
    form.at("26", doc.account_number)
    form.mark("27.YES")
    form.at("28", _money(doc.total_cents, 10))
    form.at("31.name", f"{doc.rendering_first_name} {doc.rendering_last_name}".upper())
    form.at("32.name", billing.legal_name.upper())
    form.at("32.street", billing.address.line1.upper())
    form.at("32.city", _city_line(billing.address))
    form.at("32a", billing.npi)
    form.at("33.phone", phone_text(billing.phone))
    form.at("33.name", billing.legal_name.upper())
    form.at("33.street", billing.address.line1.upper())
    form.at("33.city", _city_line(billing.address))
    form.at("33a", billing.npi)
    if billing.taxonomy_code:
        form.at("33b", f"ZZ{billing.taxonomy_code}")
    return bytes(form.pdf.output())
