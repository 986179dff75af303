"""Appointment types: what can be booked, for how long, at what price, how it is held."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from carebase.auth.policy import org_id, require_manager, require_reader, scoped
from carebase.auth.principal import Principal
from carebase.db import UnitOfWork
from carebase.errors import DomainError, ErrorCode, invalid, not_found
from carebase.models import AppointmentType, ContactType, Organization, VideoProvider
from carebase.resolvers.core.checks import check_name, practice_currency
from carebase.resolvers.core.pagination import in_order
from carebase.resolvers.insurance.codes import check_procedure
from carebase.resolvers.scheduling.video import zoom_configured


def _check_duration(minutes: int) -> int:
    if not 5 <= minutes <= 480:
        raise invalid("A duration is 5 to 480 minutes", "durationMinutes")
    return minutes


def _check_price(cents: int | None) -> int | None:
    if cents is not None and (cents < 0 or cents > 10_000_000):
        raise invalid("A price is 0 or more cents", "priceCents")
    return cents


def _check_video(
    uow: UnitOfWork, contact: ContactType, provider: VideoProvider | None
) -> VideoProvider | None:
    if contact is not ContactType.VIDEO:
        if provider is not None:
            raise invalid("Only VIDEO types have a video provider", "videoProvider")
        return None
    provider = provider or VideoProvider.BUILT_IN
    if provider is VideoProvider.ZOOM and not zoom_configured(uow.settings):
        raise DomainError(
            ErrorCode.VIDEO_NOT_CONFIGURED, "Zoom is not configured here", "videoProvider"
        )
    return provider


async def create_appointment_type(
    uow: UnitOfWork,
    principal: Principal,
    *,
    name: str,
    duration_minutes: int,
    price_cents: int | None,
    currency: str | None,
    contact_type: ContactType,
    video_provider: VideoProvider | None,
    bookable_by_clients: bool,
    autocharge_when_occurred: bool,
    default_procedure_code: str | None = None,
) -> AppointmentType:
    require_manager(principal, "appointments")
    org = await uow.session.get_one(Organization, org_id(principal))
    kind = AppointmentType(
        organization_id=org.id,
        name=check_name(name),
        duration_minutes=_check_duration(duration_minutes),
        price_cents=_check_price(price_cents),
        currency=practice_currency(currency, org.currency),
        contact_type=contact_type,
        video_provider=_check_video(uow, contact_type, video_provider),
        bookable_by_clients=bookable_by_clients,
        autocharge_when_occurred=autocharge_when_occurred,
        default_procedure_code=_check_procedure(default_procedure_code),
    )
    uow.session.add(kind)
    await uow.session.flush()
    return kind


async def update_appointment_type(
    uow: UnitOfWork, principal: Principal, *, type_id: uuid.UUID, changes: dict[str, Any]
) -> AppointmentType:
    require_manager(principal, "appointments")
    kind = await get_appointment_type(uow, principal, type_id)
    for key in (
        "name",
        "duration_minutes",
        "contact_type",
        "bookable_by_clients",
        "autocharge_when_occurred",
        "currency",
    ):
        if key in changes and changes[key] is None:
            raise invalid("This field cannot be cleared", key)
    if "name" in changes:
        kind.name = check_name(changes["name"])
    if "duration_minutes" in changes:
        kind.duration_minutes = _check_duration(changes["duration_minutes"])
    if "price_cents" in changes:
        kind.price_cents = _check_price(changes["price_cents"])
    if "currency" in changes:
        org = await uow.session.get_one(Organization, kind.organization_id)
        kind.currency = practice_currency(changes["currency"], org.currency)
    if "contact_type" in changes or "video_provider" in changes:
        contact = changes.get("contact_type", kind.contact_type)
        provider = changes.get("video_provider", kind.video_provider)
        if contact is not ContactType.VIDEO and "video_provider" not in changes:
            provider = None
        kind.contact_type = contact
        kind.video_provider = _check_video(uow, contact, provider)
    for key in ("bookable_by_clients", "autocharge_when_occurred"):
        if key in changes:
            setattr(kind, key, bool(changes[key]))
    if "default_procedure_code" in changes:
        kind.default_procedure_code = _check_procedure(changes["default_procedure_code"])
    return kind


def _check_procedure(code: str | None) -> str | None:
    """The superbill's code for visits without a claim: checked as a claim line's is."""
    if code is None or not code.strip():
        return None
    return check_procedure(code, "defaultProcedureCode")


async def get_appointment_type(
    uow: UnitOfWork, principal: Principal, type_id: uuid.UUID
) -> AppointmentType:
    stmt = select(AppointmentType).where(AppointmentType.id == type_id)
    if principal.kind == "publishable":
        stmt = stmt.where(
            AppointmentType.organization_id == principal.organization_id,
            AppointmentType.bookable_by_clients.is_(True),
        )
    else:
        # types are organization-wide reference data: clients see them too; members and
        # keys need appointments:read (prices and autocharge flags are not for every key)
        require_reader(principal, "appointments")
        stmt = scoped(stmt, principal, AppointmentType.organization_id, client_column=False)
    found = (await uow.session.execute(stmt)).scalar_one_or_none()
    if found is None:
        raise not_found("No such appointment type", "appointmentTypeId")
    return found


async def list_appointment_types(
    uow: UnitOfWork, principal: Principal, *, bookable_only: bool = False
) -> list[AppointmentType]:
    """The ``appointmentTypes`` query: clients read the bookable ones, members and keys with
    appointments:read all of them; the widget reads its own through ``bookable_types``."""
    require_reader(principal, "appointments")
    assert principal.organization_id is not None
    return await _types(uow, principal.organization_id, bookable_only or principal.is_client)


async def bookable_types(uow: UnitOfWork, organization_id: uuid.UUID) -> list[AppointmentType]:
    """What the practice offers to be booked: public, as ``publicBookingProfile`` shows it."""
    return await _types(uow, organization_id, bookable_only=True)


async def _types(
    uow: UnitOfWork, organization_id: uuid.UUID, bookable_only: bool
) -> list[AppointmentType]:
    stmt = select(AppointmentType).where(
        AppointmentType.organization_id == organization_id,
        AppointmentType.archived_at.is_(None),
    )
    if bookable_only:
        stmt = stmt.where(AppointmentType.bookable_by_clients.is_(True))
    result = await uow.session.execute(stmt.order_by(AppointmentType.name, AppointmentType.id))
    return list(result.scalars())


async def load_appointment_types(
    uow: UnitOfWork, principal: Principal, ids: Sequence[uuid.UUID]
) -> list[AppointmentType | None]:
    """Types by id for DataLoaders. The ids come from rows already scoped; a caller with no
    organization (confirming a booking by its emailed link) reads them as those rows name."""
    stmt = select(AppointmentType).where(AppointmentType.id.in_(ids))
    if principal.organization_id is not None:
        stmt = stmt.where(AppointmentType.organization_id == principal.organization_id)
    rows = await uow.session.execute(stmt)
    return in_order(rows.scalars(), ids, lambda t: t.id)
