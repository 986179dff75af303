"""Scheduling: appointment types, availability, slots, appointments and the widget's API."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from carebase.auth.policy import require_authenticated, require_member
from carebase.models import Appointment as AppointmentModel
from carebase.models import AppointmentEvent as AppointmentEventModel
from carebase.models import AppointmentStatus as AppointmentStatusModel
from carebase.models import AppointmentType as AppointmentTypeModel
from carebase.models import Availability as AvailabilityModel
from carebase.models import ContactType as ContactTypeModel
from carebase.models import Initiator as InitiatorModel
from carebase.models import VideoProvider as VideoProviderModel
from carebase.resolvers.core import audit
from carebase.resolvers.core.checks import aware
from carebase.resolvers.core.pagination import page_request
from carebase.resolvers.scheduling import appointment_types as type_ops
from carebase.resolvers.scheduling import appointments as appointment_ops
from carebase.resolvers.scheduling import availability as availability_ops
from carebase.resolvers.scheduling import booking as booking_ops
from carebase.resolvers.scheduling import public as public_ops
from carebase.resolvers.scheduling.video import RoomAccess, join_video_call, links_for
from carebase.schema.context import Info
from carebase.schema.errors import UserError, payload, run_mutation
from carebase.schema.org.organizations import Money
from carebase.schema.people.clients import Client, Member, changes_of
from carebase.schema.relay import (
    Connection,
    Node,
    decode_id,
    decode_optional_id,
    node_resolver,
    to_global_id,
)

if TYPE_CHECKING:
    from carebase.schema.billing.payments import Payment

ContactType = strawberry.enum(ContactTypeModel, name="ContactType")
VideoProvider = strawberry.enum(VideoProviderModel, name="VideoProvider")
AppointmentStatus = strawberry.enum(AppointmentStatusModel, name="AppointmentStatus")
CancellationInitiator = strawberry.enum(InitiatorModel, name="CancellationInitiator")


@strawberry.enum
class AppointmentChangeKind(enum.Enum):
    BOOKED = "BOOKED"
    RESCHEDULED = "RESCHEDULED"
    CANCELLED = "CANCELLED"
    STATUS_CHANGED = "STATUS_CHANGED"
    CONFIRMED = "CONFIRMED"


@strawberry.enum
class RecurrenceFrequency(enum.Enum):
    WEEKLY = "WEEKLY"


def _price(kind: AppointmentTypeModel) -> Money | None:
    if kind.price_cents is None:
        return None
    return Money(amount_cents=kind.price_cents, currency=kind.currency)


@strawberry.type
class AppointmentType(Node):
    name: str
    duration_minutes: int
    price: Money | None
    contact_type: ContactType  # type: ignore[valid-type]
    video_provider: VideoProvider | None  # type: ignore[valid-type]
    bookable_by_clients: bool
    autocharge_when_occurred: bool

    @classmethod
    def from_model(cls, kind: AppointmentTypeModel) -> AppointmentType:
        return cls(
            id=to_global_id("AppointmentType", kind.id),
            name=kind.name,
            duration_minutes=kind.duration_minutes,
            price=_price(kind),
            contact_type=kind.contact_type,
            video_provider=kind.video_provider,
            bookable_by_clients=kind.bookable_by_clients,
            autocharge_when_occurred=kind.autocharge_when_occurred,
        )


@strawberry.type
class Slot:
    starts_at: datetime
    ends_at: datetime


@strawberry.type
class VideoLinks:
    client_join_url: str | None
    host_url: str | None


@strawberry.type
class AppointmentChange:
    kind: AppointmentChangeKind
    at: datetime
    by: strawberry.ID | None
    from_starts_at: datetime | None
    to_starts_at: datetime | None
    from_status: AppointmentStatus | None  # type: ignore[valid-type]
    to_status: AppointmentStatus | None  # type: ignore[valid-type]
    note: str | None

    @classmethod
    def from_model(cls, event: AppointmentEventModel) -> AppointmentChange:
        return cls(
            kind=AppointmentChangeKind(event.kind.value),
            at=event.created_at,
            by=None,
            from_starts_at=event.from_starts_at,
            to_starts_at=event.to_starts_at,
            from_status=event.from_status,
            to_status=event.to_status,
            note=event.note,
        )


@strawberry.type
class Appointment(Node):
    starts_at: datetime
    ends_at: datetime
    status: AppointmentStatus  # type: ignore[valid-type]
    cancellation_reason: str | None
    cancellation_initiated_by: CancellationInitiator | None  # type: ignore[valid-type]
    late_cancellation: bool
    unverified: bool
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

    @strawberry.field
    async def client(self, info: Info) -> Client:
        found = await info.context.loaders.client.load(self.model.client_id)
        assert found is not None
        return Client.from_model(found)

    @strawberry.field
    async def provider(self, info: Info) -> Member:
        found = await info.context.loaders.member.load(self.model.provider_id)
        assert found is not None
        return Member.from_model(found)

    @strawberry.field
    async def appointment_type(self, info: Info) -> AppointmentType:
        found = await info.context.loaders.appointment_type.load(self.model.appointment_type_id)
        assert found is not None
        return AppointmentType.from_model(found)

    @strawberry.field
    async def history(self, info: Info) -> list[AppointmentChange]:
        events = await info.context.loaders.history.load(self.model.id)
        return [AppointmentChange.from_model(e) for e in events]

    @strawberry.field
    async def payments(
        self, info: Info
    ) -> list[Annotated[Payment, strawberry.lazy("carebase.schema.billing.payments")]]:
        from carebase.schema.billing.payments import Payment

        principal = info.context.principal
        if not principal.is_client:
            require_member(principal, "billing")
        rows = await info.context.loaders.appointment_payments.load(self.model.id)
        return [Payment.from_model(r) for r in rows]

    @strawberry.field
    async def video(self, info: Info) -> VideoLinks | None:
        ctx = info.context
        kind = await ctx.loaders.appointment_type.load(self.model.appointment_type_id)
        org = await ctx.loaders.organization.load(self.model.organization_id)
        assert kind is not None and org is not None
        links = await links_for(ctx.uow, ctx.principal, self.model, kind, org)
        if links is None:
            return None
        return VideoLinks(client_join_url=links.client_join_url, host_url=links.host_url)


@strawberry.type
class PublicAppointmentType:
    id: strawberry.ID
    name: str
    duration_minutes: int
    price: Money | None
    contact_type: ContactType  # type: ignore[valid-type]

    @classmethod
    def from_model(cls, kind: AppointmentTypeModel) -> PublicAppointmentType:
        return cls(
            id=to_global_id("AppointmentType", kind.id),
            name=kind.name,
            duration_minutes=kind.duration_minutes,
            price=_price(kind),
            contact_type=kind.contact_type,
        )


@strawberry.type
class PublicProvider:
    id: strawberry.ID
    name: str


@strawberry.type
class PublicAppointment:
    id: strawberry.ID
    starts_at: datetime
    ends_at: datetime
    status: AppointmentStatus  # type: ignore[valid-type]
    appointment_type: PublicAppointmentType
    provider: PublicProvider


@strawberry.type
class PublicBookingProfile:
    organization_name: str
    timezone: str
    appointment_types: list[PublicAppointmentType]
    providers: list[PublicProvider]


@strawberry.type
class WeeklyHours:
    weekday: int
    start: str
    end: str


@strawberry.type
class DateOverride:
    date: date
    closed: bool
    start: str | None
    end: str | None


@strawberry.type
class Availability:
    provider_id: strawberry.ID
    timezone: str
    weekly: list[WeeklyHours]
    overrides: list[DateOverride]
    buffer_before_minutes: int
    buffer_after_minutes: int
    minimum_notice_minutes: int
    horizon_days: int
    slot_step_minutes: int | None

    @classmethod
    def from_model(cls, row: AvailabilityModel) -> Availability:
        return cls(
            provider_id=to_global_id("Member", row.provider_id),
            timezone=row.timezone,
            weekly=[WeeklyHours(**w) for w in row.weekly],
            overrides=[
                DateOverride(
                    date=date.fromisoformat(o["date"]),
                    closed=o["closed"],
                    start=o["start"],
                    end=o["end"],
                )
                for o in row.overrides
            ],
            buffer_before_minutes=row.buffer_before_minutes,
            buffer_after_minutes=row.buffer_after_minutes,
            minimum_notice_minutes=row.minimum_notice_minutes,
            horizon_days=row.horizon_days,
            slot_step_minutes=row.slot_step_minutes,
        )


@node_resolver("Appointment")
async def _appointment_node(info: Info, key: uuid.UUID) -> Appointment | None:
    found = await appointment_ops.find_appointment(info.context.uow, info.context.principal, key)
    return Appointment.from_model(found) if found else None


@node_resolver("AppointmentType")
async def _type_node(info: Info, key: uuid.UUID) -> AppointmentType | None:
    principal = info.context.principal
    if not principal.is_authenticated:
        return None
    try:
        found = await type_ops.get_appointment_type(info.context.uow, principal, key)
    except Exception:
        return None
    return AppointmentType.from_model(found)


# --- inputs -------------------------------------------------------------------------------


@strawberry.input
class CreateAppointmentTypeInput:
    name: str
    duration_minutes: int
    contact_type: ContactType  # type: ignore[valid-type]
    price_cents: int | None = None
    currency: str | None = None
    video_provider: VideoProvider | None = None  # type: ignore[valid-type]
    bookable_by_clients: bool = True
    autocharge_when_occurred: bool = False


@strawberry.input
class UpdateAppointmentTypeInput:
    id: strawberry.ID
    name: str | None = strawberry.UNSET
    duration_minutes: int | None = strawberry.UNSET
    price_cents: int | None = strawberry.UNSET
    currency: str | None = strawberry.UNSET
    contact_type: ContactType | None = strawberry.UNSET  # type: ignore[valid-type]
    video_provider: VideoProvider | None = strawberry.UNSET  # type: ignore[valid-type]
    bookable_by_clients: bool | None = strawberry.UNSET
    autocharge_when_occurred: bool | None = strawberry.UNSET


@strawberry.input
class WeeklyHoursInput:
    weekday: int
    start: str
    end: str


@strawberry.input
class DateOverrideInput:
    date: date
    closed: bool = False
    start: str | None = None
    end: str | None = None


@strawberry.input
class SetAvailabilityInput:
    provider_id: strawberry.ID
    weekly: list[WeeklyHoursInput]
    timezone: str | None = None
    overrides: list[DateOverrideInput] = strawberry.field(default_factory=list)
    buffer_before_minutes: int = 0
    buffer_after_minutes: int = 0
    minimum_notice_minutes: int = 120
    horizon_days: int = 90
    slot_step_minutes: int | None = None


@strawberry.input
class RecurrenceInput:
    frequency: RecurrenceFrequency = RecurrenceFrequency.WEEKLY
    interval: int = 1
    count: int = 1


@strawberry.input
class BookAppointmentInput:
    appointment_type_id: strawberry.ID
    provider_id: strawberry.ID
    starts_at: datetime
    client_id: strawberry.ID | None = None
    idempotency_key: str | None = None
    override_availability: bool = False
    recurrence: RecurrenceInput | None = None
    use_package_credit: bool = True


@strawberry.input
class PublicClientInput:
    name: str
    email: str
    phone: str | None = None


@strawberry.input
class BookAppointmentPublicInput:
    appointment_type_id: strawberry.ID
    provider_id: strawberry.ID
    starts_at: datetime
    client: PublicClientInput
    idempotency_key: str | None = None


@strawberry.input
class RescheduleAppointmentInput:
    id: strawberry.ID
    starts_at: datetime
    idempotency_key: str | None = None
    override_availability: bool = False


@strawberry.input
class CancelAppointmentInput:
    id: strawberry.ID
    reason: str | None = None
    initiated_by: CancellationInitiator | None = None  # type: ignore[valid-type]


@strawberry.input
class SetAppointmentStatusInput:
    id: strawberry.ID
    status: AppointmentStatus  # type: ignore[valid-type]


@strawberry.input
class JoinVideoCallInput:
    appointment_id: strawberry.ID


@strawberry.input
class ConfirmAppointmentInput:
    token: str


@strawberry.input
class AppointmentFilter:
    status: AppointmentStatus | None = None  # type: ignore[valid-type]
    from_: datetime | None = strawberry.field(default=None, name="from")
    to: datetime | None = None
    provider_id: strawberry.ID | None = None
    client_id: strawberry.ID | None = None


# --- payloads -----------------------------------------------------------------------------


@strawberry.type
class AppointmentTypePayload:
    appointment_type: AppointmentType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CreateAppointmentTypePayload(AppointmentTypePayload):
    pass


@strawberry.type
class UpdateAppointmentTypePayload(AppointmentTypePayload):
    pass


@strawberry.type
class SetAvailabilityPayload:
    availability: Availability | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class BookAppointmentPayload:
    appointment: Appointment | None = None
    appointments: list[Appointment] | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class BookAppointmentPublicPayload:
    appointment: PublicAppointment | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class AppointmentPayload:
    appointment: Appointment | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CancelAppointmentPayload(AppointmentPayload):
    pass


@strawberry.type
class SetAppointmentStatusPayload(AppointmentPayload):
    pass


@strawberry.type
class ConfirmAppointmentPayload:
    appointment: PublicAppointment | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class JoinVideoCallPayload:
    room_url: str | None = None
    token: str | None = None
    expires_at: datetime | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


async def _public(info: Info, row: AppointmentModel) -> PublicAppointment:
    kind = await info.context.loaders.appointment_type.load(row.appointment_type_id)
    provider = await public_ops.provider_name(info.context.uow, row.provider_id)
    assert kind is not None
    return PublicAppointment(
        id=to_global_id("Appointment", row.id),
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        status=row.status,
        appointment_type=PublicAppointmentType.from_model(kind),
        provider=PublicProvider(id=to_global_id("Member", row.provider_id), name=provider),
    )


@strawberry.type
class SchedulingQuery:
    @strawberry.field
    async def appointment_types(self, info: Info) -> list[AppointmentType]:
        require_authenticated(info.context.principal)
        rows = await type_ops.list_appointment_types(info.context.uow, info.context.principal)
        return [AppointmentType.from_model(r) for r in rows]

    @strawberry.field
    async def availability(self, info: Info, provider_id: strawberry.ID) -> Availability | None:
        row = await availability_ops.get_availability(
            info.context.uow,
            info.context.principal,
            decode_id(provider_id, "Member", field="providerId"),
        )
        return Availability.from_model(row) if row else None

    @strawberry.field
    async def available_slots(
        self,
        info: Info,
        provider_id: strawberry.ID,
        appointment_type_id: strawberry.ID,
        from_: Annotated[datetime, strawberry.argument(name="from")],
        to: datetime,
    ) -> list[Slot]:
        found = await availability_ops.available_slots(
            info.context.uow,
            info.context.principal,
            provider_id=decode_id(provider_id, "Member", field="providerId"),
            type_id=decode_id(appointment_type_id, "AppointmentType", field="appointmentTypeId"),
            start=aware(from_, "from"),
            end=aware(to, "to"),
        )
        return [Slot(starts_at=s, ends_at=e) for s, e in found]

    @strawberry.field
    async def public_booking_profile(self, info: Info) -> PublicBookingProfile | None:
        profile = await public_ops.booking_profile(info.context.uow, info.context.principal)
        return PublicBookingProfile(
            organization_name=profile.organization.name,
            timezone=profile.organization.timezone,
            appointment_types=[PublicAppointmentType.from_model(t) for t in profile.types],
            providers=[
                PublicProvider(id=to_global_id("Member", p.id), name=p.name)
                for p in profile.providers
            ],
        )

    @strawberry.field
    async def appointments(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: AppointmentFilter | None = None,
    ) -> Connection[Appointment]:
        f = filter or AppointmentFilter()
        page = await appointment_ops.list_appointments(
            info.context.uow,
            info.context.principal,
            filter=appointment_ops.AppointmentFilter(
                status=f.status,
                start=aware(f.from_, "from"),
                end=aware(f.to, "to"),
                provider_id=decode_optional_id(f.provider_id, "Member", field="providerId"),
                client_id=decode_optional_id(f.client_id, "Client", field="clientId"),
            ),
            page=page_request(first, after),
        )
        return Connection.from_page(page, Appointment.from_model)

    @strawberry.field
    async def upcoming_appointments(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Appointment]:
        page = await appointment_ops.list_appointments(
            info.context.uow,
            info.context.principal,
            filter=appointment_ops.AppointmentFilter(),
            page=page_request(first, after),
            upcoming=True,
        )
        return Connection.from_page(page, Appointment.from_model)

    @strawberry.field
    async def appointment(self, info: Info, id: strawberry.ID) -> Appointment | None:
        ctx = info.context
        row = await appointment_ops.get_appointment(
            ctx.uow, ctx.principal, decode_id(id, "Appointment")
        )
        audit.record(
            ctx.uow,
            ctx.principal,
            action="read",
            resource="appointment",
            resource_id=row.id,
            client_id=row.client_id,
        )
        return Appointment.from_model(row)


def _booked(
    result: list[AppointmentModel] | list[UserError], series: bool
) -> BookAppointmentPayload:
    if not result:
        return BookAppointmentPayload()
    if isinstance(result[0], UserError):
        return BookAppointmentPayload(user_errors=result)
    rows = [Appointment.from_model(r) for r in result]
    return BookAppointmentPayload(appointment=rows[0], appointments=rows if series else None)


@strawberry.type
class SchedulingMutation:
    @strawberry.mutation
    async def create_appointment_type(
        self, info: Info, input: CreateAppointmentTypeInput
    ) -> CreateAppointmentTypePayload:
        ctx = info.context
        result = await run_mutation(
            info,
            lambda: type_ops.create_appointment_type(
                ctx.uow,
                ctx.principal,
                name=input.name,
                duration_minutes=input.duration_minutes,
                price_cents=input.price_cents,
                currency=input.currency,
                contact_type=input.contact_type,
                video_provider=input.video_provider,
                bookable_by_clients=input.bookable_by_clients,
                autocharge_when_occurred=input.autocharge_when_occurred,
            ),
        )
        if isinstance(result, list):
            return CreateAppointmentTypePayload(user_errors=result)
        return CreateAppointmentTypePayload(appointment_type=AppointmentType.from_model(result))

    @strawberry.mutation
    async def update_appointment_type(
        self, info: Info, input: UpdateAppointmentTypeInput
    ) -> UpdateAppointmentTypePayload:
        ctx = info.context

        async def op() -> AppointmentTypeModel:
            return await type_ops.update_appointment_type(
                ctx.uow,
                ctx.principal,
                type_id=decode_id(input.id, "AppointmentType"),
                changes=changes_of(
                    input,
                    "name",
                    "duration_minutes",
                    "price_cents",
                    "currency",
                    "contact_type",
                    "video_provider",
                    "bookable_by_clients",
                    "autocharge_when_occurred",
                ),
            )

        return payload(
            UpdateAppointmentTypePayload,
            await run_mutation(info, op),
            appointment_type=AppointmentType.from_model,
        )

    @strawberry.mutation
    async def set_availability(
        self, info: Info, input: SetAvailabilityInput
    ) -> SetAvailabilityPayload:
        ctx = info.context

        async def op() -> AvailabilityModel:
            return await availability_ops.set_availability(
                ctx.uow,
                ctx.principal,
                provider_id=decode_id(input.provider_id, "Member", field="providerId"),
                timezone=input.timezone,
                weekly=[
                    availability_ops.WeeklyHours(w.weekday, w.start, w.end) for w in input.weekly
                ],
                overrides=[
                    availability_ops.DateOverride(o.date, o.closed, o.start, o.end)
                    for o in input.overrides
                ],
                buffer_before_minutes=input.buffer_before_minutes,
                buffer_after_minutes=input.buffer_after_minutes,
                minimum_notice_minutes=input.minimum_notice_minutes,
                horizon_days=input.horizon_days,
                slot_step_minutes=input.slot_step_minutes,
            )

        return payload(
            SetAvailabilityPayload,
            await run_mutation(info, op),
            availability=Availability.from_model,
        )

    @strawberry.mutation
    async def book_appointment(
        self, info: Info, input: BookAppointmentInput
    ) -> BookAppointmentPayload:
        ctx = info.context

        async def op() -> list[AppointmentModel]:
            recurrence = None
            if input.recurrence is not None:
                recurrence = booking_ops.Recurrence(
                    interval=input.recurrence.interval, count=input.recurrence.count
                )
            return await booking_ops.book_appointment(
                ctx.uow,
                ctx.principal,
                type_id=decode_id(
                    input.appointment_type_id, "AppointmentType", field="appointmentTypeId"
                ),
                provider_id=decode_id(input.provider_id, "Member", field="providerId"),
                starts_at=input.starts_at,
                client_id=decode_optional_id(input.client_id, "Client", field="clientId"),
                override=input.override_availability,
                recurrence=recurrence,
                use_package_credit=input.use_package_credit,
                idempotency_key=input.idempotency_key,
            )

        return _booked(await run_mutation(info, op), input.recurrence is not None)

    @strawberry.mutation
    async def book_appointment_public(
        self, info: Info, input: BookAppointmentPublicInput
    ) -> BookAppointmentPublicPayload:
        ctx = info.context

        async def op() -> AppointmentModel:
            return await booking_ops.book_appointment_public(
                ctx.uow,
                ctx.principal,
                type_id=decode_id(
                    input.appointment_type_id, "AppointmentType", field="appointmentTypeId"
                ),
                provider_id=decode_id(input.provider_id, "Member", field="providerId"),
                starts_at=input.starts_at,
                client=booking_ops.PublicClient(
                    name=input.client.name, email=input.client.email, phone=input.client.phone
                ),
                idempotency_key=input.idempotency_key,
            )

        result = await run_mutation(info, op)
        if isinstance(result, list):
            return BookAppointmentPublicPayload(user_errors=result)
        return BookAppointmentPublicPayload(appointment=await _public(info, result))

    @strawberry.mutation
    async def reschedule_appointment(
        self, info: Info, input: RescheduleAppointmentInput
    ) -> BookAppointmentPayload:
        ctx = info.context

        async def op() -> list[AppointmentModel]:
            return [
                await appointment_ops.reschedule_appointment(
                    ctx.uow,
                    ctx.principal,
                    appointment_id=decode_id(input.id, "Appointment"),
                    starts_at=input.starts_at,
                    override=input.override_availability,
                    idempotency_key=input.idempotency_key,
                )
            ]

        return _booked(await run_mutation(info, op), False)

    @strawberry.mutation
    async def cancel_appointment(
        self, info: Info, input: CancelAppointmentInput
    ) -> CancelAppointmentPayload:
        ctx = info.context

        async def op() -> AppointmentModel:
            return await appointment_ops.cancel_appointment(
                ctx.uow,
                ctx.principal,
                appointment_id=decode_id(input.id, "Appointment"),
                reason=input.reason,
                initiated_by=input.initiated_by,
            )

        return payload(
            CancelAppointmentPayload,
            await run_mutation(info, op),
            appointment=Appointment.from_model,
        )

    @strawberry.mutation
    async def set_appointment_status(
        self, info: Info, input: SetAppointmentStatusInput
    ) -> SetAppointmentStatusPayload:
        ctx = info.context

        async def op() -> AppointmentModel:
            return await appointment_ops.set_appointment_status(
                ctx.uow,
                ctx.principal,
                appointment_id=decode_id(input.id, "Appointment"),
                status=input.status,
            )

        return payload(
            SetAppointmentStatusPayload,
            await run_mutation(info, op),
            appointment=Appointment.from_model,
        )

    @strawberry.mutation
    async def confirm_appointment(
        self, info: Info, input: ConfirmAppointmentInput
    ) -> ConfirmAppointmentPayload:
        ctx = info.context
        result = await run_mutation(
            info, lambda: booking_ops.confirm_appointment(ctx.uow, token=input.token)
        )
        if isinstance(result, list):
            return ConfirmAppointmentPayload(user_errors=result)
        return ConfirmAppointmentPayload(appointment=await _public(info, result))

    @strawberry.mutation
    async def join_video_call(self, info: Info, input: JoinVideoCallInput) -> JoinVideoCallPayload:
        ctx = info.context

        async def op() -> RoomAccess:
            row = await appointment_ops.get_appointment(
                ctx.uow,
                ctx.principal,
                decode_id(input.appointment_id, "Appointment", field="appointmentId"),
            )
            kind = await ctx.uow.session.get_one(AppointmentTypeModel, row.appointment_type_id)
            return await join_video_call(ctx.uow, ctx.principal, row, kind)

        result = await run_mutation(info, op)
        if isinstance(result, list):
            return JoinVideoCallPayload(user_errors=result)
        return JoinVideoCallPayload(
            room_url=result.room_url, token=result.token, expires_at=result.expires_at
        )
