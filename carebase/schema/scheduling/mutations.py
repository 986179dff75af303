"""Scheduling's mutations, in the order the schema lists them.

Each mutation's resolver lives beside its input and payload, in the module of its concept.
"""

from __future__ import annotations

import strawberry

from carebase.schema.scheduling import appointment_types as type_fields
from carebase.schema.scheduling import appointments as appointment_fields
from carebase.schema.scheduling import availability as availability_fields
from carebase.schema.scheduling import booking as booking_fields
from carebase.schema.scheduling import public as public_fields
from carebase.schema.scheduling import video as video_fields


@strawberry.type
class SchedulingMutation:
    create_appointment_type = strawberry.mutation(resolver=type_fields.create_appointment_type)
    update_appointment_type = strawberry.mutation(resolver=type_fields.update_appointment_type)
    set_availability = strawberry.mutation(resolver=availability_fields.set_availability)
    book_appointment = strawberry.mutation(resolver=booking_fields.book_appointment)
    book_appointment_public = strawberry.mutation(resolver=public_fields.book_appointment_public)
    reschedule_appointment = strawberry.mutation(resolver=booking_fields.reschedule_appointment)
    cancel_appointment = strawberry.mutation(resolver=appointment_fields.cancel_appointment)
    set_appointment_status = strawberry.mutation(resolver=appointment_fields.set_appointment_status)
    confirm_appointment = strawberry.mutation(resolver=public_fields.confirm_appointment)
    join_video_call = strawberry.mutation(resolver=video_fields.join_video_call)
