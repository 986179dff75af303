"""The typed per-request context: principal, and the unit of work with its DataLoaders.

Over WebSocket one context serves every operation of a connection, each in its own task, so
the unit of work (opened per event) lives in a context variable, not on the shared object.
"""

from __future__ import annotations

from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import strawberry
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from carebase.auth.principal import Principal
from carebase.config import Settings
from carebase.db import Database, UnitOfWork
from carebase.schema.loaders import Loaders


@dataclass
class Scope:
    uow: UnitOfWork
    loaders: Loaders
    extra: dict[str, Any] = field(default_factory=dict)


_scope: ContextVar[Scope | None] = ContextVar("carebase_scope", default=None)


@dataclass
class Context:
    request: Request | WebSocket
    response: Response | WebSocket | None
    settings: Settings
    db: Database
    principal: Principal
    connection_params: dict[str, Any] | None = None

    def open(self, uow: UnitOfWork) -> Token[Scope | None]:
        return _scope.set(Scope(uow, Loaders(uow, self.principal)))

    def close(self, token: Token[Scope | None]) -> None:
        _scope.reset(token)

    @property
    def has_scope(self) -> bool:
        return _scope.get() is not None

    @property
    def scope(self) -> Scope:
        current = _scope.get()
        assert current is not None, "no unit of work is open for this operation"
        return current

    @property
    def uow(self) -> UnitOfWork:
        return self.scope.uow

    @property
    def loaders(self) -> Loaders:
        return self.scope.loaders

    @property
    def extra(self) -> dict[str, Any]:
        return self.scope.extra


Info: TypeAlias = strawberry.Info[Context, None]
