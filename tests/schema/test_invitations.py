"""``resendInvitation``: a fresh link for a client or a member who has not accepted yet."""

from __future__ import annotations

from typing import Any

from tests.conftest import PASSWORD, Practice, sign_up, token_from, unique_email
from tests.fixtures.graphql import GraphQLClient
from tests.fixtures.intake import INTAKE_URL, create_client, default_flow
from tests.fixtures.smtp import Inbox, body_of


async def resend(api: GraphQLClient, token: str, **ids: str) -> dict[str, Any]:
    data = await api.op("ResendInvitation", {"input": ids}, token=token)
    return data["resendInvitation"]  # type: ignore[no-any-return]


def codes(payload: dict[str, Any]) -> list[tuple[str, list[str] | None]]:
    return [(e["code"], e["field"]) for e in payload["userErrors"]]


async def invite_member(api: GraphQLClient, practice: Practice, email: str) -> str:
    data = await api.op(
        "InviteMember",
        {"input": {"name": "Sam Staff", "email": email, "role": "STAFF"}},
        token=practice.owner_token,
    )
    assert data["inviteMember"]["userErrors"] == [], data
    return str(data["inviteMember"]["member"]["id"])


async def test_a_member_s_invitation_again_the_old_link_spent(
    api: GraphQLClient, practice: Practice, smtp: Inbox
) -> None:
    email = unique_email("staff")
    member_id = await invite_member(api, practice, email)
    [first] = await smtp.wait_for(email, subject="invited")
    payload = await resend(api, practice.owner_token, memberId=member_id)
    assert payload["userErrors"] == [] and payload["member"]["id"] == member_id
    assert payload["client"] is None
    _, second = await smtp.wait_for(email, subject="invited", count=2)
    assert INTAKE_URL not in body_of(second)
    old = await api.op(
        "AcceptInvitation", {"input": {"token": token_from(first), "password": PASSWORD}}
    )
    assert [e["code"] for e in old["acceptInvitation"]["userErrors"]] == ["TOKEN_INVALID"]
    new = await api.op(
        "AcceptInvitation", {"input": {"token": token_from(second), "password": PASSWORD}}
    )
    assert new["acceptInvitation"]["userErrors"] == []
    # accepted: there is nothing to resend
    again = await resend(api, practice.owner_token, memberId=member_id)
    assert codes(again) == [("INVALID_INPUT", ["memberId"])]


async def test_a_client_s_invitation_carries_the_intake_link_only_while_forms_are_pending(
    api: GraphQLClient, practice: Practice, smtp: Inbox
) -> None:
    plain_id, plain_email = await create_client(api, practice)  # no default flow yet
    payload = await resend(api, practice.owner_token, clientId=plain_id)
    assert payload["userErrors"] == [] and payload["client"]["id"] == plain_id
    [invite] = await smtp.wait_for(plain_email, subject="invited")
    assert INTAKE_URL not in body_of(invite)
    await default_flow(api, practice)
    client_id, email = await create_client(api, practice)
    assert (await resend(api, practice.owner_token, clientId=client_id))["userErrors"] == []
    [invite] = await smtp.wait_for(email, subject="invited")
    assert INTAKE_URL in body_of(invite)


async def test_one_id_exactly(api: GraphQLClient, practice: Practice) -> None:
    client_id, _ = await create_client(api, practice)
    member_id = await invite_member(api, practice, unique_email("staff"))
    neither = await resend(api, practice.owner_token)
    assert [e["code"] for e in neither["userErrors"]] == ["INVALID_INPUT"]
    both = await resend(api, practice.owner_token, clientId=client_id, memberId=member_id)
    assert [e["code"] for e in both["userErrors"]] == ["INVALID_INPUT"]
    swapped = await resend(api, practice.owner_token, clientId=member_id)
    assert codes(swapped) == [("INVALID_INPUT", ["clientId"])]


async def test_the_wrong_callers_are_refused(
    api: GraphQLClient, practice: Practice, smtp: Inbox
) -> None:
    client_id, _ = await create_client(api, practice)
    member_email = unique_email("provider")
    await api.op(
        "InviteMember",
        {"input": {"name": "Pat Provider", "email": member_email, "role": "PROVIDER"}},
        token=practice.owner_token,
    )
    [invite] = await smtp.wait_for(member_email, subject="invited")
    accepted = await api.op(
        "AcceptInvitation", {"input": {"token": token_from(invite), "password": PASSWORD}}
    )
    provider_token = accepted["acceptInvitation"]["accessToken"]
    staff_id = await invite_member(api, practice, unique_email("staff"))
    # a provider works with clients, so may invite one; only managers invite members
    refused = await resend(api, provider_token, memberId=staff_id)
    assert [e["code"] for e in refused["userErrors"]] == ["FORBIDDEN"]
    assert (await resend(api, provider_token, clientId=client_id))["userErrors"] == []
    other = await sign_up(api, "Another Practice")
    for ids in ({"clientId": client_id}, {"memberId": staff_id}):
        payload = await resend(api, other.owner_token, **ids)
        assert [e["code"] for e in payload["userErrors"]] == ["NOT_FOUND"], ids
    anonymous = await api.op("ResendInvitation", {"input": {"clientId": client_id}})
    assert [e["code"] for e in anonymous["resendInvitation"]["userErrors"]] == ["UNAUTHENTICATED"]
