"""The GraphQL endpoint at ``/graphql``: GraphQL over HTTP as its spec says, and
``graphql-transport-ws`` on the same path.

Over HTTP the response's media type follows ``Accept`` (``carebase/http_media.py``); under
``application/graphql-response+json`` a request error (a document that does not parse or
validate, variables that do not coerce) is a 400 with no ``data`` entry, while legacy
``application/json`` keeps 200 with ``"data": null``. Mutations over GET are 405 (a GET
must be safe to repeat), and the transport's own refusals are JSON bodies in the
negotiated type, so a client reads every answer the same way.
"""

from __future__ import annotations

import asyncio
import json
import time
from datetime import timedelta
from typing import Any, cast

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketState
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData, GraphQLRequestProtocol
from strawberry.http.parse_content_type import parse_content_type
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET, UnsetType

from carebase import graphiql, metrics
from carebase.auth.connection_params import authorization_from
from carebase.auth.identity import Authenticator
from carebase.auth.principal import ANONYMOUS, Principal
from carebase.config import Settings
from carebase.db import Database
from carebase.http_media import GRAPHQL_RESPONSE_JSON, JSON, negotiate
from carebase.schema import build_schema
from carebase.schema.context import Context
from carebase.schema.manifest import registered_names, sha256_of
from carebase.schema.persisted import asks_for_persisted_query
from carebase.schema.trusted import MESSAGE as NOT_TRUSTED
from carebase.schema.trusted import is_restricted

MAX_SUBSCRIPTIONS = 20
MAX_JSON_DEPTH = 64
SESSION_CHECK_SECONDS = 2.0
MEDIA_STATE = "graphql_media_type"


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

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope=scope, receive=receive)
        started = time.perf_counter()
        try:
            response = await self._answer(request)
        except HTTPException as exc:
            if isinstance(exc, BatchRefused) and is_restricted(
                request.scope.get("principal", ANONYMOUS)
            ):
                # a batch is no registered document: the widget's key sends one at a time
                exc = CodedRefusal(400, NOT_TRUSTED, code="DOCUMENT_NOT_TRUSTED")
            response = refusal(exc, _media(request))
            metrics.record_request(metrics.OTHER, "refused", time.perf_counter() - started)
        await response(scope, receive, send)

    async def _answer(self, request: Request) -> Response:
        media = negotiate(request.headers.get("accept"))
        if media is None:
            if self.should_render_graphql_ide(self.request_adapter_class(request)):
                return await self.run(request)  # a browser asking for GraphiQL
            raise HTTPException(
                406, f"Accept {GRAPHQL_RESPONSE_JSON} or {JSON}: no other type is served"
            )
        setattr(request.state, MEDIA_STATE, media)
        return await self.run(request)

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        if request.method == "POST":
            content_type, _ = parse_content_type(request.content_type or "")
            if content_type != JSON:
                raise HTTPException(415, f"Send the request as {JSON}")
        data = await super().parse_http_body(request)
        if isinstance(data, GraphQLRequestData) and not isinstance(data.operation_name, str | None):
            raise HTTPException(
                400, "The GraphQL operation's `operationName` must be a string or null."
            )
        return data

    def _validate_batch_request(
        self, request_data: list[GraphQLRequestData], protocol: GraphQLRequestProtocol
    ) -> None:
        try:
            super()._validate_batch_request(request_data, protocol)
        except HTTPException as exc:
            raise BatchRefused(exc.status_code, exc.reason) from exc

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        started = time.perf_counter()
        try:
            result = await super().execute_single(
                request, request_adapter, sub_response, context, root_value, request_data
            )
        except HTTPException as exc:
            if request_adapter.method == "GET" and isinstance(
                exc.__cause__, InvalidOperationTypeError
            ):
                raise MethodNotAllowed("Mutations are sent with POST", allow="POST") from exc
            raise
        metrics.record_request(
            operation_label(request_data), outcome_of(result), time.perf_counter() - started
        )
        if _media(request) == GRAPHQL_RESPONSE_JSON and is_request_error(result):
            sub_response.status_code = 500 if _unexpected(result) else 400
        return result

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        processed = await super().process_result(request, result)
        if _media(request) == GRAPHQL_RESPONSE_JSON and is_request_error(result):
            processed.pop("data", None)  # the request never reached execution
        return processed

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        response = Response(
            encode_response(response_data),
            status_code=sub_response.status_code or 200,
            media_type=sub_response.media_type or JSON,
        )
        response.headers.raw.extend(sub_response.headers.raw)
        response.background = sub_response.background
        return response

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        sub_response.media_type = _media(request)  # create_response reads it back
        return sub_response

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """Credentials come in connection_init's payload; without valid ones, 4403."""
        principal = await self.authenticator.resolve(
            authorization=authorization_from(context.connection_params),
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


def encode_response(data: object) -> bytes:
    """orjson for HTTP answers (several times faster than ``json`` on a page of nodes); a
    value it refuses (an integer past 64 bits in a JSON scalar) falls back to ``json``.
    WebSocket messages keep strawberry's text encoding: graphql-transport-ws frames are text."""
    try:
        return orjson.dumps(data)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return json.dumps(data, separators=(",", ":")).encode()


class MethodNotAllowed(HTTPException):
    def __init__(self, reason: str, *, allow: str) -> None:
        super().__init__(405, reason)
        self.allow = allow


class BatchRefused(HTTPException):
    """A batched request, which this server does not take."""


class CodedRefusal(HTTPException):
    def __init__(self, status_code: int, reason: str, *, code: str) -> None:
        super().__init__(status_code, reason)
        self.code = code


def operation_label(request_data: GraphQLRequestData) -> str:
    """The registered document's name when the request ran one (by its text or by its
    persisted-query hash), else ``other``: callers cannot grow the metrics' label set."""
    names = registered_names()
    if request_data.query:
        return names.get(sha256_of(request_data.query), metrics.OTHER)
    persisted = (request_data.extensions or {}).get("persistedQuery")
    digest = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
    return names.get(digest, metrics.OTHER) if isinstance(digest, str) else metrics.OTHER


def outcome_of(result: ExecutionResult) -> str:
    if not result.errors:
        return "ok"
    if _unexpected(result):
        return "internal"
    return "rejected" if is_request_error(result) else "error"


def is_request_error(result: ExecutionResult) -> bool:
    """Refused before execution began: parse, validation (limits included) and variable
    coercion errors, which never carry a path; a failed field always does."""
    return (
        result.data is None
        and bool(result.errors)
        and all(not error.path for error in result.errors or ())
    )


def _unexpected(result: ExecutionResult) -> bool:
    return any(
        (error.extensions or {}).get("code") == "INTERNAL_SERVER_ERROR"
        for error in result.errors or ()
    )


def _media(request: Request | WebSocket) -> str:
    return cast(str, getattr(request.state, MEDIA_STATE, JSON))


def refusal(exc: HTTPException, media: str) -> Response:
    """The transport's own refusals, as a GraphQL response with no ``data``."""
    headers = {"Allow": exc.allow} if isinstance(exc, MethodNotAllowed) else None
    error: dict[str, Any] = {"message": exc.reason}
    if isinstance(exc, CodedRefusal):
        error["extensions"] = {"code": exc.code}
    body = orjson.dumps({"errors": [error]})
    return Response(body, status_code=exc.status_code, media_type=media, headers=headers)


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
