"""Typed, stable error codes and the one exception resolvers raise for expected failures."""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence


class ErrorCode(enum.Enum):
    INVALID_INPUT = "INVALID_INPUT"
    NOT_FOUND = "NOT_FOUND"
    FORBIDDEN = "FORBIDDEN"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    ORGANIZATION_REQUIRED = "ORGANIZATION_REQUIRED"
    EMAIL_TAKEN = "EMAIL_TAKEN"
    TOKEN_INVALID = "TOKEN_INVALID"
    TOKEN_EXPIRED = "TOKEN_EXPIRED"
    WEAK_PASSWORD = "WEAK_PASSWORD"
    RATE_LIMITED = "RATE_LIMITED"
    SLOT_UNAVAILABLE = "SLOT_UNAVAILABLE"
    OUTSIDE_AVAILABILITY = "OUTSIDE_AVAILABILITY"
    BOOKING_DISABLED = "BOOKING_DISABLED"
    CANCELLATION_WINDOW_PASSED = "CANCELLATION_WINDOW_PASSED"
    INVALID_STATUS_TRANSITION = "INVALID_STATUS_TRANSITION"
    INTAKE_REQUIRED = "INTAKE_REQUIRED"
    FORM_INCOMPLETE = "FORM_INCOMPLETE"
    VIDEO_NOT_CONFIGURED = "VIDEO_NOT_CONFIGURED"
    VIDEO_NOT_OPEN = "VIDEO_NOT_OPEN"
    PAYMENTS_NOT_CONFIGURED = "PAYMENTS_NOT_CONFIGURED"
    NO_PAYMENT_METHOD = "NO_PAYMENT_METHOD"
    CARD_DECLINED = "CARD_DECLINED"
    PAYMENT_IN_PROGRESS = "PAYMENT_IN_PROGRESS"
    REFUND_EXCEEDS_CAPTURED = "REFUND_EXCEEDS_CAPTURED"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    INSUFFICIENT_CREDITS = "INSUFFICIENT_CREDITS"
    INVOICE_NOT_OPEN = "INVOICE_NOT_OPEN"
    UNSAFE_URL = "UNSAFE_URL"
    INVALID_CODE = "INVALID_CODE"
    CLAIM_NOT_EDITABLE = "CLAIM_NOT_EDITABLE"
    HOLD_EXPIRED = "HOLD_EXPIRED"
    DOCUMENT_NOT_TRUSTED = "DOCUMENT_NOT_TRUSTED"
    REFUND_FAILED = "REFUND_FAILED"


class DomainError(Exception):
    """An expected failure: becomes a ``userError`` in a mutation, a coded error on a field."""

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        field: Sequence[str] | str | None = None,
        *,
        retry_after_seconds: int | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        if isinstance(field, str):
            field = [field]
        self.field: list[str] | None = list(field) if field is not None else None
        # RATE_LIMITED: how long until the same attempt may succeed
        self.retry_after_seconds = retry_after_seconds

    @property
    def extensions(self) -> dict[str, object]:
        """graphql-core copies an original error's ``extensions`` onto the GraphQL error, so a
        field's coded failure carries ``extensions.code`` without any post-processing."""
        if self.retry_after_seconds is not None:
            return {"code": self.code.value, "retryAfterSeconds": self.retry_after_seconds}
        return {"code": self.code.value}


def rate_limited(message: str, retry_after_seconds: float) -> DomainError:
    """RATE_LIMITED with the wait in whole seconds, rounded up (never below 0)."""
    wait = max(0, math.ceil(retry_after_seconds))
    return DomainError(ErrorCode.RATE_LIMITED, message, retry_after_seconds=wait)


def invalid(message: str, field: Sequence[str] | str | None = None) -> DomainError:
    return DomainError(ErrorCode.INVALID_INPUT, message, field)


def not_found(what: str = "Not found", field: Sequence[str] | str | None = None) -> DomainError:
    return DomainError(ErrorCode.NOT_FOUND, what, field)


def forbidden(message: str = "You may not do that") -> DomainError:
    return DomainError(ErrorCode.FORBIDDEN, message)


def unauthenticated() -> DomainError:
    return DomainError(ErrorCode.UNAUTHENTICATED, "Sign in first")
