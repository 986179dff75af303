"""GraphQL pieces every area uses: ``Money`` and the reading of ``update*`` inputs.

An area's schema imports these from here, never from another area's module, so that the
areas import each other only where one's type really shows another's.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any, TypeVar, cast

import strawberry


@strawberry.type(
    description=("An amount of money: integer minor units (cents) and its currency, never a float.")
)
class Money:
    amount_cents: int = strawberry.field(
        description=("The amount in minor units of the currency (cents for `usd`: 1250 is $12.50).")
    )
    currency: str = strawberry.field(description="ISO 4217 currency code, lower case (e.g. `usd`).")


def money_or_none(cents: int | None, currency: str) -> Money | None:
    """An optional amount (a price, a fee) as ``Money``, or null when it is not set."""
    return None if cents is None else Money(amount_cents=cents, currency=currency)


def changes_of(data: Any, *names: str) -> dict[str, Any]:
    """The fields an ``update*`` input actually gave (``null`` included)."""
    return {n: getattr(data, n) for n in names if getattr(data, n) is not strawberry.UNSET}


@strawberry.enum(description="Sex as insurance forms print it (CMS-1500 boxes 3 and 11a).")
class Sex(enum.Enum):
    FEMALE = strawberry.enum_value("FEMALE", description="Female (F).")
    MALE = strawberry.enum_value("MALE", description="Male (M).")
    UNKNOWN = strawberry.enum_value("UNKNOWN", description="Not known (U).")


@strawberry.type(description="A postal address, as printed on claims and statements.")
class Address:
    line1: str = strawberry.field(description="Street address.")
    line2: str | None = strawberry.field(description="Suite, unit or floor; null when none.")
    city: str = strawberry.field(description="City.")
    state: str = strawberry.field(description="State or region; in the US the two-letter code.")
    postal_code: str = strawberry.field(
        description="ZIP or postal code, digits only (5 or 9 digits in the US)."
    )
    country: str = strawberry.field(description="ISO 3166-1 alpha-2 country code, e.g. US.")

    @classmethod
    def from_stored(cls, value: dict[str, Any] | None) -> Address | None:
        if not value:
            return None
        return cls(
            line1=value["line1"],
            line2=value.get("line2"),
            city=value["city"],
            state=value["state"],
            postal_code=value["postal_code"],
            country=value.get("country") or "US",
        )


@strawberry.input(description="A postal address; US states are two letters, ZIPs 5 or 9 digits.")
class AddressInput:
    line1: str = strawberry.field(description="Street address.")
    line2: str | None = strawberry.field(default=None, description="Suite, unit or floor.")
    city: str = strawberry.field(description="City.")
    state: str = strawberry.field(description="State; in the US the two-letter code.")
    postal_code: str = strawberry.field(
        description="ZIP or postal code (a ZIP+4 may carry its dash)."
    )
    country: str | None = strawberry.field(
        default="US", description="ISO 3166-1 alpha-2 country code; default US."
    )

    def stored(self) -> dict[str, Any]:
        return {
            "line1": self.line1,
            "line2": self.line2,
            "city": self.city,
            "state": self.state,
            "postal_code": self.postal_code,
            "country": self.country or "US",
        }


F = TypeVar("F", bound=Callable[..., Any])


def described(description: str) -> Callable[[F], F]:
    """``@strawberry.field(description=...)`` for a resolver method, typed for mypy (the
    decorator with arguments is untyped in strawberry)."""
    return cast("Callable[[F], F]", strawberry.field(description=description))
