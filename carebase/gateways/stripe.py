"""Stripe behind one gateway, through the official SDK (``StripeClient``), in plain values.

Every call that moves money carries an idempotency key built from our own row id and our
payment id in ``metadata``, so an attempt left in doubt is found again, never repeated.
Calls are blocking; the callers run them in a thread.
"""

from __future__ import annotations

import asyncio
import functools
from dataclasses import dataclass
from typing import Any

import stripe

from carebase.config import Settings


class PaymentsNotConfigured(Exception):
    pass


class CardDeclined(Exception):
    """Stripe refused the card (its ``CardError``): a typed outcome, not a message to read.

    ``code`` is Stripe's error code (``card_declined``, ``expired_card``, ``incorrect_cvc``,
    ...), ``decline_code`` the issuer's reason when Stripe gives one (``insufficient_funds``,
    ``generic_decline``, ...); ``message`` is Stripe's text for the client, shown as is."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        decline_code: str | None = None,
        intent_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.decline_code = decline_code
        self.intent_id = intent_id

    @classmethod
    def of(cls, error: stripe.CardError) -> CardDeclined:
        body = (getattr(error, "json_body", None) or {}).get("error") or {}
        intent = body.get("payment_intent") or {}
        return cls(
            error.user_message or str(error),
            code=error.code or body.get("code"),
            decline_code=body.get("decline_code"),
            intent_id=intent.get("id"),
        )


class UnknownPaymentMethod(Exception):
    """Stripe knows no such payment method (or refuses to attach it): the caller's input."""


class RefundRefused(Exception):
    """Stripe answered the refund with a 4xx (e.g. the charge was refunded there already):
    nothing was refunded, and asking again would be refused the same way."""


class StripeUnavailable(Exception):
    """Stripe could not be reached, or answered 5xx: the outcome is unknown."""


@dataclass(frozen=True)
class Card:
    id: str
    brand: str | None
    last4: str | None
    exp_month: int | None
    exp_year: int | None


@dataclass(frozen=True)
class Charge:
    intent_id: str
    status: str  # succeeded | processing | requires_payment_method | ...
    failure_message: str | None = None


class _HTTPXClient(stripe.HTTPXClient):
    """Stripe's async httpx client, sending its form body as ``content``: httpx deprecates
    ``data=`` for a ready-encoded body (and warns on every request)."""

    def _get_request_args_kwargs(self, *args: Any, **kwargs: Any) -> Any:
        positional, named = super()._get_request_args_kwargs(*args, **kwargs)
        named["content"] = named.pop("data", None) or b""
        return positional, named


@functools.cache
def _client(secret_key: str, api_base: str, loop_id: int) -> stripe.StripeClient:
    """One async client per event loop: an httpx pool belongs to the loop that opened it (the
    web process's loop and Dramatiq's each get their own)."""
    kwargs: dict[str, Any] = {"max_network_retries": 2, "http_client": _HTTPXClient()}
    if api_base:
        kwargs["base_addresses"] = {"api": api_base.rstrip("/")}
    return stripe.StripeClient(secret_key, **kwargs)


def _unavailable(error: stripe.StripeError) -> bool:
    if isinstance(error, stripe.APIConnectionError):
        return True
    status = getattr(error, "http_status", None)
    return status is None or status >= 500 or status == 429


