"""The one way to write a mutation: ``return await mutate(info, XPayload, operation)``.

``operation`` calls one resolver and returns its outcome (a row, a tuple of rows, a small
outcome object); ``mutate`` runs it behind the intake gate and inside a savepoint, and answers:

- ``XPayload.from_result(outcome, info)`` when it succeeds: each payload states there, once,
  how it shows its resolver's outcome (it may add ``user_errors`` of its own: a card decline
  keeps the FAILED payment and says why);
- ``XPayload(user_errors=[...])`` when it fails: the intake gate is closed or the resolver
  raised a ``DomainError`` (every other field of the payload keeps its default).

The payload is built after the savepoint is released, so a ``DomainError`` raised while
building it is a field error, not a userError. mypy checks that ``from_result`` takes what
``operation`` returns.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

from carebase.errors import DomainError
from carebase.resolvers.intake.requests import intake_required
from carebase.schema.context import Info
from carebase.schema.errors import UserError
from carebase.schema.gate import OPEN_MUTATIONS, portal_closed
from carebase.schema.retry_after import note_refusal

Outcome = TypeVar("Outcome")
Outcome_contra = TypeVar("Outcome_contra", contravariant=True)
P_co = TypeVar("P_co", covariant=True)


class Payload:
    """Base of every mutation payload (a ``@strawberry.type`` whose last field is
    ``user_errors: list[UserError]``, every other field with a default). A payload defines

        @classmethod
        async def from_result(cls, result: <the operation's outcome>, info: Info) -> Self

    (``info`` for the few that load more to show the outcome) and ``mutate`` builds it."""


class PayloadType(Protocol[Outcome_contra, P_co]):
    """What ``mutate`` needs of a payload class: its failure form and its ``from_result``."""

    def __call__(self, *, user_errors: list[UserError]) -> P_co: ...

    def from_result(self, result: Outcome_contra, info: Info, /) -> Awaitable[P_co]: ...


async def mutate(
    info: Info,
    payload: PayloadType[Outcome, P_co],
    operation: Callable[[], Awaitable[Outcome]],
) -> P_co:
    """Run one mutation's resolver so that a failure leaves nothing half-written, and
    answer with its payload."""
    if (
        info.context.principal.is_client
        and info.field_name not in OPEN_MUTATIONS
        and await portal_closed(info.context)
    ):
        return payload(user_errors=[UserError.from_domain(intake_required())])
    try:
        async with info.context.uow.savepoint():
            result = await operation()
    except DomainError as error:
        note_refusal(info, error)
        return payload(user_errors=[UserError.from_domain(error)])
    return await payload.from_result(result, info)
