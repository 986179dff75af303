"""ANSI X12 005010X222A1 837P (professional claims): one interchange (ISA/GS/ST ... SE/GE/IEA)
holding one or more claims of one billing provider (2000A), each with its subscriber (2000B),
its patient when not the subscriber (2000C), the claim (2300, HI diagnoses ABK then ABF) and
its lines (2400, SV1)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from carebase.documents.claim_data import ClaimDocument, Person, PostalAddress

SEGMENT = "~"
ELEMENT = "*"
COMPONENT = ":"
REPETITION = "^"

PLAN_CODES = {  # SBR09 claim filing indicator
    "MEDICARE": "MB",
    "MEDICAID": "MC",
    "TRICARE": "CH",
    "CHAMPVA": "VA",
    "GROUP_HEALTH": "CI",
    "FECA_BLACK_LUNG": "OF",
    "OTHER": "ZZ",
}
PATIENT_RELATIONSHIP = {"SPOUSE": "01", "CHILD": "19", "OTHER": "G8"}  # PAT01
SEX_CODES = {"FEMALE": "F", "MALE": "M", "UNKNOWN": "U"}
LETTERS = "ABCDEFGHIJKL"


@dataclass(frozen=True)
class Envelope:
    sender_id: str
    receiver_id: str
    control_number: int  # ISA13 and GS06
    created_at: datetime
    submitter_name: str
    receiver_name: str = "CLEARINGHOUSE"
    production: bool = False  # ISA15 P or T


def clean(text: str, limit: int = 60) -> str:
    """Upper case, without the delimiters and characters X12's basic set lacks."""
    kept = re.sub(r"[^A-Z0-9 .,\-&'()/#@!?;+=%]", "", text.upper())
    return re.sub(r"\s+", " ", kept).strip()[:limit]


def amount(cents: int) -> str:
    whole, part = divmod(cents, 100)
    return f"{whole}.{part:02d}" if part else str(whole)


def bare(code: str) -> str:
    return code.replace(".", "").upper()


class _Writer:
    def __init__(self) -> None:
        self.segments: list[str] = []

    def add(self, *elements: str) -> None:
        items = list(elements)
        while items and items[-1] == "":
            items.pop()
        self.segments.append(ELEMENT.join(items))


def _address(w: _Writer, address: PostalAddress) -> None:
    if address.line2:
        w.add("N3", clean(address.line1, 55), clean(address.line2, 55))
    else:
        w.add("N3", clean(address.line1, 55))
    w.add("N4", clean(address.city, 30), address.state.upper(), address.postal_code)


def _person(w: _Writer, qualifier: str, person: Person, member_id: str | None) -> None:
    if member_id is not None:
        w.add(
            "NM1",
            qualifier,
            "1",
            clean(person.last_name),
            clean(person.first_name, 35),
            "",
            "",
            "",
            "MI",
            clean(member_id, 80),
        )
    else:
        w.add("NM1", qualifier, "1", clean(person.last_name), clean(person.first_name, 35))
    _address(w, person.address)
    w.add("DMG", "D8", person.date_of_birth.strftime("%Y%m%d"), SEX_CODES[person.sex])


