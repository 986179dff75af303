"""Joining an appointment's video call (the links themselves are on ``Appointment.video``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

import strawberry

from carebase.resolvers.scheduling import appointments as appointment_ops
from carebase.resolvers.scheduling import video as video_ops
from carebase.resolvers.scheduling.video import RoomAccess
from carebase.schema.context import Info
from carebase.schema.docs import MUTATION_INPUT, USER_ERRORS
from carebase.schema.errors import UserError
from carebase.schema.payloads import Payload, mutate
from carebase.schema.relay import decode_id


@strawberry.input(description="Input of `joinVideoCall`.")
class JoinVideoCallInput:
    appointment_id: strawberry.ID = strawberry.field(
        description="The global id of the video appointment."
    )


@strawberry.type(description="Result of `joinVideoCall`.")
class JoinVideoCallPayload(Payload):
    room_url: str | None = strawberry.field(
        default=None, description="The URL of the call's room; null on failure."
    )
    token: str | None = strawberry.field(
        default=None, description="The caller's token for the room; null on failure."
    )
    expires_at: datetime | None = strawberry.field(
        default=None, description="When the token expires; null on failure."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=USER_ERRORS)

    @classmethod
    async def from_result(cls, result: RoomAccess, info: Info) -> Self:
        return cls(room_url=result.room_url, token=result.token, expires_at=result.expires_at)


async def join_video_call(
    info: Info,
    input: Annotated[JoinVideoCallInput, strawberry.argument(description=MUTATION_INPUT)],
) -> JoinVideoCallPayload:
    ctx = info.context

    async def op() -> RoomAccess:
        row = await appointment_ops.get_appointment(
            ctx.uow,
            ctx.principal,
            decode_id(input.appointment_id, "Appointment", field="appointmentId"),
        )
        return await video_ops.join_video_call(ctx.uow, ctx.principal, appointment=row)

    return await mutate(info, JoinVideoCallPayload, op)
