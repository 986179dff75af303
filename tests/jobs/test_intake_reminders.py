"""The intake reminder: before an appointment, once, and only while required forms are pending."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from starlette.applications import Starlette

from carebase.config import Settings
from carebase.db import Database, Job
from carebase.jobs import scheduler
from carebase.jobs.reminders import send_reminder
from carebase.jobs.runtime import JobRuntime
from carebase.models import Reminder, ReminderStatus
from carebase.resolvers.reactions import build_hooks
from carebase.schema.relay import parse_global_id
from tests.fixtures.graphql import GraphQLClient
from tests.fixtures.intake import (
    INTAKE_URL,
    default_flow,
    history_answers,
    request_flow,
    skip,
    submit,
)
from tests.fixtures.scheduling import Booking, booking_setup, local, next_weekday
from tests.fixtures.smtp import Inbox, body_of
from tests.fixtures.waiting import eventually, jobs_settled, scheduler_ticks


def key(global_id: str) -> uuid.UUID:
    return parse_global_id(global_id)[1]


async def intake_reminders(app: Starlette, appointment_id: str) -> list[Reminder]:
    async with app.state.db.unit_of_work() as uow:
        rows = await uow.session.execute(
            select(Reminder).where(
                Reminder.appointment_id == key(appointment_id), Reminder.kind == "intake"
            )
        )
        return list(rows.scalars())


async def make_due(app: Starlette, appointment_id: str) -> None:
    async with app.state.db.unit_of_work(write=True) as uow:
        await uow.session.execute(
            update(Reminder)
            .where(Reminder.appointment_id == key(appointment_id), Reminder.kind == "intake")
            .values(due_at=datetime.now(UTC) - timedelta(seconds=1))
        )


async def book_for_client(api: GraphQLClient, b: Booking, starts_at: str) -> str:
    """Booked by the practice: members are never held by the intake gate."""
    data = await api.op(
        "BookAppointment",
        {
            "input": {
                "appointmentTypeId": b.type_id,
                "providerId": b.provider_id,
                "startsAt": starts_at,
                "clientId": b.client_id,
            }
        },
        token=b.practice.owner_token,
    )
    assert data["bookAppointment"]["userErrors"] == [], data
    return str(data["bookAppointment"]["appointment"]["id"])


async def with_pending_intake(
    api: GraphQLClient, smtp: Inbox
) -> tuple[Booking, list[dict[str, Any]]]:
    b = await booking_setup(api, smtp)
    flows = await default_flow(api, b.practice)
    rows = await request_flow(api, b.practice.owner_token, b.client_id, flows.flow["id"])
    assert [r["required"] for r in rows] == [True, True]
    return b, rows


async def picked_up(app: Starlette, appointment_id: str) -> Reminder:
    """The intake reminder once a job has dealt with it (no longer PENDING)."""

    async def done() -> Reminder | None:
        [row] = await intake_reminders(app, appointment_id)
        return row if row.status is not ReminderStatus.PENDING else None

    return await eventually(done, timeout=15, message="the intake reminder stayed PENDING")


def reminders_to(smtp: Inbox, address: str) -> list[str]:
    return [str(m["Subject"]) for m in smtp.to(address) if str(m["Subject"]).startswith("Reminder")]


async def test_the_intake_reminder_is_sent_once_even_with_two_schedulers_and_retries(
    app: Starlette, api: GraphQLClient, smtp: Inbox, settings: Settings
) -> None:
    b, _ = await with_pending_intake(api, smtp)
    alerts = await api.op("Organization", token=b.practice.owner_token)
    assert alerts["organization"]["alertSettings"]["intakeReminderEnabled"] is True
    offset = alerts["organization"]["alertSettings"]["intakeReminderOffsetMinutes"]
    day = next_weekday(3, at_least_days=4)
    appointment_id = await book_for_client(api, b, local(day, 11))
    [planned] = await intake_reminders(app, appointment_id)
    assert planned.status is ReminderStatus.PENDING and planned.channel == "EMAIL"
    assert planned.offset_minutes == offset
    assert planned.due_at == datetime.fromisoformat(local(day, 11)) - timedelta(minutes=offset)

    await make_due(app, appointment_id)
    # a second scheduler and a duplicated job race the app's own in-process scheduler
    runtime: JobRuntime = app.state.runtime
    other = Database(settings, hooks=build_hooks())
    jobs: list[Job] = []
    other.dispatch = jobs.extend
    try:
        await scheduler.tick(other)
        mine = [j for j in jobs if j.actor == "reminders.send"]
        await asyncio.gather(*(send_reminder(runtime, *j.args) for j in mine * 2))
        [reminder] = await smtp.wait_for(b.client_email, subject="Reminder")
        await scheduler_ticks(app, 2)  # more scheduler passes, and all they set going, have run
    finally:
        await other.dispose()
    assert len(reminders_to(smtp, b.client_email)) == 1, reminders_to(smtp, b.client_email)
    subject = str(reminder["Subject"])
    assert subject.startswith("Reminder") and "intake form" in subject.lower()
    body = body_of(reminder)
    assert INTAKE_URL in body
    assert "11:00 AM" in body  # the appointment, in the client's time zone
    [sent] = await intake_reminders(app, appointment_id)
    assert sent.status is ReminderStatus.SENT
    # the appointment's own reminders are not due yet: nothing else went out
    async with app.state.db.unit_of_work() as uow:
        others = await uow.session.execute(
            select(Reminder.status).where(
                Reminder.appointment_id == key(appointment_id), Reminder.kind == "appointment"
            )
        )
        assert set(others.scalars()) == {ReminderStatus.PENDING}


async def test_no_intake_reminder_when_the_forms_are_done_in_time(
    app: Starlette, api: GraphQLClient, smtp: Inbox
) -> None:
    b, (history, consent) = await with_pending_intake(api, smtp)
    appointment_id = await book_for_client(api, b, local(next_weekday(2, at_least_days=4), 10))
    [planned] = await intake_reminders(app, appointment_id)
    assert planned.status is ReminderStatus.PENDING
    # one filled in by the practice with the client, the other skipped: nothing required pending
    done = await submit(api, b.practice.owner_token, history["id"], history_answers())
    assert done["userErrors"] == []
    skipped = await skip(api, b.practice.owner_token, consent["id"], "Signed on paper")
    assert skipped["userErrors"] == []

    await make_due(app, appointment_id)
    row = await picked_up(app, appointment_id)  # by the app's own scheduler
    assert row.status is ReminderStatus.CANCELLED
    await jobs_settled(app)  # cancelled in the claim's transaction: nothing was queued
    assert reminders_to(smtp, b.client_email) == []


async def test_optional_forms_alone_do_not_trigger_the_intake_reminder(
    app: Starlette, api: GraphQLClient, smtp: Inbox
) -> None:
    b = await booking_setup(api, smtp)
    flows = await default_flow(api, b.practice, optional_consent=True)
    history, _consent = await request_flow(
        api, b.practice.owner_token, b.client_id, flows.flow["id"]
    )
    filled = await submit(api, b.practice.owner_token, history["id"], history_answers())
    assert filled["userErrors"] == []
    appointment_id = await book_for_client(api, b, local(next_weekday(4, at_least_days=4), 14))
    await make_due(app, appointment_id)
    row = await picked_up(app, appointment_id)
    assert row.status is ReminderStatus.CANCELLED
    assert reminders_to(smtp, b.client_email) == []


async def test_no_intake_reminder_is_planned_when_it_is_turned_off(
    app: Starlette, api: GraphQLClient, smtp: Inbox
) -> None:
    b, _ = await with_pending_intake(api, smtp)
    off = await api.op(
        "UpdateAppointmentAlertSettings",
        {"input": {"intakeReminderEnabled": False}},
        token=b.practice.owner_token,
    )
    assert off["updateAppointmentAlertSettings"]["userErrors"] == []
    appointment_id = await book_for_client(api, b, local(next_weekday(5, at_least_days=4), 9))
    assert await intake_reminders(app, appointment_id) == []
