"""Scheduling's root query fields, in the order the schema lists them.

Each field's resolver lives beside its types, in the module of its concept.
"""

from __future__ import annotations

import strawberry

from carebase.schema.scheduling import appointment_types as type_fields
from carebase.schema.scheduling import appointments as appointment_fields
from carebase.schema.scheduling import availability as availability_fields
from carebase.schema.scheduling import public as public_fields
from carebase.schema.scheduling import widget as widget_fields


@strawberry.type
class SchedulingQuery:
    appointment_types = strawberry.field(resolver=type_fields.appointment_types)
    availability = strawberry.field(resolver=availability_fields.availability)
    available_slots = strawberry.field(resolver=availability_fields.available_slots)
    public_booking_profile = strawberry.field(resolver=public_fields.public_booking_profile)
    appointments = strawberry.field(resolver=appointment_fields.appointments)
    upcoming_appointments = strawberry.field(resolver=appointment_fields.upcoming_appointments)
    appointment = strawberry.field(resolver=appointment_fields.appointment)
    public_booking = strawberry.field(
        resolver=widget_fields.public_booking,
        description="The booking an emailed manage link names (its token), with what its "
        "visitor may do now; null when the link is not valid. No sign-in needed.",
    )
