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
from carebase.resolvers.insurance import policies as policy_ops
from carebase.resolvers.intake import requests as request_ops
from carebase.resolvers.people import clients as client_ops
from carebase.resolvers.people import members as member_ops
from carebase.resolvers.people import sessions as session_ops
from carebase.resolvers.scheduling import client_appointments as client_appointment_ops
from carebase.schema.common import Address, AddressInput, Money, Sex, changes_of, described
from carebase.schema.context import Info
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
    from carebase.schema.insurance.types import InsurancePolicy
    from carebase.schema.intake.forms import FormRequest
    from carebase.schema.scheduling.appointments import AppointmentFilter
    from carebase.schema.scheduling.types import Appointment

Role = strawberry.enum(RoleModel, name="Role")


@strawberry.type
class Member(Node):
    """Of a member, a client sees only the name (and the time zone); email and role answer
    null to clients, the widget and anonymous callers, and to members their values."""

    name: str
    model: strawberry.Private[Account]
    # the caller's own account (``viewer``, the payload of a log-in): always shown in full
    own: strawberry.Private[bool]

    @strawberry.field
    def email(self, info: Info) -> str | None:
        return self.model.email if self._details_visible(info) else None

    @strawberry.field
    def role(self, info: Info) -> Role | None:  # type: ignore[valid-type]
        return self.model.role if self._details_visible(info) else None

    @strawberry.field
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


@strawberry.type
class Client(Node):
    name: str
    # always given; nullable as Member.email is, so that documents selecting ``email`` on
    # both sides of ``Viewer`` (or of a ``node``) stay valid
    email: str | None
    phone: str | None
    date_of_birth: date | None
    timezone: str
    archived: bool
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

    @strawberry.field
    async def form_requests(
        self, info: Info, first: int | None = None, after: str | None = None
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

    @strawberry.field
    async def appointments(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: Annotated[
            AppointmentFilter, strawberry.lazy("carebase.schema.scheduling.appointments")
        ]
        | None = None,
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

    @strawberry.field
    async def pending_intake(
        self, info: Info
    ) -> list[Annotated[FormRequest, strawberry.lazy("carebase.schema.intake.forms")]]:
        ctx = info.context
        rows = await request_ops.pending_intake(
            ctx.uow, ctx.principal, client_id=self.model.id, load=ctx.loaders.form_requests.load
        )
        from carebase.schema.intake.forms import FormRequest

        return [FormRequest.from_model(r) for r in rows]

    @strawberry.field
    async def payment_methods(
        self, info: Info
    ) -> list[Annotated[PaymentMethod, strawberry.lazy("carebase.schema.billing.types")]]:
        ctx = info.context
        rows = await card_ops.client_cards(
            ctx.uow, ctx.principal, client_id=self.model.id, load=ctx.loaders.cards.load
        )
        from carebase.schema.billing.types import PaymentMethod

        return [PaymentMethod.from_model(r) for r in rows]

    @strawberry.field
    async def balance(self, info: Info) -> Money:
        ctx = info.context
        cents = await invoice_ops.client_balance(
            ctx.uow, ctx.principal, client_id=self.model.id, load=ctx.loaders.balance.load
        )
        org = await ctx.loaders.organization.load(self.model.organization_id)
        return Money(amount_cents=cents, currency=org.currency if org else "usd")

    @strawberry.field
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

    @strawberry.field
    async def provider(self, info: Info) -> Member | None:
        if self.model.provider_id is None:
            return None
        found = await info.context.loaders.member.load(self.model.provider_id)
        return Member.from_model(found) if found else None


Viewer = Annotated[Member | Client, strawberry.union("Viewer")]


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


@strawberry.input
class CreateClientInput:
    name: str
    email: str
    phone: str | None = None
    date_of_birth: date | None = None
    timezone: str | None = None
    provider_id: strawberry.ID | None = None
    send_invitation: bool = False


@strawberry.input
class UpdateClientInput:
    id: strawberry.ID
    name: str | None = strawberry.UNSET
    email: str | None = strawberry.UNSET
    phone: str | None = strawberry.UNSET
    date_of_birth: date | None = strawberry.UNSET
    timezone: str | None = strawberry.UNSET
    provider_id: strawberry.ID | None = strawberry.UNSET
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


@strawberry.input
class ArchiveClientInput:
    id: strawberry.ID


@strawberry.input
class InviteMemberInput:
    name: str
    email: str
    role: Role  # type: ignore[valid-type]


@strawberry.type
class ClientPayload(Payload):
    client: Client | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)

    @classmethod
    async def from_result(cls, result: Account, info: Info) -> Self:
        return cls(client=Client.from_model(result))


@strawberry.type
class CreateClientPayload(ClientPayload):
    pass


@strawberry.type
class UpdateClientPayload(ClientPayload):
    pass


@strawberry.type
class ArchiveClientPayload(ClientPayload):
    pass


@strawberry.type
class InviteMemberPayload(Payload):
    member: Member | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)

    @classmethod
    async def from_result(cls, result: Account, info: Info) -> Self:
        return cls(member=Member.from_model(result))


@strawberry.type
class PeopleQuery:
    @strawberry.field
    async def viewer(self, info: Info) -> Viewer | None:
        return viewer_of(await session_ops.get_viewer(info.context.uow, info.context.principal))

    @strawberry.field
    async def clients(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        search: str | None = None,
        include_archived: bool = False,
    ) -> Connection[Client]:
        page = await client_ops.list_clients(
            info.context.uow,
            info.context.principal,
            page=page_request(first, after),
            search=search,
            include_archived=include_archived,
        )
        return Connection.from_page(page, Client.from_model)

    @strawberry.field
    async def client(self, info: Info, id: strawberry.ID) -> Client | None:
        found = await client_ops.read_client(
            info.context.uow,
            info.context.principal,
            read_client_id=lambda: decode_id(id, "Client"),
        )
        return Client.from_model(found) if found else None

    @strawberry.field
    async def members(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Member]:
        page = await member_ops.list_members(
            info.context.uow, info.context.principal, page=page_request(first, after)
        )
        return Connection.from_page(page, Member.from_model)


@strawberry.type
class PeopleMutation:
    @strawberry.mutation
    async def create_client(self, info: Info, input: CreateClientInput) -> CreateClientPayload:
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

    @strawberry.mutation
    async def update_client(self, info: Info, input: UpdateClientInput) -> UpdateClientPayload:
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

    @strawberry.mutation
    async def archive_client(self, info: Info, input: ArchiveClientInput) -> ArchiveClientPayload:
        ctx = info.context

        async def op() -> Account:
            return await client_ops.archive_client(
                ctx.uow, ctx.principal, decode_id(input.id, "Client")
            )

        return await mutate(info, ArchiveClientPayload, op)

    @strawberry.mutation
    async def invite_member(self, info: Info, input: InviteMemberInput) -> InviteMemberPayload:
        ctx = info.context

        async def op() -> Account:
            return await member_ops.invite_member(
                ctx.uow, ctx.principal, name=input.name, email=input.email, role=input.role
            )

        return await mutate(info, InviteMemberPayload, op)
