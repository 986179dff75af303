"""Organizations: sign-up, their details, the publishable key, portal and alert settings."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import select

from carebase.auth.passwords import check_strength, hash_password
from carebase.auth.policy import org_id, require_authenticated, require_manager
from carebase.auth.principal import Principal
from carebase.db import UnitOfWork
from carebase.errors import invalid
from carebase.models import Account, IntakeGate, Organization, Role, new_publishable_key
from carebase.resolvers.core.checks import (
    check_currency,
    check_email,
    check_name,
    check_origins,
    check_timezone,
    check_url,
)
from carebase.resolvers.core.pagination import in_order
from carebase.resolvers.org import widget_origins
from carebase.resolvers.people.sessions import AuthResult, start_session
from carebase.resolvers.scheduling.events import replan_organization_reminders

CHANNELS = ("EMAIL", "SMS")


async def sign_up_organization(
    uow: UnitOfWork,
    *,
    organization_name: str,
    name: str,
    email: str,
    password: str,
    timezone: str,
    currency: str,
    ip: str | None,
) -> tuple[Organization, AuthResult]:
    org = Organization(
        name=check_name(organization_name, "organizationName"),
        timezone=check_timezone(timezone),
        currency=check_currency(currency),
    )
    email = check_email(email)
    check_strength(password, email=email)
    uow.session.add(org)
    await uow.session.flush()
    owner = Account(
        organization_id=org.id,
        email=email,
        name=check_name(name),
        role=Role.OWNER,
        timezone=org.timezone,
        password_hash=hash_password(password, uow.settings.password_hash_cost),
        invitation_accepted_at=uow.now(),
    )
    uow.session.add(owner)
    await uow.session.flush()
    return org, await start_session(uow, owner, ip)


async def get_organization(uow: UnitOfWork, principal: Principal) -> Organization:
    """Every member, client, key and OAuth client may read its own organization."""
    require_authenticated(principal)
    return await uow.session.get_one(Organization, org_id(principal))


async def load_organizations(
    uow: UnitOfWork, ids: Sequence[uuid.UUID]
) -> list[Organization | None]:
    """Organizations by id, in order, for DataLoaders; the ids come from rows already
    scoped (a client's, an appointment's)."""
    rows = await uow.session.execute(select(Organization).where(Organization.id.in_(ids)))
    return in_order(rows.scalars(), ids, lambda o: o.id)


async def update_organization(
    uow: UnitOfWork, principal: Principal, *, changes: dict[str, Any]
) -> Organization:
    require_manager(principal)
    org = await uow.session.get_one(Organization, org_id(principal), with_for_update=True)
    if "name" in changes:
        org.name = check_name(_required(changes, "name"))
    if "timezone" in changes:
        org.timezone = check_timezone(_required(changes, "timezone"))
    if "currency" in changes:
        org.currency = check_currency(_required(changes, "currency"))
    if "portal_url" in changes:
        value = changes["portal_url"]
        org.portal_url = None if value is None else check_url(value, "portalUrl")
    return org


async def rotate_publishable_key(uow: UnitOfWork, principal: Principal) -> Organization:
    require_manager(principal)
    org = await uow.session.get_one(Organization, org_id(principal))
    org.publishable_key = new_publishable_key()
    return org


@dataclass
class PortalSettingsChanges:
    clients_can_book: bool | None = None
    clients_can_reschedule: bool | None = None
    clients_can_cancel: bool | None = None
    booking_outside_portal: bool | None = None
    cancellation_window_hours: int | None = None
    late_cancellation_fee_cents: int | None = None
    no_show_fee_cents: int | None = None
    intake_gate: IntakeGate | None = None
    widget_origins: list[str] | None = None


NULLABLE_PORTAL = {"late_cancellation_fee_cents", "no_show_fee_cents"}


async def update_portal_settings(
    uow: UnitOfWork, principal: Principal, *, changes: dict[str, Any]
) -> Organization:
    """``changes`` holds only the fields given; ``None`` clears a nullable field."""
    require_manager(principal)
    known = {f.name for f in fields(PortalSettingsChanges)}
    org = await uow.session.get_one(Organization, org_id(principal))
    for key, value in changes.items():
        if key not in known:
            raise invalid(f"Unknown setting {key}")
        if key == "widget_origins":
            value = check_origins(value or [], "widgetOrigins")
        elif value is None and key not in NULLABLE_PORTAL:
            raise invalid("This setting cannot be cleared", _camel(key))
        if key in ("cancellation_window_hours", *NULLABLE_PORTAL) and value is not None:
            if value < 0:
                raise invalid("Must not be negative", _camel(key))
            if key == "cancellation_window_hours" and value > 24 * 30:
                raise invalid("At most 720 hours", _camel(key))
        setattr(org, key, value)
    if "widget_origins" in changes:
        widget_origins.forget()
    return org


async def update_alert_settings(
    uow: UnitOfWork, principal: Principal, *, changes: dict[str, Any]
) -> Organization:
    require_manager(principal)
    org = await uow.session.get_one(Organization, org_id(principal))
    if "reminder_offsets_minutes" in changes:
        offsets = _required(changes, "reminder_offsets_minutes")
        if len(offsets) > 5 or any(o <= 0 or o > 60 * 24 * 30 for o in offsets):
            raise invalid(
                "Give up to 5 offsets, each from 1 minute to 30 days", "reminderOffsetsMinutes"
            )
        org.reminder_offsets_minutes = sorted(set(offsets), reverse=True)
    if "reminder_channels" in changes:
        channels = _required(changes, "reminder_channels")
        if any(c not in CHANNELS for c in channels):
            raise invalid("Channels are EMAIL and SMS", "reminderChannels")
        org.reminder_channels = [c for c in CHANNELS if c in channels]
    if "intake_reminder_enabled" in changes:
        org.intake_reminder_enabled = bool(_required(changes, "intake_reminder_enabled"))
    if "intake_reminder_offset_minutes" in changes:
        value = _required(changes, "intake_reminder_offset_minutes")
        if value <= 0 or value > 60 * 24 * 30:
            raise invalid("From 1 minute to 30 days", "intakeReminderOffsetMinutes")
        org.intake_reminder_offset_minutes = value
    if changes.keys() & {
        "reminder_offsets_minutes",
        "reminder_channels",
        "intake_reminder_enabled",
        "intake_reminder_offset_minutes",
    }:
        await replan_organization_reminders(uow, org)
    return org


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def _required(changes: dict[str, Any], key: str) -> Any:
    value = changes[key]
    if value is None:
        raise invalid("This field cannot be cleared", _camel(key))
    return value
