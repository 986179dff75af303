"""The organization, its settings, and its machine credentials (API keys, OAuth clients)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated, Self

import strawberry

from carebase.models import ApiKey as ApiKeyModel
from carebase.models import IntakeGate as IntakeGateModel
from carebase.models import OAuthClient as OAuthClientModel
from carebase.models import Organization as OrganizationModel
from carebase.resolvers.core.notifications import portal_base
from carebase.resolvers.core.pagination import page_request
from carebase.resolvers.org import credentials as credential_ops
from carebase.resolvers.org import organizations as org_ops
from carebase.schema.common import Money, changes_of, money_or_none
from carebase.schema.context import Info
from carebase.schema.docs import AFTER, FIRST, MUTATION_INPUT, USER_ERRORS
from carebase.schema.errors import UserError
from carebase.schema.payloads import Payload, mutate
from carebase.schema.relay import Connection, Node, decode_id, to_global_id

IntakeGate = strawberry.enum(IntakeGateModel, name="IntakeGate")


@strawberry.enum
class Channel(enum.Enum):
    EMAIL = "EMAIL"
    SMS = "SMS"


@strawberry.type
class PortalSettings:
    clients_can_book: bool
    clients_can_reschedule: bool
    clients_can_cancel: bool
    booking_outside_portal: bool
    cancellation_window_hours: int
    late_cancellation_fee: Money | None
    no_show_fee: Money | None
    intake_gate: IntakeGate  # type: ignore[valid-type]


@strawberry.type
class AppointmentAlertSettings:
    reminder_offsets_minutes: list[int]
    reminder_channels: list[Channel]
    intake_reminder_enabled: bool
    intake_reminder_offset_minutes: int


@strawberry.type
class Organization(Node):
    name: str
    timezone: str
    currency: str
    publishable_key: str
    model: strawberry.Private[OrganizationModel]

    @classmethod
    def from_model(cls, org: OrganizationModel) -> Organization:
        return cls(
            id=to_global_id("Organization", org.id),
            name=org.name,
            timezone=org.timezone,
            currency=org.currency,
            publishable_key=org.publishable_key,
            model=org,
        )

    @strawberry.field
    def portal_url(self, info: Info) -> str:
        return portal_base(info.context.uow, self.model)

    @strawberry.field
    def portal_settings(self) -> PortalSettings:
        org = self.model
        return PortalSettings(
            clients_can_book=org.clients_can_book,
            clients_can_reschedule=org.clients_can_reschedule,
            clients_can_cancel=org.clients_can_cancel,
            booking_outside_portal=org.booking_outside_portal,
            cancellation_window_hours=org.cancellation_window_hours,
            late_cancellation_fee=money_or_none(org.late_cancellation_fee_cents, org.currency),
            no_show_fee=money_or_none(org.no_show_fee_cents, org.currency),
            intake_gate=org.intake_gate,
        )

    @strawberry.field
    def alert_settings(self) -> AppointmentAlertSettings:
        org = self.model
        return AppointmentAlertSettings(
            reminder_offsets_minutes=list(org.reminder_offsets_minutes),
            reminder_channels=[Channel(c) for c in org.reminder_channels],
            intake_reminder_enabled=org.intake_reminder_enabled,
            intake_reminder_offset_minutes=org.intake_reminder_offset_minutes,
        )


@strawberry.type
class ApiKey(Node):
    name: str
    scopes: list[str]
    created_at: datetime
    revoked_at: datetime | None

    @classmethod
    def from_model(cls, key: ApiKeyModel) -> ApiKey:
        return cls(
            id=to_global_id("ApiKey", key.id),
            name=key.name,
            scopes=list(key.scopes),
            created_at=key.created_at,
            revoked_at=key.revoked_at,
        )


@strawberry.type
class OAuthClient(Node):
    client_id: str
    name: str
    scopes: list[str]
    revoked_at: datetime | None

    @classmethod
    def from_model(cls, client: OAuthClientModel) -> OAuthClient:
        return cls(
            id=to_global_id("OAuthClient", client.id),
            client_id=client.client_id,
            name=client.name,
            scopes=list(client.scopes),
            revoked_at=client.revoked_at,
        )


@strawberry.input
class UpdateOrganizationInput:
    name: str | None = strawberry.UNSET
    timezone: str | None = strawberry.UNSET
    currency: str | None = strawberry.UNSET
    portal_url: str | None = strawberry.UNSET


@strawberry.input
class UpdatePortalSettingsInput:
    clients_can_book: bool | None = strawberry.UNSET
    clients_can_reschedule: bool | None = strawberry.UNSET
    clients_can_cancel: bool | None = strawberry.UNSET
    booking_outside_portal: bool | None = strawberry.UNSET
    cancellation_window_hours: int | None = strawberry.UNSET
    late_cancellation_fee_cents: int | None = strawberry.UNSET
    no_show_fee_cents: int | None = strawberry.UNSET
    intake_gate: IntakeGate | None = strawberry.UNSET  # type: ignore[valid-type]


@strawberry.input
class UpdateAppointmentAlertSettingsInput:
    reminder_offsets_minutes: list[int] | None = strawberry.UNSET
    reminder_channels: list[Channel] | None = strawberry.UNSET
    intake_reminder_enabled: bool | None = strawberry.UNSET
    intake_reminder_offset_minutes: int | None = strawberry.UNSET


@strawberry.input
class CreateApiKeyInput:
    name: str
    scopes: list[str]


@strawberry.input
class RevokeApiKeyInput:
    id: strawberry.ID


@strawberry.input
class RevokeOAuthClientInput:
    id: strawberry.ID


@strawberry.type
class RevokeOAuthClientPayload(Payload):
    oauth_client: OAuthClient | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

    @classmethod
    async def from_result(cls, result: OAuthClientModel, info: Info) -> Self:
        return cls(oauth_client=OAuthClient.from_model(result))


@strawberry.input
class CreateOAuthClientInput:
    name: str
    scopes: list[str]


@strawberry.type
class OrganizationPayload(Payload):
    organization: Organization | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

    @classmethod
    async def from_result(cls, result: OrganizationModel, info: Info) -> Self:
        return cls(organization=Organization.from_model(result))


@strawberry.type
class UpdateOrganizationPayload(OrganizationPayload):
    pass


@strawberry.type
class RotatePublishableKeyPayload(OrganizationPayload):
    pass


@strawberry.type
class UpdatePortalSettingsPayload(OrganizationPayload):
    pass


@strawberry.type
class UpdateAppointmentAlertSettingsPayload(OrganizationPayload):
    pass


@strawberry.type
class CreateApiKeyPayload(Payload):
    api_key: ApiKey | None = None
    secret: str | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

    @classmethod
    async def from_result(cls, result: tuple[ApiKeyModel, str], info: Info) -> Self:
        key, secret = result
        return cls(api_key=ApiKey.from_model(key), secret=secret)


@strawberry.type
class RevokeApiKeyPayload(Payload):
    api_key: ApiKey | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

    @classmethod
    async def from_result(cls, result: ApiKeyModel, info: Info) -> Self:
        return cls(api_key=ApiKey.from_model(result))


@strawberry.type
class CreateOAuthClientPayload(Payload):
    oauth_client: OAuthClient | None = None
    client_secret: str | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

    @classmethod
    async def from_result(cls, result: tuple[OAuthClientModel, str], info: Info) -> Self:
        client, secret = result
        return cls(oauth_client=OAuthClient.from_model(client), client_secret=secret)


@strawberry.type
class OrganizationQuery:
    @strawberry.field
    async def organization(self, info: Info) -> Organization | None:
        org = await org_ops.get_organization(info.context.uow, info.context.principal)
        return Organization.from_model(org)

    @strawberry.field
    async def api_keys(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
    ) -> Connection[ApiKey]:
        page = await credential_ops.list_api_keys(
            info.context.uow, info.context.principal, page=page_request(first, after)
        )
        return Connection.from_page(page, ApiKey.from_model)

    @strawberry.field
    async def oauth_clients(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
    ) -> Connection[OAuthClient]:
        page = await credential_ops.list_oauth_clients(
            info.context.uow, info.context.principal, page=page_request(first, after)
        )
        return Connection.from_page(page, OAuthClient.from_model)


@strawberry.type
class OrganizationMutation:
    @strawberry.mutation
    async def update_organization(
        self,
        info: Info,
        input: Annotated[UpdateOrganizationInput, strawberry.argument(description=MUTATION_INPUT)],
    ) -> UpdateOrganizationPayload:
        ctx = info.context
        changes = changes_of(input, "name", "timezone", "currency", "portal_url")

        async def op() -> OrganizationModel:
            return await org_ops.update_organization(ctx.uow, ctx.principal, changes=changes)

        return await mutate(info, UpdateOrganizationPayload, op)

    @strawberry.mutation
    async def rotate_publishable_key(self, info: Info) -> RotatePublishableKeyPayload:
        ctx = info.context

        async def op() -> OrganizationModel:
            return await org_ops.rotate_publishable_key(ctx.uow, ctx.principal)

        return await mutate(info, RotatePublishableKeyPayload, op)

    @strawberry.mutation
    async def update_portal_settings(
        self,
        info: Info,
        input: Annotated[
            UpdatePortalSettingsInput, strawberry.argument(description=MUTATION_INPUT)
        ],
    ) -> UpdatePortalSettingsPayload:
        ctx = info.context
        changes = changes_of(
            input,
            "clients_can_book",
            "clients_can_reschedule",
            "clients_can_cancel",
            "booking_outside_portal",
            "cancellation_window_hours",
            "late_cancellation_fee_cents",
            "no_show_fee_cents",
            "intake_gate",
        )

        async def op() -> OrganizationModel:
            return await org_ops.update_portal_settings(ctx.uow, ctx.principal, changes=changes)

        return await mutate(info, UpdatePortalSettingsPayload, op)

    @strawberry.mutation
    async def update_appointment_alert_settings(
        self,
        info: Info,
        input: Annotated[
            UpdateAppointmentAlertSettingsInput, strawberry.argument(description=MUTATION_INPUT)
        ],
    ) -> UpdateAppointmentAlertSettingsPayload:
        ctx = info.context
        changes = changes_of(
            input,
            "reminder_offsets_minutes",
            "reminder_channels",
            "intake_reminder_enabled",
            "intake_reminder_offset_minutes",
        )
        if changes.get("reminder_channels") is not None:
            changes["reminder_channels"] = [c.value for c in changes["reminder_channels"]]

        async def op() -> OrganizationModel:
            return await org_ops.update_alert_settings(ctx.uow, ctx.principal, changes=changes)

        return await mutate(info, UpdateAppointmentAlertSettingsPayload, op)

    @strawberry.mutation
    async def create_api_key(
        self,
        info: Info,
        input: Annotated[CreateApiKeyInput, strawberry.argument(description=MUTATION_INPUT)],
    ) -> CreateApiKeyPayload:
        ctx = info.context

        async def op() -> tuple[ApiKeyModel, str]:
            return await credential_ops.create_api_key(
                ctx.uow, ctx.principal, name=input.name, scopes=input.scopes
            )

        return await mutate(info, CreateApiKeyPayload, op)

    @strawberry.mutation
    async def revoke_api_key(
        self,
        info: Info,
        input: Annotated[RevokeApiKeyInput, strawberry.argument(description=MUTATION_INPUT)],
    ) -> RevokeApiKeyPayload:
        ctx = info.context

        async def op() -> ApiKeyModel:
            return await credential_ops.revoke_api_key(
                ctx.uow, ctx.principal, decode_id(input.id, "ApiKey")
            )

        return await mutate(info, RevokeApiKeyPayload, op)

    @strawberry.mutation(name="createOAuthClient")  # type: ignore[untyped-decorator]
    async def create_oauth_client(
        self,
        info: Info,
        input: Annotated[CreateOAuthClientInput, strawberry.argument(description=MUTATION_INPUT)],
    ) -> CreateOAuthClientPayload:
        ctx = info.context

        async def op() -> tuple[OAuthClientModel, str]:
            return await credential_ops.create_oauth_client(
                ctx.uow, ctx.principal, name=input.name, scopes=input.scopes
            )

        return await mutate(info, CreateOAuthClientPayload, op)

    @strawberry.mutation(name="revokeOAuthClient")  # type: ignore[untyped-decorator]
    async def revoke_oauth_client(
        self,
        info: Info,
        input: Annotated[RevokeOAuthClientInput, strawberry.argument(description=MUTATION_INPUT)],
    ) -> RevokeOAuthClientPayload:
        ctx = info.context

        async def op() -> OAuthClientModel:
            return await credential_ops.revoke_oauth_client(
                ctx.uow, ctx.principal, decode_id(input.id, "OAuthClient")
            )

        return await mutate(info, RevokeOAuthClientPayload, op)
