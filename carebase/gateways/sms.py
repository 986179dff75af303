"""SMS through Twilio's Messages API (the official ``twilio`` package), in plain values."""

from __future__ import annotations

from twilio.rest import Client

from carebase.config import Settings


def twilio_configured(settings: Settings) -> bool:
    return bool(
        settings.twilio_account_sid
        and settings.twilio_auth_token.get_secret_value()
        and settings.twilio_from_number
    )


def send_sms(settings: Settings, *, to: str, body: str) -> str:
    """Send one message; returns Twilio's message SID. Raises on failure (blocking: run it
    in a thread)."""
    client = Client(settings.twilio_account_sid, settings.twilio_auth_token.get_secret_value())
    if settings.twilio_api_base:
        client.api.base_url = settings.twilio_api_base.rstrip("/")
    message = client.messages.create(to=to, from_=settings.twilio_from_number, body=body)
    return str(message.sid)
