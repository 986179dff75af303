"""Members, clients and the viewer: types, queries and the client mutations."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Self

import strawberry

from carebase.models import Account
from carebase.models import Role as RoleModel
from carebase.resolvers.billing import cards as card_ops
from carebase.resolvers.billing import invoices as invoice_ops
from carebase.resolvers.billing import packages as package_ops
from carebase.resolvers.core.pagination import page_request, slice_page
from carebase.resolvers.insurance import claims as claim_ops
from carebase.resolvers.insurance import policies as policy_ops
from carebase.resolvers.insurance import superbills as superbill_ops
from carebase.resolvers.intake import requests as request_ops
from carebase.resolvers.people import clients as client_ops
from carebase.resolvers.people import members as member_ops
from carebase.resolvers.people import sessions as session_ops
from carebase.resolvers.scheduling import client_appointments as client_appointment_ops
from carebase.schema.common import Address, AddressInput, Money, Sex, changes_of, described
from carebase.schema.context import Info
from carebase.schema.docs import AFTER, FIRST, MUTATION_INPUT, USER_ERRORS, describe_values
from carebase.schema.errors import UserError
from carebase.schema.payloads import Payload, mutate
from carebase.schema.relay import (
    Connection,
    Node,
    decode_id,
    decode_optional_id,
    to_global_id,
)

if TYPE_CHECKING:
    # intake and billing show clients and a client shows their forms, cards and credits: real
    # cycles between the areas, so these fields name their types lazily
    from carebase.schema.billing.types import PackageCredit, PaymentMethod
    from carebase.schema.insurance.claims import Claim
    from carebase.schema.insurance.superbills import Superbill
    from carebase.schema.insurance.types import InsurancePolicy
    from carebase.schema.intake.forms import FormRequest
    from carebase.schema.scheduling.appointments import AppointmentFilter
    from carebase.schema.scheduling.types import Appointment

Role = strawberry.enum(
    RoleModel,
    name="Role",
    description=(
        "What an account is in its organization, and so what it may do (see the"
        " API conventions for each role)."
    ),
)

describe_values(
    Role,
    {
        "OWNER": ("The organization's owner: everything an admin does; bookable as a provider."),
        "ADMIN": (
            "Manages settings, members, appointment types, forms, packages, keys "
            "and the audit log; bookable."
        ),
        "PROVIDER": "Sees every client, is bookable and sets their own availability.",
        "STAFF": "Works with every client (front desk, billing) but cannot be booked.",
        "CLIENT": "A client of the organization: sees only their own records.",
    },
)


@strawberry.type(
    description=(
        "A member of the organization (owner, admin, provider or staff). A "
        "client sees only a member's name and time zone: `email` and `role` "
        "answer null to clients, the booking widget and anonymous callers."
    )
)
class Member(Node):
    """Of a member, a client sees only the name (and the time zone); email and role answer
    null to clients, the widget and anonymous callers, and to members their values."""

    name: str = strawberry.field(description="The member's display name, as clients see it.")
    model: strawberry.Private[Account]
    # the caller's own account (``viewer``, the payload of a log-in): always shown in full
    own: strawberry.Private[bool]

    @strawberry.field(  # type: ignore[untyped-decorator]
        description=(
            "The member's email address (their username); null to clients, the "
            "widget and anonymous callers."
        )
    )
    def email(self, info: Info) -> str | None:
        return self.model.email if self._details_visible(info) else None

    @strawberry.field(  # type: ignore[untyped-decorator]
        description=(
            "The member's role in the organization; null to clients, the widget and"
            " anonymous callers."
        )
    )
    def role(self, info: Info) -> Role | None:  # type: ignore[valid-type]
        return self.model.role if self._details_visible(info) else None

    @strawberry.field(  # type: ignore[untyped-decorator]
        description=("The member's IANA time zone; their availability is read in it by default.")
    )
    def timezone(self) -> str:
        return self.model.timezone

    @described(
        "Individual NPI of a rendering provider (ten digits); null to clients and when not set."
    )
    def npi(self, info: Info) -> str | None:
        return self.model.npi if self._details_visible(info) else None

    @described("NUCC taxonomy code of a provider; null to clients.")
    def taxonomy_code(self, info: Info) -> str | None:
        return self.model.taxonomy_code if self._details_visible(info) else None

    def _details_visible(self, info: Info) -> bool:
        return member_ops.shows_member_details(info.context.principal, own=self.own)

    @classmethod
    def from_model(cls, account: Account, *, own: bool = False) -> Member:
        return cls(
            id=to_global_id("Member", account.id),
            name=account.name,
            model=account,
            own=own,
        )


@strawberry.type(
    description=(
        "A client (patient) of the organization: an account that books, fills "
        "in intake forms and pays. Members of the organization see every "
        "client; a client sees only themself. Reading a client is an audited "
        "PHI read."
    )
)
class Client(Node):
    name: str = strawberry.field(description="The client's display name.")
    # always given; nullable as Member.email is, so that documents selecting ``email`` on
    # both sides of ``Viewer`` (or of a ``node``) stay valid
    email: str | None = strawberry.field(
        description=(
            "The client's email address (unique within the organization); the "
            "address for invitations, reminders and receipts. Always given for a "
            "client (nullable only so that documents selecting `email` on `Viewer` "
            "or `Node` stay valid)."
        )
    )
    phone: str | None = strawberry.field(
        description=("The client's phone number as they gave it (used for SMS reminders), or null.")
    )
    date_of_birth: date | None = strawberry.field(
        description="The client's date of birth (`YYYY-MM-DD`), or null when not recorded."
    )
    timezone: str = strawberry.field(
        description=(
            "The client's IANA time zone (e.g. `America/Chicago`); reminders and "
            "portal times are shown in it. Defaults to the organization's."
        )
    )
    archived: bool = strawberry.field(
        description=(
            "True once the client was archived (`archiveClient`): an archived "
            "client cannot sign in or book and is left out of `clients` unless "
            "`includeArchived` is true."
        )
    )
    model: strawberry.Private[Account]

    @classmethod
    def from_model(cls, account: Account) -> Client:
        return cls(
            id=to_global_id("Client", account.id),
            name=account.name,
            email=account.email,
            phone=account.phone,
            date_of_birth=account.date_of_birth,
            timezone=account.timezone,
            archived=account.archived_at is not None,
            model=account,
        )

    @strawberry.field(  # type: ignore[untyped-decorator]
        description=("The intake forms requested of this client, newest first, in every status.")
    )
    async def form_requests(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
    ) -> Connection[Annotated[FormRequest, strawberry.lazy("carebase.schema.intake.forms")]]:
        ctx = info.context
        rows = await request_ops.client_form_requests(
            ctx.uow, ctx.principal, client_id=self.model.id, load=ctx.loaders.form_requests.load
        )
        from carebase.schema.intake.forms import FormRequest

        page = slice_page(
            rows, page_request(first, after), request_ops.REQUEST_ORDER, request_ops.request_key
        )
        return Connection.from_page(page, FormRequest.from_model)

    @strawberry.field(  # type: ignore[untyped-decorator]
        description=(
            "The client's appointments, soonest first, optionally filtered (status,"
            " from, to, provider)."
        )
    )
    async def appointments(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
        filter: Annotated[
            Annotated[AppointmentFilter, strawberry.lazy("carebase.schema.scheduling.appointments")]
            | None,
            strawberry.argument(
                description="Only the appointments that match (status, time range, provider)."
            ),
        ] = None,
    ) -> Connection[Annotated[Appointment, strawberry.lazy("carebase.schema.scheduling.types")]]:
        from carebase.schema.scheduling.appointments import resolver_filter
        from carebase.schema.scheduling.types import Appointment

        ctx = info.context
        page = await client_appointment_ops.client_appointments(
            ctx.uow,
            ctx.principal,
            client_id=self.model.id,
            page=page_request(first, after),
            load=ctx.loaders.client_appointments(resolver_filter(filter)).load,
        )
        return Connection.from_page(page, Appointment.from_model)

    @strawberry.field(  # type: ignore[untyped-decorator]
        description=(
            "The client's required form requests still `PENDING`: while any is, the"
            " intake gate (`PortalSettings.intakeGate`) may close the client's "
            "portal."
        )
    )
    async def pending_intake(
        self, info: Info
    ) -> list[Annotated[FormRequest, strawberry.lazy("carebase.schema.intake.forms")]]:
        ctx = info.context
        rows = await request_ops.pending_intake(
            ctx.uow, ctx.principal, client_id=self.model.id, load=ctx.loaders.form_requests.load
        )
        from carebase.schema.intake.forms import FormRequest

        return [FormRequest.from_model(r) for r in rows]

    @strawberry.field(  # type: ignore[untyped-decorator]
        description=(
            "The cards on file for this client (Stripe payment methods), the "
            "default first. Members with `billing:read` and the client themself."
        )
    )
    async def payment_methods(
        self, info: Info
    ) -> list[Annotated[PaymentMethod, strawberry.lazy("carebase.schema.billing.types")]]:
        ctx = info.context
        rows = await card_ops.client_cards(
            ctx.uow, ctx.principal, client_id=self.model.id, load=ctx.loaders.cards.load
        )
        from carebase.schema.billing.types import PaymentMethod

        return [PaymentMethod.from_model(r) for r in rows]

    @strawberry.field(  # type: ignore[untyped-decorator]
        description=(
            "What the client owes: the total of their open invoices, in the "
            "organization's currency (`amountCents` is 0 when nothing is due)."
        )
    )
    async def balance(self, info: Info) -> Money:
        ctx = info.context
        cents = await invoice_ops.client_balance(
            ctx.uow, ctx.principal, client_id=self.model.id, load=ctx.loaders.balance.load
        )
        org = await ctx.loaders.organization.load(self.model.organization_id)
        return Money(amount_cents=cents, currency=org.currency if org else "usd")

    @strawberry.field(  # type: ignore[untyped-decorator]
        description=(
            "The client's remaining package credits, one entry per appointment type"
            " they have credits for."
        )
    )
    async def package_credits(
        self, info: Info
    ) -> list[Annotated[PackageCredit, strawberry.lazy("carebase.schema.billing.types")]]:
        ctx = info.context
        credits = await package_ops.client_credits(
            ctx.uow, ctx.principal, client_id=self.model.id, load=ctx.loaders.credits.load
        )
        from carebase.schema.billing.types import PackageCredit

        result = []
        for type_id, remaining in credits:
            kind = await ctx.loaders.appointment_type.load(type_id)
            if kind is not None:
                result.append(PackageCredit.of(kind, remaining))
        return result

    @described("Legal first name (CMS-1500 box 2); `name` is for display.")
    def first_name(self) -> str | None:
        return self.model.first_name

    @described("Legal last name (CMS-1500 box 2).")
    def last_name(self) -> str | None:
        return self.model.last_name

    @described("Sex (CMS-1500 box 3).")
    def sex(self) -> Sex | None:
        return Sex(self.model.sex) if self.model.sex else None

    @described("Home address (CMS-1500 box 5).")
    def address(self) -> Address | None:
        return Address.from_stored(self.model.address)

    @described(
        "Current insurance policies, primary first. Members with billing:read and "
        "the client themself; an audited read."
    )
    async def insurance_policies(
        self, info: Info
    ) -> list[Annotated[InsurancePolicy, strawberry.lazy("carebase.schema.insurance.types")]]:
        ctx = info.context
        rows = await policy_ops.client_policies(
            ctx.uow, ctx.principal, client=self.model, load=ctx.loaders.policies.load
        )
        from carebase.schema.insurance.types import InsurancePolicy

        return [InsurancePolicy.from_model(r) for r in rows]

    @described(
        "The client's claims, newest first. Members with billing:read and the client "
        "themself; an audited read."
    )
    async def claims(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
    ) -> Connection[Annotated[Claim, strawberry.lazy("carebase.schema.insurance.claims")]]:
        ctx = info.context
        page = await claim_ops.client_claims(
            ctx.uow,
            ctx.principal,
            client_id=self.model.id,
            page=page_request(first, after),
            load=ctx.loaders.client_claims.load,
        )
        from carebase.schema.insurance.claims import Claim

        return Connection.from_page(page, Claim.from_model)

    @described(
        "The client's superbills, newest first. Members with billing:read and the client "
        "themself; an audited read."
    )
    async def superbills(
        self, info: Info
    ) -> list[Annotated[Superbill, strawberry.lazy("carebase.schema.insurance.superbills")]]:
        ctx = info.context
        rows = await superbill_ops.client_superbills(
            ctx.uow, ctx.principal, client=self.model, load=ctx.loaders.superbills.load
        )
        from carebase.schema.insurance.superbills import Superbill

        return [Superbill.from_model(r) for r in rows]

    @strawberry.field(  # type: ignore[untyped-decorator]
        description="The member assigned as this client's provider, or null when none is."
    )
    async def provider(self, info: Info) -> Member | None:
        if self.model.provider_id is None:
            return None
        found = await info.context.loaders.member.load(self.model.provider_id)
        return Member.from_model(found) if found else None


Viewer = Annotated[
    Member | Client,
    strawberry.union(
        "Viewer",
        description="The signed-in account: a `Member` of the organization or a `Client`.",
    ),
]


def viewer_of(account: Account | None) -> Member | Client | None:
    """The caller's own account (``viewer``, log-in payloads): a member sees their own
    email and role even before the request carries their token."""
    if account is None:
        return None
    if account.role is RoleModel.CLIENT:
        return Client.from_model(account)
    return Member.from_model(account, own=True)


def person_of(account: Account | None) -> Member | Client | None:
    """Someone else's account (a message's sender, who filled a form): a member of the
    practice shows their email and role only to members."""
    if account is None:
        return None
    if account.role is RoleModel.CLIENT:
        return Client.from_model(account)
    return Member.from_model(account)


@strawberry.input(description="Input of `createClient`.")
class CreateClientInput:
    name: str = strawberry.field(description="The client's display name (1 to 200 characters).")
    email: str = strawberry.field(
        description=(
            "The client's email address; unique within the organization (`EMAIL_TAKEN` otherwise)."
        )
    )
    phone: str | None = strawberry.field(
        default=None,
        description=(
            "The client's phone number (E.164 such as `+15555550100` is best for SMS), optional."
        ),
    )
    date_of_birth: date | None = strawberry.field(
        default=None, description="The client's date of birth, `YYYY-MM-DD`; not in the future."
    )
    timezone: str | None = strawberry.field(
        default=None,
        description=(
            "The client's IANA time zone (e.g. `Europe/Berlin`); defaults to the "
            "organization's. An unknown zone is `INVALID_INPUT`."
        ),
    )
    provider_id: strawberry.ID | None = strawberry.field(
        default=None,
        description=(
            "The global id of a bookable member (owner, admin or provider) to "
            "assign as the client's provider, optional."
        ),
    )
    send_invitation: bool = strawberry.field(
        default=False,
        description=(
            "When true, email the client an invitation to set a password, carrying "
            "the link to their intake forms. Default false: the client then gets no"
            " intake email until `resendInvitation`."
        ),
    )


@strawberry.input(
    description=(
        "Input of `updateClient`: partial, an omitted field keeps its value and"
        " `null` clears a nullable field."
    )
)
class UpdateClientInput:
    id: strawberry.ID = strawberry.field(description="The global id of the client to update.")
    name: str | None = strawberry.field(
        default=strawberry.UNSET, description="A new display name (not null)."
    )
    email: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="A new email address (not null); unique within the organization.",
    )
    phone: str | None = strawberry.field(
        default=strawberry.UNSET, description="A new phone number, or null to clear it."
    )
    date_of_birth: date | None = strawberry.field(
        default=strawberry.UNSET,
        description="A new date of birth (`YYYY-MM-DD`), or null to clear it.",
    )
    timezone: str | None = strawberry.field(
        default=strawberry.UNSET, description="A new IANA time zone (not null)."
    )
    provider_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET,
        description=("The global id of the member to assign as provider, or null to unassign."),
    )
    first_name: str | None = strawberry.field(
        default=strawberry.UNSET, description="Legal first name (claims print it); null clears."
    )
    last_name: str | None = strawberry.field(
        default=strawberry.UNSET, description="Legal last name; null clears."
    )
    sex: Sex | None = strawberry.field(default=strawberry.UNSET, description="Sex; null clears.")
    address: AddressInput | None = strawberry.field(
        default=strawberry.UNSET, description="Home address; null clears."
    )


@strawberry.input(description="Input of `archiveClient`.")
class ArchiveClientInput:
    id: strawberry.ID = strawberry.field(description="The global id of the client to archive.")


@strawberry.input(description="Input of `inviteMember`.")
class InviteMemberInput:
    name: str = strawberry.field(description="The new member's display name.")
    email: str = strawberry.field(
        description=(
            "The address the invitation goes to; unique within the organization (`EMAIL_TAKEN`)."
        )
    )
    role: Role = strawberry.field(  # type: ignore[valid-type]
        description=(
            "The member's role: `ADMIN`, `PROVIDER` or `STAFF` (`OWNER` and "
            "`CLIENT` are `INVALID_INPUT`)."
        )
    )


@strawberry.type
class ClientPayload(Payload):
    client: Client | None = strawberry.field(
        default=None,
        description=(
            "The client created, updated or archived; null when `userErrors` is not empty."
        ),
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

    @classmethod
    async def from_result(cls, result: Account, info: Info) -> Self:
        return cls(client=Client.from_model(result))


@strawberry.type(
    description=(
        "Result of `createClient`: the new client (the organization's default "
        "intake flow is requested of them)."
    )
)
class CreateClientPayload(ClientPayload):
    pass


@strawberry.type(description="Result of `updateClient`.")
class UpdateClientPayload(ClientPayload):
    pass


@strawberry.type(description="Result of `archiveClient`.")
class ArchiveClientPayload(ClientPayload):
    pass


@strawberry.type(description="Result of `inviteMember`.")
class InviteMemberPayload(Payload):
    member: Member | None = strawberry.field(
        default=None,
        description=(
            "The invited member (their invitation is pending until "
            "`acceptInvitation`); null on failure."
        ),
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

    @classmethod
    async def from_result(cls, result: Account, info: Info) -> Self:
        return cls(member=Member.from_model(result))


@strawberry.type
class PeopleQuery:
    @strawberry.field(  # type: ignore[untyped-decorator]
        description=(
            "The signed-in account (a `Member` or a `Client`); null only for a "
            "caller with no credentials. An invalid, expired or revoked token is an"
            " `UNAUTHENTICATED` error, not null."
        )
    )
    async def viewer(self, info: Info) -> Viewer | None:
        return viewer_of(await session_ops.get_viewer(info.context.uow, info.context.principal))

    @strawberry.field(  # type: ignore[untyped-decorator]
        description=(
            "The organization's clients, by name. Members with `clients:read`; a "
            "client sees only themself."
        )
    )
    async def clients(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
        search: Annotated[
            str | None,
            strawberry.argument(
                description=(
                    "Only clients whose name or email contains this text (case-insensitive)."
                )
            ),
        ] = None,
        include_archived: Annotated[
            bool, strawberry.argument(description="Include archived clients (default false).")
        ] = False,
    ) -> Connection[Client]:
        page = await client_ops.list_clients(
            info.context.uow,
            info.context.principal,
            page=page_request(first, after),
            search=search,
            include_archived=include_archived,
        )
        return Connection.from_page(page, Client.from_model)

    @strawberry.field(  # type: ignore[untyped-decorator]
        description=(
            "One client by global id; null when it does not exist or the caller may not read it."
        )
    )
    async def client(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The client's global id.")],
    ) -> Client | None:
        found = await client_ops.read_client(
            info.context.uow,
            info.context.principal,
            read_client_id=lambda: decode_id(id, "Client"),
        )
        return Client.from_model(found) if found else None

    @strawberry.field(  # type: ignore[untyped-decorator]
        description=(
            "The organization's members, by name. Any member and any key of the "
            "organization; a client sees only the names of members (see `Member`)."
        )
    )
    async def members(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
    ) -> Connection[Member]:
        page = await member_ops.list_members(
            info.context.uow, info.context.principal, page=page_request(first, after)
        )
        return Connection.from_page(page, Member.from_model)


@strawberry.type
class PeopleMutation:
    @strawberry.mutation(  # type: ignore[untyped-decorator]
        description=(
            "Add a client to the organization, optionally emailing an invitation "
            "(`sendInvitation`), and request the default intake flow. Members (any "
            "role) with `clients:write`. Errors: `INVALID_INPUT`, `EMAIL_TAKEN`, "
            "`FORBIDDEN`."
        )
    )
    async def create_client(
        self,
        info: Info,
        input: Annotated[CreateClientInput, strawberry.argument(description=MUTATION_INPUT)],
    ) -> CreateClientPayload:
        ctx = info.context

        async def op() -> Account:
            return await client_ops.create_client(
                ctx.uow,
                ctx.principal,
                name=input.name,
                email=input.email,
                phone=input.phone,
                date_of_birth=input.date_of_birth,
                timezone=input.timezone,
                provider_id=decode_optional_id(input.provider_id, "Member", field="providerId"),
                send_invitation_email=input.send_invitation,
            )

        return await mutate(info, CreateClientPayload, op)

    @strawberry.mutation(  # type: ignore[untyped-decorator]
        description=(
            "Change a client's name, email, phone, date of birth, time zone or "
            "provider; omitted fields keep their value, `null` clears a nullable "
            "one. Members with `clients:write`; a client may update their own "
            "record. Errors: `INVALID_INPUT`, `NOT_FOUND`, `EMAIL_TAKEN`, "
            "`FORBIDDEN`."
        )
    )
    async def update_client(
        self,
        info: Info,
        input: Annotated[UpdateClientInput, strawberry.argument(description=MUTATION_INPUT)],
    ) -> UpdateClientPayload:
        ctx = info.context

        async def op() -> Account:
            changes = changes_of(
                input,
                "name",
                "email",
                "phone",
                "date_of_birth",
                "timezone",
                "provider_id",
                "first_name",
                "last_name",
                "sex",
                "address",
            )
            if isinstance(changes.get("sex"), Sex):
                changes["sex"] = changes["sex"].value
            if isinstance(changes.get("address"), AddressInput):
                changes["address"] = changes["address"].stored()
            if changes.get("provider_id") is not None:
                changes["provider_id"] = decode_id(
                    changes["provider_id"], "Member", field="providerId"
                )
            return await client_ops.update_client(
                ctx.uow, ctx.principal, client_id=decode_id(input.id, "Client"), changes=changes
            )

        return await mutate(info, UpdateClientPayload, op)

    @strawberry.mutation(  # type: ignore[untyped-decorator]
        description=(
            "Archive a client: they can no longer sign in or book, and their "
            "records stay. Members with `clients:write`. Errors: `NOT_FOUND`, "
            "`FORBIDDEN`."
        )
    )
    async def archive_client(
        self,
        info: Info,
        input: Annotated[ArchiveClientInput, strawberry.argument(description=MUTATION_INPUT)],
    ) -> ArchiveClientPayload:
        ctx = info.context

        async def op() -> Account:
            return await client_ops.archive_client(
                ctx.uow, ctx.principal, decode_id(input.id, "Client")
            )

        return await mutate(info, ArchiveClientPayload, op)

    @strawberry.mutation(  # type: ignore[untyped-decorator]
        description=(
            "Invite a provider, staff member or admin by email; they set their "
            "password with `acceptInvitation`. Owners and admins (a key needs "
            "`members:write`). Errors: `INVALID_INPUT`, `EMAIL_TAKEN`, `FORBIDDEN`."
        )
    )
    async def invite_member(
        self,
        info: Info,
        input: Annotated[InviteMemberInput, strawberry.argument(description=MUTATION_INPUT)],
    ) -> InviteMemberPayload:
        ctx = info.context

        async def op() -> Account:
            return await member_ops.invite_member(
                ctx.uow, ctx.principal, name=input.name, email=input.email, role=input.role
            )

        return await mutate(info, InviteMemberPayload, op)
