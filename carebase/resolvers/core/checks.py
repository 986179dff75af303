"""Checks of common values (time zones, emails, names, currencies, URLs) and the clock."""

from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, date, datetime
from typing import TypeVar, overload

from carebase.errors import invalid

T = TypeVar("T")

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def now() -> datetime:
    return datetime.now(UTC)


# DateTime arguments past these are refused: a range or a margin around them must still be a
# datetime (year 1 minus a day, or 9999 plus one, overflows)
EARLIEST = datetime(1000, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


@overload
def aware(moment: datetime, field: str | list[str]) -> datetime: ...


@overload
def aware(moment: None, field: str | list[str]) -> None: ...


def aware(moment: datetime | None, field: str | list[str]) -> datetime | None:
    """A DateTime argument as a UTC instant: without an offset (or a bare date) it names no
    instant, so it is refused rather than compared with aware times."""
    if moment is None:
        return None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise invalid("Give a date and time with a UTC offset, e.g. 2030-01-07T09:00:00Z", field)
    if not EARLIEST <= moment <= LATEST:
        raise invalid("Give a date and time between the years 1000 and 9000", field)
    return moment.astimezone(UTC)


# a local day becomes UTC instants a day either side: the calendar's ends cannot
EARLIEST_DAY, LATEST_DAY = date(1900, 1, 1), date(2200, 12, 31)


def check_day(day: date, field: str) -> date:
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise invalid(f"`{field}` must be between {EARLIEST_DAY} and {LATEST_DAY}", field)
    return day


def check_timezone(name: str, field: str = "timezone") -> str:
    # a key is a path under the zone database: a long one is ENAMETOOLONG, a folder such as
    # "America" is EISDIR (both OSError), which are bad input, not server errors
    if not name or len(name) > 64:
        raise invalid("Enter an IANA time zone such as America/New_York", field)
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise invalid(f"{name!r} is not an IANA time zone", field) from None
    return name


def check_email(email: str, field: str | list[str] = "email") -> str:
    email = email.strip().lower()
    if len(email) > 320 or not EMAIL_RE.match(email):
        raise invalid("Enter a valid email address", field)
    return email


def check_name(name: str, field: str | list[str] = "name", max_length: int = 200) -> str:
    name = name.strip()
    if not name or len(name) > max_length:
        raise invalid(f"Give a name of 1 to {max_length} characters", field)
    return name


# ISO 4217's current codes for money (no funds, metals or testing codes)
_ISO_4217_CODES = """
    aed afn all amd ang aoa ars aud awg azn bam bbd bdt bgn bhd bif bmd bnd bob brl bsd btn bwp
    byn bzd cad cdf chf clp cny cop crc cuc cup cve czk djf dkk dop dzd egp ern etb eur fjd fkp
    gbp gel ghs gip gmd gnf gtq gyd hkd hnl htg huf idr ils inr iqd irr isk jmd jod jpy kes kgs
    khr kmf kpw krw kwd kyd kzt lak lbp lkr lrd lsl lyd mad mdl mga mkd mmk mnt mop mru mur mvr
    mwk mxn myr mzn nad ngn nio nok npr nzd omr pab pen pgk php pkr pln pyg qar ron rsd rub rwf
    sar sbd scr sdg sek sgd shp sle sll sos srd ssp stn svc syp szl thb tjs tmt tnd top try ttd
    twd tzs uah ugx usd uyu uzs ved ves vnd vuv wst xaf xcd xcg xof xpf yer zar zmw zwg zwl
"""
ISO_4217 = frozenset(_ISO_4217_CODES.split())


def check_currency(currency: str, field: str = "currency") -> str:
    currency = currency.strip().lower()
    if currency not in ISO_4217:
        raise invalid("Use a 3-letter ISO 4217 currency code", field)
    return currency


def practice_currency(currency: str | None, organization_currency: str) -> str:
    """The currency of money the practice asks for: its own (the default) and no other."""
    if not currency:
        return organization_currency
    if check_currency(currency) != organization_currency:
        raise invalid(
            f"This practice bills in {organization_currency.upper()}; give that or leave it out",
            "currency",
        )
    return organization_currency


def check_url(url: str, field: str) -> str:
    url = url.strip().rstrip("/")
    if not re.match(r"^https?://[^\s/]+", url) or len(url) > 500:
        raise invalid("Give an http(s) URL", field)
    return url


ORIGIN_RE = re.compile(r"^(https?)://([a-z0-9.-]+)(?::(\d{1,5}))?$")
LOCAL_HOSTS = ("localhost", "127.0.0.1")
MAX_ORIGINS = 20


def check_origin(value: str, field: str | list[str]) -> str:
    """A site's origin as browsers send it: ``https://host[:port]``, lower case, no path
    (plain http only for a machine's own addresses)."""
    origin = value.strip().rstrip("/").lower()
    match = ORIGIN_RE.fullmatch(origin)
    if match is None:
        raise invalid(
            f"{value!r} is not an origin such as https://www.example.com (no path)", field
        )
    scheme, host, port = match.groups()
    if scheme == "http" and host not in LOCAL_HOSTS:
        raise invalid(f"{value!r} must be https (http only for localhost)", field)
    if port is not None and not 0 < int(port) < 65536:
        raise invalid(f"{value!r} has no valid port", field)
    return origin


def check_origins(values: list[str], field: str) -> list[str]:
    if len(values) > MAX_ORIGINS:
        raise invalid(f"At most {MAX_ORIGINS} origins", field)
    origins: list[str] = []
    for i, value in enumerate(values):
        origin = check_origin(value, [field, str(i)])
        if origin not in origins:
            origins.append(origin)
    return origins
