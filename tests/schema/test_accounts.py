"""Sign-up, log-in, tokens, log-out, invitations and password resets, as a partner posts them."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from starlette.applications import Starlette

from carebase.auth.tokens import hash_secret
from carebase.models import OneTimeToken, RefreshToken, utcnow
from tests.conftest import PASSWORD, Practice, sign_up, token_from, unique_email
from tests.fixtures.graphql import GraphQLClient
from tests.fixtures.smtp import Inbox, body_of


async def test_sign_up_then_log_in_and_read_viewer(api: GraphQLClient, practice: Practice) -> None:
    assert practice.organization["publishableKey"].startswith("pk_")
    assert practice.organization["portalSettings"]["intakeGate"] == "PORTAL"
    data = await api.op("LogIn", {"input": {"email": practice.owner_email, "password": PASSWORD}})
    payload = data["logIn"]
    assert payload["userErrors"] == []
    assert payload["viewer"]["__typename"] == "Member"
    assert payload["viewer"]["role"] == "OWNER"
    viewer = await api.op("Viewer", token=payload["accessToken"])
    assert viewer["viewer"]["email"] == practice.owner_email


async def test_weak_password_refused(api: GraphQLClient) -> None:
    for weak in ("short1", "password123", "aaaaaaaaaaaa"):
        data = await api.op(
            "SignUpOrganization",
            {
                "input": {
                    "organizationName": "X",
                    "name": "Y",
                    "email": unique_email(),
                    "password": weak,
                    "timezone": "UTC",
                }
            },
        )
        errors = data["signUpOrganization"]["userErrors"]
        assert [e["code"] for e in errors] == ["WEAK_PASSWORD"], weak
        assert data["signUpOrganization"]["organization"] is None


async def test_a_time_zone_that_is_not_one_is_invalid_input(api: GraphQLClient) -> None:
    # a folder of the zone database, a name too long for a path, a path, nothing
    for zone in ("America", "x" * 300, "../etc/passwd", ""):
        data = await api.op(
            "SignUpOrganization",
            {
                "input": {
                    "organizationName": "X",
                    "name": "Y",
                    "email": unique_email(),
                    "password": PASSWORD,
                    "timezone": zone,
                }
            },
        )
        errors = data["signUpOrganization"]["userErrors"]
        assert [e["code"] for e in errors] == ["INVALID_INPUT"], (zone, errors)
        assert data["signUpOrganization"]["organization"] is None


async def test_wrong_password_and_unknown_email_answer_the_same(
    api: GraphQLClient, practice: Practice
) -> None:
    wrong = await api.op(
        "LogIn", {"input": {"email": practice.owner_email, "password": "nope" * 4}}
    )
    unknown = await api.op("LogIn", {"input": {"email": unique_email(), "password": PASSWORD}})
    assert wrong["logIn"]["userErrors"] == unknown["logIn"]["userErrors"]
    assert wrong["logIn"]["userErrors"][0]["code"] == "INVALID_CREDENTIALS"
    assert wrong["logIn"]["accessToken"] is None


async def test_ten_failures_lock_this_address_out_of_the_email(
    api: GraphQLClient, practice: Practice
) -> None:
    # only this address: other addresses are not locked (tests/schema/test_login_throttling.py)
    for _ in range(10):
        data = await api.op(
            "LogIn", {"input": {"email": practice.owner_email, "password": "wrong-password-1"}}
        )
        assert data["logIn"]["userErrors"][0]["code"] == "INVALID_CREDENTIALS"
    data = await api.op("LogIn", {"input": {"email": practice.owner_email, "password": PASSWORD}})
    assert data["logIn"]["userErrors"][0]["code"] == "RATE_LIMITED"
    assert data["logIn"]["accessToken"] is None


async def test_refresh_rotates_and_reuse_revokes_the_family(
    api: GraphQLClient, practice: Practice
) -> None:
    login = (
        await api.op("LogIn", {"input": {"email": practice.owner_email, "password": PASSWORD}})
    )["logIn"]
    first = (await api.op("RefreshToken", {"input": {"refreshToken": login["refreshToken"]}}))[
        "refreshToken"
    ]
    assert first["userErrors"] == [] and first["refreshToken"] != login["refreshToken"]
    # the spent token comes back: refused, and the newer one dies with its family
    reused = (await api.op("RefreshToken", {"input": {"refreshToken": login["refreshToken"]}}))[
        "refreshToken"
    ]
    assert reused["userErrors"][0]["code"] == "TOKEN_INVALID"
    later = (await api.op("RefreshToken", {"input": {"refreshToken": first["refreshToken"]}}))[
        "refreshToken"
    ]
    assert later["userErrors"][0]["code"] == "TOKEN_INVALID"
    errors = await api.errors("Organization", token=first["accessToken"])
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_log_out_ends_the_session_at_once(api: GraphQLClient, practice: Practice) -> None:
    login = (
        await api.op("LogIn", {"input": {"email": practice.owner_email, "password": PASSWORD}})
    )["logIn"]
    assert (await api.op("Organization", token=login["accessToken"]))["organization"]
    out = await api.op("LogOut", token=login["accessToken"])
    assert out["logOut"] == {"success": True, "userErrors": []}
    errors = await api.errors("Organization", token=login["accessToken"])
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
    # the sign-up session is another one and still works
    assert (await api.op("Organization", token=practice.owner_token))["organization"]


async def test_invited_client_accepts_and_logs_in(
    api: GraphQLClient, practice: Practice, smtp: Inbox
) -> None:
    email = unique_email("client")
    created = (
        await api.op(
            "CreateClient",
            {"input": {"name": "Cal Client", "email": email, "sendInvitation": True}},
            token=practice.owner_token,
        )
    )["createClient"]
    assert created["userErrors"] == []
    [message] = await smtp.wait_for(email)
    assert "https://portal.example.test/accept-invitation?token=" in body_of(message)
    token = token_from(message)
    accepted = (
        await api.op(
            "AcceptInvitation", {"input": {"token": token, "password": "client pass 2026"}}
        )
    )["acceptInvitation"]
    assert accepted["userErrors"] == []
    assert accepted["viewer"] == {
        "__typename": "Client",
        "id": created["client"]["id"],
        "name": "Cal Client",
        "email": email,
        "timezone": "America/Chicago",
    }
    again = (
        await api.op(
            "AcceptInvitation", {"input": {"token": token, "password": "client pass 2026"}}
        )
    )["acceptInvitation"]
    assert again["userErrors"][0]["code"] == "TOKEN_INVALID"
    login = await api.op("LogIn", {"input": {"email": email, "password": "client pass 2026"}})
    assert login["logIn"]["viewer"]["__typename"] == "Client"


async def test_password_reset_works_once(
    api: GraphQLClient, practice: Practice, smtp: Inbox
) -> None:
    done = await api.op("RequestPasswordReset", {"input": {"email": practice.owner_email}})
    assert done["requestPasswordReset"] == {"success": True, "userErrors": []}
    unknown = await api.op("RequestPasswordReset", {"input": {"email": unique_email()}})
    assert unknown == {"requestPasswordReset": {"success": True, "userErrors": []}}
    [message] = await smtp.wait_for(practice.owner_email, subject="Reset")
    assert "https://portal.example.test/reset-password?token=" in body_of(message)
    token = token_from(message)
    reset = (
        await api.op(
            "ResetPassword", {"input": {"token": token, "newPassword": "a brand new secret"}}
        )
    )["resetPassword"]
    assert reset["userErrors"] == [] and reset["accessToken"]
    # every earlier session ended
    errors = await api.errors("Organization", token=practice.owner_token)
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
    twice = (
        await api.op(
            "ResetPassword", {"input": {"token": token, "newPassword": "another new secret"}}
        )
    )["resetPassword"]
    assert twice["userErrors"][0]["code"] == "TOKEN_INVALID"
    old = await api.op("LogIn", {"input": {"email": practice.owner_email, "password": PASSWORD}})
    assert old["logIn"]["userErrors"][0]["code"] == "INVALID_CREDENTIALS"
    new = await api.op(
        "LogIn", {"input": {"email": practice.owner_email, "password": "a brand new secret"}}
    )
    assert new["logIn"]["userErrors"] == []


async def _member_in(api: GraphQLClient, practice: Practice, email: str, smtp: Inbox) -> None:
    created = await api.op(
        "InviteMember",
        {"input": {"name": "Pat", "email": email, "role": "PROVIDER"}},
        token=practice.owner_token,
    )
    assert created["inviteMember"]["userErrors"] == []


async def test_one_email_in_two_organizations(api: GraphQLClient, smtp: Inbox) -> None:
    first = await sign_up(api, "First Practice")
    second = await sign_up(api, "Second Practice")
    shared = unique_email("shared")
    for practice in (first, second):
        await _member_in(api, practice, shared, smtp)
    invitations = await smtp.wait_for(shared, count=2, subject="invited")
    for message in invitations:
        accepted = await api.op(
            "AcceptInvitation", {"input": {"token": token_from(message), "password": PASSWORD}}
        )
        assert accepted["acceptInvitation"]["userErrors"] == []
    # a wrong password says nothing about how many organizations know the email
    wrong = await api.op("LogIn", {"input": {"email": shared, "password": "not the password"}})
    assert wrong["logIn"]["userErrors"][0]["code"] == "INVALID_CREDENTIALS"
    ambiguous = await api.op("LogIn", {"input": {"email": shared, "password": PASSWORD}})
    assert ambiguous["logIn"]["userErrors"][0]["code"] == "ORGANIZATION_REQUIRED"
    chosen = await api.op(
        "LogIn", {"input": {"email": shared, "password": PASSWORD, "organizationId": second.id}}
    )
    token = chosen["logIn"]["accessToken"]
    assert (await api.op("Organization", token=token))["organization"]["name"] == (
        "Second Practice"
    )
    # a reset without an organization emails each account its own link
    await api.op("RequestPasswordReset", {"input": {"email": shared}})
    resets = await smtp.wait_for(shared, count=2, subject="Reset")
    assert {"First Practice" in str(m["Subject"]) for m in resets} == {True, False}
    assert len({token_from(m) for m in resets}) == 2


async def test_change_password_ends_the_other_sessions(
    api: GraphQLClient, practice: Practice
) -> None:
    other = (
        await api.op("LogIn", {"input": {"email": practice.owner_email, "password": PASSWORD}})
    )["logIn"]["accessToken"]
    wrong = await api.op(
        "ChangePassword",
        {"input": {"currentPassword": "not it at all", "newPassword": "fresh secret 99"}},
        token=practice.owner_token,
    )
    assert wrong["changePassword"]["userErrors"][0]["code"] == "INVALID_CREDENTIALS"
    weak = await api.op(
        "ChangePassword",
        {"input": {"currentPassword": PASSWORD, "newPassword": "short"}},
        token=practice.owner_token,
    )
    assert weak["changePassword"]["userErrors"][0]["code"] == "WEAK_PASSWORD"
    done = await api.op(
        "ChangePassword",
        {"input": {"currentPassword": PASSWORD, "newPassword": "fresh secret 99"}},
        token=practice.owner_token,
    )
    assert done["changePassword"] == {"success": True, "userErrors": []}
    assert (await api.op("Organization", token=practice.owner_token))["organization"]
    errors = await api.errors("Organization", token=other)
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_an_expired_invitation_is_refused(
    app: Starlette, api: GraphQLClient, practice: Practice, smtp: Inbox
) -> None:
    email = unique_email("late")
    await _member_in(api, practice, email, smtp)
    [message] = await smtp.wait_for(email)
    async with app.state.db.unit_of_work(write=True) as uow:
        await uow.session.execute(
            update(OneTimeToken)
            .where(OneTimeToken.token_hash == hash_secret(token_from(message)))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    late = await api.op(
        "AcceptInvitation", {"input": {"token": token_from(message), "password": PASSWORD}}
    )
    assert late["acceptInvitation"]["userErrors"][0]["code"] == "TOKEN_EXPIRED"
    assert late["acceptInvitation"]["accessToken"] is None


async def test_an_expired_refresh_token_is_refused(
    app: Starlette, api: GraphQLClient, practice: Practice
) -> None:
    login = (
        await api.op("LogIn", {"input": {"email": practice.owner_email, "password": PASSWORD}})
    )["logIn"]
    async with app.state.db.unit_of_work(write=True) as uow:
        await uow.session.execute(
            update(RefreshToken)
            .where(RefreshToken.token_hash == hash_secret(login["refreshToken"]))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    data = await api.op("RefreshToken", {"input": {"refreshToken": login["refreshToken"]}})
    assert data["refreshToken"]["userErrors"][0]["code"] == "TOKEN_EXPIRED"


async def test_only_the_newest_reset_link_works(
    api: GraphQLClient, practice: Practice, smtp: Inbox
) -> None:
    for count in (1, 2):  # one after the other, so the second email is the newer link
        await api.op("RequestPasswordReset", {"input": {"email": practice.owner_email}})
        *_, latest = await smtp.wait_for(practice.owner_email, count=count, subject="Reset")
    first, second = smtp.to(practice.owner_email)[-2:]
    assert latest is second
    old = await api.op(
        "ResetPassword", {"input": {"token": token_from(first), "newPassword": "older link 1234"}}
    )
    assert old["resetPassword"]["userErrors"][0]["code"] == "TOKEN_INVALID"
    new = await api.op(
        "ResetPassword", {"input": {"token": token_from(second), "newPassword": "newer link 1234"}}
    )
    assert new["resetPassword"]["userErrors"] == []
