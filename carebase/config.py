"""Settings, read once from ``CAREBASE_*`` environment variables."""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

DEFAULT_SQLITE_FILE = "carebase.sqlite3"


class SettingsError(ValueError):
    """A setting has a value Carebase cannot use; the message is one line naming it."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    env: Literal["development", "production"] = "development"
    secret_key: str = ""
    broker_url: str = ""
    pubsub_url: str = ""
    smtp_url: str = ""
    email_from: str = "Carebase <no-reply@carebase.local>"
    portal_url: str = "http://localhost:3000"
    scheduler_interval_seconds: float = 30.0
    allowed_origins: tuple[str, ...] = ()
    trusted_proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    password_hash_cost: int = 3
    stripe_secret_key: str = ""
    stripe_api_base: str = ""
    stripe_webhook_secret: str = ""
    zoom_account_id: str = ""
    zoom_client_id: str = ""
    zoom_client_secret: str = ""
    zoom_api_base: str = "https://api.zoom.us/v2"
    zoom_oauth_url: str = "https://zoom.us/oauth/token"
    livekit_url: str = ""
    livekit_api_key: str = ""
    livekit_api_secret: str = ""
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    twilio_from_number: str = ""
    twilio_api_base: str = ""
    # log-in and password-reset throttling (carebase/resolvers/sessions.py)
    login_max_failures: int = 10
    login_window_seconds: float = 900.0
    login_max_per_address: int = 30
    login_slowdown_seconds: float = 5.0
    password_reset_per_email: int = 3
    password_reset_per_address: int = 10
    # the web process's guards against slow or oversized requests (see carebase/server.py)
    max_body_bytes: int = 1_048_576
    request_head_timeout_seconds: float = 10.0
    request_body_timeout_seconds: float = 30.0
    max_concurrency: int = 1000
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def in_process_jobs(self) -> bool:
        return not self.broker_url

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ

        def get(name: str, default: str = "") -> str:
            return env.get(f"CAREBASE_{name}", default).strip()

        mode = get("ENV", "development")
        if mode not in ("development", "production"):
            raise SettingsError(f"CAREBASE_ENV must be 'development' or 'production', not {mode!r}")
        database_url = normalize_database_url(get("DATABASE_URL"))
        secret_key = get("SECRET_KEY")
        if mode == "production" and len(secret_key) < 32:
            raise SettingsError(
                "CAREBASE_SECRET_KEY is required in production (at least 32 characters)"
            )
        if not secret_key:
            secret_key = _development_secret(database_url)
        broker_url = get("BROKER_URL")
        if broker_url and urlsplit(broker_url).scheme not in ("redis", "rediss", "amqp", "amqps"):
            raise SettingsError("CAREBASE_BROKER_URL must be empty, redis://… or amqp://…")
        pubsub_url = get("PUBSUB_URL")
        if pubsub_url and urlsplit(pubsub_url).scheme not in ("redis", "rediss"):
            raise SettingsError("CAREBASE_PUBSUB_URL must be empty or redis://…")
        smtp_url = get("SMTP_URL")
        if smtp_url and urlsplit(smtp_url).scheme not in ("smtp", "smtp+starttls", "smtps"):
            raise SettingsError(
                "CAREBASE_SMTP_URL must be empty, smtp://host:port, "
                "smtp+starttls://user:pass@host:587 or smtps://…"
            )
        portal_url = get("PORTAL_URL", "http://localhost:3000").rstrip("/")
        if urlsplit(portal_url).scheme not in ("http", "https"):
            raise SettingsError("CAREBASE_PORTAL_URL must be an http(s) URL")
        return cls(
            database_url=database_url,
            env=mode,  # type: ignore[arg-type]
            secret_key=secret_key,
            broker_url=broker_url,
            pubsub_url=pubsub_url,
            smtp_url=smtp_url,
            email_from=get("EMAIL_FROM", "Carebase <no-reply@carebase.local>"),
            portal_url=portal_url,
            scheduler_interval_seconds=_number(
                "SCHEDULER_INTERVAL_SECONDS", get("SCHEDULER_INTERVAL_SECONDS", "30"), 0.05
            ),
            allowed_origins=tuple(
                o.strip().rstrip("/") for o in get("ALLOWED_ORIGINS").split(",") if o.strip()
            ),
            trusted_proxies=_networks(get("TRUSTED_PROXIES")),
            password_hash_cost=int(
                _number("PASSWORD_HASH_COST", get("PASSWORD_HASH_COST", "3"), 1, whole=True)
            ),
            stripe_secret_key=get("STRIPE_SECRET_KEY"),
            stripe_api_base=get("STRIPE_API_BASE"),
            stripe_webhook_secret=get("STRIPE_WEBHOOK_SECRET"),
            zoom_account_id=get("ZOOM_ACCOUNT_ID"),
            zoom_client_id=get("ZOOM_CLIENT_ID"),
            zoom_client_secret=get("ZOOM_CLIENT_SECRET"),
            zoom_api_base=get("ZOOM_API_BASE", "https://api.zoom.us/v2").rstrip("/"),
            zoom_oauth_url=get("ZOOM_OAUTH_URL", _zoom_oauth_default(get("ZOOM_API_BASE"))),
            livekit_url=get("LIVEKIT_URL"),
            livekit_api_key=get("LIVEKIT_API_KEY"),
            livekit_api_secret=get("LIVEKIT_API_SECRET"),
            twilio_account_sid=get("TWILIO_ACCOUNT_SID"),
            twilio_auth_token=get("TWILIO_AUTH_TOKEN"),
            twilio_from_number=get("TWILIO_FROM_NUMBER"),
            twilio_api_base=get("TWILIO_API_BASE"),
            max_body_bytes=int(
                _number("MAX_BODY_BYTES", get("MAX_BODY_BYTES", "1048576"), 1024, whole=True)
            ),
            request_head_timeout_seconds=_number(
                "REQUEST_HEAD_TIMEOUT_SECONDS", get("REQUEST_HEAD_TIMEOUT_SECONDS", "10"), 0.1
            ),
            request_body_timeout_seconds=_number(
                "REQUEST_BODY_TIMEOUT_SECONDS", get("REQUEST_BODY_TIMEOUT_SECONDS", "30"), 0.1
            ),
            max_concurrency=int(
                _number("MAX_CONCURRENCY", get("MAX_CONCURRENCY", "1000"), 1, whole=True)
            ),
            **_throttling(get),
            extra={k: v for k, v in env.items() if k.startswith("CAREBASE_")},
        )


def normalize_database_url(url: str) -> str:
    """Map plain ``sqlite://`` and ``postgresql://`` URLs to the async drivers we use."""
    if not url:
        return f"sqlite+aiosqlite:///{Path.cwd() / DEFAULT_SQLITE_FILE}"
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise SettingsError(f"CAREBASE_DATABASE_URL is not a URL: {url!r}")
    mapped = {
        "sqlite": "sqlite+aiosqlite",
        "sqlite+aiosqlite": "sqlite+aiosqlite",
        "postgres": "postgresql+asyncpg",
        "postgresql": "postgresql+asyncpg",
        "postgresql+asyncpg": "postgresql+asyncpg",
    }.get(scheme)
    if mapped is None:
        raise SettingsError(
            f"CAREBASE_DATABASE_URL must be sqlite:///path or postgresql://…, not a {scheme!r} URL"
        )
    return f"{mapped}://{rest}"


