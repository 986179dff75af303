"""``resendInvitation``: a client's or a member's invitation sent again."""

from __future__ import annotations

from typing import Annotated, Self

import strawberry

from carebase.models import Account
from carebase.models import Role as RoleModel
from carebase.resolvers.people import invitations as invitation_ops
from carebase.schema.context import Info
from carebase.schema.docs import MUTATION_INPUT, USER_ERRORS
from carebase.schema.errors import UserError
from carebase.schema.payloads import Payload, mutate
from carebase.schema.people.clients import Client, Member
from carebase.schema.relay import decode_optional_id


@strawberry.input(
    description=("Input of `resendInvitation`: give exactly one of `clientId` and `memberId`.")
)
class ResendInvitationInput:
    client_id: strawberry.ID | None = strawberry.field(
        default=None, description="The global id of the client to invite."
    )
    member_id: strawberry.ID | None = strawberry.field(
        default=None, description="The global id of the member to invite."
    )


@strawberry.type(
    description=(
        "Result of `resendInvitation`: the account invited (the one matching the id given)."
    )
)
class ResendInvitationPayload(Payload):
    client: Client | None = strawberry.field(
        default=None, description="The client invited, when `clientId` was given."
    )
    member: Member | None = strawberry.field(
        default=None, description="The member invited, when `memberId` was given."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

    @classmethod
    async def from_result(cls, result: Account, info: Info) -> Self:
        if result.role is RoleModel.CLIENT:
            return cls(client=Client.from_model(result))
        return cls(member=Member.from_model(result))


async def resend_invitation(
    info: Info,
    input: Annotated[ResendInvitationInput, strawberry.argument(description=MUTATION_INPUT)],
) -> ResendInvitationPayload:
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
    resend_invitation = strawberry.mutation(
        resolver=resend_invitation,
        description=(
            "Email (again) the invitation of a client or member who has not "
            "accepted it; a client's carries the link to their intake forms. "
            "Exactly one of `clientId` and `memberId`. Clients: members with "
            "`clients:write`; members: owners and admins. Errors: `INVALID_INPUT` "
            "(accepted already, archived, neither or both ids), `NOT_FOUND`, "
            "`FORBIDDEN`, `RATE_LIMITED`."
        ),
    )
