"""Machine credentials and the audit log: API keys, OAuth client credentials, who did what.

Keys and OAuth clients act as the member who created them, limited to their scopes; every
read and write of a client's records leaves an audit row naming the actor and credential.
"""

from __future__ import annotations

import base64
from typing import Any

import httpx

from tests.conftest import Practice, sign_up, token_from, unique_email
from tests.fixtures.graphql import GraphQLClient, documents
from tests.fixtures.smtp import Inbox

TEST_IP = "203.0.113.7"
INVITEE_PASSWORD = "invited pass 2026"


# ---------------------------------------------------------------------------- helpers


def codes(errors: list[dict[str, Any]]) -> list[str]:
    return [e["code"] for e in errors]


def top_code(errors: list[dict[str, Any]]) -> str:
    return str(errors[0]["extensions"]["code"])


async def create_key(
    api: GraphQLClient, token: str, scopes: list[str], name: str = "partner key"
) -> tuple[dict[str, Any], str]:
    payload = (
        await api.op("CreateApiKey", {"input": {"name": name, "scopes": scopes}}, token=token)
    )["createApiKey"]
    assert payload["userErrors"] == [], payload
    return payload["apiKey"], payload["secret"]


async def create_client(api: GraphQLClient, token: str, name: str = "Cal Client") -> dict[str, Any]:
    payload = (
        await api.op(
            "CreateClient", {"input": {"name": name, "email": unique_email("client")}}, token=token
        )
    )["createClient"]
    assert payload["userErrors"] == [], payload
    return payload["client"]  # type: ignore[no-any-return]


async def invited_member(
    api: GraphQLClient, smtp: Inbox, practice: Practice, role: str
) -> tuple[dict[str, Any], str]:
    email = unique_email(role.lower())
    invited = (
        await api.op(
            "InviteMember",
            {"input": {"name": f"{role.title()} Person", "email": email, "role": role}},
            token=practice.owner_token,
        )
    )["inviteMember"]
    assert invited["userErrors"] == [], invited
    [message] = await smtp.wait_for(email)
    accepted = (
        await api.op(
            "AcceptInvitation",
            {"input": {"token": token_from(message), "password": INVITEE_PASSWORD}},
        )
    )["acceptInvitation"]
    assert accepted["userErrors"] == []
    return invited["member"], accepted["accessToken"]


async def invited_client(
    api: GraphQLClient, smtp: Inbox, practice: Practice
) -> tuple[dict[str, Any], str]:
    email = unique_email("portal")
    created = (
        await api.op(
            "CreateClient",
            {"input": {"name": "Pia Portal", "email": email, "sendInvitation": True}},
            token=practice.owner_token,
        )
    )["createClient"]
    assert created["userErrors"] == []
    [message] = await smtp.wait_for(email)
    accepted = (
        await api.op(
            "AcceptInvitation",
            {"input": {"token": token_from(message), "password": INVITEE_PASSWORD}},
        )
    )["acceptInvitation"]
    assert accepted["userErrors"] == []
    return created["client"], accepted["accessToken"]


async def create_oauth_client(
    api: GraphQLClient, token: str, scopes: list[str]
) -> tuple[dict[str, Any], str]:
    payload = (
        await api.op(
            "CreateOAuthClient", {"input": {"name": "Partner EHR", "scopes": scopes}}, token=token
        )
    )["createOAuthClient"]
    assert payload["userErrors"] == [], payload
    return payload["oauthClient"], payload["clientSecret"]


async def token_request(
    http: httpx.AsyncClient,
    form: dict[str, str],
    *,
    basic: tuple[str, str] | None = None,
) -> httpx.Response:
    headers = {}
    if basic:
        pair = f"{basic[0]}:{basic[1]}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
    return await http.post("/oauth/token", data=form, headers=headers)


def scope_set(value: str) -> set[str]:
    return set(value.split())


async def audit_events(api: GraphQLClient, token: str, **filter: Any) -> list[dict[str, Any]]:
    data = await api.op("AuditEvents", {"first": 100, "filter": filter or None}, token=token)
    return [e["node"] for e in data["auditEvents"]["edges"]]


# ---------------------------------------------------------------------------- API keys


