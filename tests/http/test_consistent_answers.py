"""A credential that was presented and refused is UNAUTHENTICATED on every field, viewer
included; only a caller with no credential is signed out. A wrong and a missing publishable
key get the same code on every public operation."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLNonNull,
    GraphQLObjectType,
    get_named_type,
    is_leaf_type,
)

from carebase.auth.tokens import TokenSigner
from carebase.config import Settings
from carebase.schema import build_schema
from carebase.schema.relay import to_global_id
from tests.conftest import PASSWORD, Practice, sign_up
from tests.fixtures.graphql import GraphQLClient, documents
from tests.fixtures.secrets import secret

SCHEMA = build_schema(production=False)._schema
LITERALS = {
    "ID": f'"{to_global_id("Client", uuid.uuid4())}"',
    "String": '"x"',
    "Int": "1",
    "Boolean": "false",
    "DateTime": '"2026-03-02T09:00:00+00:00"',
    "Date": '"2026-03-02"',
}


def root_query_documents() -> dict[str, str]:
    """Every root query field, its required arguments filled with well-formed values."""
    query = SCHEMA.query_type
    assert isinstance(query, GraphQLObjectType)
    found = {}
    for name, field in query.fields.items():
        arguments = []
        for arg_name, arg in field.args.items():
            if isinstance(arg.type, GraphQLNonNull) and arg.default_value is not None:
                named = get_named_type(arg.type)
                # an enum takes its first value (a report's grouping)
                literal = (
                    next(iter(named.values))
                    if isinstance(named, GraphQLEnumType)
                    else LITERALS[named.name]
                )
                is_list = "[" in str(arg.type)
                arguments.append(f"{arg_name}: {'[' + literal + ']' if is_list else literal}")
        call = name + (f"({', '.join(arguments)})" if arguments else "")
        selection = "" if is_leaf_type(get_named_type(field.type)) else " { __typename }"
        found[name] = f"{{ {call}{selection} }}"
    return found


QUERIES = root_query_documents()


def expired_copy(settings: Settings, token: str) -> str:
    """The same session's token, signed with the server's key, expired a minute ago."""
    signer = TokenSigner(settings.secret_key.get_secret_value())
    claims = signer.verify(token)
    assert claims is not None
    expired, _ = signer.issue(
        subject=claims.subject,
        kind=claims.kind,
        organization_id=claims.organization_id,
        session_id=claims.session_id,
        ttl=-60,
    )
    return secret(expired, "access token")


async def logged_out(api: GraphQLClient) -> str:
    practice = await sign_up(api, "Logged Out Practice")
    await api.op("LogOut", token=practice.owner_token)
    return practice.owner_token


async def revoked_key(api: GraphQLClient, practice: Practice) -> str:
    made = await api.op(
        "CreateApiKey",
        {"input": {"name": "revoked", "scopes": ["clients:read"]}},
        token=practice.owner_token,
    )
    key = secret(made["createApiKey"]["secret"], "api key")
    await api.op(
        "RevokeApiKey",
        {"input": {"id": made["createApiKey"]["apiKey"]["id"]}},
        token=practice.owner_token,
    )
    return key


BadCredential = Callable[[GraphQLClient, Practice, Settings], Awaitable[dict[str, str]]]


async def _invalid(api: GraphQLClient, practice: Practice, settings: Settings) -> dict[str, str]:
    return {"Authorization": "Bearer not-a-token"}


async def _forged(api: GraphQLClient, practice: Practice, settings: Settings) -> dict[str, str]:
    forged, _ = TokenSigner("another key " + "y" * 40).issue(
        subject=practice.owner["id"], kind="user", organization_id=practice.id
    )
    return {"Authorization": f"Bearer {forged}"}


async def _expired(api: GraphQLClient, practice: Practice, settings: Settings) -> dict[str, str]:
    return {"Authorization": f"Bearer {expired_copy(settings, practice.owner_token)}"}


async def _revoked(api: GraphQLClient, practice: Practice, settings: Settings) -> dict[str, str]:
    return {"Authorization": f"Bearer {await logged_out(api)}"}


async def _revoked_key(
    api: GraphQLClient, practice: Practice, settings: Settings
) -> dict[str, str]:
    return {"Authorization": f"Bearer {await revoked_key(api, practice)}"}


async def _not_bearer(api: GraphQLClient, practice: Practice, settings: Settings) -> dict[str, str]:
    return {"Authorization": f"Token {practice.owner_token}"}


BAD: dict[str, BadCredential] = {
    "invalid": _invalid,
    "forged": _forged,
    "expired": _expired,
    "revoked session": _revoked,
    "revoked API key": _revoked_key,
    "not a bearer token": _not_bearer,
}


@pytest.mark.parametrize("kind", BAD)
async def test_a_refused_credential_is_unauthenticated_on_every_query_field(
    api: GraphQLClient, practice: Practice, settings: Settings, kind: str
) -> None:
    headers = await BAD[kind](api, practice, settings)
    for name, query in QUERIES.items():
        answer = await api.raw(query, headers=headers)
        codes = [(e.get("extensions") or {}).get("code") for e in answer.get("errors") or []]
        assert codes == ["UNAUTHENTICATED"], (kind, name, answer)
        assert answer["errors"][0]["path"] == [name]


async def test_without_credentials_the_viewer_is_null(api: GraphQLClient) -> None:
    answer = await api.raw(QUERIES["viewer"])
    assert answer == {"data": {"viewer": None}, "extensions": answer.get("extensions")}


@pytest.mark.parametrize("kind", ["expired", "revoked session"])
async def test_mutations_refuse_it_too(
    api: GraphQLClient, practice: Practice, settings: Settings, kind: str
) -> None:
    headers = await BAD[kind](api, practice, settings)
    for name, variables in (
        ("LogOut", None),
        ("CreateClient", {"input": {"name": "Never Made", "email": "never@example.test"}}),
    ):
        answer = await api.raw(documents()[name], variables, headers=headers)
        assert answers_with(answer) == ("userErrors", ["UNAUTHENTICATED"]), (name, answer)
    listed = await api.op("Clients", {}, token=practice.owner_token)
    assert listed["clients"]["totalCount"] == 0  # nothing was made


async def test_operations_taking_their_own_credential_stay_open(
    api: GraphQLClient, practice: Practice, settings: Settings
) -> None:
    """An app whose access token expired still logs in again with the stale header on."""
    headers = await BAD["expired"](api, practice, settings)
    answer = await api.op(
        "LogIn",
        {"input": {"email": practice.owner_email, "password": PASSWORD}},
        headers=headers,
    )
    assert answer["logIn"]["userErrors"] == []
    secret(answer["logIn"]["accessToken"], "access token")
    refreshed = await api.op(
        "RefreshToken",
        {"input": {"refreshToken": secret(answer["logIn"]["refreshToken"], "refresh token")}},
        headers=headers,
    )
    assert refreshed["refreshToken"]["userErrors"] == []
    secret(refreshed["refreshToken"]["accessToken"], "access token")
    secret(refreshed["refreshToken"]["refreshToken"], "refresh token")


PUBLIC_OPERATIONS: dict[str, Callable[[Practice], dict[str, Any]]] = {
    "PublicBookingProfile": lambda p: {},
    "AvailableSlots": lambda p: {
        "providerId": p.owner["id"],
        "appointmentTypeId": to_global_id("AppointmentType", uuid.uuid4()),
        "from": "2026-03-02T00:00:00+00:00",
        "to": "2026-03-03T00:00:00+00:00",
    },
    "BookAppointmentPublic": lambda p: {
        "input": {
            "appointmentTypeId": to_global_id("AppointmentType", uuid.uuid4()),
            "providerId": p.owner["id"],
            "startsAt": "2026-03-02T15:00:00+00:00",
            "client": {"name": "Wanda Widget", "email": "wanda@example.test"},
        }
    },
}
KEYS = {
    "missing": {},
    "unknown": {"X-Carebase-Publishable-Key": "pk_" + "0" * 32},
    "malformed": {"X-Carebase-Publishable-Key": "not-a-key"},
}


@pytest.mark.parametrize("operation", PUBLIC_OPERATIONS)
async def test_a_wrong_and_a_missing_publishable_key_get_the_same_code(
    api: GraphQLClient, practice: Practice, operation: str
) -> None:
    shape = "userErrors" if operation.startswith("Book") else "errors"
    answers = {}
    for label, headers in KEYS.items():
        variables = PUBLIC_OPERATIONS[operation](practice)
        answers[label] = answers_with(
            await api.raw(documents()[operation], variables, headers=headers)
        )
    assert answers == {label: (shape, ["UNAUTHENTICATED"]) for label in KEYS}, answers


def answers_with(answer: dict[str, Any]) -> tuple[str, list[str]]:
    """Where the refusal is (top-level errors or the payload's userErrors) and its codes."""
    if answer.get("errors"):
        return "errors", [str((e.get("extensions") or {}).get("code")) for e in answer["errors"]]
    [payload] = answer["data"].values()
    return "userErrors", [e["code"] for e in payload["userErrors"]]
