"""Settings, read once from ``CAREBASE_*`` environment variables (pydantic-settings).

Each default lives on its field; secrets are ``SecretStr`` (never in a repr or a log); a bad
value stops start-up with one line naming its variable.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

DEFAULT_SQLITE_FILE = "carebase.sqlite3"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class SettingsError(ValueError):
    """A setting has a value Carebase cannot use; the message is one line naming it."""


def _schemes(name: str, value: str, allowed: tuple[str, ...], shape: str) -> str:
    if value and urlsplit(value).scheme not in allowed:
        raise ValueError(f"CAREBASE_{name} must be {shape}")
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CAREBASE_", frozen=True, extra="ignore")

    database_url: str = ""
    env: Literal["development", "production"] = "development"
    secret_key: SecretStr = SecretStr("")
    broker_url: str = ""
    pubsub_url: str = ""
    smtp_url: SecretStr = SecretStr("")  # may carry the SMTP password
    email_from: str = "Carebase <no-reply@carebase.local>"
    portal_url: str = "http://localhost:3000"
    # where visitors reach Carebase itself: links in emails and files (the widget's manage view)
    public_url: str = "http://127.0.0.1:8000"
    scheduler_interval_seconds: float = Field(30.0, ge=0.05)
    allowed_origins: tuple[str, ...] = ()
    trusted_proxies: tuple[Network, ...] = ()
    password_hash_cost: int = Field(3, ge=1)
    stripe_secret_key: SecretStr = SecretStr("")
    stripe_api_base: str = ""
    stripe_webhook_secret: SecretStr = SecretStr("")
    zoom_account_id: str = ""
    zoom_client_id: str = ""
    zoom_client_secret: SecretStr = SecretStr("")
    zoom_api_base: str = "https://api.zoom.us/v2"
    zoom_oauth_url: str = ""  # empty: the token endpoint at the API host's root
    livekit_url: str = ""
    livekit_api_key: str = ""
    livekit_api_secret: SecretStr = SecretStr("")
    twilio_account_sid: str = ""
    twilio_auth_token: SecretStr = SecretStr("")
    twilio_from_number: str = ""
    twilio_api_base: str = ""
    # log-in and password-reset throttling (carebase/resolvers/people/sessions.py)
    login_max_failures: int = Field(10, ge=1)
    login_window_seconds: float = Field(900.0, ge=1)
    login_max_per_address: int = Field(30, ge=1)
    login_slowdown_seconds: float = Field(5.0, ge=0)
    password_reset_per_email: int = Field(3, ge=1)
    password_reset_per_address: int = Field(10, ge=1)
    # the web process's guards against slow or oversized requests (see carebase/server.py)
    max_body_bytes: int = Field(1_048_576, ge=1024)
    request_head_timeout_seconds: float = Field(10.0, ge=0.1)
    request_body_timeout_seconds: float = Field(30.0, ge=0.1)
    max_concurrency: int = Field(1000, ge=1)
    # documents kept for automatic persisted queries (least recently used out)
    persisted_queries_max: int = Field(10_000, ge=1)
    # running on many machines (deploy/README.md): each engine's pool, the broker's
    # heartbeat, the drain on SIGTERM and who may read /metrics
    database_pool_size: int = Field(10, ge=1)
    database_max_overflow: int = Field(10, ge=0)
    broker_heartbeat_timeout_seconds: float = Field(60.0, ge=1)
    shutdown_grace_seconds: float = Field(30.0, ge=0)
    metrics_token: SecretStr = SecretStr("")
    metrics_loopback: bool = False
    metrics_port: int = Field(0, ge=0, le=65535)
    # outbound webhooks: a delivery attempt's whole time limit, and the retry schedule (the
    # n-th retry waits base * 4**(n-1) seconds, at most max_delay, less up to a quarter of
    # jitter; none is made past the window after the event, nor once the endpoint has failed
    # every attempt for disable_after)
    webhook_timeout_seconds: float = Field(10.0, gt=0)
    webhook_retry_base_seconds: float = Field(5.0, gt=0)
    webhook_retry_max_delay_seconds: float = Field(43_200.0, gt=0)
    webhook_retry_window_seconds: float = Field(259_200.0, gt=0)
    webhook_disable_after_seconds: float = Field(259_200.0, gt=0)
    # 837P interchange sender and receiver ids (ISA06/ISA08, GS02/GS03)
    x12_sender_id: str = "CAREBASE"
    x12_receiver_id: str = "CLEARINGHOUSE"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """``from_env`` reads the mapping it is given (``os.environ`` by default) and passes
        it in: the values come from exactly one place, which tests can replace."""
        return (init_settings,)

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def in_process_jobs(self) -> bool:
        return not self.broker_url

    @field_validator("*", mode="before")
    @classmethod
    def _strip(cls, value: Any) -> Any:
        return value.strip() if isinstance(value, str) else value

    @field_validator("database_url")
    @classmethod
    def _database(cls, value: str) -> str:
        return normalize_database_url(value)

    @field_validator("broker_url")
    @classmethod
    def _broker(cls, value: str) -> str:
        return _schemes(
            "BROKER_URL",
            value,
            ("redis", "rediss", "amqp", "amqps"),
            "empty, redis://… or amqp://…",
        )

    @field_validator("pubsub_url")
    @classmethod
    def _pubsub(cls, value: str) -> str:
        return _schemes("PUBSUB_URL", value, ("redis", "rediss"), "empty or redis://…")

    @field_validator("smtp_url")
    @classmethod
    def _smtp(cls, value: SecretStr) -> SecretStr:
        _schemes(
            "SMTP_URL",
            value.get_secret_value(),
            ("smtp", "smtp+starttls", "smtps"),
            "empty, smtp://host:port, smtp+starttls://user:pass@host:587 or smtps://…",
        )
        return value

    @field_validator("portal_url")
    @classmethod
    def _portal(cls, value: str) -> str:
        value = value.rstrip("/")
        if urlsplit(value).scheme not in ("http", "https"):
            raise ValueError("CAREBASE_PORTAL_URL must be an http(s) URL")
        return value

    @field_validator("public_url")
    @classmethod
    def _public(cls, value: str) -> str:
        value = value.rstrip("/")
        if urlsplit(value).scheme not in ("http", "https"):
            raise ValueError("CAREBASE_PUBLIC_URL must be an http(s) URL")
        return value

    @field_validator("x12_sender_id", "x12_receiver_id")
    @classmethod
    def _x12_id(cls, value: str) -> str:
        if not 2 <= len(value) <= 15 or not value.replace(" ", "").isalnum():
            raise ValueError("CAREBASE_X12_SENDER_ID / _RECEIVER_ID are 2 to 15 letters or digits")
        return value

    @field_validator("zoom_api_base")
    @classmethod
    def _zoom_base(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(o.strip().rstrip("/") for o in value.split(",") if o.strip())
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxies(cls, value: Any) -> Any:
        return _networks(value) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _derived(self) -> Settings:
        secret = self.secret_key.get_secret_value()
        if self.is_production and len(secret) < 32:
            raise ValueError(
                "CAREBASE_SECRET_KEY is required in production (at least 32 characters)"
            )
        # frozen: the derived defaults are set once, here, before anyone reads them
        if not secret:
            object.__setattr__(
                self, "secret_key", SecretStr(_development_secret(self.database_url))
            )
        if not self.zoom_oauth_url:
            object.__setattr__(self, "zoom_oauth_url", _zoom_oauth_default(self.zoom_api_base))
        return self

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings from ``environ`` (``os.environ`` by default) and nothing else."""
        env = os.environ if environ is None else environ
        given: dict[str, Any] = {
            name: env[f"CAREBASE_{name.upper()}"]
            for name in cls.model_fields
            if f"CAREBASE_{name.upper()}" in env
        }
        try:
            return cls(**given)
        except ValidationError as exc:
            raise SettingsError(_one_line(exc)) from None

    def replace(self, **changes: Any) -> Settings:
        """A copy with some settings changed, validated like the originals."""
        values: dict[str, Any] = {name: getattr(self, name) for name in type(self).model_fields}
        values.update(changes)
        try:
            return type(self)(**values)
        except ValidationError as exc:
            raise SettingsError(_one_line(exc)) from None


