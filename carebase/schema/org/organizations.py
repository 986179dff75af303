"""The organization, its settings, and its machine credentials (API keys, OAuth clients)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Self

import strawberry

from carebase.models import ApiKey as ApiKeyModel
from carebase.models import IntakeGate as IntakeGateModel
from carebase.models import OAuthClient as OAuthClientModel
from carebase.models import Organization as OrganizationModel
from carebase.resolvers.core.notifications import portal_base
from carebase.resolvers.core.pagination import page_request
from carebase.resolvers.org import credentials as credential_ops
from carebase.resolvers.org import organizations as org_ops
from carebase.schema.common import Money, changes_of, described, money_or_none
from carebase.schema.context import Info
from carebase.schema.docs import AFTER, FIRST, MUTATION_INPUT, USER_ERRORS, describe_values
from carebase.schema.errors import UserError
from carebase.schema.payloads import Payload, mutate
from carebase.schema.relay import Connection, Node, decode_id, to_global_id

if TYPE_CHECKING:
    from carebase.schema.insurance.types import BillingProfile

IntakeGate = strawberry.enum(
    IntakeGateModel,
    name="IntakeGate",
    description="What pending required intake closes for a client.",
)

describe_values(
    IntakeGate,
    {
        "PORTAL": (
            "Every client-side field and mutation but the viewer, intake,"
            " log-out and password operations answers `INTAKE_REQUIRED` "
            "(the default)."
        ),
        "BOOKING": "Only booking is closed.",
        "OFF": "Nothing is closed.",
    },
)


@strawberry.enum(description="A way of sending a notification.")
class Channel(enum.Enum):
    EMAIL = "EMAIL"
    SMS = "SMS"


describe_values(
    Channel,
    {
        "EMAIL": "By email to the client's address.",
        "SMS": "By SMS to the client's phone (when it has one).",
    },
)


@strawberry.type(description="What clients may do in the portal and the booking widget.")
class PortalSettings:
    clients_can_book: bool = strawberry.field(description="Whether clients may book in the portal.")
    clients_can_reschedule: bool = strawberry.field(
        description=("Whether clients may reschedule their appointments in the portal.")
    )
    clients_can_cancel: bool = strawberry.field(
        description="Whether clients may cancel their appointments in the portal."
    )
    booking_outside_portal: bool = strawberry.field(
        description=(
            "Whether the embedded booking widget (publishable key) may "
            "book, independent of portal booking."
        )
    )
    cancellation_window_hours: int = strawberry.field(
        description=(
            "Hours before an appointment inside which a client's cancel "
            "is late (and may be charged `lateCancellationFee`)."
        )
    )
    late_cancellation_fee: Money | None = strawberry.field(
        description=("What a late cancel by a client is charged, or null for no fee.")
    )
    no_show_fee: Money | None = strawberry.field(
        description=("What a no-show is charged when marked `NO_SHOW`, or null for no fee.")
    )
    intake_gate: IntakeGate = strawberry.field(  # type: ignore[valid-type]
        description=("What pending required intake closes for a client (default `PORTAL`).")
    )
    widget_origins: list[str] = strawberry.field(
        description="The sites that may embed the booking widget, as origins "
        '("https://www.example.com", scheme and host and any port, no path). Browsers on '
        "them may call the API with the publishable key (CORS) and frame the widget's pages, "
        "beside the origins of CAREBASE_ALLOWED_ORIGINS. Managers read and set it."
    )


@strawberry.type(
    description=("When and how clients are reminded of appointments and of pending intake.")
)
class AppointmentAlertSettings:
    reminder_offsets_minutes: list[int] = strawberry.field(
        description=(
            "How long before an appointment each reminder goes out, in "
            "minutes (e.g. `[1440, 60]`: a day and an hour before)."
        )
    )
    reminder_channels: list[Channel] = strawberry.field(description="How reminders are sent.")
    intake_reminder_enabled: bool = strawberry.field(
        description=(
            "Whether clients with required forms pending are reminded before their appointment."
        )
    )
    intake_reminder_offset_minutes: int = strawberry.field(
        description=("How long before the appointment the intake reminder goes out, in minutes.")
    )


@strawberry.type(
    description=(
        "A practice: its members, clients, settings and money all "
        "belong to it. Every member, key and client of the "
        "organization can read it."
    )
)
class Organization(Node):
    name: str = strawberry.field(description="The practice's name, as clients see it.")
    timezone: str = strawberry.field(
        description=("The organization's IANA time zone: `Date` values and reports are read in it.")
    )
    currency: str = strawberry.field(
        description=(
            "The currency of every price and charge: ISO 4217, lower case (default `usd`)."
        )
    )
    publishable_key: str = strawberry.field(
        description=(
            "The key the booking widget sends as "
            "`X-Carebase-Publishable-Key` (`pk_…`); public by design, it "
            "reaches only the widget's operations."
        )
    )
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

    @strawberry.field(  # type: ignore[untyped-decorator]
        description=(
            "This organization's client portal (links in emails point "
            "there); defaults to the server's `CAREBASE_PORTAL_URL`."
        )
    )
    def portal_url(self, info: Info) -> str:
        return portal_base(info.context.uow, self.model)

    @described(
        "What claims print as the billing provider; members of the organization "
        "only (null to anyone else)."
    )
    def billing_profile(
        self, info: Info
    ) -> Annotated[BillingProfile, strawberry.lazy("carebase.schema.insurance.types")] | None:
        from carebase.schema.insurance.types import BillingProfile

        if not info.context.principal.is_member:
            return None
        return BillingProfile.of(self.model)

    @strawberry.field(description="What clients may do in the portal and the widget.")  # type: ignore[untyped-decorator]
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
            widget_origins=list(org.widget_origins or []),
        )

    @strawberry.field(description="Appointment and intake reminders.")  # type: ignore[untyped-decorator]
    def alert_settings(self) -> AppointmentAlertSettings:
        org = self.model
        return AppointmentAlertSettings(
            reminder_offsets_minutes=list(org.reminder_offsets_minutes),
            reminder_channels=[Channel(c) for c in org.reminder_channels],
            intake_reminder_enabled=org.intake_reminder_enabled,
            intake_reminder_offset_minutes=org.intake_reminder_offset_minutes,
        )


@strawberry.type(
    description=(
        "An API key of the organization (`cbk_…`): acts as the member"
        " who created it, limited to its scopes. Owners and admins."
    )
)
class ApiKey(Node):
    name: str = strawberry.field(description="A name to tell keys apart.")
    scopes: list[str] = strawberry.field(
        description=(
            "What the key may do: `<area>:read` or `<area>:write` (e.g. "
            "`clients:read`); never more than its creator's role."
        )
    )
    created_at: datetime = strawberry.field(description="When the key was created.")
    revoked_at: datetime | None = strawberry.field(
        description="When the key was revoked (it no longer works), or null."
    )

    @classmethod
    def from_model(cls, key: ApiKeyModel) -> ApiKey:
        return cls(
            id=to_global_id("ApiKey", key.id),
            name=key.name,
            scopes=list(key.scopes),
            created_at=key.created_at,
            revoked_at=key.revoked_at,
        )


@strawberry.type(
    description=(
        "An OAuth2 client-credentials client of the organization: its"
        " tokens act as the member who created it, limited to its "
        "scopes. Owners and admins."
    )
)
class OAuthClient(Node):
    client_id: str = strawberry.field(description="The public client id for `POST /oauth/token`.")
    name: str = strawberry.field(description="A name to tell clients apart.")
    scopes: list[str] = strawberry.field(description="The scopes its tokens carry.")
    revoked_at: datetime | None = strawberry.field(
        description="When the client was revoked, or null."
    )

    @classmethod
    def from_model(cls, client: OAuthClientModel) -> OAuthClient:
        return cls(
            id=to_global_id("OAuthClient", client.id),
            client_id=client.client_id,
            name=client.name,
            scopes=list(client.scopes),
            revoked_at=client.revoked_at,
        )


@strawberry.input(description=("Input of `updateOrganization`: an omitted field keeps its value."))
class UpdateOrganizationInput:
    name: str | None = strawberry.field(
        default=strawberry.UNSET, description="A new name for the practice."
    )
    timezone: str | None = strawberry.field(
        default=strawberry.UNSET, description="A new IANA time zone."
    )
    currency: str | None = strawberry.field(
        default=strawberry.UNSET,
        description=("A new ISO 4217 currency, lower case (existing prices keep theirs)."),
    )
    portal_url: str | None = strawberry.field(
        default=strawberry.UNSET,
        description=(
            "The URL of this organization's client portal (http or "
            "https), or null to use the server's default."
        ),
    )


@strawberry.input(
    description=(
        "Input of `updatePortalSettings`: an omitted field keeps its value; `null` clears a fee."
    )
)
class UpdatePortalSettingsInput:
    clients_can_book: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Whether clients may book in the portal."
    )
    clients_can_reschedule: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Whether clients may reschedule in the portal."
    )
    clients_can_cancel: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Whether clients may cancel in the portal."
    )
    booking_outside_portal: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Whether the booking widget may book."
    )
    cancellation_window_hours: int | None = strawberry.field(
        default=strawberry.UNSET, description="The cancellation window in hours (0 or more)."
    )
    late_cancellation_fee_cents: int | None = strawberry.field(
        default=strawberry.UNSET,
        description=(
            "The late-cancel fee in cents of the organization's currency "
            "(0 or more), or null for none."
        ),
    )
    no_show_fee_cents: int | None = strawberry.field(
        default=strawberry.UNSET,
        description=(
            "The no-show fee in cents of the organization's currency (0 or more), or null for none."
        ),
    )
    intake_gate: IntakeGate | None = strawberry.field(  # type: ignore[valid-type]
        default=strawberry.UNSET, description="What pending required intake closes for a client."
    )
    widget_origins: list[str] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Replace the sites that may embed the widget: at most 20 origins, each "
        '"https://host[:port]" (http only for localhost and 127.0.0.1), no path, query or '
        "wildcard. An empty list (or null) lets only CAREBASE_ALLOWED_ORIGINS embed it.",
    )


@strawberry.input(
    description=("Input of `updateAppointmentAlertSettings`: an omitted field keeps its value.")
)
class UpdateAppointmentAlertSettingsInput:
    reminder_offsets_minutes: list[int] | None = strawberry.field(
        default=strawberry.UNSET,
        description=(
            "Minutes before an appointment for each reminder (each 1 to "
            "43200, i.e. 30 days; at most 5); an empty list sends none."
        ),
    )
    reminder_channels: list[Channel] | None = strawberry.field(
        default=strawberry.UNSET, description="How reminders are sent."
    )
    intake_reminder_enabled: bool | None = strawberry.field(
        default=strawberry.UNSET,
        description=(
            "Whether to remind clients of pending required intake before their appointment."
        ),
    )
    intake_reminder_offset_minutes: int | None = strawberry.field(
        default=strawberry.UNSET,
        description="Minutes before the appointment for the intake reminder.",
    )


@strawberry.input(description="Input of `createApiKey`.")
class CreateApiKeyInput:
    name: str = strawberry.field(description="A name to tell the key apart (1 to 200 characters).")
    scopes: list[str] = strawberry.field(
        description=(
            "The key's scopes, `<area>:read` or `<area>:write` for the "
            "areas `clients`, `appointments`, `forms`, `billing`, `chat`,"
            " `reports`, `settings`, `members`, `audit`, `webhooks`; an "
            "unknown scope or one beyond the creator's role is "
            "`INVALID_INPUT`."
        )
    )


@strawberry.input(description="Input of `revokeApiKey`.")
class RevokeApiKeyInput:
    id: strawberry.ID = strawberry.field(description="The global id of the API key to revoke.")


@strawberry.input(description="Input of `revokeOAuthClient`.")
class RevokeOAuthClientInput:
    id: strawberry.ID = strawberry.field(description="The global id of the OAuth client to revoke.")


@strawberry.type(description="Result of `revokeOAuthClient`.")
class RevokeOAuthClientPayload(Payload):
    oauth_client: OAuthClient | None = strawberry.field(
        default=None, description="The OAuth client, now revoked; null on failure."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

    @classmethod
    async def from_result(cls, result: OAuthClientModel, info: Info) -> Self:
        return cls(oauth_client=OAuthClient.from_model(result))


@strawberry.input(description="Input of `createOAuthClient`.")
class CreateOAuthClientInput:
    name: str = strawberry.field(description="A name to tell the client apart.")
    scopes: list[str] = strawberry.field(
        description="The scopes its tokens carry (as for `createApiKey`)."
    )


@strawberry.type
class OrganizationPayload(Payload):
    organization: Organization | None = strawberry.field(
        default=None, description="The organization after the change; null on failure."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

    @classmethod
    async def from_result(cls, result: OrganizationModel, info: Info) -> Self:
        return cls(organization=Organization.from_model(result))


@strawberry.type(description="Result of `updateOrganization`.")
class UpdateOrganizationPayload(OrganizationPayload):
    pass


@strawberry.type(description="Result of `rotatePublishableKey`.")
class RotatePublishableKeyPayload(OrganizationPayload):
    pass


@strawberry.type(description="Result of `updatePortalSettings`.")
class UpdatePortalSettingsPayload(OrganizationPayload):
    pass


@strawberry.type(description="Result of `updateAppointmentAlertSettings`.")
class UpdateAppointmentAlertSettingsPayload(OrganizationPayload):
    pass


@strawberry.type(description="Result of `createApiKey`.")
class CreateApiKeyPayload(Payload):
    api_key: ApiKey | None = strawberry.field(
        default=None, description="The new key; null on failure."
    )
    secret: str | None = strawberry.field(
        default=None,
        description=(
            "The key's secret (`cbk_…`), shown only here, once: it is "
            "stored hashed. Send it as `Authorization: Bearer <secret>`."
        ),
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

    @classmethod
    async def from_result(cls, result: tuple[ApiKeyModel, str], info: Info) -> Self:
        key, secret = result
        return cls(api_key=ApiKey.from_model(key), secret=secret)


@strawberry.type(description="Result of `revokeApiKey`.")
class RevokeApiKeyPayload(Payload):
    api_key: ApiKey | None = strawberry.field(
        default=None, description="The key, now revoked; null on failure."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

    @classmethod
    async def from_result(cls, result: ApiKeyModel, info: Info) -> Self:
        return cls(api_key=ApiKey.from_model(result))


@strawberry.type(description="Result of `createOAuthClient`.")
class CreateOAuthClientPayload(Payload):
    oauth_client: OAuthClient | None = strawberry.field(
        default=None, description="The new OAuth client; null on failure."
    )
    client_secret: str | None = strawberry.field(
        default=None,
        description=(
            "The client secret for `POST /oauth/token` (client credentials), shown only here, once."
        ),
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

    @classmethod
    async def from_result(cls, result: tuple[OAuthClientModel, str], info: Info) -> Self:
        client, secret = result
        return cls(oauth_client=OAuthClient.from_model(client), client_secret=secret)


@strawberry.type
class OrganizationQuery:
    @strawberry.field(  # type: ignore[untyped-decorator]
        description=(
            "The caller's organization: any member, client, key or OAuth "
            "client of it; the widget sees it through "
            "`publicBookingProfile`."
        )
    )
    async def organization(self, info: Info) -> Organization | None:
        org = await org_ops.get_organization(info.context.uow, info.context.principal)
        return Organization.from_model(org)

    @strawberry.field(  # type: ignore[untyped-decorator]
        description=(
            "The organization's API keys, newest first. Owners and admins (`settings:read`)."
        )
    )
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

    @strawberry.field(  # type: ignore[untyped-decorator]
        description=(
            "The organization's OAuth clients, newest first. Owners and admins (`settings:read`)."
        )
    )
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
    @strawberry.mutation(  # type: ignore[untyped-decorator]
        description=(
            "Change the organization's name, time zone, currency or "
            "portal URL. Owners and admins (`settings:write`). Errors: "
            "`INVALID_INPUT`, `FORBIDDEN`."
        )
    )
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

    @strawberry.mutation(  # type: ignore[untyped-decorator]
        description=(
            "Replace the organization's publishable key (`pk_…`); the old"
            " one stops working at once, so update the widget's embed. "
            "Owners and admins (`settings:write`)."
        )
    )
    async def rotate_publishable_key(self, info: Info) -> RotatePublishableKeyPayload:
        ctx = info.context

        async def op() -> OrganizationModel:
            return await org_ops.rotate_publishable_key(ctx.uow, ctx.principal)

        return await mutate(info, RotatePublishableKeyPayload, op)

    @strawberry.mutation(  # type: ignore[untyped-decorator]
        description=(
            "Change who may book, reschedule and cancel in the portal, "
            "the widget switch, the cancellation window, the fees and the"
            " intake gate. Owners and admins (`settings:write`). Errors: "
            "`INVALID_INPUT`, `FORBIDDEN`."
        )
    )
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
            "widget_origins",
        )

        async def op() -> OrganizationModel:
            return await org_ops.update_portal_settings(ctx.uow, ctx.principal, changes=changes)

        return await mutate(info, UpdatePortalSettingsPayload, op)

    @strawberry.mutation(  # type: ignore[untyped-decorator]
        description=(
            "Change reminder offsets and channels and the intake "
            "reminder. Owners and admins (`settings:write`). Errors: "
            "`INVALID_INPUT`, `FORBIDDEN`."
        )
    )
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

    @strawberry.mutation(  # type: ignore[untyped-decorator]
        description=(
            "Create an API key; its secret is answered once. Owners and "
            "admins (`settings:write`). Errors: `INVALID_INPUT` (unknown "
            "scope, beyond the creator's role), `FORBIDDEN`."
        )
    )
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

    @strawberry.mutation(  # type: ignore[untyped-decorator]
        description=(
            "Revoke an API key: it stops working at once. Owners and "
            "admins. Errors: `NOT_FOUND`, `FORBIDDEN`."
        )
    )
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

    @strawberry.mutation(
        name="createOAuthClient",
        description=(
            "Create an OAuth2 client for the client-credentials grant "
            "(`POST /oauth/token`); its secret is answered once. Owners "
            "and admins. Errors: `INVALID_INPUT`, `FORBIDDEN`."
        ),
    )  # type: ignore[untyped-decorator]
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

    @strawberry.mutation(
        name="revokeOAuthClient",
        description=(
            "Revoke an OAuth client: its tokens stop working. Owners and "
            "admins. Errors: `NOT_FOUND`, `FORBIDDEN`."
        ),
    )  # type: ignore[untyped-decorator]
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
