"""The manage-booking link: a signed token naming one appointment, emailed to its client, that
opens the widget's manage view at ``{CAREBASE_PUBLIC_URL}/widget/manage?token=…``."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from carebase.auth.tokens import TokenSigner
from carebase.config import Settings
from carebase.db import UnitOfWork
from carebase.models import Appointment

KIND = "manage-booking"
TTL_SECONDS = 400 * 24 * 3600  # past any booking horizon


def _signer(settings: Settings) -> TokenSigner:
    # a key of its own: a manage token is never an access token, nor the other way round
    return TokenSigner(settings.secret_key.get_secret_value() + ":" + KIND)


def manage_token(settings: Settings, appointment: Appointment) -> str:
    token, _ = _signer(settings).issue(
        subject=str(appointment.id),
        kind=KIND,
        organization_id=str(appointment.organization_id),
        ttl=TTL_SECONDS,
    )
    return token


def manage_link(uow: UnitOfWork, appointment: Appointment) -> str:
    query = urlencode({"token": manage_token(uow.settings, appointment)})
    return f"{uow.settings.public_url}/widget/manage?{query}"


def appointment_of(settings: Settings, token: str) -> tuple[uuid.UUID, uuid.UUID] | None:
    """(organization id, appointment id) a valid token names, else None."""
    claims = _signer(settings).verify(token.strip())
    if claims is None or claims.kind != KIND:
        return None
    try:
        return uuid.UUID(claims.organization_id), uuid.UUID(claims.subject)
    except ValueError:
        return None