def _one_line(exc: ValidationError) -> str:
    error = exc.errors()[0]
    message = str(error.get("msg", "is not valid"))
    if "CAREBASE_" in message:  # our own validators name the variable themselves
        return message.removeprefix("Value error, ")
    name = (
        "CAREBASE_" + "_".join(str(p) for p in error.get("loc", ()) if isinstance(p, str)).upper()
    )
    given = error.get("input")
    kind = error.get("type", "")
    if kind in ("int_parsing", "int_from_float"):
        text = "must be a whole number"
    elif kind == "float_parsing":
        text = "must be a number"
    elif kind in ("greater_than_equal", "greater_than"):
        text = f"must be at least {error.get('ctx', {}).get('ge', error.get('ctx', {}).get('gt'))}"
    elif kind == "literal_error":
        text = f"must be {error.get('ctx', {}).get('expected', 'one of the allowed values')}"
    else:
        text = message.lower()
    return f"{name} {text}, not {given!r}" if isinstance(given, str) else f"{name} {text}"


def normalize_database_url(url: str) -> str:
    """Map plain ``sqlite://`` and ``postgresql://`` URLs to the async drivers we use."""
    if not url:
        return f"sqlite+aiosqlite:///{Path.cwd() / DEFAULT_SQLITE_FILE}"
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ValueError(f"CAREBASE_DATABASE_URL is not a URL: {url!r}")
    mapped = {
        "sqlite": "sqlite+aiosqlite",
        "sqlite+aiosqlite": "sqlite+aiosqlite",
        "postgres": "postgresql+asyncpg",
        "postgresql": "postgresql+asyncpg",
        "postgresql+asyncpg": "postgresql+asyncpg",
    }.get(scheme)
    if mapped is None:
        raise ValueError(
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
            raise ValueError(
                f"CAREBASE_SECRET_KEY is unset and the development one cannot be kept at {path}"
            ) from exc
    return secrets.token_urlsafe(48)


def _networks(raw: str) -> tuple[Network, ...]:
    nets = []
    for part in raw.split(","):
        if part.strip():
            try:
                nets.append(ipaddress.ip_network(part.strip(), strict=False))
            except ValueError:
                raise ValueError(
                    f"CAREBASE_TRUSTED_PROXIES has a bad address or network: {part.strip()!r}"
                ) from None
    return tuple(nets)
