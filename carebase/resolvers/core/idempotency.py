"""Idempotency keys: a repeat with the same input gets the first response (a failure too)."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from carebase.db import UnitOfWork
from carebase.errors import DomainError, ErrorCode, invalid
from carebase.models import IdempotencyRecord

T = TypeVar("T")
KEEP_FOR = timedelta(hours=24)
# answers about who asks, not about the input: never remembered under a key, so that a
# refused caller cannot decide the answer the rightful caller later gets for that key
NOT_REMEMBERED = frozenset({ErrorCode.UNAUTHENTICATED, ErrorCode.FORBIDDEN, ErrorCode.NOT_FOUND})


def _hash(request: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(request, sort_keys=True, default=str).encode()).hexdigest()


async def run_idempotent(
    uow: UnitOfWork,
    *,
    organization_id: uuid.UUID,
    operation: str,
    key: str | None,
    request: dict[str, Any],
    execute: Callable[[], Awaitable[T]],
    remember: Callable[[T], dict[str, Any]],
    replay: Callable[[dict[str, Any]], Awaitable[T]],
    reserve: bool = False,
) -> T:
    """``reserve`` (money): the key is claimed before the work, so a concurrent repeat gets
    PAYMENT_IN_PROGRESS instead of charging twice."""
    if key is None:
        return await execute()
    if not 1 <= len(key) <= 200:
        raise invalid("An idempotency key is 1 to 200 characters", "idempotencyKey")
    digest = _hash(request)
    scope = (
        IdempotencyRecord.organization_id == organization_id,
        IdempotencyRecord.operation == operation,
        IdempotencyRecord.key == key,
    )
    existing = (
        await uow.session.execute(select(IdempotencyRecord).where(*scope))
    ).scalar_one_or_none()
    if existing is not None and existing.expires_at <= uow.now():
        await uow.session.execute(delete(IdempotencyRecord).where(*scope))
        existing = None
    if existing is not None:
        if existing.request_hash != digest:
            raise DomainError(
                ErrorCode.IDEMPOTENCY_KEY_REUSED,
                "This idempotency key was used with different input",
                "idempotencyKey",
            )
        if existing.response.get("pending"):
            raise DomainError(
                ErrorCode.PAYMENT_IN_PROGRESS,
                "A request with this idempotency key is under way",
                "idempotencyKey",
            )
        error = existing.response.get("error")
        if error:
            raise DomainError(ErrorCode(error["code"]), error["message"], error.get("field"))
        return await replay(existing.response)

    def record(response: dict[str, Any]) -> IdempotencyRecord:
        return IdempotencyRecord(
            organization_id=organization_id,
            operation=operation,
            key=key,
            request_hash=digest,
            response=response,
            expires_at=uow.now() + KEEP_FOR,
        )

    placeholder: IdempotencyRecord | None = None
    if reserve:
        placeholder = record({"pending": True})
        try:
            async with uow.session.begin_nested():
                uow.session.add(placeholder)
        except IntegrityError:
            raise DomainError(
                ErrorCode.PAYMENT_IN_PROGRESS,
                "A request with this idempotency key is under way",
                "idempotencyKey",
            ) from None
    try:
        result = await execute()
    except DomainError as failure:
        if failure.code in NOT_REMEMBERED:
            raise
        uow.keep_on_failure.append(
            record(
                {
                    "error": {
                        "code": failure.code.value,
                        "message": failure.message,
                        "field": failure.field,
                    }
                }
            )
        )
        raise
    if placeholder is not None:
        placeholder.response = remember(result)
        return result
    try:
        async with uow.session.begin_nested():
            uow.session.add(record(remember(result)))
    except IntegrityError:
        raise DomainError(
            ErrorCode.IDEMPOTENCY_KEY_REUSED,
            "A request with this idempotency key is already under way",
            "idempotencyKey",
        ) from None
    return result
