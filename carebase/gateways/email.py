"""SMTP delivery: plain, STARTTLS or implicit TLS, from ``CAREBASE_SMTP_URL``."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import unquote, urlsplit


def send_smtp(
    url: str, *, sender: str, to: str, subject: str, body: str, timeout: float = 20.0
) -> str:
    """Send one message; returns its Message-ID. Raises OSError/SMTPException on failure."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="carebase")
    message.set_content(body)
    smtp: smtplib.SMTP
    if parts.scheme == "smtps":
        smtp = smtplib.SMTP_SSL(
            host, parts.port or 465, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        smtp = smtplib.SMTP(host, parts.port or 25, timeout=timeout)
    with smtp:
        if parts.scheme == "smtp+starttls":
            smtp.starttls(context=ssl.create_default_context())
        if parts.username:
            smtp.login(unquote(parts.username), unquote(parts.password or ""))
        smtp.send_message(message)
    return str(message["Message-ID"])
