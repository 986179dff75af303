"""Reminders: planned at booking, moved and cancelled with it, sent once per offset."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from starlette.applications import Starlette

from carebase.config import Settings
from carebase.db import Database, Job
from carebase.jobs import scheduler
from carebase.jobs.reminders import send_reminder
from carebase.jobs.runtime import JobRuntime
from carebase.jobs.sms import send_text
from carebase.models import EmailStatus, Reminder, ReminderStatus, SmsMessage
from carebase.resolvers.core.notifications import queue_sms
from carebase.resolvers.reactions import build_hooks
from carebase.schema.relay import parse_global_id
from tests.fixtures.graphql import GraphQLClient
from tests.fixtures.scheduling import Booking, booking_setup, local, next_weekday
from tests.fixtures.smtp import Inbox, body_of
from tests.fixtures.twilio import fake_twilio
from tests.fixtures.waiting import scheduler_ticks


def key(global_id: str) -> uuid.UUID:
    return parse_global_id(global_id)[1]


async def reminders_of(
    app: Starlette, appointment_id: str, kind: str = "appointment"
) -> list[Reminder]:
    async with app.state.db.unit_of_work() as uow:
        rows = await uow.session.execute(
            select(Reminder)
            .where(Reminder.appointment_id == key(appointment_id), Reminder.kind == kind)
            .order_by(Reminder.due_at)
        )
        return list(rows.scalars())


async def book(api: GraphQLClient, b: Booking, starts_at: str, **extra: object) -> str:
    data = await api.op(
        "BookAppointment",
        {
            "input": {
                "appointmentTypeId": b.type_id,
                "providerId": b.provider_id,
                "startsAt": starts_at,
                **extra,
            }
        },
        token=b.practice.owner_token if "clientId" in extra else b.client_token,
    )
    assert data["bookAppointment"]["userErrors"] == [], data
    return str(data["bookAppointment"]["appointment"]["id"])


async def test_reminders_follow_the_appointment(
    app: Starlette, api: GraphQLClient, smtp: Inbox
) -> None:
    b = await booking_setup(api, smtp)
    day = next_weekday(2, at_least_days=4)
    appointment_id = await book(api, b, local(day, 10))
    planned = await reminders_of(app, appointment_id)
    assert [(r.offset_minutes, r.channel, r.status) for r in planned] == [
        (1440, "EMAIL", ReminderStatus.PENDING),
        (60, "EMAIL", ReminderStatus.PENDING),
    ]
    starts = datetime.fromisoformat(local(day, 10))
    assert planned[0].due_at == starts - timedelta(days=1)
    moved = await api.op(
        "RescheduleAppointment",
        {"input": {"id": appointment_id, "startsAt": local(day, 13)}},
        token=b.client_token,
    )
    assert moved["rescheduleAppointment"]["userErrors"] == []
    replanned = [
        r for r in await reminders_of(app, appointment_id) if r.status is ReminderStatus.PENDING
    ]
    assert [r.due_at for r in replanned] == [
        datetime.fromisoformat(local(day, 13)) - timedelta(days=1),
        datetime.fromisoformat(local(day, 13)) - timedelta(hours=1),
    ]
    settings = await api.op(
        "UpdateAppointmentAlertSettings",
        {"input": {"reminderOffsetsMinutes": [30], "reminderChannels": ["EMAIL", "SMS"]}},
        token=b.practice.owner_token,
    )
    assert settings["updateAppointmentAlertSettings"]["userErrors"] == []
    now_pending = [
        (r.offset_minutes, r.channel)
        for r in await reminders_of(app, appointment_id)
        if r.status is ReminderStatus.PENDING
    ]
    assert sorted(now_pending) == [(30, "EMAIL"), (30, "SMS")]
    await api.op("CancelAppointment", {"input": {"id": appointment_id}}, token=b.client_token)
    assert all(
        r.status is not ReminderStatus.PENDING for r in await reminders_of(app, appointment_id)
    )


async def test_no_reminder_is_planned_for_a_time_already_past(
    app: Starlette, api: GraphQLClient, smtp: Inbox
) -> None:
    b = await booking_setup(api, smtp)
    soon = (datetime.now(UTC) + timedelta(hours=3)).replace(second=0, microsecond=0)
    appointment_id = await book(
        api, b, soon.isoformat(), clientId=b.client_id, overrideAvailability=True
    )
    assert [
        r.offset_minutes for r in await reminders_of(app, appointment_id) if r.kind == "appointment"
    ] == [60]


async def test_a_due_reminder_is_sent_once_even_with_two_schedulers_and_retries(
    app: Starlette, api: GraphQLClient, smtp: Inbox, settings: Settings
) -> None:
    b = await booking_setup(api, smtp)
    day = next_weekday(3, at_least_days=4)
    appointment_id = await book(api, b, local(day, 11))
    async with app.state.db.unit_of_work(write=True) as uow:
        await uow.session.execute(
            update(Reminder)
            .where(Reminder.appointment_id == key(appointment_id), Reminder.offset_minutes == 60)
            .values(due_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    # a second scheduler and a duplicated job race the app's own in-process scheduler
    runtime: JobRuntime = app.state.runtime
    other = Database(settings, hooks=build_hooks())
    jobs: list[Job] = []
    other.dispatch = jobs.extend
    await scheduler.tick(other)
    mine = [j for j in jobs if j.actor == "reminders.send"]
    await asyncio.gather(*(send_reminder(runtime, *j.args) for j in mine * 2))
    [reminder] = await smtp.wait_for(b.client_email, subject="Reminder")
    await scheduler_ticks(app, 2)  # more scheduler passes, and all they set going, have run
    reminders = [m for m in smtp.to(b.client_email) if str(m["Subject"]).startswith("Reminder")]
    assert len(reminders) == 1
    body = body_of(reminder)
    assert "Join by video: https://portal.example.test/video/" in body
    assert "host=1" not in body
    assert "at 11:00 AM CST" in body  # the client's time zone
    rows = await reminders_of(app, appointment_id)
    assert [(r.offset_minutes, r.status) for r in rows if r.kind == "appointment"] == [
        (60, ReminderStatus.SENT),
        (1440, ReminderStatus.PENDING),
    ]
    await other.dispose()


async def test_sms_goes_through_twilio_when_configured(settings: Settings) -> None:
    with fake_twilio() as twilio:
        configured = settings.replace(
            twilio_account_sid=twilio.account_sid,
            twilio_auth_token=twilio.auth_token,
            twilio_from_number="+15550001111",
            twilio_api_base=twilio.base_url,
        )
        runtime = JobRuntime(configured, build_hooks())
        db = runtime.database()
        jobs: list[Job] = []
        db.dispatch = jobs.extend
        async with db.unit_of_work(write=True) as uow:
            sms = await queue_sms(
                uow,
                to="+15550002222",
                body="Reminder: tomorrow at 9",
                kind="test",
                organization_id=None,
            )
        assert jobs == [Job("sms.send", (str(sms.id),))]
        await send_text(runtime, str(sms.id))
        await send_text(runtime, str(sms.id))  # a retried job sends nothing more
        assert twilio.messages == [
            {"To": "+15550002222", "From": "+15550001111", "Body": "Reminder: tomorrow at 9"}
        ]
        async with db.unit_of_work() as uow:
            row = await uow.session.get_one(SmsMessage, sms.id)
        assert (
            row.status is EmailStatus.SENT and row.provider_id and row.provider_id.startswith("SM")
        )
        await runtime.dispose()
