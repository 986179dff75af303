"""Video links: the client's join link for everyone who may see the appointment, the host
link only for members; built-in rooms through LiveKit tokens, Zoom meetings through its API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from carebase.auth.principal import Principal
from carebase.config import Settings
from carebase.db import UnitOfWork
from carebase.errors import DomainError, ErrorCode, forbidden
from carebase.gateways.zoom import ZoomGateway
from carebase.models import (
    Appointment,
    AppointmentStatus,
    AppointmentType,
    ContactType,
    Organization,
    VideoProvider,
)
from carebase.resolvers.core.notifications import portal_base

JOIN_OPENS_BEFORE = timedelta(minutes=15)


def zoom_configured(settings: Settings) -> bool:
    return bool(
        settings.zoom_account_id
        and settings.zoom_client_id
        and settings.zoom_client_secret.get_secret_value()
    )


def livekit_configured(settings: Settings) -> bool:
    return bool(
        settings.livekit_url
        and settings.livekit_api_key
        and settings.livekit_api_secret.get_secret_value()
    )


@dataclass(frozen=True)
class Links:
    client_join_url: str | None
    host_url: str | None


def client_join_url(
    uow: UnitOfWork, appointment: Appointment, kind: AppointmentType, org: Organization
) -> str | None:
    if kind.contact_type is not ContactType.VIDEO:
        return None
    if kind.video_provider is VideoProvider.ZOOM:
        return appointment.zoom_join_url
    return f"{portal_base(uow, org)}/video/{appointment.id}"


async def links_for(
    uow: UnitOfWork,
    principal: Principal,
    appointment: Appointment,
    kind: AppointmentType,
    org: Organization,
) -> Links | None:
    if kind.contact_type is not ContactType.VIDEO:
        return None
    join = client_join_url(uow, appointment, kind, org)
    host: str | None = None
    if principal.is_member:
        if kind.video_provider is VideoProvider.ZOOM:
            host = await zoom_host_url(uow, appointment)
        else:
            host = f"{portal_base(uow, org)}/video/{appointment.id}?host=1"
    return Links(client_join_url=join, host_url=host)


async def zoom_host_url(uow: UnitOfWork, appointment: Appointment) -> str | None:
    """Zoom's start URLs expire, so the host link is fetched fresh each time."""
    if (
        appointment.status is not AppointmentStatus.BOOKED
        or not appointment.zoom_meeting_id
        or not zoom_configured(uow.settings)
    ):
        return None
    meeting = await ZoomGateway(uow.settings).get_meeting(appointment.zoom_meeting_id)
    return meeting.start_url if meeting else None


@dataclass(frozen=True)
class RoomAccess:
    room_url: str
    token: str
    expires_at: datetime


async def join_video_call(
    uow: UnitOfWork, principal: Principal, *, appointment: Appointment
) -> RoomAccess:
    """A room token for ``appointment`` (read by the caller through ``get_appointment``)."""
    kind = await uow.session.get_one(AppointmentType, appointment.appointment_type_id)
    if principal.kind != "user":
        raise forbidden("Sign in to join a video call")
    if principal.is_client and principal.client_id != appointment.client_id:
        raise forbidden()
    if (
        kind.contact_type is not ContactType.VIDEO
        or kind.video_provider is not VideoProvider.BUILT_IN
    ):
        raise DomainError(ErrorCode.INVALID_INPUT, "This appointment has no built-in video room")
    if not livekit_configured(uow.settings):
        raise DomainError(ErrorCode.VIDEO_NOT_CONFIGURED, "Built-in video is not configured here")
    moment = uow.now()
    if (
        appointment.status is not AppointmentStatus.BOOKED
        or moment < appointment.starts_at - JOIN_OPENS_BEFORE
        or moment >= appointment.ends_at
    ):
        raise DomainError(
            ErrorCode.VIDEO_NOT_OPEN,
            "The room opens 15 minutes before the start and closes at the end",
        )
    from carebase.gateways.livekit import room_token

    assert principal.account_id
    token = room_token(
        uow.settings,
        room=str(appointment.id),
        identity=str(principal.account_id),
        expires_at=appointment.ends_at,
        host=principal.is_member,
    )
    return RoomAccess(
        room_url=uow.settings.livekit_url, token=token, expires_at=appointment.ends_at
    )
