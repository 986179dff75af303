"""``POST /oauth/token``: RFC 6749 client credentials, on Authlib's (synchronous) server core.

The database is read before Authlib runs, so its callbacks only see plain values.
"""

from __future__ import annotations

import base64
import hmac
from collections import defaultdict
from typing import Any
from urllib.parse import unquote

from authlib.oauth2.rfc6749 import (
    AuthorizationServer,
    ClientMixin,
    OAuth2Payload,
    OAuth2Request,
)
from authlib.oauth2.rfc6749.grants import ClientCredentialsGrant
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from carebase.auth.tokens import hash_secret
from carebase.config import Settings
from carebase.db import Database
from carebase.models import OAuthClient
from carebase.resolvers.org.credentials import OAUTH_TOKEN_TTL, find_oauth_client
from carebase.resolvers.people.sessions import signer_for


class _Client(ClientMixin):  # type: ignore[misc]
    def __init__(self, row: OAuthClient) -> None:
        self.row = row

    def get_client_id(self) -> str:
        return self.row.client_id

    def check_client_secret(self, client_secret: str) -> bool:
        return hmac.compare_digest(hash_secret(client_secret), self.row.secret_hash)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return endpoint == "token" and method in ("client_secret_basic", "client_secret_post")

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "client_credentials"

    def get_allowed_scope(self, scope: str | None) -> str:
        allowed = list(self.row.scopes)
        if not scope:
            return " ".join(allowed)
        return " ".join(s for s in scope.split() if s in allowed)


class _Payload(OAuth2Payload):  # type: ignore[misc]
    def __init__(self, form: dict[str, str]) -> None:
        self._form = form

    @property
    def data(self) -> dict[str, str]:
        return self._form

    @property
    def datalist(self) -> defaultdict[str, list[str]]:
        values: defaultdict[str, list[str]] = defaultdict(list)
        for k, v in self._form.items():
            values[k].append(v)
        return values


class _Request(OAuth2Request):  # type: ignore[misc]
    def __init__(self, form: dict[str, str], headers: Any) -> None:
        # TLS is the edge proxy's concern; Authlib only sees the path
        super().__init__(method="POST", uri="https://carebase/oauth/token", headers=headers)
        self.payload = _Payload(form)
        self._form = form

    @property
    def args(self) -> dict[str, str]:
        return {}

    @property
    def form(self) -> dict[str, str]:
        return self._form


class _ClientCredentialsGrant(ClientCredentialsGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]


class _Server(AuthorizationServer):  # type: ignore[misc]
    def __init__(self, client: _Client | None, settings: Settings) -> None:
        super().__init__()
        self._client = client
        self._settings = settings
        self.register_grant(_ClientCredentialsGrant)
        self.register_token_generator("client_credentials", self._token)

    def create_oauth2_request(self, request: _Request) -> _Request:
        return request

    def query_client(self, client_id: str) -> _Client | None:
        if self._client is not None and self._client.get_client_id() == client_id:
            return self._client
        return None

    def save_token(self, token: dict[str, Any], request: Any) -> None:
        pass  # stateless JWTs; revoking the client ends them

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        pass

    def handle_response(self, status: int, body: Any, headers: list[tuple[str, str]]) -> Response:
        return JSONResponse(body, status_code=status, headers=dict(headers))

    def _token(
        self,
        grant_type: str,
        client: _Client,
        user: Any = None,
        scope: str | None = None,
        expires_in: int | None = None,
        include_refresh_token: bool = False,
    ) -> dict[str, Any]:
        # never more than the client was granted: Authlib passes the request through as asked
        scopes = tuple(client.get_allowed_scope(scope).split())
        token, ttl = signer_for(self._settings.secret_key.get_secret_value()).issue(
            subject=str(client.row.id),
            kind="oauth",
            organization_id=str(client.row.organization_id),
            scopes=scopes,
            ttl=OAUTH_TOKEN_TTL,
        )
        return {
            "token_type": "Bearer",
            "access_token": token,
            "expires_in": ttl,
            "scope": " ".join(scopes),
        }


def _client_id_of(form: dict[str, str], authorization: str | None) -> str | None:
    if authorization and authorization.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(authorization[6:].strip()).decode()
        except (ValueError, UnicodeDecodeError):
            return None
        return unquote(decoded.partition(":")[0])
    return form.get("client_id")


async def token_endpoint(db: Database, settings: Settings, request: Request) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    headers = request.headers  # case-insensitive, as Authlib's lookups expect
    client_id = _client_id_of(form, request.headers.get("authorization"))
    client: _Client | None = None
    if client_id:
        async with db.unit_of_work() as uow:
            row = await find_oauth_client(uow, client_id)
        client = _Client(row) if row is not None else None
    server = _Server(client, settings)
    response: Response = server.create_token_response(_Request(form, headers))
    response.headers["cache-control"] = "no-store"
    return response