async def test_api_key_reads_within_its_scopes(api: GraphQLClient, practice: Practice) -> None:
    client = await create_client(api, practice.owner_token)
    key, secret = await create_key(api, practice.owner_token, ["clients:read"])
    assert secret.startswith("cbk_")
    assert key["name"] == "partner key" and key["scopes"] == ["clients:read"]
    assert key["revokedAt"] is None

    organization = (await api.op("Organization", token=secret))["organization"]
    assert organization["id"] == practice.id
    listed = (await api.op("Clients", token=secret))["clients"]
    assert [e["node"]["id"] for e in listed["edges"]] == [client["id"]]
    assert (await api.op("ClientDetails", {"id": client["id"]}, token=secret))["client"] == client

    # read does not imply write
    created = (
        await api.op(
            "CreateClient", {"input": {"name": "Nope", "email": unique_email()}}, token=secret
        )
    )["createClient"]
    assert codes(created["userErrors"]) == ["FORBIDDEN"] and created["client"] is None
    updated = (
        await api.op("UpdateClient", {"input": {"id": client["id"], "name": "Nope"}}, token=secret)
    )["updateClient"]
    assert codes(updated["userErrors"]) == ["FORBIDDEN"]
    # nor another area
    assert top_code(await api.errors("Members", token=secret)) == "FORBIDDEN"
    settings = (
        await api.op("UpdatePortalSettings", {"input": {"clientsCanBook": False}}, token=secret)
    )["updatePortalSettings"]
    assert codes(settings["userErrors"]) == ["FORBIDDEN"]

    listed = (await api.op("Clients", token=practice.owner_token))["clients"]
    assert listed["totalCount"] == 1
    assert listed["edges"][0]["node"] == client


async def test_api_key_without_clients_scope_is_forbidden_clients(
    api: GraphQLClient, practice: Practice
) -> None:
    client = await create_client(api, practice.owner_token)
    _, secret = await create_key(api, practice.owner_token, ["appointments:read"])
    assert (await api.op("Organization", token=secret))["organization"]["id"] == practice.id
    assert top_code(await api.errors("Clients", token=secret)) == "FORBIDDEN"
    assert (await api.op("Node", {"id": client["id"]}, token=secret))["node"] is None


async def test_api_key_with_write_scope_writes(api: GraphQLClient, practice: Practice) -> None:
    _, secret = await create_key(api, practice.owner_token, ["clients:write"])
    created = await create_client(api, secret, "Written By Key")
    # write implies read
    assert (await api.op("ClientDetails", {"id": created["id"]}, token=secret))["client"] == created


async def test_api_key_scopes_are_checked(api: GraphQLClient, practice: Practice) -> None:
    for scopes in (["clients:delete"], ["clients:read", "everything"], ["admin"], []):
        payload = (
            await api.op(
                "CreateApiKey",
                {"input": {"name": "bad", "scopes": scopes}},
                token=practice.owner_token,
            )
        )["createApiKey"]
        assert codes(payload["userErrors"]) == ["INVALID_INPUT"], scopes
        assert payload["secret"] is None and payload["apiKey"] is None
    keys = (await api.op("ApiKeys", token=practice.owner_token))["apiKeys"]
    assert keys["totalCount"] == 0


async def test_revoked_api_key_is_unauthenticated(api: GraphQLClient, practice: Practice) -> None:
    key, secret = await create_key(api, practice.owner_token, ["clients:read"])
    assert (await api.op("Organization", token=secret))["organization"]
    revoked = (
        await api.op("RevokeApiKey", {"input": {"id": key["id"]}}, token=practice.owner_token)
    )["revokeApiKey"]
    assert revoked["userErrors"] == []
    assert revoked["apiKey"]["id"] == key["id"] and revoked["apiKey"]["revokedAt"]
    assert top_code(await api.errors("Organization", token=secret)) == "UNAUTHENTICATED"
    assert top_code(await api.errors("Clients", token=secret)) == "UNAUTHENTICATED"


