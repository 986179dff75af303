"""GraphQL pieces every area uses: ``Money`` and the reading of ``update*`` inputs.

An area's schema imports these from here, never from another area's module, so that the
areas import each other only where one's type really shows another's.
"""

from __future__ import annotations

from typing import Any

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
