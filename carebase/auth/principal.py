"""Who a request acts as: resolved once at the edge, read everywhere after."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Literal

from carebase.models.accounts import Role

PrincipalKind = Literal["anonymous", "user", "api_key", "oauth", "publishable"]


@dataclass(frozen=True)
class Principal:
    kind: PrincipalKind = "anonymous"
    organization_id: uuid.UUID | None = None
    # the acting account: the user, or the member who created the key or OAuth client
    account_id: uuid.UUID | None = None
    role: Role | None = None
    # None means unrestricted (a signed-in user); keys and OAuth clients carry their scopes
    scopes: frozenset[str] | None = None
    session_id: uuid.UUID | None = None
    api_key_id: uuid.UUID | None = None
    oauth_client_id: uuid.UUID | None = None
    ip: str | None = None
    expires_at: int | None = None
    # why presented credentials were not accepted, for the UNAUTHENTICATED message
    rejected: str | None = None

    @property
    def is_authenticated(self) -> bool:
        return self.kind in ("user", "api_key", "oauth")

    @property
    def is_member(self) -> bool:
        return self.is_authenticated and self.role is not None and self.role.is_member

    @property
    def is_client(self) -> bool:
        return self.kind == "user" and self.role is Role.CLIENT

    @property
    def client_id(self) -> uuid.UUID | None:
        return self.account_id if self.is_client else None


ANONYMOUS = Principal()
