"""Postal addresses, sex and legal name parts, as insurance paperwork prints them (the people
area stores them on clients; the insurance area on billing profiles and subscribers)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from carebase.errors import invalid

SEXES = ("FEMALE", "MALE", "UNKNOWN")
ZIP = re.compile(r"^\d{5}(\d{4})?$")
STATE = re.compile(r"^[A-Z]{2}$")


def _field(prefix: Sequence[str] | str, name: str) -> list[str]:
    return [prefix, name] if isinstance(prefix, str) else [*prefix, name]


def check_address(value: dict[str, Any], field: Sequence[str] | str = "address") -> dict[str, Any]:
    """An address as stored: US states are two letters, ZIP codes 5 or 9 digits (a dash allowed)."""
    out: dict[str, Any] = {}
    for key, name in (("line1", "line1"), ("city", "city"), ("state", "state")):
        text = (value.get(key) or "").strip()
        if not text or len(text) > 100:
            raise invalid(f"{name} is required (at most 100 characters)", _field(field, name))
        out[key] = text
    line2 = (value.get("line2") or "").strip()
    out["line2"] = line2[:100] or None
    country = (value.get("country") or "US").strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", country):
        raise invalid("country is a two-letter ISO code", _field(field, "country"))
    out["country"] = country
    postal = (value.get("postal_code") or "").strip().replace("-", "")
    if country == "US":
        out["state"] = out["state"].upper()
        if not STATE.fullmatch(out["state"]):
            raise invalid("state is the two-letter code", _field(field, "state"))
        if not ZIP.fullmatch(postal):
            raise invalid("postalCode is a 5- or 9-digit ZIP code", _field(field, "postalCode"))
    elif not postal or len(postal) > 15:
        raise invalid("postalCode is required", _field(field, "postalCode"))
    out["postal_code"] = postal
    return out


def check_sex(value: str, field: Sequence[str] | str = "sex") -> str:
    if value not in SEXES:
        raise invalid("sex is FEMALE, MALE or UNKNOWN", field)
    return value


def check_legal_name(value: str, field: Sequence[str] | str) -> str:
    text = value.strip()
    if not text or len(text) > 60:
        raise invalid("A legal name part is 1 to 60 characters", field)
    return text
