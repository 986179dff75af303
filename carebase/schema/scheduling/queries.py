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
    appointment_types = strawberry.field(
        resolver=type_fields.appointment_types,
        description=(
            "The organization's appointment types, by name. Members and "
            "clients (clients see only the ones bookable by clients)."
        ),
    )
    availability = strawberry.field(
        resolver=availability_fields.availability,
        description=(
            "A provider's availability; null when not set or not the caller's to read. Members."
        ),
    )
    available_slots = strawberry.field(
        resolver=availability_fields.available_slots,
        description=(
            "Start times the caller could book for a type with a provider"
            " in a range (at most 62 days). Public through a publishable "
            "key; a client or the widget gets nothing it could not book."
        ),
    )
    public_booking_profile = strawberry.field(
        resolver=public_fields.public_booking_profile,
        description=(
            "The widget's view of the organization. Through a publishable key, or signed in."
        ),
    )
    appointments = strawberry.field(
        resolver=appointment_fields.appointments,
        description=(
            "The organization's appointments, soonest first; a client "
            "sees only their own. Members with `appointments:read`."
        ),
    )
    upcoming_appointments = strawberry.field(
        resolver=appointment_fields.upcoming_appointments,
        description=(
            "The caller's live appointments from now on, soonest first (a"
            " client's own, a provider's own)."
        ),
    )
    appointment = strawberry.field(
        resolver=appointment_fields.appointment,
        description=(
            "One appointment by global id; null when not found or not the caller's to read."
        ),
    )
    public_booking = strawberry.field(
        resolver=widget_fields.public_booking,
        description="The booking an emailed manage link names (its token), with what its "
        "visitor may do now; null when the link is not valid. No sign-in needed.",
    )
