"""``extensions.retryAfterSeconds`` on a response whose mutation was refused RATE_LIMITED.

A top-level RATE_LIMITED error carries it in its own extensions (``DomainError``); a
``userError`` has no extensions in the contract's ``UserError``, so the response carries the
longest wait among its refusals instead, where clients look for the other hint (the cost).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from strawberry.extensions import SchemaExtension

from carebase.errors import DomainError
from carebase.schema.context import Context, Info

KEY = "retry_after_seconds"


def note_refusal(info: Info, error: DomainError) -> None:
    """Called by ``mutate`` for each DomainError it answers as a userError."""
    wait = error.retry_after_seconds
    if wait is None or not info.context.has_scope:
        return
    extra = info.context.extra
    extra[KEY] = max(wait, extra.get(KEY, 0))


class RetryAfter(SchemaExtension):
    """Listed after the unit of work, so its scope is still open when execution ends."""

    wait: int | None = None

    def on_execute(self) -> Iterator[None]:
        yield
        context = self.execution_context.context
        if isinstance(context, Context) and context.has_scope:
            self.wait = context.extra.get(KEY)

    def get_results(self) -> dict[str, Any]:
        return {"retryAfterSeconds": self.wait} if self.wait is not None else {}