def _zoom_oauth_default(api_base: str) -> str:
    """Zoom's token endpoint sits at the API host's root; a local test server serves both."""
    if not api_base:
        return "https://zoom.us/oauth/token"
    parts = urlsplit(api_base)
    return f"{parts.scheme}://{parts.netloc}/oauth/token"


def _development_secret(database_url: str) -> str:
    """Development keeps a generated key beside the SQLite file so tokens survive restarts."""
    if database_url.startswith("sqlite") and ":memory:" not in database_url:
        path = Path(database_url.split(":///", 1)[1]).with_suffix(".secret")
        try:
            if path.exists():
                return path.read_text().strip()
            path.parent.mkdir(parents=True, exist_ok=True)
            key = secrets.token_urlsafe(48)
            path.write_text(key)
            path.chmod(0o600)
            return key
        except OSError as exc:
            raise SettingsError(f"cannot keep the development secret at {path}: {exc}") from exc
    return secrets.token_urlsafe(48)


def _number(name: str, raw: str, minimum: float, *, whole: bool = False) -> float:
    try:
        value = int(raw) if whole else float(raw)
    except ValueError:
        kind = "a whole number" if whole else "a number"
        raise SettingsError(f"CAREBASE_{name} must be {kind}, not {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"CAREBASE_{name} must be at least {minimum:g}, not {raw!r}")
    return value


def _networks(raw: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    nets = []
    for part in raw.split(","):
        if part.strip():
            try:
                nets.append(ipaddress.ip_network(part.strip(), strict=False))
            except ValueError:
                raise SettingsError(
                    f"CAREBASE_TRUSTED_PROXIES has a bad address or network: {part.strip()!r}"
                ) from None
    return tuple(nets)


def _throttling(get: Callable[[str, str], str]) -> dict[str, Any]:
    """The log-in and password-reset limits: counts are whole numbers, at least 1."""

    def whole(name: str, default: int) -> int:
        return int(_number(name, get(name, str(default)), 1, whole=True))

    return {
        "login_max_failures": whole("LOGIN_MAX_FAILURES", 10),
        "login_window_seconds": _number(
            "LOGIN_WINDOW_SECONDS", get("LOGIN_WINDOW_SECONDS", "900"), 1
        ),
        "login_max_per_address": whole("LOGIN_MAX_PER_ADDRESS", 30),
        "login_slowdown_seconds": _number(
            "LOGIN_SLOWDOWN_SECONDS", get("LOGIN_SLOWDOWN_SECONDS", "5"), 0
        ),
        "password_reset_per_email": whole("PASSWORD_RESET_PER_EMAIL", 3),
        "password_reset_per_address": whole("PASSWORD_RESET_PER_ADDRESS", 10),
    }
