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
    create_appointment_type = strawberry.mutation(
        resolver=type_fields.create_appointment_type,
        description=(
            "Create an appointment type. Owners and admins "
            "(`settings:write`). Errors: `INVALID_INPUT`, "
            "`VIDEO_NOT_CONFIGURED`, `FORBIDDEN`."
        ),
    )
    update_appointment_type = strawberry.mutation(
        resolver=type_fields.update_appointment_type,
        description=(
            "Change an appointment type (booked appointments keep their "
            "time). Owners and admins. Errors: `INVALID_INPUT`, "
            "`NOT_FOUND`, `FORBIDDEN`."
        ),
    )
    set_availability = strawberry.mutation(
        resolver=availability_fields.set_availability,
        description=(
            "Replace a provider's weekly hours, overrides and booking "
            "rules. A provider sets their own; owners and admins anyone's"
            " (`appointments:write`). Errors: `INVALID_INPUT`, "
            "`NOT_FOUND`, `FORBIDDEN`."
        ),
    )
    book_appointment = strawberry.mutation(
        resolver=booking_fields.book_appointment,
        description=(
            "Book an appointment (or a weekly series): a client for "
            "themself, a member for a client. Draws a package credit when"
            " the client holds one. Errors: `SLOT_UNAVAILABLE`, "
            "`OUTSIDE_AVAILABILITY`, `BOOKING_DISABLED`, "
            "`INTAKE_REQUIRED`, `IDEMPOTENCY_KEY_REUSED`, "
            "`INVALID_INPUT`, `NOT_FOUND`, `FORBIDDEN`."
        ),
    )
    book_appointment_public = strawberry.mutation(
        resolver=public_fields.book_appointment_public,
        description=(
            "Book from the embedded widget (publishable key): creates the"
            " client or attaches to the one with that email, without "
            "revealing it. Errors: `SLOT_UNAVAILABLE`, "
            "`OUTSIDE_AVAILABILITY`, `BOOKING_DISABLED`, "
            "`IDEMPOTENCY_KEY_REUSED`, `INVALID_INPUT`."
        ),
    )
    reschedule_appointment = strawberry.mutation(
        resolver=booking_fields.reschedule_appointment,
        description=(
            "Move an appointment to a new start, keeping its id. Members,"
            " or the client where the portal allows it. Errors: "
            "`SLOT_UNAVAILABLE`, `OUTSIDE_AVAILABILITY`, "
            "`BOOKING_DISABLED`, `CANCELLATION_WINDOW_PASSED`, "
            "`INVALID_STATUS_TRANSITION`, `NOT_FOUND`, `FORBIDDEN`."
        ),
    )
    cancel_appointment = strawberry.mutation(
        resolver=appointment_fields.cancel_appointment,
        description=(
            "Cancel an appointment with a reason; a client's cancel "
            "inside the window is late and may be charged the late-cancel"
            " fee. Errors: `BOOKING_DISABLED`, "
            "`CANCELLATION_WINDOW_PASSED`, `INVALID_STATUS_TRANSITION`, "
            "`NOT_FOUND`, `FORBIDDEN`."
        ),
    )
    set_appointment_status = strawberry.mutation(
        resolver=appointment_fields.set_appointment_status,
        description=(
            "Mark an appointment `OCCURRED` (autocharge when the type "
            "says so), `NO_SHOW` (the no-show fee when set) or "
            "`CANCELLED`. Members with `appointments:write`. Errors: "
            "`INVALID_STATUS_TRANSITION`, `NOT_FOUND`, `FORBIDDEN`."
        ),
    )
    confirm_appointment = strawberry.mutation(
        resolver=public_fields.confirm_appointment,
        description=(
            "Confirm an unverified public booking with the token from its"
            " email; no sign-in needed. Errors: `TOKEN_INVALID`, "
            "`TOKEN_EXPIRED`."
        ),
    )
    join_video_call = strawberry.mutation(
        resolver=video_fields.join_video_call,
        description=(
            "Get the caller's link and token to join a video "
            "appointment's call (the host's only for members). Errors: "
            "`VIDEO_NOT_CONFIGURED`, `VIDEO_NOT_OPEN`, `NOT_FOUND`, "
            "`FORBIDDEN`."
        ),
    )
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
