"""Sending an invitation again, to a client or a member who has not accepted one yet."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from carebase.auth.policy import org_id, require_manager, require_member
from carebase.auth.principal import Principal
from carebase.db import UnitOfWork
from carebase.errors import invalid, not_found
from carebase.hooks import InvitationResent
from carebase.models import MEMBER_ROLES, Account, Organization
from carebase.resolvers.core import audit
from carebase.resolvers.core.lookups import get_client
from carebase.resolvers.people.sessions import send_invitation


async def resend_invitation(
    uow: UnitOfWork,
    principal: Principal,
    *,
    client_id: uuid.UUID | None = None,
    member_id: uuid.UUID | None = None,
) -> Account:
    """A fresh link (the older one stops working); a client's carries the intake link while
    forms are pending. Members who manage clients invite clients; managers invite members."""
    if (client_id is None) == (member_id is None):
        raise invalid("Give a clientId or a memberId", "clientId" if client_id else "memberId")
    if client_id is not None:
        require_member(principal, "clients", write=True)
        account = await get_client(uow, principal, client_id, audit_read=False)
        field = "clientId"
    else:
        require_manager(principal, "members")
        account = await _member(uow, principal, member_id)
        field = "memberId"
    if account.password_hash is not None or account.invitation_accepted_at is not None:
        raise invalid("This invitation was accepted already", field)
    if account.archived_at is not None:
        raise invalid("An archived client cannot be invited", field)
    organization = await uow.session.get_one(Organization, account.organization_id)
    answers = await uow.emit(InvitationResent(principal, account, organization))
    paragraphs = [a for a in answers if isinstance(a, str) and a]
    await send_invitation(uow, account, organization, extra="\n\n".join(paragraphs) or None)
    if client_id is not None:
        audit.record(
            uow,
            principal,
            action="write",
            resource="client",
            resource_id=account.id,
            client_id=account.id,
            operation="resendInvitation",
        )
    return account


async def _member(uow: UnitOfWork, principal: Principal, member_id: uuid.UUID | None) -> Account:
    found = (
        await uow.session.execute(
            select(Account).where(
                Account.id == member_id,
                Account.organization_id == org_id(principal),
                Account.role.in_(MEMBER_ROLES),
            )
        )
    ).scalar_one_or_none()
    if found is None:
        raise not_found("No such member", "memberId")
    return found
