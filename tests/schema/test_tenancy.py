"""Tenancy and roles: what another organization, a client, a stranger and each role may see and do.

Everything is posted over the ASGI app with the documents in gql/operations/, and every
"nothing changed" is checked by reading back as the owner of the data.
"""

from __future__ import annotations

import base64
from typing import Any

from tests.conftest import Practice, sign_up, token_from, unique_email
from tests.fixtures.graphql import GraphQLClient
from tests.fixtures.smtp import Inbox

INVITEE_PASSWORD = "invited pass 2026"


# ---------------------------------------------------------------------------- helpers


async def create_client(
    api: GraphQLClient, token: str, name: str = "Cal Client", **extra: Any
) -> dict[str, Any]:
    data = await api.op(
        "CreateClient",
        {"input": {"name": name, "email": unique_email("client"), **extra}},
        token=token,
    )
    payload = data["createClient"]
    assert payload["userErrors"] == [], payload
    return payload["client"]  # type: ignore[no-any-return]


async def invited_client(
    api: GraphQLClient, smtp: Inbox, practice: Practice, name: str = "Pia Portal"
) -> tuple[dict[str, Any], str]:
    """A client who accepted the invitation email: (client, access token)."""
    email = unique_email("portal")
    created = (
        await api.op(
            "CreateClient",
            {"input": {"name": name, "email": email, "sendInvitation": True}},
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
    assert accepted["viewer"]["__typename"] == "Client"
    return created["client"], accepted["accessToken"]


async def invited_member(
    api: GraphQLClient, smtp: Inbox, practice: Practice, role: str
) -> tuple[dict[str, Any], str]:
    """A member of ``role`` who accepted the invitation email: (member, access token)."""
    email = unique_email(role.lower())
    invited = (
        await api.op(
            "InviteMember",
            {"input": {"name": f"{role.title()} Person", "email": email, "role": role}},
            token=practice.owner_token,
        )
    )["inviteMember"]
    assert invited["userErrors"] == [], invited
    assert invited["member"]["role"] == role
    [message] = await smtp.wait_for(email)
    accepted = (
        await api.op(
            "AcceptInvitation",
            {"input": {"token": token_from(message), "password": INVITEE_PASSWORD}},
        )
    )["acceptInvitation"]
    assert accepted["userErrors"] == []
    assert accepted["viewer"]["__typename"] == "Member"
    assert accepted["viewer"]["role"] == role
    return invited["member"], accepted["accessToken"]


def codes(errors: list[dict[str, Any]]) -> list[str]:
    return [e["code"] for e in errors]


def top_code(errors: list[dict[str, Any]]) -> str:
    return str(errors[0]["extensions"]["code"])


async def read_client(api: GraphQLClient, token: str, client_id: str) -> dict[str, Any] | None:
    return (await api.op("ClientDetails", {"id": client_id}, token=token))["client"]  # type: ignore[no-any-return]


async def read_organization(api: GraphQLClient, token: str) -> dict[str, Any]:
    return (await api.op("Organization", token=token))["organization"]  # type: ignore[no-any-return]


# ---------------------------------------------------------------------------- other organizations


async def test_another_organizations_nodes_answer_null(
    api: GraphQLClient, practice: Practice
) -> None:
    theirs = await create_client(api, practice.owner_token, "Their Client")
    other = await sign_up(api, "Other Practice")
    mine = await create_client(api, other.owner_token, "My Client")

    for global_id in (theirs["id"], practice.owner["id"], practice.id):
        data = await api.op("Node", {"id": global_id}, token=other.owner_token)
        assert data["node"] is None, global_id

    data = await api.op(
        "Nodes",
        {"ids": [theirs["id"], mine["id"], practice.owner["id"], practice.id, other.id]},
        token=other.owner_token,
    )
    assert data["nodes"] == [
        None,
        {"__typename": "Client", "id": mine["id"]},
        None,
        None,
        {"__typename": "Organization", "id": other.id},
    ]
    assert await read_client(api, other.owner_token, theirs["id"]) is None
    # the owning organization still reads all three
    for global_id in (theirs["id"], practice.owner["id"], practice.id):
        data = await api.op("Node", {"id": global_id}, token=practice.owner_token)
        assert data["node"] and data["node"]["id"] == global_id


async def test_a_global_id_of_the_wrong_type_answers_null(
    api: GraphQLClient, practice: Practice
) -> None:
    """A Client id built from a member's key (and the reverse) reaches nothing."""
    client = await create_client(api, practice.owner_token)

    def retype(global_id: str, type_name: str) -> str:
        _, _, key = base64.urlsafe_b64decode(global_id).decode().partition(":")
        return base64.urlsafe_b64encode(f"{type_name}:{key}".encode()).decode()

    as_client = retype(practice.owner["id"], "Client")
    as_member = retype(client["id"], "Member")
    data = await api.op("Nodes", {"ids": [as_client, as_member]}, token=practice.owner_token)
    assert data["nodes"] == [None, None]


async def test_another_organizations_clients_never_listed(
    api: GraphQLClient, practice: Practice
) -> None:
    theirs = await create_client(api, practice.owner_token, "Zed Theirs")
    other = await sign_up(api, "Other Practice")
    mine = await create_client(api, other.owner_token, "Amy Mine")

    listed = (await api.op("Clients", {"first": 100}, token=other.owner_token))["clients"]
    assert [e["node"]["id"] for e in listed["edges"]] == [mine["id"]]
    assert listed["totalCount"] == 1
    searched = (await api.op("Clients", {"search": theirs["email"]}, token=other.owner_token))[
        "clients"
    ]
    assert searched["totalCount"] == 0 and searched["edges"] == []
    searched = (await api.op("Clients", {"search": "Zed"}, token=other.owner_token))["clients"]
    assert searched["totalCount"] == 0


async def test_updating_or_archiving_another_organizations_client_changes_nothing(
    api: GraphQLClient, practice: Practice
) -> None:
    theirs = await create_client(api, practice.owner_token, "Their Client", phone="+1 555 0100")
    other = await sign_up(api, "Other Practice")

    updated = (
        await api.op(
            "UpdateClient",
            {"input": {"id": theirs["id"], "name": "Hijacked", "phone": "+1 555 0199"}},
            token=other.owner_token,
        )
    )["updateClient"]
    assert updated["client"] is None
    assert codes(updated["userErrors"]) in (["NOT_FOUND"], ["FORBIDDEN"])

    archived = (
        await api.op("ArchiveClient", {"input": {"id": theirs["id"]}}, token=other.owner_token)
    )["archiveClient"]
    assert archived["client"] is None
    assert codes(archived["userErrors"]) in (["NOT_FOUND"], ["FORBIDDEN"])

    seen = await read_client(api, practice.owner_token, theirs["id"])
    assert seen == theirs
    assert seen is not None and seen["archived"] is False and seen["name"] == "Their Client"


async def test_another_organizations_member_cannot_be_assigned_as_provider(
    api: GraphQLClient, practice: Practice
) -> None:
    other = await sign_up(api, "Other Practice")
    mine = await create_client(api, other.owner_token)

    created = (
        await api.op(
            "CreateClient",
            {
                "input": {
                    "name": "Cross Wired",
                    "email": unique_email(),
                    "providerId": practice.owner["id"],
                }
            },
            token=other.owner_token,
        )
    )["createClient"]
    assert codes(created["userErrors"]) == ["INVALID_INPUT"]
    assert created["client"] is None

    updated = (
        await api.op(
            "UpdateClient",
            {"input": {"id": mine["id"], "providerId": practice.owner["id"]}},
            token=other.owner_token,
        )
    )["updateClient"]
    assert codes(updated["userErrors"]) == ["INVALID_INPUT"]
    assert (await read_client(api, other.owner_token, mine["id"]))["provider"] is None  # type: ignore[index]

    # their own owner is a provider they may assign
    own = (
        await api.op(
            "UpdateClient",
            {"input": {"id": mine["id"], "providerId": other.owner["id"]}},
            token=other.owner_token,
        )
    )["updateClient"]
    assert own["userErrors"] == []
    assert own["client"]["provider"]["id"] == other.owner["id"]


async def test_another_organizations_audit_log_and_members_stay_hidden(
    api: GraphQLClient, practice: Practice
) -> None:
    theirs = await create_client(api, practice.owner_token)
    other = await sign_up(api, "Other Practice")

    events = (
        await api.op("AuditEvents", {"filter": {"clientId": theirs["id"]}}, token=other.owner_token)
    )["auditEvents"]
    assert events["totalCount"] == 0 and events["edges"] == []
    members = (await api.op("Members", token=other.owner_token))["members"]
    assert [e["node"]["id"] for e in members["edges"]] == [other.owner["id"]]


# ---------------------------------------------------------------------------- a client principal


async def test_a_client_reads_only_themself(
    api: GraphQLClient, practice: Practice, smtp: Inbox
) -> None:
    sibling = await create_client(api, practice.owner_token, "Sib Ling")
    me, token = await invited_client(api, smtp, practice)

    errors = await api.errors("Clients", token=token)
    assert top_code(errors) == "FORBIDDEN"

    assert (await api.op("Node", {"id": sibling["id"]}, token=token))["node"] is None
    assert await read_client(api, token, sibling["id"]) is None
    assert (await api.op("Nodes", {"ids": [sibling["id"], me["id"]]}, token=token))["nodes"] == [
        None,
        {"__typename": "Client", "id": me["id"]},
    ]

    node = (await api.op("Node", {"id": me["id"]}, token=token))["node"]
    assert node == {
        "__typename": "Client",
        "id": me["id"],
        "name": me["name"],
        "email": me["email"],
    }
    assert await read_client(api, token, me["id"]) == me
    viewer = (await api.op("Viewer", token=token))["viewer"]
    assert viewer["__typename"] == "Client" and viewer["id"] == me["id"]


async def test_a_client_cannot_create_or_change_clients(
    api: GraphQLClient, practice: Practice, smtp: Inbox
) -> None:
    sibling = await create_client(api, practice.owner_token, "Sib Ling")
    me, token = await invited_client(api, smtp, practice)

    created = (
        await api.op(
            "CreateClient", {"input": {"name": "Sneaky", "email": unique_email()}}, token=token
        )
    )["createClient"]
    assert codes(created["userErrors"]) == ["FORBIDDEN"]
    assert created["client"] is None

    for target in (sibling, me):
        archived = (await api.op("ArchiveClient", {"input": {"id": target["id"]}}, token=token))[
            "archiveClient"
        ]
        assert codes(archived["userErrors"]) == ["FORBIDDEN"]
    updated = (
        await api.op(
            "UpdateClient", {"input": {"id": sibling["id"], "name": "Renamed"}}, token=token
        )
    )["updateClient"]
    assert codes(updated["userErrors"]) == ["FORBIDDEN"]

    listed = (await api.op("Clients", token=practice.owner_token))["clients"]
    assert listed["totalCount"] == 2
    assert await read_client(api, practice.owner_token, sibling["id"]) == sibling

    errors = await api.errors("Members", token=token)
    assert top_code(errors) == "FORBIDDEN"


# ---------------------------------------------------------------------------- no credentials


async def test_anonymous_caller(api: GraphQLClient, practice: Practice) -> None:
    errors = await api.errors("Clients")
    assert top_code(errors) == "UNAUTHENTICATED"
    errors = await api.errors("Organization")
    assert top_code(errors) == "UNAUTHENTICATED"
    assert await api.op("Viewer") == {"viewer": None}

    created = (await api.op("CreateClient", {"input": {"name": "Anon", "email": unique_email()}}))[
        "createClient"
    ]
    assert codes(created["userErrors"]) == ["UNAUTHENTICATED"]
    assert created["client"] is None
    listed = (await api.op("Clients", token=practice.owner_token))["clients"]
    assert listed["totalCount"] == 0


async def test_invalid_bearer_token_is_unauthenticated(api: GraphQLClient) -> None:
    for token in ("not-a-jwt", "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl", "cbk_unknown"):
        errors = await api.errors("Organization", token=token)
        assert top_code(errors) == "UNAUTHENTICATED", token
    errors = await api.errors("Organization", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert top_code(errors) == "UNAUTHENTICATED"


# ---------------------------------------------------------------------------- roles


async def test_providers_and_staff_work_with_clients_but_do_not_manage(
    api: GraphQLClient, practice: Practice, smtp: Inbox
) -> None:
    _, provider = await invited_member(api, smtp, practice, "PROVIDER")
    _, staff = await invited_member(api, smtp, practice, "STAFF")

    client = await create_client(api, provider, "Booked By Provider")
    listed = (await api.op("Clients", token=staff))["clients"]
    assert [e["node"]["id"] for e in listed["edges"]] == [client["id"]]
    assert await read_client(api, practice.owner_token, client["id"]) == client

    before = await read_organization(api, practice.owner_token)
    for token in (provider, staff):
        settings = (
            await api.op(
                "UpdatePortalSettings",
                {"input": {"clientsCanBook": False, "cancellationWindowHours": 1}},
                token=token,
            )
        )["updatePortalSettings"]
        assert codes(settings["userErrors"]) == ["FORBIDDEN"]
        assert settings["organization"] is None

        alerts = (
            await api.op(
                "UpdateAppointmentAlertSettings",
                {"input": {"intakeReminderEnabled": False}},
                token=token,
            )
        )["updateAppointmentAlertSettings"]
        assert codes(alerts["userErrors"]) == ["FORBIDDEN"]

        renamed = (
            await api.op("UpdateOrganization", {"input": {"name": "Mine Now"}}, token=token)
        )["updateOrganization"]
        assert codes(renamed["userErrors"]) == ["FORBIDDEN"]

        rotated = (await api.op("RotatePublishableKey", token=token))["rotatePublishableKey"]
        assert codes(rotated["userErrors"]) == ["FORBIDDEN"]

        invited_email = unique_email("sneaky")
        invited = (
            await api.op(
                "InviteMember",
                {"input": {"name": "Sneaky", "email": invited_email, "role": "ADMIN"}},
                token=token,
            )
        )["inviteMember"]
        assert codes(invited["userErrors"]) == ["FORBIDDEN"]
        assert invited["member"] is None

        key = (
            await api.op(
                "CreateApiKey",
                {"input": {"name": "mine", "scopes": ["clients:read"]}},
                token=token,
            )
        )["createApiKey"]
        assert codes(key["userErrors"]) == ["FORBIDDEN"]
        assert key["secret"] is None

        oauth = (
            await api.op(
                "CreateOAuthClient",
                {"input": {"name": "mine", "scopes": ["clients:read"]}},
                token=token,
            )
        )["createOAuthClient"]
        assert codes(oauth["userErrors"]) == ["FORBIDDEN"]
        assert oauth["clientSecret"] is None

        assert top_code(await api.errors("AuditEvents", token=token)) == "FORBIDDEN"
        assert top_code(await api.errors("ApiKeys", token=token)) == "FORBIDDEN"

    assert await read_organization(api, practice.owner_token) == before
    members = (await api.op("Members", token=practice.owner_token))["members"]
    assert sorted(e["node"]["role"] for e in members["edges"]) == ["OWNER", "PROVIDER", "STAFF"]


async def test_an_admin_manages(api: GraphQLClient, practice: Practice, smtp: Inbox) -> None:
    _, admin = await invited_member(api, smtp, practice, "ADMIN")
    settings = (
        await api.op("UpdatePortalSettings", {"input": {"clientsCanBook": False}}, token=admin)
    )["updatePortalSettings"]
    assert settings["userErrors"] == []
    assert settings["organization"]["portalSettings"]["clientsCanBook"] is False
    invited = (
        await api.op(
            "InviteMember",
            {"input": {"name": "Staffer", "email": unique_email(), "role": "STAFF"}},
            token=admin,
        )
    )["inviteMember"]
    assert invited["userErrors"] == []
    assert (await api.op("AuditEvents", token=admin))["auditEvents"]["totalCount"] >= 0


async def test_only_admin_provider_or_staff_can_be_invited(
    api: GraphQLClient, practice: Practice
) -> None:
    for role in ("OWNER", "CLIENT"):
        email = unique_email(role.lower())
        invited = (
            await api.op(
                "InviteMember",
                {"input": {"name": "Nope", "email": email, "role": role}},
                token=practice.owner_token,
            )
        )["inviteMember"]
        assert codes(invited["userErrors"]) == ["INVALID_INPUT"], role
        assert invited["member"] is None
    members = (await api.op("Members", token=practice.owner_token))["members"]
    assert members["totalCount"] == 1


async def test_an_email_is_unique_within_an_organization_only(
    api: GraphQLClient, practice: Practice
) -> None:
    email = unique_email("dup")
    first = (
        await api.op(
            "InviteMember",
            {"input": {"name": "First", "email": email, "role": "PROVIDER"}},
            token=practice.owner_token,
        )
    )["inviteMember"]
    assert first["userErrors"] == []

    for role in ("STAFF", "PROVIDER"):
        again = (
            await api.op(
                "InviteMember",
                {"input": {"name": "Again", "email": email.upper(), "role": role}},
                token=practice.owner_token,
            )
        )["inviteMember"]
        assert codes(again["userErrors"]) == ["EMAIL_TAKEN"], role
    # the owner's own address, and a client's, are taken too
    owner_again = (
        await api.op(
            "InviteMember",
            {"input": {"name": "Owner", "email": practice.owner_email, "role": "ADMIN"}},
            token=practice.owner_token,
        )
    )["inviteMember"]
    assert codes(owner_again["userErrors"]) == ["EMAIL_TAKEN"]
    as_client = (
        await api.op(
            "CreateClient",
            {"input": {"name": "Same Person", "email": email}},
            token=practice.owner_token,
        )
    )["createClient"]
    assert codes(as_client["userErrors"]) == ["EMAIL_TAKEN"]
    client = await create_client(api, practice.owner_token)
    member_like_client = (
        await api.op(
            "InviteMember",
            {"input": {"name": "Client Too", "email": client["email"], "role": "STAFF"}},
            token=practice.owner_token,
        )
    )["inviteMember"]
    assert codes(member_like_client["userErrors"]) == ["EMAIL_TAKEN"]

    other = await sign_up(api, "Other Practice")
    elsewhere = (
        await api.op(
            "InviteMember",
            {"input": {"name": "Elsewhere", "email": email, "role": "PROVIDER"}},
            token=other.owner_token,
        )
    )["inviteMember"]
    assert elsewhere["userErrors"] == []
    assert elsewhere["member"]["email"] == email
    client_elsewhere = (
        await api.op(
            "CreateClient",
            {"input": {"name": "Client Elsewhere", "email": client["email"]}},
            token=other.owner_token,
        )
    )["createClient"]
    assert client_elsewhere["userErrors"] == []

    members = (await api.op("Members", token=practice.owner_token))["members"]
    assert members["totalCount"] == 2


# ---------------------------------------------------------------------------- settings


async def test_portal_settings_refuse_negative_values_and_change_nothing(
    api: GraphQLClient, practice: Practice
) -> None:
    before = await read_organization(api, practice.owner_token)
    for bad in (
        {"cancellationWindowHours": -1},
        {"noShowFeeCents": -100},
        {"lateCancellationFeeCents": -1},
        # a valid change alongside an invalid one is not applied either
        {"cancellationWindowHours": 12, "clientsCanBook": False, "noShowFeeCents": -1},
        {"cancellationWindowHours": 12, "intakeGate": None},
    ):
        result = (await api.op("UpdatePortalSettings", {"input": bad}, token=practice.owner_token))[
            "updatePortalSettings"
        ]
        assert codes(result["userErrors"]) == ["INVALID_INPUT"], bad
        assert result["organization"] is None
        assert await read_organization(api, practice.owner_token) == before, bad


async def test_portal_settings_update_partially_and_null_clears_a_fee(
    api: GraphQLClient, practice: Practice
) -> None:
    before = await read_organization(api, practice.owner_token)
    first = (
        await api.op(
            "UpdatePortalSettings",
            {
                "input": {
                    "cancellationWindowHours": 24,
                    "noShowFeeCents": 5000,
                    "lateCancellationFeeCents": 2500,
                }
            },
            token=practice.owner_token,
        )
    )["updatePortalSettings"]
    assert first["userErrors"] == []
    settings = first["organization"]["portalSettings"]
    assert settings["cancellationWindowHours"] == 24
    assert settings["noShowFee"] == {"amountCents": 5000, "currency": "usd"}
    assert settings["lateCancellationFee"] == {"amountCents": 2500, "currency": "usd"}
    for kept in ("clientsCanBook", "clientsCanReschedule", "clientsCanCancel", "intakeGate"):
        assert settings[kept] == before["portalSettings"][kept]

    second = (
        await api.op(
            "UpdatePortalSettings",
            {"input": {"clientsCanCancel": False, "bookingOutsidePortal": True}},
            token=practice.owner_token,
        )
    )["updatePortalSettings"]
    assert second["userErrors"] == []
    expected = {**settings, "clientsCanCancel": False, "bookingOutsidePortal": True}
    assert second["organization"]["portalSettings"] == expected

    cleared = (
        await api.op(
            "UpdatePortalSettings", {"input": {"noShowFeeCents": None}}, token=practice.owner_token
        )
    )["updatePortalSettings"]
    assert cleared["userErrors"] == []
    assert cleared["organization"]["portalSettings"] == {**expected, "noShowFee": None}

    # what the mutation answered is what was stored
    stored = await read_organization(api, practice.owner_token)
    assert stored["portalSettings"] == {**expected, "noShowFee": None}
    assert stored["alertSettings"] == before["alertSettings"]


async def test_alert_settings_round_trip(api: GraphQLClient, practice: Practice) -> None:
    before = await read_organization(api, practice.owner_token)
    result = (
        await api.op(
            "UpdateAppointmentAlertSettings",
            {
                "input": {
                    "reminderOffsetsMinutes": [60, 1440],
                    "reminderChannels": ["SMS", "EMAIL"],
                    "intakeReminderEnabled": True,
                    "intakeReminderOffsetMinutes": 2880,
                }
            },
            token=practice.owner_token,
        )
    )["updateAppointmentAlertSettings"]
    assert result["userErrors"] == []
    stored = await read_organization(api, practice.owner_token)
    alerts = stored["alertSettings"]
    assert stored["alertSettings"] == result["organization"]["alertSettings"]
    assert sorted(alerts["reminderOffsetsMinutes"]) == [60, 1440]
    assert sorted(alerts["reminderChannels"]) == ["EMAIL", "SMS"]
    assert alerts["intakeReminderEnabled"] is True
    assert alerts["intakeReminderOffsetMinutes"] == 2880
    assert stored["portalSettings"] == before["portalSettings"]

    partial = (
        await api.op(
            "UpdateAppointmentAlertSettings",
            {"input": {"intakeReminderEnabled": False}},
            token=practice.owner_token,
        )
    )["updateAppointmentAlertSettings"]
    assert partial["organization"]["alertSettings"] == {**alerts, "intakeReminderEnabled": False}

    for bad in (
        {"reminderOffsetsMinutes": [0]},
        {"reminderOffsetsMinutes": [-30]},
        {"intakeReminderOffsetMinutes": -1},
        {"reminderChannels": None},
    ):
        refused = (
            await api.op(
                "UpdateAppointmentAlertSettings", {"input": bad}, token=practice.owner_token
            )
        )["updateAppointmentAlertSettings"]
        assert codes(refused["userErrors"]) == ["INVALID_INPUT"], bad
    final = await read_organization(api, practice.owner_token)
    assert final["alertSettings"] == {**alerts, "intakeReminderEnabled": False}


async def test_update_organization_checks_the_time_zone(
    api: GraphQLClient, practice: Practice
) -> None:
    before = await read_organization(api, practice.owner_token)
    for tz in ("Mars/Olympus_Mons", "", "not a zone"):
        result = (
            await api.op(
                "UpdateOrganization",
                {"input": {"name": "Renamed Too", "timezone": tz}},
                token=practice.owner_token,
            )
        )["updateOrganization"]
        assert codes(result["userErrors"]) == ["INVALID_INPUT"], tz
        assert result["organization"] is None
    assert await read_organization(api, practice.owner_token) == before

    ok = (
        await api.op(
            "UpdateOrganization",
            {"input": {"timezone": "Europe/Berlin"}},
            token=practice.owner_token,
        )
    )["updateOrganization"]
    assert ok["userErrors"] == []
    assert ok["organization"] == {**before, "timezone": "Europe/Berlin"}


async def test_rotate_publishable_key(api: GraphQLClient, practice: Practice) -> None:
    old = practice.organization["publishableKey"]
    rotated = (await api.op("RotatePublishableKey", token=practice.owner_token))[
        "rotatePublishableKey"
    ]
    assert rotated["userErrors"] == []
    new = rotated["organization"]["publishableKey"]
    assert new.startswith("pk_") and new != old
    assert (await read_organization(api, practice.owner_token))["publishableKey"] == new

    # the old key is no credential at all; the new one is, but reaches no member data: it
    # runs only the widget's documents, and those read nothing of the practice's members
    errors = await api.errors("Organization", headers={"X-Carebase-Publishable-Key": old})
    assert top_code(errors) == "UNAUTHENTICATED"
    errors = await api.errors("Clients", headers={"X-Carebase-Publishable-Key": new})
    assert top_code(errors) == "DOCUMENT_NOT_TRUSTED"
    profile = await api.op("WidgetProfile", headers={"X-Carebase-Publishable-Key": new})
    assert profile["publicBookingProfile"]["organizationName"]
