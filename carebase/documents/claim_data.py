"""A claim as the documents print it: plain values, no models (resolvers build these)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class PostalAddress:
    line1: str
    line2: str | None
    city: str
    state: str
    postal_code: str
    country: str = "US"


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str
    date_of_birth: date
    sex: str  # FEMALE, MALE, UNKNOWN
    address: PostalAddress


@dataclass(frozen=True)
class BillingProvider:
    legal_name: str
    npi: str
    tax_id: str
    tax_id_type: str  # EIN or SSN
    taxonomy_code: str | None
    address: PostalAddress
    phone: str | None


@dataclass(frozen=True)
class Line:
    service_date: date
    procedure_code: str
    modifiers: tuple[str, ...]
    units: int
    charge_cents: int
    place_of_service: str
    diagnosis_pointers: tuple[str, ...]  # letters A-L


@dataclass(frozen=True)
class ClaimDocument:
    account_number: str  # CLM01 / box 26: our claim's reference
    patient: Person
    subscriber: Person
    relationship: str  # SELF, SPOUSE, CHILD, OTHER
    payer_name: str
    payer_id: str
    member_id: str
    group_number: str | None
    plan_type: str
    diagnoses: tuple[str, ...]  # dotted ICD-10-CM codes
    lines: tuple[Line, ...]
    billing: BillingProvider
    rendering_first_name: str
    rendering_last_name: str
    rendering_npi: str
    rendering_taxonomy: str | None

    @property
    def total_cents(self) -> int:
        return sum(line.charge_cents for line in self.lines)
