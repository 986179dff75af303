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
from carebase.schema.scheduling import widget as widget_fields


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
    hold_slot = strawberry.mutation(
        resolver=widget_fields.hold_slot,
        description="Keep an offered time for 5 minutes while the widget's visitor types "
        "(publishable key or signed in); at most 3 live holds per address.",
    )
    reschedule_public_booking = strawberry.mutation(
        resolver=widget_fields.reschedule_public_booking,
        description="Move a widget booking with its emailed manage link, under the practice's "
        "portal rules. No sign-in needed.",
    )
    cancel_public_booking = strawberry.mutation(
        resolver=widget_fields.cancel_public_booking,
        description="Cancel a widget booking with its emailed manage link, under the "
        "practice's portal rules (a late cancel carries the late fee). No sign-in needed.",
    )
