"""A reschedule that loses its race at the database is SLOT_UNAVAILABLE, as a booking that
does: PostgreSQL's exclusion constraint has the last word (found by bench/soak.py, where a
reschedule raced bookings of the same slot and answered INTERNAL_SERVER_ERROR)."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest
from sqlalchemy import text
from starlette.applications import Starlette

from carebase.models import Appointment, AppointmentStatus
from tests.fixtures.factories import key_of
from tests.fixtures.graphql import GraphQLClient, documents
from tests.fixtures.scheduling import booking_setup, local, next_weekday
from tests.fixtures.smtp import Inbox
from tests.fixtures.waiting import eventually


async def test_a_reschedule_beaten_at_the_database_is_slot_unavailable(
    app: Starlette, api: GraphQLClient, smtp: Inbox
) -> None:
    if not app.state.settings.database_url.startswith("postgres"):
        pytest.skip("the race is decided by PostgreSQL's exclusion constraint")
    b = await booking_setup(api, smtp)
    day = next_weekday(3)
    booked = await api.op(
        "BookAppointment",
        {
            "input": {
                "appointmentTypeId": b.type_id,
                "providerId": b.provider_id,
                "startsAt": local(day, 9),
            }
        },
        token=b.client_token,
    )
    appointment_id = booked["bookAppointment"]["appointment"]["id"]
    eleven = datetime.fromisoformat(local(day, 11))
    db = app.state.db
    async with db.sessionmaker() as rival, db.sessionmaker() as watcher:
        # a rival booking of 11:00, written and not yet committed: the reschedule's own
        # check cannot see it, and the constraint makes the reschedule wait for it
        mine = await rival.get_one(Appointment, key_of(appointment_id))
        rival.add(
            Appointment(
                organization_id=mine.organization_id,
                client_id=mine.client_id,
                provider_id=mine.provider_id,
                appointment_type_id=mine.appointment_type_id,
                starts_at=eleven,
                ends_at=eleven + (mine.ends_at - mine.starts_at),
                status=AppointmentStatus.BOOKED,
            )
        )
        await rival.flush()
        moving = asyncio.create_task(
            api.raw(
                documents()["RescheduleAppointment"],
                {"input": {"id": appointment_id, "startsAt": local(day, 11)}},
                token=b.practice.owner_token,
            )
        )

        async def waiting() -> bool:
            found = await watcher.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND datname = current_database()"
                )
            )
            await watcher.rollback()
            return bool(found)

        await eventually(waiting, message="the reschedule never waited for the rival")
        await rival.commit()
    result = await moving
    assert not result.get("errors"), result["errors"]
    payload = result["data"]["rescheduleAppointment"]
    assert [e["code"] for e in payload["userErrors"]] == ["SLOT_UNAVAILABLE"]
    shown = await api.op("Appointment", {"id": appointment_id}, token=b.client_token)
    assert shown["appointment"]["startsAt"] == local(day, 9)
