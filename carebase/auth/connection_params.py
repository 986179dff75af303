"""Credentials in a WebSocket's ``connection_init`` payload, in the shapes clients send.

graphql-ws users put what would have been headers in ``connectionParams``: as a flat map
(``{"Authorization": "Bearer …"}``, any case) or nested under ``headers`` (Apollo's and
urql's habit, ``{"headers": {"Authorization": …}}``). A flat value wins over a nested one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

AUTHORIZATION = "authorization"


def authorization_from(params: Mapping[str, object] | None) -> str | None:
    """The ``Authorization`` value the payload carries, or None when it carries none."""
    if not isinstance(params, Mapping):
        return None
    found = _header(params, AUTHORIZATION)
    if found is not None:
        return found
    nested = _lookup(params, "headers")
    if isinstance(nested, Mapping):
        return _header(nested, AUTHORIZATION)
    return None


def _header(params: Mapping[Any, object], name: str) -> str | None:
    value = _lookup(params, name)
    return value if isinstance(value, str) and value.strip() else None


def _lookup(params: Mapping[Any, object], name: str) -> object:
    """Header names are case-insensitive: ``Authorization``, ``authorization``, …"""
    for key, value in params.items():
        if isinstance(key, str) and key.lower() == name:
            return value
    return None