async def test_another_organization_cannot_revoke_a_key(
    api: GraphQLClient, practice: Practice
) -> None:
    key, secret = await create_key(api, practice.owner_token, ["clients:read"])
    other = await sign_up(api, "Other Practice")
    revoked = (await api.op("RevokeApiKey", {"input": {"id": key["id"]}}, token=other.owner_token))[
        "revokeApiKey"
    ]
    assert codes(revoked["userErrors"]) in (["NOT_FOUND"], ["FORBIDDEN"])
    assert (await api.op("Organization", token=secret))["organization"]["id"] == practice.id
    # nor see it, nor reach the first organization with its own keys
    assert (await api.op("ApiKeys", token=other.owner_token))["apiKeys"]["totalCount"] == 0
    _, theirs = await create_key(api, other.owner_token, ["clients:read"])
    assert (await api.op("Node", {"id": practice.id}, token=theirs))["node"] is None


async def test_a_key_cannot_mint_credentials(api: GraphQLClient, practice: Practice) -> None:
    _, secret = await create_key(
        api, practice.owner_token, ["settings:write", "members:write", "clients:write"]
    )
    created = (
        await api.op(
            "CreateApiKey", {"input": {"name": "child", "scopes": ["clients:read"]}}, token=secret
        )
    )["createApiKey"]
    assert codes(created["userErrors"]) == ["FORBIDDEN"]
    assert created["secret"] is None
    oauth = (
        await api.op(
            "CreateOAuthClient",
            {"input": {"name": "child", "scopes": ["clients:read"]}},
            token=secret,
        )
    )["createOAuthClient"]
    assert codes(oauth["userErrors"]) == ["FORBIDDEN"]
    assert oauth["clientSecret"] is None
    keys = (await api.op("ApiKeys", token=practice.owner_token))["apiKeys"]
    assert keys["totalCount"] == 1


async def test_api_keys_are_listed_without_their_secret(
    api: GraphQLClient, practice: Practice
) -> None:
    key, secret = await create_key(api, practice.owner_token, ["clients:read", "audit:read"])
    response = await api.raw(documents()["ApiKeys"], token=practice.owner_token)
    assert secret not in str(response)
    keys = (await api.op("ApiKeys", token=practice.owner_token))["apiKeys"]
    assert keys["totalCount"] == 1
    assert keys["edges"][0]["node"] == {
        "id": key["id"],
        "name": "partner key",
        "scopes": ["audit:read", "clients:read"],
        "revokedAt": None,
    }
    # the type has no field that could carry the secret
    introspected = await api.raw('{ __type(name: "ApiKey") { fields { name } } }')
    names = {f["name"] for f in introspected["data"]["__type"]["fields"]}
    assert not names & {"secret", "secretHash", "key", "token"}


async def test_a_key_acts_as_its_creator_within_their_role(
    api: GraphQLClient, practice: Practice, smtp: Inbox
) -> None:
    admin, admin_token = await invited_member(api, smtp, practice, "ADMIN")
    key, secret = await create_key(api, admin_token, ["audit:read", "clients:write"])
    client = await create_client(api, secret, "Via Admin Key")
    events = await audit_events(api, secret, clientId=client["id"])
    [write] = [e for e in events if e["operation"] == "createClient"]
    assert write["actorId"] == admin["id"]
    assert write["apiKeyId"] == key["id"]

    # a key without audit:read does not read the log, whoever made it
    _, no_audit = await create_key(api, admin_token, ["clients:read"])
    assert top_code(await api.errors("AuditEvents", token=no_audit)) == "FORBIDDEN"

    # providers and staff cannot make keys at all, so no key can lift them
    for role in ("PROVIDER", "STAFF"):
        _, token = await invited_member(api, smtp, practice, role)
        for scopes in (["audit:read"], ["clients:read"]):
            payload = (
                await api.op(
                    "CreateApiKey", {"input": {"name": "mine", "scopes": scopes}}, token=token
                )
            )["createApiKey"]
            assert codes(payload["userErrors"]) == ["FORBIDDEN"], (role, scopes)
            assert payload["secret"] is None


# ---------------------------------------------------------------------- OAuth client credentials


