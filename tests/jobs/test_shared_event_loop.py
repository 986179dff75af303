"""Two job runtimes in one process (two apps, as tests and a CLI command beside a server
make) share async actors' event loop thread: stopping one worker leaves the other working."""

from __future__ import annotations

import dramatiq
from dramatiq.brokers.stub import StubBroker

from carebase.jobs.runtime import SharedAsyncIO


def _broker() -> StubBroker:
    broker = StubBroker()
    broker.add_middleware(SharedAsyncIO())
    return broker


def test_a_worker_that_stops_leaves_the_other_workers_async_jobs_running() -> None:
    first, second = _broker(), _broker()
    done: list[str] = []

    async def record(value: str) -> None:
        done.append(value)

    on_first = dramatiq.actor(broker=first, actor_name="record_first")(record)
    on_second = dramatiq.actor(broker=second, actor_name="record_second")(record)
    workers = [dramatiq.Worker(b, worker_timeout=50) for b in (first, second)]
    for worker in workers:
        worker.start()
    try:
        on_first.send("first")
        first.join(on_first.queue_name, fail_fast=True, timeout=15_000)
        workers[0].stop()
        # the stock AsyncIO middleware stopped the shared loop here, and this job failed
        on_second.send("second")
        second.join(on_second.queue_name, fail_fast=True, timeout=15_000)
        assert done == ["first", "second"]
    finally:
        workers[1].stop()
    # the last worker to stop ends the loop, so a new one boots cleanly
    third = _broker()
    on_third = dramatiq.actor(broker=third, actor_name="record_third")(record)
    worker = dramatiq.Worker(third, worker_timeout=50)
    worker.start()
    try:
        on_third.send("third")
        third.join(on_third.queue_name, fail_fast=True, timeout=15_000)
    finally:
        worker.stop()
    assert done[-1] == "third"
