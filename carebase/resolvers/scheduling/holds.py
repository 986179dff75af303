"""Slot holds: the widget keeps a time for its visitor while they type (HOLD_MINUTES), at most
MAX_LIVE_HOLDS per network address, so nobody can hold a whole calendar; and the free-form
metadata (UTM tags) a widget booking carries."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from carebase.db import UnitOfWork
from carebase.errors import DomainError, ErrorCode, invalid
from carebase.models import SlotHold

HOLD_MINUTES = 5
MAX_LIVE_HOLDS = 3
METADATA_MAX_KEYS = 20
METADATA_MAX_KEY = 64
METADATA_MAX_VALUE = 500


def check_metadata(value: Any) -> dict[str, str | int | float | bool] | None:
    """An object of at most 20 keys (1-64 characters) with string (at most 500 characters),
    number or boolean values; null for none."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise invalid("metadata is an object of keys and values", "metadata")
    if len(value) > METADATA_MAX_KEYS:
        raise invalid(f"At most {METADATA_MAX_KEYS} metadata keys", "metadata")
    tags: dict[str, str | int | float | bool] = {}
    for key, item in value.items():
        if not isinstance(key, str) or not 1 <= len(key) <= METADATA_MAX_KEY:
            raise invalid(f"Metadata keys have 1 to {METADATA_MAX_KEY} characters", "metadata")
        if isinstance(item, str):
            if len(item) > METADATA_MAX_VALUE:
                raise invalid(
                    f"Metadata values have at most {METADATA_MAX_VALUE} characters",
                    ["metadata", key],
                )
        elif not isinstance(item, (bool, int, float)):
            raise invalid("Metadata values are strings, numbers or booleans", ["metadata", key])
        tags[key] = item
    return tags or None


async def live_holds_of(uow: UnitOfWork, organization_id: uuid.UUID, address: str) -> int:
    return (
        await uow.session.execute(
            select(func.count())
            .select_from(SlotHold)
            .where(
                SlotHold.organization_id == organization_id,
                SlotHold.address == address,
                SlotHold.used_at.is_(None),
                SlotHold.expires_at > uow.now(),
            )
        )
    ).scalar_one()


async def new_hold(
    uow: UnitOfWork,
    *,
    organization_id: uuid.UUID,
    provider_id: uuid.UUID,
    type_id: uuid.UUID,
    starts_at: datetime,
    ends_at: datetime,
    address: str,
) -> SlotHold:
    if await live_holds_of(uow, organization_id, address) >= MAX_LIVE_HOLDS:
        raise DomainError(
            ErrorCode.RATE_LIMITED,
            f"At most {MAX_LIVE_HOLDS} times can be held at once; book or let one go first",
            "startsAt",
            retry_after_seconds=HOLD_MINUTES * 60,
        )
    hold = SlotHold(
        id=uuid.uuid4(),
        organization_id=organization_id,
        provider_id=provider_id,
        appointment_type_id=type_id,
        starts_at=starts_at,
        ends_at=ends_at,
        expires_at=uow.now() + timedelta(minutes=HOLD_MINUTES),
        address=address[:64],
    )
    uow.session.add(hold)
    await uow.session.flush()
    return hold


async def take_hold(
    uow: UnitOfWork,
    organization_id: uuid.UUID,
    hold_id: uuid.UUID,
    *,
    provider_id: uuid.UUID,
    type_id: uuid.UUID,
    starts_at: datetime,
) -> SlotHold:
    """The hold a booking names: of this organization, for this time, still live."""
    hold = (
        await uow.session.execute(
            select(SlotHold)
            .where(SlotHold.id == hold_id, SlotHold.organization_id == organization_id)
            .with_for_update()
        )
    ).scalar_one_or_none()
    if hold is None:
        raise invalid("No such hold", "holdId")
    if (
        hold.provider_id != provider_id
        or hold.appointment_type_id != type_id
        or hold.starts_at != starts_at
    ):
        raise invalid("The hold is for another time, provider or type", "holdId")
    if hold.used_at is not None or hold.expires_at <= uow.now():
        raise DomainError(
            ErrorCode.HOLD_EXPIRED, "The time was kept for 5 minutes; pick it again", "holdId"
        )
    return hold
