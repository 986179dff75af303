"""Email through the outbox: after commit only, once, retried, resent when lost, on Redis too."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from carebase import migrate
from carebase.config import Settings
from carebase.db import Database, Job
from carebase.jobs import scheduler
from carebase.jobs.email import EmailNotSent, send_email
from carebase.jobs.runtime import JobRuntime
from carebase.models import Email, EmailStatus, utcnow
from carebase.resolvers.core.notifications import queue_email
from carebase.resolvers.reactions import build_hooks
from tests.conftest import unique_email
from tests.fixtures.smtp import Inbox, body_of, free_port
from tests.fixtures.waiting import eventually


async def _email_row(db: Database, email_id: object) -> Email:
    async with db.unit_of_work() as uow:
        return (await uow.session.execute(select(Email).where(Email.id == email_id))).scalar_one()


async def _queue(db: Database, to: str, subject: str = "Hello") -> Email:
    async with db.unit_of_work(write=True) as uow:
        return await queue_email(
            uow, to=to, subject=subject, body="Body text", kind="test", organization_id=None
        )


async def test_jobs_are_handed_over_only_after_commit(settings: Settings) -> None:
    db = Database(settings, hooks=build_hooks())
    sent: list[list[Job]] = []
    db.dispatch = sent.append
    with pytest.raises(RuntimeError):
        async with db.unit_of_work(write=True) as uow:
            email = await queue_email(
                uow, to=unique_email(), subject="x", body="y", kind="test", organization_id=None
            )
            raise RuntimeError("the request failed")
    assert sent == []
    async with db.unit_of_work() as uow:
        assert await uow.session.get(Email, email.id) is None  # rolled back with it
    committed = await _queue(db, unique_email())
    assert sent == [[Job("email.send", (str(committed.id),))]]
    await db.dispose()


async def test_without_smtp_the_email_is_kept_and_logged(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="carebase.email")
    quiet = settings.replace(smtp_url="")
    runtime = JobRuntime(quiet, build_hooks())
    address = unique_email()
    email = await _queue(runtime.database(), address, subject="Kept here")
    await send_email(runtime, str(email.id))
    row = await _email_row(runtime.database(), email.id)
    assert row.status is EmailStatus.LOGGED and row.sent_at is not None
    # the log names the row and its kind; address, subject and body stay in the outbox
    logged = [r.getMessage() for r in caplog.records if r.name == "carebase.email"]
    assert any(str(email.id) in line and "test" in line for line in logged), logged
    assert not [line for line in logged if address in line or "Kept here" in line]
    assert not [line for line in logged if "Body text" in line]
    await runtime.dispose()


async def test_a_failed_send_keeps_the_error_and_a_retry_delivers(
    settings: Settings, smtp: Inbox
) -> None:
    broken = JobRuntime(settings.replace(smtp_url=f"smtp://127.0.0.1:{free_port()}"), build_hooks())
    address = unique_email()
    email = await _queue(broken.database(), address)
    with pytest.raises(EmailNotSent):
        await send_email(broken, str(email.id))
    row = await _email_row(broken.database(), email.id)
    assert row.status is EmailStatus.PENDING and row.attempts == 1
    assert row.last_error and "Connection" in row.last_error
    working = JobRuntime(settings, build_hooks())
    await send_email(working, str(email.id))
    [message] = await smtp.wait_for(address)
    assert body_of(message).strip() == "Body text"
    row = await _email_row(working.database(), email.id)
    assert row.status is EmailStatus.SENT and row.attempts == 2 and row.last_error is None
    await broken.dispose()
    await working.dispose()


async def test_a_lost_email_is_resent_once_even_with_two_schedulers(
    settings: Settings, smtp: Inbox
) -> None:
    runtime = JobRuntime(settings, build_hooks())
    db = runtime.database()
    address = unique_email()
    email = await _queue(db, address)  # its job is "lost": nobody dispatches it here
    async with db.unit_of_work(write=True) as uow:
        await uow.session.execute(
            update(Email)
            .where(Email.id == email.id)
            .values(created_at=utcnow() - timedelta(minutes=5))
        )
    jobs: list[Job] = []
    db.dispatch = jobs.extend
    assert await scheduler.tick(db) >= 1
    assert await scheduler.tick(db) >= 1  # a second scheduler sees it too
    mine = [j for j in jobs if j.args == (str(email.id),)]
    assert len(mine) == 2
    await asyncio.gather(*(send_email(runtime, *job.args) for job in mine))
    await smtp.wait_for(address)

    async def sent() -> Email | None:
        row = await _email_row(db, email.id)
        return row if row.status is EmailStatus.SENT else None

    # claimed once in all (by one of these or the app's own worker): no second send can follow
    row = await eventually(sent, message="the email row was not marked SENT")
    assert row.attempts == 1
    assert len(smtp.to(address)) == 1
    await runtime.dispose()


def _redis_url() -> str:
    url = os.environ.get("CAREBASE_TEST_REDIS_URL", "")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("CI must set CAREBASE_TEST_REDIS_URL")
        pytest.skip("CAREBASE_TEST_REDIS_URL is not set (CI sets it)")
    return url


async def test_a_worker_process_on_redis_sends_the_email(
    settings: Settings, smtp: Inbox, tmp_path: Path
) -> None:
    redis_url = _redis_url()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAREBASE_")}
    env.update(
        CAREBASE_DATABASE_URL=settings.database_url,
        CAREBASE_SECRET_KEY=settings.secret_key.get_secret_value(),
        CAREBASE_BROKER_URL=redis_url,
        CAREBASE_SMTP_URL=settings.smtp_url.get_secret_value(),
    )
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        worker = await asyncio.create_subprocess_exec(
            str(Path(sys.executable).parent / "carebase"),
            "worker",
            "--threads",
            "2",
            env=env,
            stdout=out,
            stderr=asyncio.subprocess.STDOUT,
        )
    runtime = JobRuntime(settings.replace(broker_url=redis_url), build_hooks())
    try:
        db = runtime.database()
        address = unique_email("redis")
        email = await _queue(db, address, subject="Through Redis")
        started = time.monotonic()
        [message] = await smtp.wait_for(address, timeout=30)
        assert message["Subject"] == "Through Redis"
        assert time.monotonic() - started < 30

        async def sent() -> bool:
            return (await _email_row(db, email.id)).status is EmailStatus.SENT

        await eventually(sent, timeout=5, message="the email row was not marked SENT")
    finally:
        worker.terminate()
        await asyncio.wait_for(worker.wait(), timeout=30)
        await runtime.dispose()
        runtime.broker.close()
    assert worker.returncode is not None
    assert "Traceback" not in log.read_text(), log.read_text()


async def test_the_scheduler_process_resends_a_lost_email_through_a_worker(
    settings: Settings, smtp: Inbox, tmp_path: Path
) -> None:
    """`carebase scheduler` and `carebase worker` on Redis: a lost job is found and done."""
    redis_url = _redis_url()
    # a database of its own: only these processes can find the lost email, not the test app
    own = settings.replace(database_url=f"sqlite+aiosqlite:///{tmp_path}/own.sqlite3")
    await asyncio.to_thread(migrate.upgrade, own)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAREBASE_")}
    env.update(
        CAREBASE_DATABASE_URL=own.database_url,
        CAREBASE_SECRET_KEY=settings.secret_key.get_secret_value(),
        CAREBASE_BROKER_URL=redis_url,
        CAREBASE_SMTP_URL=settings.smtp_url.get_secret_value(),
        CAREBASE_SCHEDULER_INTERVAL_SECONDS="0.5",
    )
    db = Database(own, hooks=build_hooks())
    db.dispatch = lambda jobs: None  # the request's job is lost on the way
    address = unique_email("lost")
    email = await _queue(db, address, subject="Found again")
    async with db.unit_of_work(write=True) as uow:
        await uow.session.execute(
            update(Email)
            .where(Email.id == email.id)
            .values(created_at=utcnow() - timedelta(minutes=5))
        )
    carebase = str(Path(sys.executable).parent / "carebase")
    processes = []
    for command in (["worker", "--threads", "2"], ["scheduler"]):
        with (tmp_path / f"{command[0]}.log").open("wb") as out:
            processes.append(
                await asyncio.create_subprocess_exec(
                    carebase,
                    *command,
                    env=env,
                    stdout=out,
                    stderr=asyncio.subprocess.STDOUT,
                )
            )
    try:
        [message] = await smtp.wait_for(address, timeout=30)
        assert message["Subject"] == "Found again"
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            await asyncio.wait_for(process.wait(), timeout=30)
        await db.dispose()
    for name in ("worker", "scheduler"):
        assert "Traceback" not in (tmp_path / f"{name}.log").read_text()
