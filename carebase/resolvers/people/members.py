"""Members of a practice: invitations, the member list, who may see a member's details, and
accounts loaded by id."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from carebase.auth.policy import (
    org_id,
    require_authenticated,
    require_manager,
    require_member,
    sees_member_details,
)
from carebase.auth.principal import Principal
from carebase.db import UnitOfWork
from carebase.errors import DomainError, ErrorCode, invalid
from carebase.models import MEMBER_ROLES, Account, Organization, Role
from carebase.resolvers.core.checks import check_email, check_name
from carebase.resolvers.core.pagination import (
    Order,
    Page,
    PageRequest,
    asc,
    in_order,
    paginate,
)
from carebase.resolvers.people.sessions import send_invitation

INVITABLE = (Role.ADMIN, Role.PROVIDER, Role.STAFF)


async def email_taken(uow: UnitOfWork, organization_id: uuid.UUID, email: str) -> bool:
    found = await uow.session.execute(
        select(Account.id).where(Account.organization_id == organization_id, Account.email == email)
    )
    return found.first() is not None


async def insert_account(uow: UnitOfWork, account: Account) -> Account:
    """Insert under a savepoint so a racing duplicate email becomes EMAIL_TAKEN, not a 500."""
    try:
        async with uow.session.begin_nested():
            uow.session.add(account)
            await uow.session.flush()
    except IntegrityError:
        raise DomainError(
            ErrorCode.EMAIL_TAKEN, "An account with this email already exists", "email"
        ) from None
    return account


async def invite_member(
    uow: UnitOfWork, principal: Principal, *, name: str, email: str, role: Role
) -> Account:
    require_manager(principal, "members")
    if role not in INVITABLE:
        raise invalid("Invite an ADMIN, PROVIDER or STAFF member", "role")
    organization = await uow.session.get_one(Organization, org_id(principal))
    email = check_email(email)
    if await email_taken(uow, organization.id, email):
        raise DomainError(
            ErrorCode.EMAIL_TAKEN, "An account with this email already exists", "email"
        )
    member = await insert_account(
        uow,
        Account(
            organization_id=organization.id,
            email=email,
            name=check_name(name),
            role=role,
            timezone=organization.timezone,
        ),
    )
    await send_invitation(uow, member, organization)
    return member


async def list_members(
    uow: UnitOfWork, principal: Principal, *, page: PageRequest
) -> Page[Account]:
    require_member(principal, "members")
    stmt = select(Account).where(
        Account.organization_id == org_id(principal), Account.role.in_(MEMBER_ROLES)
    )
    return await paginate(uow, stmt, page, Order("members", asc(Account.name), asc(Account.id)))


async def load_members(
    uow: UnitOfWork, principal: Principal, ids: Sequence[uuid.UUID]
) -> list[Account | None]:
    """Members by id, in order; the organization's clients may see who their providers are."""
    require_authenticated(principal)
    rows = await uow.session.execute(
        select(Account).where(
            Account.id.in_(ids),
            Account.organization_id == principal.organization_id,
            Account.role.in_(MEMBER_ROLES),
        )
    )
    return in_order(rows.scalars(), ids, lambda a: a.id)


def shows_member_details(principal: Principal, *, own: bool) -> bool:
    """Whether ``Member.email`` and ``Member.role`` answer: always of the caller's own
    account, else only to the practice's members (and their keys)."""
    return own or sees_member_details(principal)


async def load_accounts(
    uow: UnitOfWork, principal: Principal, ids: Sequence[uuid.UUID]
) -> list[Account | None]:
    """Accounts of the caller's organization by id, members and clients alike (a message's
    sender, who filled a form), in order, for DataLoaders."""
    rows = await uow.session.execute(
        select(Account).where(
            Account.id.in_(ids), Account.organization_id == principal.organization_id
        )
    )
    return in_order(rows.scalars(), ids, lambda a: a.id)
