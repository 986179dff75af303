"""Who may do what, and the one helper that scopes practice queries to the principal."""

from __future__ import annotations

import uuid
from typing import Any, Protocol

from sqlalchemy import Select, false
from sqlalchemy.orm import InstrumentedAttribute

from carebase.auth.principal import Principal
from carebase.auth.scopes import MANAGER_READ_AREAS, MANAGER_WRITE_AREAS, allows
from carebase.errors import DomainError, ErrorCode, forbidden, unauthenticated
from carebase.models.accounts import Role


class Tenanted(Protocol):
    organization_id: InstrumentedAttribute[uuid.UUID]


def require_authenticated(principal: Principal) -> None:
    if principal.kind == "publishable":
        raise forbidden("A publishable key reaches only the public booking operations")
    if not principal.is_authenticated:
        raise unauthenticated_for(principal)


def unauthenticated_for(principal: Principal) -> DomainError:
    if principal.rejected:
        return DomainError(ErrorCode.UNAUTHENTICATED, principal.rejected)
    return unauthenticated()


def refuse_rejected(principal: Principal) -> None:
    """A credential was presented and not accepted (invalid, expired, revoked): the answer is
    UNAUTHENTICATED, never what a caller without credentials would get."""
    if principal.rejected:
        raise unauthenticated_for(principal)


def require_publishable(principal: Principal, message: str) -> None:
    """The widget's operations: without any credential, UNAUTHENTICATED (as for a wrong key);
    another kind of credential is FORBIDDEN."""
    if principal.kind == "publishable" and principal.organization_id is not None:
        return
    if not principal.is_authenticated:
        raise (
            unauthenticated_for(principal)
            if principal.rejected
            else DomainError(ErrorCode.UNAUTHENTICATED, message)
        )
    raise forbidden(message)


def require_member(principal: Principal, area: str, *, write: bool = False) -> None:
    """A member of the organization, with the area's scope; managers only for manager areas."""
    require_authenticated(principal)
    if not principal.is_member:
        raise forbidden("Only members of the practice may do that")
    restricted = MANAGER_WRITE_AREAS if write else MANAGER_READ_AREAS
    if area in restricted and not (principal.role and principal.role.manages):
        raise forbidden("Only owners and admins may do that")
    if not allows(principal.scopes, area, write=write):
        raise forbidden(f"This credential lacks the {area}:{'write' if write else 'read'} scope")


def require_reader(principal: Principal, area: str) -> None:
    """A client reads their own (the caller limits which rows); a member, API key or OAuth
    client needs the area's read scope."""
    require_authenticated(principal)
    if not principal.is_client:
        require_member(principal, area)


def sees_member_details(principal: Principal) -> bool:
    """A member's email and role are for the practice's members (and their keys); clients,
    the widget and anonymous callers see of a member only the name."""
    return principal.is_member


def require_manager(principal: Principal, area: str = "settings") -> None:
    require_member(principal, area, write=True)
    if not (principal.role and principal.role.manages):
        raise forbidden("Only owners and admins may do that")


def require_client_access(principal: Principal, client_id: uuid.UUID, *, write: bool) -> None:
    """Members reach every client of their organization (the caller scopes by organization);
    a client reaches only themself."""
    require_authenticated(principal)
    if principal.is_client:
        if principal.client_id != client_id:
            raise forbidden()
        return
    require_member(principal, "clients", write=write)


def org_id(principal: Principal) -> uuid.UUID:
    require_authenticated(principal)
    assert principal.organization_id is not None
    return principal.organization_id


def scoped(
    stmt: Select[Any],
    principal: Principal,
    organization_column: Any,
    client_column: Any | None = None,
) -> Select[Any]:
    """Limit a query for practice data to what the principal may read.

    Every query over practice data passes through here: the organization always, and for a
    client principal only rows of that client (a table without a client column is closed
    to clients unless the caller says otherwise by passing ``client_column=False``).
    """
    if principal.organization_id is None:
        return stmt.where(false())
    stmt = stmt.where(organization_column == principal.organization_id)
    if principal.role is Role.CLIENT:
        if client_column is None:
            return stmt.where(false())
        if client_column is not False:
            stmt = stmt.where(client_column == principal.client_id)
    return stmt
