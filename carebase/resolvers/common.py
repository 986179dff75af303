"""Small helpers every resolver module uses: validation of common values, pages, loading."""

from __future__ import annotations

import base64
import re
import zoneinfo
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar, overload

from sqlalchemy import Select, func, select

from carebase.db import UnitOfWork
from carebase.errors import invalid

T = TypeVar("T")

DEFAULT_PAGE = 20
MAX_PAGE = 100
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


def check_timezone(name: str, field: str = "timezone") -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
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


@dataclass(frozen=True)
class PageRequest:
    first: int
    offset: int


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    offset: int

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.items) < self.total


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode()


def page_request(first: int | None, after: str | None) -> PageRequest:
    size = DEFAULT_PAGE if first is None else first
    if size < 0 or size > MAX_PAGE:
        raise invalid(f"first must be between 0 and {MAX_PAGE}", "first")
    offset = 0
    if after:
        try:
            kind, _, value = base64.urlsafe_b64decode(after.encode()).decode().partition(":")
            if kind != "o" or not re.fullmatch(r"[0-9]{1,9}", value):
                raise ValueError
            offset = int(value) + 1
        except ValueError:
            raise invalid("after is not a cursor from this list", "after") from None
    return PageRequest(first=size, offset=offset)


async def paginate(uow: UnitOfWork, stmt: Select[Any], request: PageRequest) -> Page[Any]:
    """One count and one page query, whatever the page size."""
    total = (
        await uow.session.execute(select(func.count()).select_from(stmt.order_by(None).subquery()))
    ).scalar_one()
    items: list[Any] = []
    if request.first:
        result = await uow.session.execute(stmt.offset(request.offset).limit(request.first))
        items = list(result.scalars().all())
    return Page(items=items, total=total, offset=request.offset)


def slice_page(items: list[T], request: PageRequest) -> Page[T]:
    """A page of a list already loaded whole (a parent's few children, batched by a loader)."""
    return Page(
        items=items[request.offset : request.offset + request.first],
        total=len(items),
        offset=request.offset,
    )


K = TypeVar("K")
R = TypeVar("R")


def in_order(rows: Iterable[R], keys: Sequence[K], key: Callable[[R], K]) -> list[R | None]:
    """Rows answered in the order DataLoaders asked for them; None where there is none."""
    found = {key(row): row for row in rows}
    return [found.get(k) for k in keys]


def grouped(rows: Iterable[R], keys: Sequence[K], key: Callable[[R], K]) -> list[list[R]]:
    """Each key's rows, in the order given, for loaders of a parent's children."""
    groups: dict[K, list[R]] = {k: [] for k in keys}
    for row in rows:
        groups[key(row)].append(row)
    return [groups[k] for k in keys]
