"""API key and OAuth client scopes: ``<area>:read`` and ``<area>:write``; write implies read."""

from __future__ import annotations

from collections.abc import Iterable

from carebase.errors import invalid
from carebase.models.accounts import Role

AREAS = (
    "clients",
    "appointments",
    "forms",
    "billing",
    "chat",
    "reports",
    "settings",
    "members",
    "audit",
    "webhooks",
)
ALL_SCOPES = frozenset(f"{a}:{m}" for a in AREAS for m in ("read", "write"))
# areas only owners and admins may change, and those only they may read at all
MANAGER_WRITE_AREAS = frozenset({"settings", "members", "audit", "webhooks"})
MANAGER_READ_AREAS = frozenset({"audit", "webhooks", "reports"})


def validate_scopes(scopes: Iterable[str], creator_role: Role, field: str = "scopes") -> list[str]:
    result: list[str] = []
    for scope in scopes:
        if scope not in ALL_SCOPES:
            raise invalid(f"Unknown scope {scope!r}", field)
        if scope not in result:
            result.append(scope)
    if not result:
        raise invalid("Give at least one scope", field)
    return sorted(result)


def allows(scopes: frozenset[str] | None, area: str, *, write: bool) -> bool:
    if scopes is None:
        return True
    if f"{area}:write" in scopes:
        return True
    return not write and f"{area}:read" in scopes