def interchange(envelope: Envelope, claims: Sequence[ClaimDocument]) -> str:
    """The 837P text, one segment a line (``~`` then a newline)."""
    if not claims:
        raise ValueError("an interchange needs at least one claim")
    billing = claims[0].billing
    control = f"{envelope.control_number:09d}"
    at = envelope.created_at
    w = _Writer()
    w.add(
        "ISA",
        "00",
        " " * 10,
        "00",
        " " * 10,
        "ZZ",
        envelope.sender_id.ljust(15)[:15],
        "ZZ",
        envelope.receiver_id.ljust(15)[:15],
        at.strftime("%y%m%d"),
        at.strftime("%H%M"),
        REPETITION,
        "00501",
        control,
        "0",
        "P" if envelope.production else "T",
        COMPONENT,
    )
    w.add(
        "GS",
        "HC",
        envelope.sender_id,
        envelope.receiver_id,
        at.strftime("%Y%m%d"),
        at.strftime("%H%M"),
        str(envelope.control_number),
        "X",
        "005010X222A1",
    )
    st_start = len(w.segments)
    w.add("ST", "837", "0001", "005010X222A1")
    w.add("BHT", "0019", "00", control, at.strftime("%Y%m%d"), at.strftime("%H%M"), "CH")
    w.add(
        "NM1", "41", "2", clean(envelope.submitter_name), "", "", "", "", "46", envelope.sender_id
    )
    w.add("PER", "IC", "BILLING OFFICE", "TE", billing.phone or "0000000000")
    w.add(
        "NM1", "40", "2", clean(envelope.receiver_name), "", "", "", "", "46", envelope.receiver_id
    )
    hl = 1
    w.add("HL", "1", "", "20", "1")
    if billing.taxonomy_code:
        w.add("PRV", "BI", "PXC", billing.taxonomy_code)
    w.add("NM1", "85", "2", clean(billing.legal_name), "", "", "", "", "XX", billing.npi)
    _address(w, billing.address)
    w.add("REF", "EI" if billing.tax_id_type == "EIN" else "SY", billing.tax_id)
    for claim in claims:
        hl += 1
        subscriber_hl = hl
        has_patient = claim.relationship != "SELF"
        w.add("HL", str(subscriber_hl), "1", "22", "1" if has_patient else "0")
        w.add(
            "SBR",
            "P",
            "" if has_patient else "18",
            clean(claim.group_number or "", 50),
            "",
            "",
            "",
            "",
            "",
            PLAN_CODES[claim.plan_type],
        )
        _person(w, "IL", claim.subscriber, claim.member_id)
        w.add(
            "NM1",
            "PR",
            "2",
            clean(claim.payer_name),
            "",
            "",
            "",
            "",
            "PI",
            clean(claim.payer_id, 80),
        )
        if has_patient:
            hl += 1
            w.add("HL", str(hl), str(subscriber_hl), "23", "0")
            w.add("PAT", PATIENT_RELATIONSHIP[claim.relationship])
            _person(w, "QC", claim.patient, None)
        place = claim.lines[0].place_of_service
        w.add(
            "CLM",
            claim.account_number,
            amount(claim.total_cents),
            "",
            "",
            COMPONENT.join((place, "B", "1")),
            "Y",
            "A",
            "Y",
            "Y",
        )
        w.add(
            "HI",
            *(
                COMPONENT.join(("ABK" if i == 0 else "ABF", bare(code)))
                for i, code in enumerate(claim.diagnoses)
            ),
        )
        w.add(
            "NM1",
            "82",
            "1",
            clean(claim.rendering_last_name),
            clean(claim.rendering_first_name, 35),
            "",
            "",
            "",
            "XX",
            claim.rendering_npi,
        )
        if claim.rendering_taxonomy:
            w.add("PRV", "PE", "PXC", claim.rendering_taxonomy)
        for n, line in enumerate(claim.lines, start=1):
            w.add("LX", str(n))
            w.add(
                "SV1",
                COMPONENT.join(("HC", line.procedure_code, *line.modifiers)),
                amount(line.charge_cents),
                "UN",
                str(line.units),
                line.place_of_service if line.place_of_service != place else "",
                "",
                COMPONENT.join(str(LETTERS.index(p) + 1) for p in line.diagnosis_pointers),
            )
            w.add("DTP", "472", "D8", line.service_date.strftime("%Y%m%d"))
    count = len(w.segments) - st_start + 1
    w.add("SE", str(count), "0001")
    w.add("GE", "1", str(envelope.control_number))
    w.add("IEA", "1", control)
    return "".join(segment + SEGMENT + "\n" for segment in w.segments)
