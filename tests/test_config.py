"""Settings: read once from CAREBASE_*, each bad value a clear one-line error."""

from __future__ import annotations

from pathlib import Path

import pytest

from carebase.config import Settings, SettingsError


def test_defaults_use_a_sqlite_file_in_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings.from_env({})
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path}/carebase.sqlite3"
    assert settings.env == "development"
    assert settings.in_process_jobs
    assert settings.scheduler_interval_seconds == 30
    # development keeps a generated secret beside the database, the same on the next start
    assert len(settings.secret_key.get_secret_value()) >= 32
    assert Settings.from_env({}).secret_key == settings.secret_key


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("sqlite:///tmp/x.db", "sqlite+aiosqlite:///tmp/x.db"),
        ("postgresql://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgres://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg://u@h/db"),
    ],
)
def test_plain_database_urls_map_to_the_async_drivers(given: str, expected: str) -> None:
    assert Settings.from_env({"CAREBASE_DATABASE_URL": given}).database_url == expected


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"CAREBASE_ENV": "staging"}, "CAREBASE_ENV"),
        ({"CAREBASE_ENV": "production"}, "CAREBASE_SECRET_KEY"),
        ({"CAREBASE_DATABASE_URL": "mysql://x/y"}, "CAREBASE_DATABASE_URL"),
        ({"CAREBASE_BROKER_URL": "kafka://x"}, "CAREBASE_BROKER_URL"),
        ({"CAREBASE_SMTP_URL": "http://mail"}, "CAREBASE_SMTP_URL"),
        ({"CAREBASE_SCHEDULER_INTERVAL_SECONDS": "soon"}, "CAREBASE_SCHEDULER_INTERVAL_SECONDS"),
        ({"CAREBASE_PASSWORD_HASH_COST": "0"}, "CAREBASE_PASSWORD_HASH_COST"),
        ({"CAREBASE_TRUSTED_PROXIES": "10.0.0.0/8,not-an-ip"}, "CAREBASE_TRUSTED_PROXIES"),
        ({"CAREBASE_PORTAL_URL": "portal.example"}, "CAREBASE_PORTAL_URL"),
    ],
)
def test_a_bad_setting_is_one_clear_line(env: dict[str, str], names: str, tmp_path: Path) -> None:
    env = {"CAREBASE_DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3", **env}
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(env)
    message = str(caught.value)
    assert names in message and "\n" not in message


def test_production_with_a_secret_starts(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "CAREBASE_ENV": "production",
            "CAREBASE_SECRET_KEY": "s" * 40,
            "CAREBASE_DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
            "CAREBASE_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.1",
            "CAREBASE_ALLOWED_ORIGINS": "https://a.example, https://b.example/",
        }
    )
    assert settings.is_production
    assert settings.allowed_origins == ("https://a.example", "https://b.example")
    assert len(settings.trusted_proxies) == 2


def test_secrets_never_show_in_a_repr(tmp_path: Path) -> None:
    secret = "s3cr3t-" + "k" * 40
    settings = Settings.from_env(
        {
            "CAREBASE_DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
            "CAREBASE_SECRET_KEY": secret,
            "CAREBASE_STRIPE_SECRET_KEY": "sk_test_hidden_value",
            "CAREBASE_SMTP_URL": "smtp+starttls://mailer:p4ssw0rd@mail.example:587",
            "CAREBASE_TWILIO_AUTH_TOKEN": "twilio-hidden-token",
        }
    )
    shown = repr(settings) + str(settings)
    for value in (secret, "sk_test_hidden_value", "p4ssw0rd", "twilio-hidden-token"):
        assert value not in shown
    assert settings.secret_key.get_secret_value() == secret
    assert settings.stripe_secret_key.get_secret_value() == "sk_test_hidden_value"


def test_a_changed_copy_is_validated_like_the_original(tmp_path: Path) -> None:
    settings = Settings.from_env({"CAREBASE_DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"})
    quick = settings.replace(request_head_timeout_seconds=0.5, smtp_url="smtp://127.0.0.1:1")
    assert quick.request_head_timeout_seconds == 0.5
    assert quick.smtp_url.get_secret_value() == "smtp://127.0.0.1:1"
    assert quick.secret_key == settings.secret_key
    with pytest.raises(SettingsError, match="CAREBASE_MAX_CONCURRENCY"):
        settings.replace(max_concurrency=0)


def test_os_environ_does_not_leak_into_a_given_mapping(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAREBASE_MAX_CONCURRENCY", "7")
    monkeypatch.setenv("CAREBASE_DATABASE_URL", f"sqlite:///{tmp_path}/env.sqlite3")
    given = Settings.from_env({"CAREBASE_DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"})
    assert given.max_concurrency == 1000
    assert Settings.from_env().max_concurrency == 7
