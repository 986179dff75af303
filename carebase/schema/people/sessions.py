"""Sign-up, log-in, tokens, log-out, passwords and invitations."""

from __future__ import annotations

from typing import Self

import strawberry

from carebase.models import Organization as OrganizationModel
from carebase.resolvers.org import organizations as org_ops
from carebase.resolvers.people import sessions as session_ops
from carebase.resolvers.people.sessions import AuthResult
from carebase.schema.context import Info
from carebase.schema.errors import UserError
from carebase.schema.org.organizations import Organization
from carebase.schema.payloads import Payload, mutate
from carebase.schema.people.clients import Viewer, viewer_of
from carebase.schema.relay import decode_optional_id


@strawberry.type
class AuthPayload(Payload):
    access_token: str | None = None
    refresh_token: str | None = None
    viewer: Viewer | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)

    @classmethod
    async def from_result(cls, result: AuthResult, info: Info) -> Self:
        return cls(
            access_token=result.access_token,
            refresh_token=result.refresh_token,
            viewer=viewer_of(result.account),
        )


@strawberry.type
class SignUpOrganizationPayload(Payload):
    organization: Organization | None = None
    access_token: str | None = None
    refresh_token: str | None = None
    viewer: Viewer | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)

    @classmethod
    async def from_result(cls, result: tuple[OrganizationModel, AuthResult], info: Info) -> Self:
        org, auth = result
        return cls(
            organization=Organization.from_model(org),
            access_token=auth.access_token,
            refresh_token=auth.refresh_token,
            viewer=viewer_of(auth.account),
        )


@strawberry.type
class SuccessPayload(Payload):
    """The payload of an operation with nothing to show but that it was done."""

    success: bool = False
    user_errors: list[UserError] = strawberry.field(default_factory=list)

    @classmethod
    async def from_result(cls, result: None, info: Info) -> Self:
        return cls(success=True)


@strawberry.type
class LogOutPayload(SuccessPayload):
    pass


@strawberry.type
class RequestPasswordResetPayload(SuccessPayload):
    pass


@strawberry.type
class ChangePasswordPayload(SuccessPayload):
    pass


@strawberry.input
class SignUpOrganizationInput:
    organization_name: str
    name: str
    email: str
    password: str
    timezone: str
    currency: str = "usd"


@strawberry.input
class LogInInput:
    email: str
    password: str
    organization_id: strawberry.ID | None = None


@strawberry.input
class RefreshTokenInput:
    refresh_token: str


@strawberry.input
class RequestPasswordResetInput:
    email: str
    organization_id: strawberry.ID | None = None


@strawberry.input
class ResetPasswordInput:
    token: str
    new_password: str


@strawberry.input
class ChangePasswordInput:
    current_password: str
    new_password: str


@strawberry.input
class AcceptInvitationInput:
    token: str
    password: str


@strawberry.type
class SessionMutation:
    @strawberry.mutation
    async def sign_up_organization(
        self, info: Info, input: SignUpOrganizationInput
    ) -> SignUpOrganizationPayload:
        ctx = info.context

        async def op() -> tuple[OrganizationModel, AuthResult]:
            return await org_ops.sign_up_organization(
                ctx.uow,
                organization_name=input.organization_name,
                name=input.name,
                email=input.email,
                password=input.password,
                timezone=input.timezone,
                currency=input.currency,
                ip=ctx.principal.ip,
            )

        return await mutate(info, SignUpOrganizationPayload, op)

    @strawberry.mutation
    async def log_in(self, info: Info, input: LogInInput) -> AuthPayload:
        ctx = info.context
        # one attempt per request: aliased logIn fields would multiply the attempts
        repeated = ctx.extra.get("log_in_attempted", False)
        ctx.extra["log_in_attempted"] = True

        async def op() -> AuthResult:
            if repeated:
                session_ops.refuse_repeated_log_in(ctx.uow, email=input.email, ip=ctx.principal.ip)
            return await session_ops.log_in(
                ctx.uow,
                email=input.email,
                password=input.password,
                organization_id=decode_optional_id(
                    input.organization_id, "Organization", field="organizationId"
                ),
                ip=ctx.principal.ip,
            )

        return await mutate(info, AuthPayload, op)

    @strawberry.mutation
    async def refresh_token(self, info: Info, input: RefreshTokenInput) -> AuthPayload:
        ctx = info.context

        async def op() -> AuthResult:
            return await session_ops.refresh_session(
                ctx.uow, refresh_token=input.refresh_token, ip=ctx.principal.ip
            )

        return await mutate(info, AuthPayload, op)

    @strawberry.mutation
    async def log_out(self, info: Info) -> LogOutPayload:
        ctx = info.context

        async def op() -> None:
            await session_ops.log_out(ctx.uow, ctx.principal)

        return await mutate(info, LogOutPayload, op)

    @strawberry.mutation
    async def request_password_reset(
        self, info: Info, input: RequestPasswordResetInput
    ) -> RequestPasswordResetPayload:
        ctx = info.context

        async def op() -> None:
            await session_ops.request_password_reset(
                ctx.uow,
                email=input.email,
                organization_id=decode_optional_id(
                    input.organization_id, "Organization", field="organizationId"
                ),
                ip=ctx.principal.ip,
            )

        return await mutate(info, RequestPasswordResetPayload, op)

    @strawberry.mutation
    async def reset_password(self, info: Info, input: ResetPasswordInput) -> AuthPayload:
        ctx = info.context

        async def op() -> AuthResult:
            return await session_ops.reset_password(
                ctx.uow, token=input.token, new_password=input.new_password, ip=ctx.principal.ip
            )

        return await mutate(info, AuthPayload, op)

    @strawberry.mutation
    async def change_password(
        self, info: Info, input: ChangePasswordInput
    ) -> ChangePasswordPayload:
        ctx = info.context

        async def op() -> None:
            await session_ops.change_password(
                ctx.uow,
                ctx.principal,
                current_password=input.current_password,
                new_password=input.new_password,
            )

        return await mutate(info, ChangePasswordPayload, op)

    @strawberry.mutation
    async def accept_invitation(self, info: Info, input: AcceptInvitationInput) -> AuthPayload:
        ctx = info.context

        async def op() -> AuthResult:
            return await session_ops.accept_invitation(
                ctx.uow, token=input.token, password=input.password, ip=ctx.principal.ip
            )

        return await mutate(info, AuthPayload, op)
