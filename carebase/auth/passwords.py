"""Password hashing (argon2) and the strength rule: 10+ characters, not a common password."""

from __future__ import annotations

import functools
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from carebase.errors import DomainError, ErrorCode

MIN_LENGTH = 10


@functools.cache
def _hasher(cost: int) -> PasswordHasher:
    # cost is argon2's time cost; below 3 (tests) memory drops too, so hashing stays cheap
    memory_kib = 65536 if cost >= 3 else 8192
    return PasswordHasher(time_cost=cost, memory_cost=memory_kib, parallelism=2)


@functools.cache
def _common() -> frozenset[str]:
    text = resources.files("carebase.auth").joinpath("common_passwords.txt").read_text()
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def check_strength(password: str, *, email: str = "", field: str = "password") -> None:
    if len(password) < MIN_LENGTH:
        raise DomainError(ErrorCode.WEAK_PASSWORD, f"Use at least {MIN_LENGTH} characters", field)
    lowered = password.lower()
    local = email.split("@", 1)[0].lower()
    if lowered in _common() or len(set(lowered)) <= 2 or (local and lowered == email.lower()):
        raise DomainError(
            ErrorCode.WEAK_PASSWORD, "That password is too common; choose another", field
        )


def hash_password(password: str, cost: int) -> str:
    return _hasher(cost).hash(password)


def verify_password(password_hash: str | None, password: str, cost: int) -> bool:
    if not password_hash:
        # spend the same time as a real check, so unknown emails are not told apart
        _hasher(cost).hash(password)
        return False
    try:
        return _hasher(cost).verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
