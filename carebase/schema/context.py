"""The typed per-request context: session, principal, DataLoaders."""

from __future__ import annotations

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
class Context:
    request: Request | WebSocket
    response: Response | WebSocket | None
    settings: Settings
    db: Database
    principal: Principal
    _uow: UnitOfWork | None = None
    _loaders: Loaders | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def uow(self) -> UnitOfWork:
        assert self._uow is not None, "no unit of work is open for this request"
        return self._uow

    def open(self, uow: UnitOfWork) -> None:
        self._uow = uow
        self._loaders = Loaders(uow, self.principal)

    @property
    def loaders(self) -> Loaders:
        assert self._loaders is not None
        return self._loaders


Info: TypeAlias = strawberry.Info[Context, None]
