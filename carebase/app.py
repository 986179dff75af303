"""create_app(settings) -> the Starlette application."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute

from carebase import files_http, graphiql, metrics, pubsub, widget_http
from carebase.auth.identity import Authenticator
from carebase.auth.middleware import PrincipalMiddleware
from carebase.clock import Clock, SystemClock
from carebase.config import Settings
from carebase.db import Database
from carebase.graphql_view import CarebaseGraphQL
from carebase.health import Readiness, migration_heads
from carebase.http_edge import (
    BodyLimitMiddleware,
    RequestContextMiddleware,
    SecurityHeadersMiddleware,
)
from carebase.jobs import scheduler
from carebase.jobs.runtime import JobRuntime, queue_depths, start_runtime
from carebase.oauth import token_endpoint
from carebase.pubsub import make_pubsub
from carebase.resolvers.reactions import build_hooks
from carebase.schema import build_schema
from carebase.schema.webhooks.objects import SchemaObjectReader
from carebase.webhooks import stripe_webhook
from carebase.widget_http import WidgetCORSMiddleware

log = logging.getLogger("carebase")

# what browsers' GraphQL clients send besides the body's type and the credential: Apollo
# Client's client awareness, W3C trace context, our request id and the widget's key
CORS_HEADERS = (
    "authorization",
    "content-type",
    "x-carebase-publishable-key",
    "apollographql-client-name",
    "apollographql-client-version",
    "traceparent",
    "tracestate",
    "x-request-id",
)
CORS_MAX_AGE_SECONDS = 600


def create_app(
    settings: Settings, *, run_jobs_in_process: bool | None = None, clock: Clock | None = None
) -> Starlette:
    hooks = build_hooks()
    clock = clock or SystemClock()
    runtime: JobRuntime = start_runtime(settings, hooks, clock=clock)
    db = Database(settings, hooks=hooks, dispatch=runtime.dispatch, clock=clock)
    runtime.object_reader = SchemaObjectReader(
        build_schema(production=settings.is_production), runtime.database
    )
    events = make_pubsub(settings.broker_url, settings.pubsub_url)
    authenticator = Authenticator(db, settings)
    in_process = settings.in_process_jobs if run_jobs_in_process is None else run_jobs_in_process

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        previous = pubsub.install(events)  # live updates flow through this app's port
        await authenticator.cache.open(events)  # revocations reach the credential cache
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
            await authenticator.cache.close()
            await events.close()
            pubsub.install(previous)
            await ticks_db.dispose()
            await db.dispose()

    async def healthz(request: Request) -> Response:
        """Liveness: this process and its database answer (restart it when they do not)."""
        try:
            async with db.sessionmaker() as session:
                await session.execute(_select_one())
        except Exception:
            log.exception("health check failed")
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    readiness = Readiness(settings, db, migration_heads(settings))

    async def readyz(request: Request) -> Response:
        """Readiness: database and broker reachable, migrations current, not draining."""
        checks = await readiness.report()
        ready = all(outcome == "ok" for outcome in checks.values())
        return JSONResponse(
            {"status": "ok" if ready else "unavailable", "checks": checks},
            status_code=200 if ready else 503,
            headers={"Cache-Control": "no-store"},
        )

    async def metrics_endpoint(request: Request) -> Response:
        peer = request.client.host if request.client else None
        status = metrics.allowed(
            settings, peer=peer, authorization=request.headers.get("authorization")
        )
        if status != 200:
            headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
            return Response(status_code=status, headers=headers)
        depths = await asyncio.to_thread(queue_depths, runtime.broker)
        lag = await scheduler.lag_seconds(db)
        body = metrics.render(
            [
                metrics.queue_depth_family(depths),
                metrics.scheduler_lag_family(lag),
                *metrics.pool_families(db.engine.pool),
            ]
        )
        return Response(
            body, media_type=metrics.CONTENT_TYPE, headers={"Cache-Control": "no-store"}
        )

    graphql = CarebaseGraphQL(settings, db, authenticator)
    middleware = [
        Middleware(RequestContextMiddleware),
        Middleware(SecurityHeadersMiddleware, production=settings.is_production),
        Middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes),
        Middleware(PrincipalMiddleware, authenticator=authenticator),
    ]
    # CORS for CAREBASE_ALLOWED_ORIGINS and the organizations' widget origins
    middleware.insert(
        3,
        Middleware(
            WidgetCORSMiddleware,  # type: ignore[arg-type]
            db=db,
            allow_origins=list(settings.allowed_origins),
            allow_methods=["GET", "POST"],
            allow_headers=list(CORS_HEADERS),
            expose_headers=["x-request-id"],
            max_age=CORS_MAX_AGE_SECONDS,
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
            Route("/readyz", readyz, methods=["GET"]),
            Route("/metrics", metrics_endpoint, methods=["GET"]),
            *widget_http.routes(settings, db),
            *files_http.routes(db),
            WebSocketRoute("/graphql", graphql),
            *([] if settings.is_production else graphiql.routes()),
        ],
        middleware=middleware,
        lifespan=lifespan,
    )
    app.state.db = db
    app.state.authenticator = authenticator
    app.state.readiness = readiness
    app.state.runtime = runtime
    app.state.settings = settings
    app.state.clock = clock
    return app


def _select_one() -> Any:
    from sqlalchemy import text

    return text("SELECT 1")
