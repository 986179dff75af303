"""Sign-up, log-in, tokens, log-out, passwords and invitations."""

from __future__ import annotations

from typing import Annotated, Self

import strawberry

from carebase.models import Organization as OrganizationModel
from carebase.resolvers.org import organizations as org_ops
from carebase.resolvers.people import sessions as session_ops
from carebase.resolvers.people.sessions import AuthResult
from carebase.schema.context import Info
from carebase.schema.docs import MUTATION_INPUT, USER_ERRORS
from carebase.schema.errors import UserError
from carebase.schema.org.organizations import Organization
from carebase.schema.payloads import Payload, mutate
from carebase.schema.people.clients import Viewer, viewer_of
from carebase.schema.relay import decode_optional_id


@strawberry.type(
    description=(
        "Tokens of a new session, from `logIn`, `refreshToken`, `resetPassword`"
        " and `acceptInvitation`."
    )
)
class AuthPayload(Payload):
    access_token: str | None = strawberry.field(
        default=None,
        description=("A JWT for `Authorization: Bearer …`, valid 15 minutes; null on failure."),
    )
    refresh_token: str | None = strawberry.field(
        default=None,
        description=(
            "A single-use token for `refreshToken`, valid 30 days; each use answers"
            " a new one. Null on failure."
        ),
    )
    viewer: Viewer | None = strawberry.field(
        default=None,
        description=(
            "The account signed in (a `Member` or a `Client`), shown in full; null on failure."
        ),
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

    @classmethod
    async def from_result(cls, result: AuthResult, info: Info) -> Self:
        return cls(
            access_token=result.access_token,
            refresh_token=result.refresh_token,
            viewer=viewer_of(result.account),
        )


@strawberry.type(
    description=("Result of `signUpOrganization`: the organization and the owner's session.")
)
class SignUpOrganizationPayload(Payload):
    organization: Organization | None = strawberry.field(
        default=None, description="The new organization; null on failure."
    )
    access_token: str | None = strawberry.field(
        default=None, description="The owner's access token (JWT, 15 minutes); null on failure."
    )
    refresh_token: str | None = strawberry.field(
        default=None,
        description="The owner's refresh token (single use, 30 days); null on failure.",
    )
    viewer: Viewer | None = strawberry.field(
        default=None, description="The owner's account; null on failure."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

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

    success: bool = strawberry.field(
        default=False,
        description=("True when the mutation took effect; false when `userErrors` says why not."),
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

    @classmethod
    async def from_result(cls, result: None, info: Info) -> Self:
        return cls(success=True)


@strawberry.type(description="Result of `logOut`.")
class LogOutPayload(SuccessPayload):
    pass


@strawberry.type(description="Result of `requestPasswordReset` (always a success).")
class RequestPasswordResetPayload(SuccessPayload):
    pass


@strawberry.type(description="Result of `changePassword`.")
class ChangePasswordPayload(SuccessPayload):
    pass


@strawberry.input(description="Input of `signUpOrganization`.")
class SignUpOrganizationInput:
    organization_name: str = strawberry.field(description="The practice's name, as clients see it.")
    name: str = strawberry.field(description="The owner's display name.")
    email: str = strawberry.field(description="The owner's email address (their username).")
    password: str = strawberry.field(description="The owner's password: at least 10 characters.")
    timezone: str = strawberry.field(
        description=(
            "The organization's IANA time zone (e.g. `America/New_York`): calendar "
            "days (`Date`) and reports are read in it."
        )
    )
    currency: str = strawberry.field(
        default="usd",
        description=(
            "The organization's ISO 4217 currency, lower case (default `usd`); "
            "every price and charge is in it."
        ),
    )


@strawberry.input(description="Input of `logIn`.")
class LogInInput:
    email: str = strawberry.field(description="The account's email address (its username).")
    password: str = strawberry.field(description="The account's password.")
    organization_id: strawberry.ID | None = strawberry.field(
        default=None,
        description=(
            "The global id of the organization to sign in to; needed only when the "
            "email has accounts in several (`ORGANIZATION_REQUIRED`)."
        ),
    )


@strawberry.input(description="Input of `refreshToken`.")
class RefreshTokenInput:
    refresh_token: str = strawberry.field(
        description="The refresh token from the last `AuthPayload`."
    )


@strawberry.input(description="Input of `requestPasswordReset`.")
class RequestPasswordResetInput:
    email: str = strawberry.field(description="The account's email address.")
    organization_id: strawberry.ID | None = strawberry.field(
        default=None,
        description=(
            "Limit the reset to the account in this organization (global id); "
            "without it, each account with the address gets its own link."
        ),
    )


@strawberry.input(description="Input of `resetPassword`.")
class ResetPasswordInput:
    token: str = strawberry.field(
        description="The token from the reset email's link (single use, valid 1 hour)."
    )
    new_password: str = strawberry.field(
        description="The new password: at least 10 characters (`WEAK_PASSWORD` otherwise)."
    )


@strawberry.input(description="Input of `changePassword`.")
class ChangePasswordInput:
    current_password: str = strawberry.field(
        description="The caller's current password (`INVALID_CREDENTIALS` when wrong)."
    )
    new_password: str = strawberry.field(
        description="The new password: at least 10 characters (`WEAK_PASSWORD` otherwise)."
    )


@strawberry.input(description="Input of `acceptInvitation`.")
class AcceptInvitationInput:
    token: str = strawberry.field(
        description="The token from the invitation email's link (valid 7 days, single use)."
    )
    password: str = strawberry.field(
        description=("The password to set: at least 10 characters (`WEAK_PASSWORD` otherwise).")
    )


@strawberry.type
class SessionMutation:
    @strawberry.mutation(  # type: ignore[untyped-decorator]
        description=(
            "Create an organization with its owner's account, and sign the owner "
            "in. No credentials needed. Errors: `INVALID_INPUT`, `WEAK_PASSWORD`, "
            "`RATE_LIMITED`."
        )
    )
    async def sign_up_organization(
        self,
        info: Info,
        input: Annotated[SignUpOrganizationInput, strawberry.argument(description=MUTATION_INPUT)],
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

    @strawberry.mutation(  # type: ignore[untyped-decorator]
        description=(
            "Sign in with email and password. Failures are throttled per address "
            "(`RATE_LIMITED` with `extensions.retryAfterSeconds`); an unknown email"
            " and a wrong password both answer `INVALID_CREDENTIALS`; "
            "`ORGANIZATION_REQUIRED` only when the password matched an account in "
            "several organizations."
        )
    )
    async def log_in(
        self,
        info: Info,
        input: Annotated[LogInInput, strawberry.argument(description=MUTATION_INPUT)],
    ) -> AuthPayload:
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

    @strawberry.mutation(  # type: ignore[untyped-decorator]
        description=(
            "Trade a refresh token for a new access token and refresh token (the "
            "old one stops working). Errors: `TOKEN_INVALID`, `TOKEN_EXPIRED`."
        )
    )
    async def refresh_token(
        self,
        info: Info,
        input: Annotated[RefreshTokenInput, strawberry.argument(description=MUTATION_INPUT)],
    ) -> AuthPayload:
        ctx = info.context

        async def op() -> AuthResult:
            return await session_ops.refresh_session(
                ctx.uow, refresh_token=input.refresh_token, ip=ctx.principal.ip
            )

        return await mutate(info, AuthPayload, op)

    @strawberry.mutation(  # type: ignore[untyped-decorator]
        description=(
            "End the caller's session at once: its access and refresh tokens stop "
            "working. Only a signed-in user (not a key) has a session (`FORBIDDEN` "
            "otherwise)."
        )
    )
    async def log_out(self, info: Info) -> LogOutPayload:
        ctx = info.context

        async def op() -> None:
            await session_ops.log_out(ctx.uow, ctx.principal)

        return await mutate(info, LogOutPayload, op)

    @strawberry.mutation(  # type: ignore[untyped-decorator]
        description=(
            "Email a password-reset link (valid 1 hour) to each account with this "
            "address. Always answers success, so it does not reveal whether an "
            "account exists."
        )
    )
    async def request_password_reset(
        self,
        info: Info,
        input: Annotated[
            RequestPasswordResetInput, strawberry.argument(description=MUTATION_INPUT)
        ],
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

    @strawberry.mutation(  # type: ignore[untyped-decorator]
        description=(
            "Set a new password with the emailed reset link's token, sign in and "
            "clear the log-in throttle. Errors: `TOKEN_INVALID` (unknown or used), "
            "`TOKEN_EXPIRED`, `WEAK_PASSWORD`."
        )
    )
    async def reset_password(
        self,
        info: Info,
        input: Annotated[ResetPasswordInput, strawberry.argument(description=MUTATION_INPUT)],
    ) -> AuthPayload:
        ctx = info.context

        async def op() -> AuthResult:
            return await session_ops.reset_password(
                ctx.uow, token=input.token, new_password=input.new_password, ip=ctx.principal.ip
            )

        return await mutate(info, AuthPayload, op)

    @strawberry.mutation(  # type: ignore[untyped-decorator]
        description=(
            "Change the signed-in user's password. Errors: `INVALID_CREDENTIALS` "
            "(wrong current password), `WEAK_PASSWORD`, `FORBIDDEN` (not a signed-"
            "in user), `RATE_LIMITED`."
        )
    )
    async def change_password(
        self,
        info: Info,
        input: Annotated[ChangePasswordInput, strawberry.argument(description=MUTATION_INPUT)],
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

    @strawberry.mutation(  # type: ignore[untyped-decorator]
        description=(
            "Accept an emailed invitation: set the password and sign in (the "
            "username is the email). Errors: `TOKEN_INVALID`, `TOKEN_EXPIRED`, "
            "`WEAK_PASSWORD`."
        )
    )
    async def accept_invitation(
        self,
        info: Info,
        input: Annotated[AcceptInvitationInput, strawberry.argument(description=MUTATION_INPUT)],
    ) -> AuthPayload:
        ctx = info.context

        async def op() -> AuthResult:
            return await session_ops.accept_invitation(
                ctx.uow, token=input.token, password=input.password, ip=ctx.principal.ip
            )

        return await mutate(info, AuthPayload, op)
