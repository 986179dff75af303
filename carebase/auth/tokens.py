"""Signed JWTs (joserfc) and the random secrets we store only as hashes."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey

ACCESS_TTL_SECONDS = 15 * 60
ISSUER = "carebase"


def random_token(prefix: str = "", nbytes: int = 32) -> str:
    return prefix + secrets.token_urlsafe(nbytes)


def hash_secret(secret: str) -> str:
    """Secrets are high-entropy random strings, so a plain SHA-256 is the right hash."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class AccessClaims:
    subject: str  # account id (user) or OAuth client row id
    kind: str  # "user" | "oauth"
    session_id: str | None
    organization_id: str
    scopes: tuple[str, ...] | None
    expires_at: int


class TokenSigner:
    def __init__(self, secret_key: str) -> None:
        self._key = OctKey.import_key(hashlib.sha256(secret_key.encode()).digest())

    def issue(
        self,
        *,
        subject: str,
        kind: str,
        organization_id: str,
        session_id: str | None = None,
        scopes: tuple[str, ...] | None = None,
        ttl: int = ACCESS_TTL_SECONDS,
    ) -> tuple[str, int]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "sub": subject,
            "typ": kind,
            "org": organization_id,
            "iat": now,
            "exp": now + ttl,
        }
        if session_id:
            claims["sid"] = session_id
        if scopes is not None:
            claims["scope"] = " ".join(scopes)
        return jwt.encode({"alg": "HS256"}, claims, self._key), ttl

    def verify(self, token: str) -> AccessClaims | None:
        try:
            decoded = jwt.decode(token, self._key, algorithms=["HS256"])
            jwt.JWTClaimsRegistry(
                iss={"essential": True, "value": ISSUER},
                exp={"essential": True},
                sub={"essential": True},
            ).validate(decoded.claims)
        except (JoseError, ValueError):
            return None
        c = decoded.claims
        scope = c.get("scope")
        return AccessClaims(
            subject=str(c["sub"]),
            kind=str(c.get("typ", "user")),
            session_id=c.get("sid"),
            organization_id=str(c.get("org", "")),
            scopes=tuple(scope.split()) if isinstance(scope, str) else None,
            expires_at=int(c["exp"]),
        )