async def test_oauth_client_credentials_with_basic_auth(
    api: GraphQLClient, http: httpx.AsyncClient, practice: Practice
) -> None:
    oauth, secret = await create_oauth_client(
        api, practice.owner_token, ["clients:read", "clients:write"]
    )
    assert oauth["clientId"] and secret and oauth["clientId"] != secret
    assert set(oauth["scopes"]) == {"clients:read", "clients:write"}

    response = await token_request(
        http, {"grant_type": "client_credentials"}, basic=(oauth["clientId"], secret)
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) >= {"access_token", "token_type", "expires_in", "scope"}
    assert body["token_type"] == "Bearer"
    assert isinstance(body["expires_in"], int) and body["expires_in"] > 0
    assert "no-store" in response.headers.get("cache-control", "")
    # no scope asked: the client's scopes
    assert scope_set(body["scope"]) == {"clients:read", "clients:write"}

    token = body["access_token"]
    assert (await api.op("Organization", token=token))["organization"]["id"] == practice.id
    created = await create_client(api, token, "Via OAuth")
    listed = (await api.op("Clients", token=token))["clients"]
    assert [e["node"]["id"] for e in listed["edges"]] == [created["id"]]
    # still only its scopes
    assert top_code(await api.errors("AuditEvents", token=token)) == "FORBIDDEN"


