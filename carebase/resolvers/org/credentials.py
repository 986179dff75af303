"""API keys and OAuth clients: machine credentials that act as the member who made them."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from carebase.auth.credential_cache import announce
from carebase.auth.policy import org_id, require_manager
from carebase.auth.principal import Principal
from carebase.auth.scopes import validate_scopes
from carebase.auth.tokens import hash_secret, random_token
from carebase.db import UnitOfWork
from carebase.errors import forbidden, not_found
from carebase.models import ApiKey, OAuthClient
from carebase.resolvers.core.checks import check_name
from carebase.resolvers.core.pagination import Order, Page, PageRequest, asc, desc, paginate

OAUTH_TOKEN_TTL = 3600


def _require_user_manager(principal: Principal) -> None:
    require_manager(principal, "settings")
    if principal.kind != "user":
        # a credential must not mint further credentials: keys trace back to a person
        raise forbidden("Only a signed-in owner or admin may create credentials")


async def create_api_key(
    uow: UnitOfWork, principal: Principal, *, name: str, scopes: list[str]
) -> tuple[ApiKey, str]:
    _require_user_manager(principal)
    assert principal.account_id and principal.role
    secret = random_token("cbk_")
    key = ApiKey(
        organization_id=org_id(principal),
        created_by_id=principal.account_id,
        name=check_name(name),
        secret_hash=hash_secret(secret),
        scopes=validate_scopes(scopes, principal.role),
    )
    uow.session.add(key)
    await uow.session.flush()
    return key, secret


async def revoke_api_key(uow: UnitOfWork, principal: Principal, key_id: uuid.UUID) -> ApiKey:
    require_manager(principal, "settings")
    key = (
        await uow.session.execute(
            select(ApiKey).where(ApiKey.id == key_id, ApiKey.organization_id == org_id(principal))
        )
    ).scalar_one_or_none()
    if key is None:
        raise not_found("No such API key", "id")
    if key.revoked_at is None:
        key.revoked_at = uow.now()
        announce(uow, api_keys=[key.id])
    return key


async def list_api_keys(
    uow: UnitOfWork, principal: Principal, *, page: PageRequest
) -> Page[ApiKey]:
    require_manager(principal, "settings")
    stmt = select(ApiKey).where(ApiKey.organization_id == org_id(principal))
    return await paginate(
        uow, stmt, page, Order("api_keys", desc(ApiKey.created_at), asc(ApiKey.id))
    )


async def create_oauth_client(
    uow: UnitOfWork, principal: Principal, *, name: str, scopes: list[str]
) -> tuple[OAuthClient, str]:
    _require_user_manager(principal)
    assert principal.account_id and principal.role
    secret = random_token("cbs_")
    client = OAuthClient(
        organization_id=org_id(principal),
        created_by_id=principal.account_id,
        client_id=random_token("cbo_", 12),
        secret_hash=hash_secret(secret),
        name=check_name(name),
        scopes=validate_scopes(scopes, principal.role),
    )
    uow.session.add(client)
    await uow.session.flush()
    return client, secret


async def find_oauth_client(uow: UnitOfWork, client_id: str) -> OAuthClient | None:
    return (
        await uow.session.execute(
            select(OAuthClient).where(
                OAuthClient.client_id == client_id, OAuthClient.revoked_at.is_(None)
            )
        )
    ).scalar_one_or_none()


async def revoke_oauth_client(
    uow: UnitOfWork, principal: Principal, client_id: uuid.UUID
) -> OAuthClient:
    """Its tokens stop working at once: every request checks the client is not revoked."""
    require_manager(principal, "settings")
    client = (
        await uow.session.execute(
            select(OAuthClient).where(
                OAuthClient.id == client_id, OAuthClient.organization_id == org_id(principal)
            )
        )
    ).scalar_one_or_none()
    if client is None:
        raise not_found("No such OAuth client", "id")
    if client.revoked_at is None:
        client.revoked_at = uow.now()
        announce(uow, oauth_clients=[client.id])
    return client


NEWEST_CLIENTS = Order("oauth_clients", desc(OAuthClient.created_at), asc(OAuthClient.id))


async def list_oauth_clients(
    uow: UnitOfWork, principal: Principal, *, page: PageRequest
) -> Page[OAuthClient]:
    require_manager(principal, "settings")
    stmt = select(OAuthClient).where(OAuthClient.organization_id == org_id(principal))
    return await paginate(uow, stmt, page, NEWEST_CLIENTS)
