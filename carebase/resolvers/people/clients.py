"""Clients of a practice: create (and invite), update, archive, list, load."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import or_, select, update

from carebase.auth.credential_cache import announce
from carebase.auth.policy import org_id, require_authenticated, require_member
from carebase.auth.principal import Principal
from carebase.db import UnitOfWork
from carebase.errors import DomainError, ErrorCode, invalid
from carebase.hooks import ClientCreated
from carebase.models import Account, AuthSession, Organization, Role, WebhookEventType
from carebase.resolvers.core import audit
from carebase.resolvers.core.addresses import check_address, check_legal_name, check_sex
from carebase.resolvers.core.checks import check_email, check_name, check_timezone, now
from carebase.resolvers.core.lookups import clients_query, get_client
from carebase.resolvers.core.outbox import record_change
from carebase.resolvers.core.pagination import Order, Page, PageRequest, asc, in_order, paginate
from carebase.resolvers.people.members import email_taken, insert_account
from carebase.resolvers.people.sessions import send_invitation


async def _check_provider(
    uow: UnitOfWork, organization_id: uuid.UUID, provider_id: uuid.UUID
) -> uuid.UUID:
    role = (
        await uow.session.execute(
            select(Account.role).where(
                Account.id == provider_id, Account.organization_id == organization_id
            )
        )
    ).scalar_one_or_none()
    if role is None or not role.bookable:
        raise invalid("Not a provider of this organization", "providerId")
    return provider_id


def _check_phone(phone: str | None) -> str | None:
    if phone is None:
        return None
    phone = phone.strip()
    digits = [c for c in phone if c.isdigit()]
    if not phone or len(phone) > 40 or len(digits) < 5:
        raise invalid("Enter a valid phone number", "phone")
    return phone


def _check_birth_date(value: date | None) -> date | None:
    if value is not None and (value > now().date() or value.year < 1880):
        raise invalid("Enter a real date of birth", "dateOfBirth")
    return value


async def create_client(
    uow: UnitOfWork,
    principal: Principal,
    *,
    name: str,
    email: str,
    phone: str | None = None,
    date_of_birth: date | None = None,
    timezone: str | None = None,
    provider_id: uuid.UUID | None = None,
    send_invitation_email: bool = False,
) -> Account:
    require_member(principal, "clients", write=True)
    organization = await uow.session.get_one(Organization, org_id(principal))
    return await create_client_record(
        uow,
        principal,
        organization,
        name=name,
        email=email,
        phone=phone,
        date_of_birth=date_of_birth,
        timezone=timezone,
        provider_id=provider_id,
        send_invitation_email=send_invitation_email,
    )


async def create_client_record(
    uow: UnitOfWork,
    principal: Principal,
    organization: Organization,
    *,
    name: str,
    email: str,
    phone: str | None = None,
    date_of_birth: date | None = None,
    timezone: str | None = None,
    provider_id: uuid.UUID | None = None,
    send_invitation_email: bool = False,
) -> Account:
    """A new client of ``organization``; the caller has checked who may create one."""
    email = check_email(email)
    if await email_taken(uow, organization.id, email):
        raise DomainError(
            ErrorCode.EMAIL_TAKEN, "An account with this email already exists", "email"
        )
    client = await insert_account(
        uow,
        Account(
            organization_id=organization.id,
            email=email,
            name=check_name(name),
            role=Role.CLIENT,
            timezone=check_timezone(timezone) if timezone else organization.timezone,
            phone=_check_phone(phone),
            date_of_birth=_check_birth_date(date_of_birth),
            provider_id=(
                await _check_provider(uow, organization.id, provider_id) if provider_id else None
            ),
        ),
    )
    # reactions (the intake flow) may add a paragraph: one email then carries both
    answers = await uow.emit(
        ClientCreated(principal, client, organization, invited=send_invitation_email)
    )
    paragraphs = [a for a in answers if isinstance(a, str) and a]
    client_event(uow, principal, client, WebhookEventType.CLIENT_CREATED)
    if send_invitation_email:
        await send_invitation(uow, client, organization, extra="\n\n".join(paragraphs) or None)
    audit.record(
        uow,
        principal,
        action="write",
        resource="client",
        resource_id=client.id,
        client_id=client.id,
        operation="createClient",
        organization_id=organization.id,
    )
    return client


async def update_client(
    uow: UnitOfWork, principal: Principal, *, client_id: uuid.UUID, changes: dict[str, Any]
) -> Account:
    require_member(principal, "clients", write=True)
    client = await get_client(uow, principal, client_id, audit_read=False)
    for key in ("name", "email", "timezone"):
        if key in changes and changes[key] is None:
            raise invalid("This field cannot be cleared", key)
    if "name" in changes:
        client.name = check_name(changes["name"])
    if "email" in changes:
        email = check_email(changes["email"])
        if email != client.email and await email_taken(uow, client.organization_id, email):
            raise DomainError(
                ErrorCode.EMAIL_TAKEN, "An account with this email already exists", "email"
            )
        client.email = email
    if "timezone" in changes:
        client.timezone = check_timezone(changes["timezone"])
    if "phone" in changes:
        client.phone = _check_phone(changes["phone"])
    if "date_of_birth" in changes:
        client.date_of_birth = _check_birth_date(changes["date_of_birth"])
    if "first_name" in changes:
        value = changes["first_name"]
        client.first_name = None if value is None else check_legal_name(value, "firstName")
    if "last_name" in changes:
        value = changes["last_name"]
        client.last_name = None if value is None else check_legal_name(value, "lastName")
    if "sex" in changes:
        client.sex = None if changes["sex"] is None else check_sex(changes["sex"])
    if "address" in changes:
        client.address = None if changes["address"] is None else check_address(changes["address"])
    if "provider_id" in changes:
        provider_id = changes["provider_id"]
        client.provider_id = (
            await _check_provider(uow, client.organization_id, provider_id) if provider_id else None
        )
    await uow.session.flush()
    audit.record(
        uow,
        principal,
        action="write",
        resource="client",
        resource_id=client.id,
        client_id=client.id,
        operation="updateClient",
    )
    client_event(uow, principal, client, WebhookEventType.CLIENT_UPDATED)
    return client


def client_event(
    uow: UnitOfWork, principal: Principal, client: Account, event_type: WebhookEventType
) -> None:
    record_change(
        uow,
        event_type,
        organization_id=client.organization_id,
        resource_type="Client",
        resource_id=client.id,
        client_id=client.id,
        actor_id=principal.account_id,
    )


async def archive_client(uow: UnitOfWork, principal: Principal, client_id: uuid.UUID) -> Account:
    require_member(principal, "clients", write=True)
    client = await get_client(uow, principal, client_id, audit_read=False)
    if client.archived_at is None:
        client.archived_at = uow.now()
        # an archived client's portal closes: their sessions end now
        await uow.session.execute(
            update(AuthSession)
            .where(AuthSession.account_id == client.id, AuthSession.revoked_at.is_(None))
            .values(revoked_at=uow.now(), revoked_reason="archived")
        )
        announce(uow, accounts=[client.id])
    audit.record(
        uow,
        principal,
        action="write",
        resource="client",
        resource_id=client.id,
        client_id=client.id,
        operation="archiveClient",
    )
    return client


async def find_client(
    uow: UnitOfWork, principal: Principal, client_id: uuid.UUID
) -> Account | None:
    """For ``node``/``client`` queries: None when the caller may not read it."""
    try:
        return await get_client(uow, principal, client_id)
    except DomainError:
        return None


async def read_client(
    uow: UnitOfWork, principal: Principal, *, read_client_id: Callable[[], uuid.UUID]
) -> Account | None:
    """The ``client`` query: an error for a caller signed out, who learns that before their
    id is even read (``read_client_id`` decodes it); else as ``node``, None for a client the
    caller may not read."""
    require_authenticated(principal)
    return await find_client(uow, principal, read_client_id())


async def list_clients(
    uow: UnitOfWork,
    principal: Principal,
    *,
    page: PageRequest,
    search: str | None = None,
    include_archived: bool = False,
) -> Page[Account]:
    require_member(principal, "clients")
    stmt = clients_query(principal)
    if not include_archived:
        stmt = stmt.where(Account.archived_at.is_(None))
    if search and search.strip():
        pattern = f"%{search.strip().lower()}%"
        stmt = stmt.where(or_(Account.email.like(pattern), Account.name.ilike(pattern)))
    result = await paginate(uow, stmt, page, Order("clients", asc(Account.name), asc(Account.id)))
    audit.record_client_reads(uow, principal, [c.id for c in result.items], resource="client")
    return result


async def load_clients(
    uow: UnitOfWork, principal: Principal, ids: Sequence[uuid.UUID]
) -> list[Account | None]:
    """Clients by id, in order, for DataLoaders: one query, audited as one batch."""
    rows = await uow.session.execute(clients_query(principal).where(Account.id.in_(ids)))
    found = in_order(rows.scalars(), ids, lambda c: c.id)
    audit.record_client_reads(uow, principal, {c.id for c in found if c}, resource="client")
    return found
