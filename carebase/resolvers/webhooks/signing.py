"""Signing secrets: made once (``whsec_`` and 24 random bytes in base64), shown once, kept
sealed under CAREBASE_SECRET_KEY (signing needs the secret itself, so no hash will do); and
the Standard Webhooks headers of one attempt."""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import datetime

from cryptography.fernet import Fernet
from standardwebhooks import Webhook

from carebase.config import Settings

PREFIX = "whsec_"


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def _box(settings: Settings) -> Fernet:
    material = (
        b"carebase webhook signing secrets\x00" + settings.secret_key.get_secret_value().encode()
    )
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(material).digest()))


def seal(settings: Settings, secret: str) -> str:
    return _box(settings).encrypt(secret.encode()).decode()


def unseal(settings: Settings, sealed: str) -> str:
    return _box(settings).decrypt(sealed.encode()).decode()


def signed_headers(secret: str, message_id: str, at: datetime, body: str) -> dict[str, str]:
    """``webhook-id`` (the same on every attempt of an event), ``webhook-timestamp`` (this
    attempt's, whole seconds) and ``webhook-signature`` (``v1,<base64>``)."""
    signature = Webhook(secret).sign(msg_id=message_id, timestamp=at, data=body)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
    }
