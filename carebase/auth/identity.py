"""Turn presented credentials into a Principal: user JWT, OAuth JWT, API key, publishable key."""

from __future__ import annotations

import ipaddress
import uuid

from sqlalchemy import select

from carebase.auth.credential_cache import CredentialCache
from carebase.auth.principal import ANONYMOUS, Principal
from carebase.auth.tokens import AccessClaims, TokenSigner, hash_secret
from carebase.config import Settings
from carebase.db import Database
from carebase.models import Account, ApiKey, AuthSession, OAuthClient, Organization

API_KEY_PREFIX = "cbk_"
PUBLISHABLE_PREFIX = "pk_"


class Authenticator:
    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings
        self.signer = TokenSigner(settings.secret_key.get_secret_value())
        # opened by the app's lifespan on its pub/sub port (closed: nothing is cached)
        self.cache = CredentialCache(db.clock)

    async def resolve(
        self, *, authorization: str | None, publishable_key: str | None, ip: str | None
    ) -> Principal:
        token = _bearer(authorization)
        if token is None and authorization:
            return Principal(ip=ip, rejected="Authorization must be 'Bearer <token>'")
        if token:
            if token.startswith(API_KEY_PREFIX):
                return await self._api_key(token, ip)
            return await self._jwt(token, ip)
        if publishable_key:
            return await self._publishable(publishable_key.strip(), ip)
        return Principal(ip=ip)

    async def _api_key(self, secret: str, ip: str | None) -> Principal:
        key_hash = hash_secret(secret)
        cached = await self.cache.get(key_hash, ip=ip)
        if cached is not None:
            return cached
        generation = self.cache.generation
        principal = await self._api_key_from_db(key_hash, ip)
        if principal.is_authenticated:
            self.cache.put(key_hash, principal, generation=generation)
        return principal

    async def _api_key_from_db(self, key_hash: str, ip: str | None) -> Principal:
        async with self.db.sessionmaker() as session:
            row = (
                await session.execute(
                    select(ApiKey, Account)
                    .join(Account, Account.id == ApiKey.created_by_id)
                    .where(ApiKey.secret_hash == key_hash, ApiKey.revoked_at.is_(None))
                )
            ).first()
        if row is None:
            return Principal(ip=ip, rejected="The API key is unknown or revoked")
        key, creator = row
        return Principal(
            kind="api_key",
            organization_id=key.organization_id,
            account_id=creator.id,
            role=creator.role,
            scopes=frozenset(key.scopes),
            api_key_id=key.id,
            ip=ip,
        )

    async def _jwt(self, token: str, ip: str | None) -> Principal:
        claims = self.signer.verify(token)
        if claims is None:
            return Principal(ip=ip, rejected="The access token is invalid or has expired")
        try:
            subject = uuid.UUID(claims.subject)
            org = uuid.UUID(claims.organization_id)
        except ValueError:
            return Principal(ip=ip, rejected="The access token is invalid or has expired")
        # the signature and expiry are checked above on every request; only the lookup is kept
        key = hash_secret(token)
        cached = await self.cache.get(key, ip=ip)
        if cached is not None:
            return cached
        generation = self.cache.generation
        principal = await self._jwt_from_db(claims, subject, org, ip)
        if principal.is_authenticated:
            self.cache.put(key, principal, generation=generation)
        return principal

    async def _jwt_from_db(
        self, claims: AccessClaims, subject: uuid.UUID, org: uuid.UUID, ip: str | None
    ) -> Principal:
        async with self.db.sessionmaker() as session:
            if claims.kind == "oauth":
                row = (
                    await session.execute(
                        select(OAuthClient, Account)
                        .join(Account, Account.id == OAuthClient.created_by_id)
                        .where(OAuthClient.id == subject, OAuthClient.revoked_at.is_(None))
                    )
                ).first()
                if row is None:
                    return Principal(ip=ip, rejected="The OAuth client is unknown or revoked")
                client, creator = row
                return Principal(
                    kind="oauth",
                    organization_id=client.organization_id,
                    account_id=creator.id,
                    role=creator.role,
                    scopes=frozenset(claims.scopes or ()),
                    oauth_client_id=client.id,
                    ip=ip,
                    expires_at=claims.expires_at,
                )
            if not claims.session_id:
                return Principal(ip=ip, rejected="The access token is invalid or has expired")
            found = (
                await session.execute(
                    select(Account)
                    .join(AuthSession, AuthSession.account_id == Account.id)
                    .where(
                        AuthSession.id == uuid.UUID(claims.session_id),
                        AuthSession.revoked_at.is_(None),
                        Account.id == subject,
                        Account.organization_id == org,
                        Account.archived_at.is_(None),
                    )
                )
            ).scalar_one_or_none()
        if found is None:
            return Principal(ip=ip, rejected="The session has ended; sign in again")
        return Principal(
            kind="user",
            organization_id=found.organization_id,
            account_id=found.id,
            role=found.role,
            session_id=uuid.UUID(claims.session_id),
            ip=ip,
            expires_at=claims.expires_at,
        )

    async def still_valid(self, principal: Principal) -> bool:
        """Whether a credential accepted earlier still stands (for long-lived sockets)."""
        async with self.db.sessionmaker() as session:
            if principal.session_id is not None:
                stmt = select(AuthSession.id).where(
                    AuthSession.id == principal.session_id, AuthSession.revoked_at.is_(None)
                )
            elif principal.api_key_id is not None:
                stmt = select(ApiKey.id).where(
                    ApiKey.id == principal.api_key_id, ApiKey.revoked_at.is_(None)
                )
            elif principal.oauth_client_id is not None:
                stmt = select(OAuthClient.id).where(
                    OAuthClient.id == principal.oauth_client_id, OAuthClient.revoked_at.is_(None)
                )
            else:
                return False
            return (await session.execute(stmt)).first() is not None

    async def _publishable(self, key: str, ip: str | None) -> Principal:
        if not key.startswith(PUBLISHABLE_PREFIX):
            return Principal(ip=ip, rejected="The publishable key is unknown")
        async with self.db.sessionmaker() as session:
            org_id = (
                await session.execute(
                    select(Organization.id).where(Organization.publishable_key == key)
                )
            ).scalar_one_or_none()
        if org_id is None:
            return Principal(ip=ip, rejected="The publishable key is unknown")
        return Principal(kind="publishable", organization_id=org_id, ip=ip)


def _bearer(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def client_ip(peer: str | None, forwarded_for: str | None, settings: Settings) -> str | None:
    """The caller's address: ``X-Forwarded-For`` is believed only from trusted proxies."""
    if not peer or not forwarded_for or not settings.trusted_proxies:
        return peer
    chain = [peer] + [p.strip() for p in reversed(forwarded_for.split(",")) if p.strip()]
    for hop in chain:
        try:
            address = ipaddress.ip_address(hop)
        except ValueError:
            return hop
        if not any(address in net for net in settings.trusted_proxies):
            return hop
    return chain[-1]


__all__ = ["ANONYMOUS", "Authenticator", "client_ip"]
