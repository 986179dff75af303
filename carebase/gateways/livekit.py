"""Built-in video rooms on a LiveKit server: short-lived room tokens (``livekit-api``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from livekit import api

from carebase.config import Settings


def room_token(
    settings: Settings, *, room: str, identity: str, expires_at: datetime, host: bool
) -> str:
    ttl = max(expires_at - datetime.now(UTC), timedelta(minutes=1))
    grants = api.VideoGrants(room_join=True, room=room, room_admin=host or None)
    token = (
        api.AccessToken(settings.livekit_api_key, settings.livekit_api_secret.get_secret_value())
        .with_identity(identity)
        .with_grants(grants)
        .with_ttl(ttl)
    )
    return str(token.to_jwt())
