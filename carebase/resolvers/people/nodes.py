"""What ``node`` reads of the people area: clients and members."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from carebase.auth.policy import org_id, require_authenticated, require_member
from carebase.auth.principal import Principal
from carebase.models import MEMBER_ROLES, Account
from carebase.resolvers.core.lookups import clients_query
from carebase.resolvers.core.nodes import NodeSource


def _clients(principal: Principal) -> Select[Any]:
    require_authenticated(principal)
    if not principal.is_client:
        require_member(principal, "clients")
    stmt: Select[Any] = clients_query(principal)
    return stmt


def _members(principal: Principal) -> Select[Any]:
    # clients see who their providers are; members and keys need members:read
    require_authenticated(principal)
    if not principal.is_client:
        require_member(principal, "members")
    return select(Account).where(
        Account.organization_id == org_id(principal), Account.role.in_(MEMBER_ROLES)
    )


CLIENTS = NodeSource(Account.id, _clients, audited="client", client_id=Account.id)
MEMBERS = NodeSource(Account.id, _members)
