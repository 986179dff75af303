"""Who the caller is: addresses behind proxies, tokens that do not verify."""

from __future__ import annotations

from pathlib import Path

from carebase.auth.identity import client_ip
from carebase.auth.tokens import TokenSigner
from carebase.config import Settings


def _settings(tmp_path: Path, proxies: str = "") -> Settings:
    return Settings.from_env(
        {
            "CAREBASE_DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3",
            "CAREBASE_TRUSTED_PROXIES": proxies,
        }
    )


def test_forwarded_for_is_believed_only_from_trusted_proxies(tmp_path: Path) -> None:
    untrusted = _settings(tmp_path)
    assert client_ip("198.51.100.1", "203.0.113.9", untrusted) == "198.51.100.1"
    trusted = _settings(tmp_path, "10.0.0.0/8")
    assert client_ip("10.0.0.5", "203.0.113.9", trusted) == "203.0.113.9"
    # a client cannot prepend a fake address: the nearest untrusted hop wins
    assert client_ip("10.0.0.5", "1.2.3.4, 203.0.113.9, 10.0.0.7", trusted) == "203.0.113.9"
    assert client_ip("198.51.100.1", "203.0.113.9", trusted) == "198.51.100.1"


def test_tokens_signed_with_another_key_or_expired_do_not_verify() -> None:
    signer = TokenSigner("a" * 40)
    token, _ = signer.issue(subject="s", kind="user", organization_id="o", session_id="x")
    assert signer.verify(token) is not None
    assert TokenSigner("b" * 40).verify(token) is None
    expired, _ = signer.issue(subject="s", kind="user", organization_id="o", ttl=-10)
    assert signer.verify(expired) is None
    assert signer.verify(token[:-2] + "xx") is None
