"""The code checks claims need: NPI (Luhn with the 80840 prefix), ICD-10-CM against the real
code set (``simple-icd-10-cm``, loaded once, lazily, in a worker thread), CPT/HCPCS formats,
modifiers and CMS's place-of-service list. A code that fails is ``INVALID_CODE``."""

from __future__ import annotations

import asyncio
import re
import threading
import warnings
from collections.abc import Sequence
from types import ModuleType

from carebase.errors import DomainError, ErrorCode

# CMS place-of-service code set (two digits)
# fmt: off
PLACES_OF_SERVICE = frozenset((
    "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14", "15",
    "16", "17", "18", "19", "20", "21", "22", "23", "24", "25", "26", "27", "28", "31", "32",
    "33", "34", "41", "42", "49", "50", "51", "52", "53", "54", "55", "56", "57", "58", "60",
    "61", "62", "65", "66", "71", "72", "81", "99",
))
# fmt: on
PROCEDURE = re.compile(r"^(\d{4}[0-9FTU]|[A-V]\d{4})$")
MODIFIER = re.compile(r"^[A-Z0-9]{2}$")
TAXONOMY = re.compile(r"^[0-9A-Z]{9}X$")
DIAGNOSIS_LETTERS = "ABCDEFGHIJKL"

_icd_lock = threading.Lock()
_icd: ModuleType | None = None


def bad_code(message: str, field: Sequence[str] | str) -> DomainError:
    return DomainError(ErrorCode.INVALID_CODE, message, field)


def npi_is_valid(npi: str) -> bool:
    """Ten digits whose last is the Luhn check digit of the first nine, with CMS's 80840
    prefix (the card issuer prefix for US health identifiers)."""
    if not re.fullmatch(r"\d{10}", npi):
        return False
    total = 0
    for i, ch in enumerate(reversed("80840" + npi)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def check_npi(npi: str, field: Sequence[str] | str = "npi") -> str:
    npi = npi.strip()
    if not npi_is_valid(npi):
        raise bad_code("An NPI is 10 digits ending in its Luhn check digit", field)
    return npi


def check_taxonomy(code: str, field: Sequence[str] | str = "taxonomyCode") -> str:
    code = code.strip().upper()
    if not TAXONOMY.fullmatch(code):
        raise bad_code("A taxonomy code is 10 characters, e.g. 101YM0800X", field)
    return code


def check_place_of_service(code: str, field: Sequence[str] | str = "placeOfService") -> str:
    code = code.strip()
    if code not in PLACES_OF_SERVICE:
        raise bad_code("Not a CMS place-of-service code (two digits, e.g. 11 or 10)", field)
    return code


def check_procedure(code: str, field: Sequence[str] | str) -> str:
    code = code.strip().upper()
    if not PROCEDURE.fullmatch(code):
        raise bad_code("A CPT code is 4 digits then a digit, F, T or U; HCPCS is A-V and 4", field)
    return code


def check_modifier(code: str, field: Sequence[str] | str) -> str:
    code = code.strip().upper()
    if not MODIFIER.fullmatch(code):
        raise bad_code("A modifier is two letters or digits", field)
    return code


def _load_icd() -> ModuleType:
    global _icd
    with _icd_lock:
        if _icd is None:
            with warnings.catch_warnings():
                # the package reads its data with importlib.resources' legacy functions
                warnings.filterwarnings(
                    "ignore",
                    message=r"(read_text|open_text) is deprecated",
                    category=DeprecationWarning,
                )
                import simple_icd_10_cm  # type: ignore[import-untyped]

            _icd = simple_icd_10_cm
        return _icd


def preload_icd10() -> None:
    """Start loading the code set in a daemon thread (called when the app starts)."""
    threading.Thread(target=_load_icd, name="icd10-load", daemon=True).start()


def dotted(code: str) -> str:
    """``F411`` or ``f41.1`` -> ``F41.1``."""
    bare = code.strip().upper().replace(".", "")
    return bare if len(bare) <= 3 else f"{bare[:3]}.{bare[3:]}"


async def check_diagnoses(codes: Sequence[str], field: str = "diagnosisCodes") -> list[str]:
    """1-12 billable ICD-10-CM codes, normalised to their dotted form, without repeats."""
    from carebase.errors import invalid

    if not 1 <= len(codes) <= len(DIAGNOSIS_LETTERS):
        raise invalid("A claim has 1 to 12 diagnosis codes", field)
    icd = await asyncio.to_thread(_load_icd)
    result: list[str] = []
    for i, raw in enumerate(codes):
        code = dotted(raw)
        if not re.fullmatch(r"[A-Z]\d[0-9A-Z](\.[0-9A-Z]{1,4})?", code) or not icd.is_valid_item(
            code
        ):
            raise bad_code(f"{raw!r} is not an ICD-10-CM code", [field, str(i)])
        if not icd.is_leaf(code):
            raise bad_code(f"{code} is a category, not a billable code", [field, str(i)])
        if code in result:
            raise invalid(f"{code} is listed twice", [field, str(i)])
        result.append(code)
    return result
