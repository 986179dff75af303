"""Signed file links: ``/files/{token}`` URLs that open one document for one account for 15
minutes, with no other credential. The token names the document's kind and id, the
organization, the account it was handed to and its expiry, and carries an HMAC over all of
them under a key derived from CAREBASE_SECRET_KEY."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from carebase.config import Settings

FileKind = Literal["cms1500", "superbill", "receipt"]
KINDS: tuple[FileKind, ...] = ("cms1500", "superbill", "receipt")
LIFETIME = timedelta(minutes=15)
ROUTE = "/files/"


class LinkRefused(Exception):
    """A token that is not ours (403) or no longer valid (410)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class FileGrant:
    kind: FileKind
    object_id: uuid.UUID
    organization_id: uuid.UUID
    audience_id: uuid.UUID  # the account the link was handed to
    expires_at: datetime


@dataclass(frozen=True)
class SignedLink:
    url: str
    expires_at: datetime


def _key(settings: Settings) -> bytes:
    material = b"carebase file links\x00" + settings.secret_key.get_secret_value().encode()
    return hashlib.sha256(material).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _message(grant: FileGrant) -> bytes:
    return ":".join(
        [
            grant.kind,
            grant.object_id.hex,
            grant.organization_id.hex,
            grant.audience_id.hex,
            str(int(grant.expires_at.timestamp())),
        ]
    ).encode()


def sign(settings: Settings, grant: FileGrant) -> str:
    message = _message(grant)
    mac = hmac.new(_key(settings), message, hashlib.sha256).digest()
    return f"{_b64(message)}.{_b64(mac)}"


def issue(
    settings: Settings,
    *,
    kind: FileKind,
    object_id: uuid.UUID,
    organization_id: uuid.UUID,
    audience_id: uuid.UUID,
    now: datetime,
) -> SignedLink:
    # whole seconds: what the token carries is what expiresAt says
    expires = (now + LIFETIME).replace(microsecond=0)
    grant = FileGrant(kind, object_id, organization_id, audience_id, expires)
    return SignedLink(
        url=f"{settings.public_url}{ROUTE}{sign(settings, grant)}", expires_at=expires
    )


def verify(settings: Settings, token: str, *, now: datetime) -> FileGrant:
    """The grant a token carries; LinkRefused(403) for one we did not sign, (410) once expired."""
    encoded, _, signature = token.partition(".")
    try:
        message = _unb64(encoded)
        mac = _unb64(signature)
    except (binascii.Error, ValueError):
        raise LinkRefused(403, "This link is not valid.") from None
    expected = hmac.new(_key(settings), message, hashlib.sha256).digest()
    if not signature or not hmac.compare_digest(mac, expected):
        raise LinkRefused(403, "This link is not valid.")
    try:
        kind, object_id, org_id, audience, expiry = message.decode().split(":")
        if kind not in KINDS:
            raise ValueError(kind)
        grant = FileGrant(
            kind,
            uuid.UUID(hex=object_id),
            uuid.UUID(hex=org_id),
            uuid.UUID(hex=audience),
            datetime.fromtimestamp(int(expiry), UTC),
        )
    except ValueError:
        raise LinkRefused(403, "This link is not valid.") from None
    if now >= grant.expires_at:
        raise LinkRefused(410, "This link has expired; ask for a new one.")
    return grant