async def test_oauth_client_credentials_in_the_form_body(
    api: GraphQLClient, http: httpx.AsyncClient, practice: Practice
) -> None:
    oauth, secret = await create_oauth_client(api, practice.owner_token, ["clients:read"])
    response = await token_request(
        http,
        {
            "grant_type": "client_credentials",
            "client_id": oauth["clientId"],
            "client_secret": secret,
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert scope_set(body["scope"]) == {"clients:read"}
    assert (await api.op("Organization", token=body["access_token"]))["organization"][
        "id"
    ] == practice.id


async def test_oauth_requested_scope_narrows_the_token(
    api: GraphQLClient, http: httpx.AsyncClient, practice: Practice
) -> None:
    client = await create_client(api, practice.owner_token)
    oauth, secret = await create_oauth_client(
        api, practice.owner_token, ["clients:read", "clients:write"]
    )
    response = await token_request(
        http,
        {"grant_type": "client_credentials", "scope": "clients:read"},
        basic=(oauth["clientId"], secret),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert scope_set(body["scope"]) == {"clients:read"}
    token = body["access_token"]

    listed = (await api.op("Clients", token=token))["clients"]
    assert [e["node"]["id"] for e in listed["edges"]] == [client["id"]]
    created = (
        await api.op(
            "CreateClient", {"input": {"name": "Nope", "email": unique_email()}}, token=token
        )
    )["createClient"]
    assert codes(created["userErrors"]) == ["FORBIDDEN"]
    updated = (
        await api.op("UpdateClient", {"input": {"id": client["id"], "name": "X"}}, token=token)
    )["updateClient"]
    assert codes(updated["userErrors"]) == ["FORBIDDEN"]
    assert (await api.op("Clients", token=practice.owner_token))["clients"]["totalCount"] == 1


async def test_oauth_token_never_exceeds_the_clients_scopes(
    api: GraphQLClient, http: httpx.AsyncClient, practice: Practice
) -> None:
    """Asking for scopes the OAuth client was not given must not grant them."""
    oauth, secret = await create_oauth_client(api, practice.owner_token, ["clients:read"])
    before = (await api.op("Organization", token=practice.owner_token))["organization"]
    response = await token_request(
        http,
        {"grant_type": "client_credentials", "scope": "clients:read settings:write audit:read"},
        basic=(oauth["clientId"], secret),
    )
    if response.status_code != 200:
        assert response.json()["error"] == "invalid_scope", response.text
        return
    body = response.json()
    assert scope_set(body["scope"]) <= {"clients:read"}, body["scope"]
    token = body["access_token"]
    settings = (
        await api.op("UpdatePortalSettings", {"input": {"clientsCanBook": False}}, token=token)
    )["updatePortalSettings"]
    assert codes(settings["userErrors"]) == ["FORBIDDEN"]
    assert top_code(await api.errors("AuditEvents", token=token)) == "FORBIDDEN"
    after = (await api.op("Organization", token=practice.owner_token))["organization"]
    assert after == before


async def test_oauth_token_endpoint_errors(
    api: GraphQLClient, http: httpx.AsyncClient, practice: Practice
) -> None:
    oauth, secret = await create_oauth_client(api, practice.owner_token, ["clients:read"])

    for form, basic in (
        ({"grant_type": "client_credentials"}, (oauth["clientId"], secret + "x")),
        ({"grant_type": "client_credentials"}, ("cbo_unknown", secret)),
        (
            {
                "grant_type": "client_credentials",
                "client_id": oauth["clientId"],
                "client_secret": "wrong",
            },
            None,
        ),
        ({"grant_type": "client_credentials"}, None),
    ):
        response = await token_request(http, form, basic=basic)
        assert response.status_code in (400, 401), response.text
        assert response.json()["error"] == "invalid_client", response.text
        assert "access_token" not in response.json()

    for grant in ("password", "authorization_code", "urn:example:nope"):
        response = await token_request(
            http,
            {"grant_type": grant, "username": practice.owner_email, "password": "x" * 12},
            basic=(oauth["clientId"], secret),
        )
        assert response.status_code == 400, response.text
        assert response.json()["error"] == "unsupported_grant_type", grant

    # an OAuth access token is no API key and no user token of another organization
    other = await sign_up(api, "Other Practice")
    good = await token_request(
        http, {"grant_type": "client_credentials"}, basic=(oauth["clientId"], secret)
    )
    assert good.status_code == 200, good.text
    token = good.json()["access_token"]
    assert (await api.op("Node", {"id": other.id}, token=token))["node"] is None
    assert (await api.op("Node", {"id": practice.id}, token=token))["node"] == {
        "__typename": "Organization",
        "id": practice.id,
        "name": practice.organization["name"],
    }


# ---------------------------------------------------------------------------- audit log


async def test_audit_log_records_writes_and_reads(api: GraphQLClient, practice: Practice) -> None:
    owner_id = practice.owner["id"]
    client = await create_client(api, practice.owner_token, "Audited Client")
    other_client = await create_client(api, practice.owner_token, "Other Client")
    updated = (
        await api.op(
            "UpdateClient",
            {"input": {"id": client["id"], "phone": "+1 555 0100"}},
            token=practice.owner_token,
        )
    )["updateClient"]
    assert updated["userErrors"] == []
    await api.op("Clients", token=practice.owner_token)
    await api.op("ClientDetails", {"id": client["id"]}, token=practice.owner_token)

    events = await audit_events(api, practice.owner_token)
    mine = [e for e in events if e["clientId"] == client["id"]]
    writes = [e for e in mine if e["action"] == "WRITE"]
    reads = [e for e in mine if e["action"] == "READ"]
    assert sorted(e["operation"] for e in writes) == ["createClient", "updateClient"]
    # one read from the list, one from client(id)
    assert len(reads) >= 2
    for event in mine:
        assert event["resource"] == "client"
        assert event["resourceId"] == client["id"]
        assert event["actorId"] == owner_id
        assert event["apiKeyId"] is None and event["oauthClientId"] is None
        assert event["ip"] == TEST_IP
        assert event["createdAt"]
    assert any(e["clientId"] == other_client["id"] for e in events)

    filtered = await audit_events(api, practice.owner_token, clientId=client["id"])
    assert {e["id"] for e in filtered} == {e["id"] for e in mine}
    only_writes = await audit_events(
        api, practice.owner_token, clientId=client["id"], action="WRITE"
    )
    assert {e["id"] for e in only_writes} == {e["id"] for e in writes}
    by_actor = await audit_events(api, practice.owner_token, actorId=owner_id)
    assert {e["id"] for e in by_actor} == {e["id"] for e in events}


async def test_audit_log_names_the_api_key_and_oauth_client(
    api: GraphQLClient, http: httpx.AsyncClient, practice: Practice
) -> None:
    client = await create_client(api, practice.owner_token)
    key, secret = await create_key(api, practice.owner_token, ["clients:read"])
    assert (await api.op("ClientDetails", {"id": client["id"]}, token=secret))["client"]

    oauth, oauth_secret = await create_oauth_client(api, practice.owner_token, ["clients:read"])
    response = await token_request(
        http, {"grant_type": "client_credentials"}, basic=(oauth["clientId"], oauth_secret)
    )
    assert response.status_code == 200, response.text
    await api.op("Clients", token=response.json()["access_token"])

    events = await audit_events(api, practice.owner_token, clientId=client["id"])
    by_key = [e for e in events if e["apiKeyId"] == key["id"]]
    assert len(by_key) == 1
    assert by_key[0]["action"] == "READ"
    assert by_key[0]["actorId"] == practice.owner["id"]
    assert by_key[0]["oauthClientId"] is None
    assert by_key[0]["ip"] == TEST_IP
    by_oauth = [e for e in events if e["oauthClientId"] == oauth["id"]]
    assert len(by_oauth) == 1
    assert by_oauth[0]["action"] == "READ"
    assert by_oauth[0]["actorId"] == practice.owner["id"]
    assert by_oauth[0]["apiKeyId"] is None


async def test_audit_log_names_a_client_reading_their_own_record(
    api: GraphQLClient, practice: Practice, smtp: Inbox
) -> None:
    """actorId is a global id of the account that acted, usable with node(id:)."""
    me, token = await invited_client(api, smtp, practice)
    assert (await api.op("ClientDetails", {"id": me["id"]}, token=token))["client"]["id"] == me[
        "id"
    ]

    events = await audit_events(api, practice.owner_token, clientId=me["id"], action="READ")
    [read] = [e for e in events if e["actorId"] != practice.owner["id"]]
    assert read["ip"] == TEST_IP
    assert read["actorId"] == me["id"]
    node = (await api.op("Node", {"id": read["actorId"]}, token=practice.owner_token))["node"]
    assert node is not None and node["id"] == me["id"]


async def test_audit_log_is_for_owners_and_admins(
    api: GraphQLClient, practice: Practice, smtp: Inbox
) -> None:
    await create_client(api, practice.owner_token)
    _, client_token = await invited_client(api, smtp, practice)
    _, provider_token = await invited_member(api, smtp, practice, "PROVIDER")
    _, staff_token = await invited_member(api, smtp, practice, "STAFF")
    for token in (client_token, provider_token, staff_token):
        assert top_code(await api.errors("AuditEvents", token=token)) == "FORBIDDEN"
    assert top_code(await api.errors("AuditEvents")) == "UNAUTHENTICATED"
    _, admin_token = await invited_member(api, smtp, practice, "ADMIN")
    assert (await api.op("AuditEvents", token=admin_token))["auditEvents"]["totalCount"] >= 1


async def test_a_clients_billing_and_intake_need_their_own_scopes(
    api: GraphQLClient, practice: Practice
) -> None:
    client = await create_client(api, practice.owner_token)
    _, clients_only = await create_key(api, practice.owner_token, ["clients:read"])
    _, billing_too = await create_key(api, practice.owner_token, ["clients:read", "billing:read"])
    query = "query($id: ID!) { client(id: $id) { name paymentMethods { id } } }"
    refused = await api.raw(query, {"id": client["id"]}, token=clients_only)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    allowed = await api.raw(query, {"id": client["id"]}, token=billing_too)
    assert "errors" not in allowed and allowed["data"]["client"]["paymentMethods"] == []
    intake = await api.raw(
        "query($id: ID!) { client(id: $id) { pendingIntake { id } } }",
        {"id": client["id"]},
        token=billing_too,
    )
    assert intake["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_revoked_oauth_client_is_refused_at_once(
    api: GraphQLClient, http: httpx.AsyncClient, practice: Practice
) -> None:
    client, secret = await create_oauth_client(api, practice.owner_token, ["clients:read"])
    issued = await token_request(
        http, {"grant_type": "client_credentials"}, basic=(client["clientId"], secret)
    )
    token = issued.json()["access_token"]
    assert (await api.op("Organization", token=token))["organization"]
    listed = await api.op("OAuthClients", token=practice.owner_token)
    assert [e["node"]["clientId"] for e in listed["oauthClients"]["edges"]] == [client["clientId"]]
    other = await sign_up(api, "Elsewhere")
    foreign = await api.op(
        "RevokeOAuthClient", {"input": {"id": client["id"]}}, token=other.owner_token
    )
    assert foreign["revokeOAuthClient"]["userErrors"][0]["code"] == "NOT_FOUND"
    revoked = await api.op(
        "RevokeOAuthClient", {"input": {"id": client["id"]}}, token=practice.owner_token
    )
    assert revoked["revokeOAuthClient"]["oauthClient"]["revokedAt"]
    errors = await api.errors("Organization", token=token)
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
    again = await token_request(
        http, {"grant_type": "client_credentials"}, basic=(client["clientId"], secret)
    )
    assert again.status_code in (400, 401) and again.json()["error"] == "invalid_client"