class StripeGateway:
    def __init__(self, settings: Settings) -> None:
        if not settings.stripe_secret_key.get_secret_value():
            raise PaymentsNotConfigured()
        self.client = _client(
            settings.stripe_secret_key.get_secret_value(),
            settings.stripe_api_base,
            id(asyncio.get_running_loop()),
        )

    async def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return await fn(*args, **kwargs)
        except stripe.CardError as error:
            raise CardDeclined.of(error) from error
        except stripe.StripeError as error:
            if _unavailable(error):
                raise StripeUnavailable(str(error)) from error
            raise

    async def create_customer(self, *, client_id: str, email: str, name: str) -> str:
        customer = await self._call(
            self.client.v1.customers.create_async,
            params={"email": email, "name": name, "metadata": {"carebase_client": client_id}},
            options={"idempotency_key": f"customer-{client_id}"},
        )
        return str(customer.id)

    async def create_setup_intent(self, *, customer_id: str) -> str:
        intent = await self._call(
            self.client.v1.setup_intents.create_async,
            params={
                "customer": customer_id,
                "payment_method_types": ["card"],
                "usage": "off_session",
            },
        )
        return str(intent.client_secret)

    async def attach_card(self, *, payment_method_id: str, customer_id: str) -> Card:
        try:
            method = await self._call(
                self.client.v1.payment_methods.attach_async,
                payment_method_id,
                params={"customer": customer_id},
            )
        except stripe.InvalidRequestError as error:
            raise UnknownPaymentMethod(str(error)) from error
        card = method.card
        return Card(
            id=str(method.id),
            brand=getattr(card, "brand", None),
            last4=getattr(card, "last4", None),
            exp_month=getattr(card, "exp_month", None),
            exp_year=getattr(card, "exp_year", None),
        )

    async def detach_card(self, *, payment_method_id: str) -> None:
        await self._call(self.client.v1.payment_methods.detach_async, payment_method_id)

    async def charge(
        self,
        *,
        payment_id: str,
        attempt: int,
        amount_cents: int,
        currency: str,
        customer_id: str,
        payment_method_id: str,
        description: str | None,
    ) -> Charge:
        metadata = {"carebase_payment": payment_id}
        if description:
            metadata["description"] = description[:500]
        try:
            intent = await self.client.v1.payment_intents.create_async(
                params={
                    "amount": amount_cents,
                    "currency": currency,
                    "customer": customer_id,
                    "payment_method": payment_method_id,
                    "off_session": True,
                    "confirm": True,
                    "metadata": metadata,
                },
                options={"idempotency_key": f"payment-{payment_id}-{attempt}"},
            )
        except stripe.CardError as error:
            raise CardDeclined.of(error) from error
        except stripe.StripeError as error:
            if _unavailable(error):
                raise StripeUnavailable(str(error)) from error
            raise
        return Charge(intent_id=str(intent.id), status=str(intent.status))

    async def find_charge(self, *, payment_id: str) -> Charge | None:
        """The PaymentIntent our payment made, looked up by its metadata."""
        query = f"metadata['carebase_payment']:'{payment_id}'"
        try:
            found = await self.client.v1.payment_intents.search_async(params={"query": query})
            intents = list(found.data)
        except stripe.InvalidRequestError:
            # servers without the search API (local test servers): walk the list
            listed = await self._call(
                self.client.v1.payment_intents.list_async, params={"limit": 100}
            )
            intents = [
                i
                async for i in listed.auto_paging_iter()
                if (i.metadata.to_dict() if i.metadata else {}).get("carebase_payment")
                == payment_id
            ]
        except stripe.StripeError as error:
            raise StripeUnavailable(str(error)) from error
        if not intents:
            return None
        intent = intents[0]
        return Charge(intent_id=str(intent.id), status=str(intent.status))

    async def charged_card(self, *, intent_id: str) -> str | None:
        """The payment method a PaymentIntent charged (what a receipt names), if any."""
        try:
            intent = await self.client.v1.payment_intents.retrieve_async(intent_id)
        except stripe.StripeError as error:
            raise StripeUnavailable(str(error)) from error
        method = intent.payment_method
        if method is None:
            return None
        return method if isinstance(method, str) else str(method.id)

    async def refund(
        self, *, intent_id: str, amount_cents: int, refund_id: str, payment_id: str
    ) -> str:
        try:
            refund = await self._call(
                self.client.v1.refunds.create_async,
                params={
                    "payment_intent": intent_id,
                    "amount": amount_cents,
                    "metadata": {"carebase_refund": refund_id, "carebase_payment": payment_id},
                },
                options={"idempotency_key": f"refund-{refund_id}"},
            )
        except stripe.InvalidRequestError as error:
            raise RefundRefused(error.user_message or str(error)) from error
        return str(refund.id)
