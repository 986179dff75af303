"""create_app(settings) -> the Starlette application."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any, cast

import orjson
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketState
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UNSET, UnsetType

from carebase import graphiql, pubsub
from carebase.auth.identity import Authenticator
from carebase.auth.middleware import PrincipalMiddleware
from carebase.auth.principal import ANONYMOUS, Principal
from carebase.clock import Clock, SystemClock
from carebase.config import Settings
from carebase.db import Database
from carebase.http_edge import (
    BodyLimitMiddleware,
    RequestContextMiddleware,
    SecurityHeadersMiddleware,
)
from carebase.jobs import scheduler
from carebase.jobs.runtime import JobRuntime, start_runtime
from carebase.oauth import token_endpoint
from carebase.pubsub import make_pubsub
from carebase.resolvers.reactions import build_hooks
from carebase.schema import build_schema
from carebase.schema.context import Context
from carebase.schema.persisted import asks_for_persisted_query
from carebase.webhooks import stripe_webhook

log = logging.getLogger("carebase")


MAX_SUBSCRIPTIONS = 20
MAX_JSON_DEPTH = 64
SESSION_CHECK_SECONDS = 2.0


class CarebaseGraphQL(GraphQL[Context, None]):
    def __init__(self, settings: Settings, db: Database, authenticator: Authenticator) -> None:
        super().__init__(
            build_schema(production=settings.is_production),
            graphql_ide=None if settings.is_production else "graphiql",
            allow_queries_via_get=True,
            allowed_origins=settings.allowed_origins,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            max_subscriptions_per_connection=MAX_SUBSCRIPTIONS,
            connection_init_wait_timeout=timedelta(seconds=10),
        )
        self.settings = settings
        self.db = db
        self.authenticator = authenticator

    async def render_graphql_ide(self, request: Request) -> Response:
        """Our page, its files from the package (strawberry's loads them from a CDN)."""
        return graphiql.page()

    def should_render_graphql_ide(self, request: Any) -> bool:
        # Apollo's GET of a persisted query carries no `query` either
        if asks_for_persisted_query(request.query_params):
            return False
        return super().should_render_graphql_ide(request)

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """Credentials come in connection_init's payload; without valid ones, 4403."""
        params = context.connection_params or {}
        authorization = params.get("Authorization") or params.get("authorization")
        principal = await self.authenticator.resolve(
            authorization=authorization if isinstance(authorization, str) else None,
            publishable_key=None,
            ip=context.request.scope.get("client_ip"),
        )
        if not principal.is_authenticated:
            raise ConnectionRejectionError()
        context.principal = principal
        socket = context.request
        assert isinstance(socket, WebSocket)
        asyncio.get_running_loop().create_task(self._watch(socket, principal))
        return cast(UnsetType, UNSET)

    async def _watch(self, socket: WebSocket, principal: Principal) -> None:
        """Close the socket when its credential ends: 4403 once revoked (log-out, a changed
        password, a revoked key), 4401 when the access token expires (reconnect with a new one)."""
        try:
            while socket.client_state is WebSocketState.CONNECTED:
                await asyncio.sleep(SESSION_CHECK_SECONDS)
                if socket.client_state is not WebSocketState.CONNECTED:
                    return
                if principal.expires_at is not None and time.time() >= principal.expires_at:
                    await socket.close(code=4401, reason="Token expired")
                    return
                if not await self.authenticator.still_valid(principal):
                    await socket.close(code=4403, reason="Forbidden")
                    return
        except Exception:  # the socket went away under us: nothing left to guard
            return

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        principal: Principal = request.scope.get("principal", ANONYMOUS)
        return Context(
            request=request,
            response=response,
            settings=self.settings,
            db=self.db,
            principal=principal,
        )

    def decode_json(self, data: str | bytes) -> object:
        """orjson refuses nesting past 1024; past ``MAX_JSON_DEPTH`` we refuse too (400)."""
        try:
            value = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise json.JSONDecodeError("Unable to parse request body as JSON", "", 0) from exc
        if _too_deep(value, MAX_JSON_DEPTH):
            raise json.JSONDecodeError("The JSON is nested too deep", "", 0)
        return value


def _too_deep(value: object, limit: int) -> bool:
    """Iterative, so a deep value cannot exhaust the stack on the way."""
    pending: list[tuple[object, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False


def create_app(
    settings: Settings, *, run_jobs_in_process: bool | None = None, clock: Clock | None = None
) -> Starlette:
    hooks = build_hooks()
    clock = clock or SystemClock()
    runtime: JobRuntime = start_runtime(settings, hooks, clock=clock)
    db = Database(settings, hooks=hooks, dispatch=runtime.dispatch, clock=clock)
    events = make_pubsub(settings.broker_url, settings.pubsub_url)
    authenticator = Authenticator(db, settings)
    in_process = settings.in_process_jobs if run_jobs_in_process is None else run_jobs_in_process

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        previous = pubsub.install(events)  # live updates flow through this app's port
        worker = runtime.start_worker() if in_process else None
        stop = asyncio.Event()
        # the in-process scheduler keeps its own engine, apart from the requests' pool
        ticks_db = Database(settings, hooks=hooks, dispatch=runtime.dispatch, clock=clock)
        ticker = (
            asyncio.create_task(
                scheduler.run_forever(ticks_db, settings.scheduler_interval_seconds, stop)
            )
            if in_process
            else None
        )
        try:
            yield
        finally:
            stop.set()
            if ticker:
                await ticker
            if worker:
                await asyncio.to_thread(worker.stop)
            await runtime.dispose()
            await events.close()
            pubsub.install(previous)
            await ticks_db.dispose()
            await db.dispose()

    async def healthz(request: Request) -> Response:
        try:
            async with db.sessionmaker() as session:
                await session.execute(_select_one())
        except Exception:
            log.exception("health check failed")
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    graphql = CarebaseGraphQL(settings, db, authenticator)
    middleware = [
        Middleware(RequestContextMiddleware),
        Middleware(SecurityHeadersMiddleware, production=settings.is_production),
        Middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes),
        Middleware(PrincipalMiddleware, authenticator=authenticator),
    ]
    if settings.allowed_origins:
        middleware.insert(
            3,
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.allowed_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["authorization", "content-type", "x-carebase-publishable-key"],
            ),
        )
    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route(
                "/oauth/token", functools.partial(token_endpoint, db, settings), methods=["POST"]
            ),
            Route(
                "/webhooks/stripe",
                functools.partial(stripe_webhook, db, settings),
                methods=["POST"],
            ),
            Route("/healthz", healthz, methods=["GET"]),
            WebSocketRoute("/graphql", graphql),
            *([] if settings.is_production else graphiql.routes()),
        ],
        middleware=middleware,
        lifespan=lifespan,
    )
    app.state.db = db
    app.state.runtime = runtime
    app.state.settings = settings
    app.state.clock = clock
    return app


def _select_one() -> Any:
    from sqlalchemy import text

    return text("SELECT 1")
