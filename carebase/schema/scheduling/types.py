"""Scheduling's output types: appointment types, appointments, their history and video links.

Other areas show these (a package's items, a payment's appointment, a chat's subscription)
and import them from here.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON

from carebase.models import Appointment as AppointmentModel
from carebase.models import AppointmentEvent as AppointmentEventModel
from carebase.models import AppointmentStatus as AppointmentStatusModel
from carebase.models import AppointmentType as AppointmentTypeModel
from carebase.models import ContactType as ContactTypeModel
from carebase.models import Initiator as InitiatorModel
from carebase.models import VideoProvider as VideoProviderModel
from carebase.resolvers.billing import payments as payment_ops
from carebase.resolvers.scheduling.appointments import appointment_metadata
from carebase.resolvers.scheduling.video import links_for
from carebase.schema.common import Money, money_or_none
from carebase.schema.context import Info
from carebase.schema.docs import describe_values
from carebase.schema.people.clients import Client, Member
from carebase.schema.relay import Node, to_global_id

if TYPE_CHECKING:
    # billing shows appointment types (packages) and scheduling shows payments: a real
    # cycle between the two areas, so ``Appointment.payments`` names its type lazily
    from carebase.schema.billing.types import Payment

ContactType = strawberry.enum(
    ContactTypeModel, name="ContactType", description="How the client and provider meet."
)

describe_values(
    ContactType,
    {
        "VIDEO": "By video call.",
        "PHONE": "By phone.",
        "IN_PERSON": "In person.",
    },
)
VideoProvider = strawberry.enum(
    VideoProviderModel, name="VideoProvider", description="Which video service makes the call."
)

describe_values(
    VideoProvider,
    {
        "ZOOM": "A Zoom meeting (needs Zoom configured).",
        "BUILT_IN": "Carebase's built-in video room.",
    },
)
AppointmentStatus = strawberry.enum(
    AppointmentStatusModel,
    name="AppointmentStatus",
    description=(
        "Where an appointment stands; `BOOKED`, `OCCURRED` and `NO_SHOW` hold the provider's time."
    ),
)

describe_values(
    AppointmentStatus,
    {
        "BOOKED": "Upcoming (or not yet marked).",
        "OCCURRED": "It took place.",
        "NO_SHOW": "The client did not come.",
        "CANCELLED": "Cancelled; the time is free again.",
    },
)
CancellationInitiator = strawberry.enum(
    InitiatorModel, name="CancellationInitiator", description="Who asked for a cancel."
)

describe_values(
    CancellationInitiator,
    {
        "CLIENT": "The client.",
        "PRACTICE": "The practice.",
    },
)


@strawberry.enum(description="What a change of an appointment was.")
class AppointmentChangeKind(enum.Enum):
    BOOKED = "BOOKED"
    RESCHEDULED = "RESCHEDULED"
    CANCELLED = "CANCELLED"
    STATUS_CHANGED = "STATUS_CHANGED"
    CONFIRMED = "CONFIRMED"


describe_values(
    AppointmentChangeKind,
    {
        "BOOKED": "It was booked.",
        "RESCHEDULED": "It was moved.",
        "CANCELLED": "It was cancelled.",
        "STATUS_CHANGED": "It was marked occurred or no-show.",
        "CONFIRMED": "A widget booking was confirmed by email.",
    },
)


def price_of(kind: AppointmentTypeModel) -> Money | None:
    return money_or_none(kind.price_cents, kind.currency)


@strawberry.type(description="A kind of appointment the practice offers.")
class AppointmentType(Node):
    name: str = strawberry.field(description="Its name, as clients see it.")
    duration_minutes: int = strawberry.field(description="How long it lasts, in minutes.")
    price: Money | None = strawberry.field(description="Its price, or null.")
    contact_type: ContactType = strawberry.field(description="How the client and provider meet.")  # type: ignore[valid-type]
    video_provider: VideoProvider | None = strawberry.field(  # type: ignore[valid-type]
        description="For `VIDEO` types, the video service; otherwise null."
    )
    bookable_by_clients: bool = strawberry.field(
        description="Whether clients may book it in the portal and the widget."
    )
    autocharge_when_occurred: bool = strawberry.field(
        description=("Whether its price is charged when the appointment is marked `OCCURRED`.")
    )
    default_procedure_code: str | None = strawberry.field(
        description="The CPT/HCPCS code a superbill prints for a visit of this type that has "
        "no claim; null when none is set."
    )

    @classmethod
    def from_model(cls, kind: AppointmentTypeModel) -> AppointmentType:
        return cls(
            id=to_global_id("AppointmentType", kind.id),
            name=kind.name,
            duration_minutes=kind.duration_minutes,
            price=price_of(kind),
            contact_type=kind.contact_type,
            video_provider=kind.video_provider,
            bookable_by_clients=kind.bookable_by_clients,
            autocharge_when_occurred=kind.autocharge_when_occurred,
            default_procedure_code=kind.default_procedure_code,
        )


@strawberry.type(description="Links to an appointment's video call.")
class VideoLinks:
    client_join_url: str | None = strawberry.field(description="The client's link to join.")
    host_url: str | None = strawberry.field(
        description=(
            "The host's link (Zoom's start URL, fetched fresh); only ever"
            " to members, null to clients."
        )
    )


@strawberry.type(description="One change of an appointment.")
class AppointmentChange:
    id: strawberry.ID = strawberry.field(
        description="This change's id: give the last one seen to "
        "`appointmentChanged(after:)` when reconnecting, to receive what changed since."
    )
    kind: AppointmentChangeKind = strawberry.field(description="What changed.")
    at: datetime = strawberry.field(description="When.")
    by: strawberry.ID | None = strawberry.field(description="Who made it, or null for the system.")
    from_starts_at: datetime | None = strawberry.field(
        description="The start before a reschedule, or null."
    )
    to_starts_at: datetime | None = strawberry.field(
        description="The start after a booking or reschedule, or null."
    )
    from_status: AppointmentStatus | None = strawberry.field(  # type: ignore[valid-type]
        description="The status before, or null."
    )
    to_status: AppointmentStatus | None = strawberry.field(description="The status after, or null.")  # type: ignore[valid-type]
    note: str | None = strawberry.field(
        description="A note (e.g. the cancellation reason), or null."
    )

    @classmethod
    def from_model(cls, event: AppointmentEventModel) -> AppointmentChange:
        return cls(
            id=to_global_id("AppointmentChange", event.id),
            kind=AppointmentChangeKind(event.kind.value),
            at=event.created_at,
            by=None,
            from_starts_at=event.from_starts_at,
            to_starts_at=event.to_starts_at,
            from_status=event.from_status,
            to_status=event.to_status,
            note=event.note,
        )


@strawberry.type(
    description=(
        "A booked time between a client and a provider. Members and the appointment's client."
    )
)
class Appointment(Node):
    starts_at: datetime = strawberry.field(description="When it starts (ISO 8601 with offset).")
    ends_at: datetime = strawberry.field(description="When it ends.")
    status: AppointmentStatus = strawberry.field(description="Where it stands.")  # type: ignore[valid-type]
    cancellation_reason: str | None = strawberry.field(
        description="The reason given when it was cancelled, or null."
    )
    cancellation_initiated_by: CancellationInitiator | None = strawberry.field(  # type: ignore[valid-type]
        description="Who cancelled it, or null."
    )
    late_cancellation: bool = strawberry.field(
        description="True when a client cancelled inside the cancellation window."
    )
    unverified: bool = strawberry.field(
        description="True for a widget booking not yet confirmed by email."
    )
    model: strawberry.Private[AppointmentModel]

    @classmethod
    def from_model(cls, row: AppointmentModel) -> Appointment:
        return cls(
            id=to_global_id("Appointment", row.id),
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            status=row.status,
            cancellation_reason=row.cancellation_reason,
            cancellation_initiated_by=row.cancel_initiated_by,
            late_cancellation=row.late_cancellation,
            unverified=row.unverified,
            model=row,
        )

    @strawberry.field(description="The client.")  # type: ignore[untyped-decorator]
    async def client(self, info: Info) -> Client:
        found = await info.context.loaders.client.load(self.model.client_id)
        assert found is not None
        return Client.from_model(found)

    @strawberry.field(description="The provider.")  # type: ignore[untyped-decorator]
    async def provider(self, info: Info) -> Member:
        found = await info.context.loaders.member.load(self.model.provider_id)
        assert found is not None
        return Member.from_model(found)

    @strawberry.field(description="The appointment type.")  # type: ignore[untyped-decorator]
    async def appointment_type(self, info: Info) -> AppointmentType:
        found = await info.context.loaders.appointment_type.load(self.model.appointment_type_id)
        assert found is not None
        return AppointmentType.from_model(found)

    @strawberry.field(description="Every change since booking, oldest first.")  # type: ignore[untyped-decorator]
    async def history(self, info: Info) -> list[AppointmentChange]:
        events = await info.context.loaders.history.load(self.model.id)
        return [AppointmentChange.from_model(e) for e in events]

    @strawberry.field(  # type: ignore[untyped-decorator]
        description=(
            "The payments made for it (autocharge, fees). Members with "
            "`billing:read`, and the client."
        )
    )
    async def payments(
        self, info: Info
    ) -> list[Annotated[Payment, strawberry.lazy("carebase.schema.billing.types")]]:
        ctx = info.context
        rows = await payment_ops.appointment_payments(
            ctx.uow,
            ctx.principal,
            appointment_id=self.model.id,
            load=ctx.loaders.appointment_payments.load,
        )
        from carebase.schema.billing.types import Payment

        return [Payment.from_model(r) for r in rows]

    @strawberry.field(description="The video links of a `VIDEO` appointment, or null.")  # type: ignore[untyped-decorator]
    async def video(self, info: Info) -> VideoLinks | None:
        ctx = info.context
        kind = await ctx.loaders.appointment_type.load(self.model.appointment_type_id)
        org = await ctx.loaders.organization.load(self.model.organization_id)
        assert kind is not None and org is not None
        links = await links_for(ctx.uow, ctx.principal, self.model, kind, org)
        if links is None:
            return None
        return VideoLinks(client_join_url=links.client_join_url, host_url=links.host_url)

    @strawberry.field(  # type: ignore[untyped-decorator]
        description="Free-form tags the booking brought (e.g. UTM tags from the widget's "
        "host page, or what the widget's `metadata` attribute gave): an object of string, "
        "number or boolean values. Shown to members only; null for clients and when none."
    )
    def metadata(self, info: Info) -> JSON | None:
        return appointment_metadata(info.context.principal, self.model)  # type: ignore[return-value]
