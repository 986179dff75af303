"""``resendInvitation``: a client's or a member's invitation sent again."""

from __future__ import annotations

from typing import Self

import strawberry

from carebase.models import Account
from carebase.models import Role as RoleModel
from carebase.resolvers.people import invitations as invitation_ops
from carebase.schema.context import Info
from carebase.schema.errors import UserError
from carebase.schema.payloads import Payload, mutate
from carebase.schema.people.clients import Client, Member
from carebase.schema.relay import decode_optional_id


@strawberry.input
class ResendInvitationInput:
    client_id: strawberry.ID | None = None
    member_id: strawberry.ID | None = None


@strawberry.type
class ResendInvitationPayload(Payload):
    client: Client | None = None
    member: Member | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)

    @classmethod
    async def from_result(cls, result: Account, info: Info) -> Self:
        if result.role is RoleModel.CLIENT:
            return cls(client=Client.from_model(result))
        return cls(member=Member.from_model(result))


async def resend_invitation(info: Info, input: ResendInvitationInput) -> ResendInvitationPayload:
    ctx = info.context

    async def op() -> Account:
        return await invitation_ops.resend_invitation(
            ctx.uow,
            ctx.principal,
            client_id=decode_optional_id(input.client_id, "Client", field="clientId"),
            member_id=decode_optional_id(input.member_id, "Member", field="memberId"),
        )

    return await mutate(info, ResendInvitationPayload, op)


@strawberry.type
class InvitationMutation:
    resend_invitation = strawberry.mutation(resolver=resend_invitation)
