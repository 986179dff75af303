"""Prometheus metrics (``prometheus-client``): what each process counts, and ``/metrics``.

Counted where it happens, in the process it happens in:

- ``carebase_graphql_requests_total{operation,outcome}`` and
  ``carebase_graphql_request_duration_seconds{operation}``: web processes. ``operation`` is
  the name of a registered document (``gql/operations/manifest.json``) when the request ran
  one, by text or by hash, and ``other`` otherwise, so a caller cannot grow the label set.
  ``outcome`` is ``ok``, ``error`` (a field failed: forbidden, not found…), ``rejected``
  (refused before execution: parse, validation, limits, variables), ``internal`` (an
  unexpected error) or ``refused`` (the transport refused it: media type, method).
- ``carebase_jobs_total{actor,outcome}`` and ``carebase_job_duration_seconds{actor}``: the
  process that runs the job (a ``carebase worker``, or the web process with in-process jobs).
- ``carebase_scheduler_ticks_total{outcome}`` and
  ``carebase_scheduler_last_tick_timestamp_seconds``: each scheduler.
- ``carebase_webhook_deliveries_total{outcome}``: the process that makes the delivery.

Read when scraped, by the process scraped (the same figure from any web process):
``carebase_queue_depth{queue}`` (messages waiting on the broker, delayed ones included),
``carebase_scheduler_lag_seconds`` (how long the oldest due reminder has waited) and
``carebase_db_pool_connections{state}`` (this process's pool: ``checked_out``, ``idle``,
``overflow``) with ``carebase_db_pool_size``.

Per process: each ``carebase serve`` answers its own ``/metrics`` (scrape every one; sum in
Prometheus). ``carebase worker`` and ``carebase scheduler`` serve theirs on
``CAREBASE_METRICS_PORT``. With ``PROMETHEUS_MULTIPROC_DIR`` set (prometheus-client's
multiprocess mode: one directory shared by the processes of one host, emptied before they
start), every process writes its counters there and any web process's ``/metrics`` answers
the sum over the host's processes instead.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from carebase.config import Settings

log = logging.getLogger("carebase.metrics")

# the `_created` series would double every counter for little use
disable_created_metrics()  # type: ignore[no-untyped-call]

OTHER = "other"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

REQUESTS = Counter(
    "carebase_graphql_requests",
    "GraphQL requests over HTTP, by registered operation (or other) and outcome.",
    ("operation", "outcome"),
)
REQUEST_SECONDS = Histogram(
    "carebase_graphql_request_duration_seconds",
    "Time to answer a GraphQL request over HTTP, by registered operation (or other).",
    ("operation",),
    buckets=LATENCY_BUCKETS,
)
JOBS = Counter(
    "carebase_jobs",
    "Jobs run, by actor and outcome (ok, error, skipped).",
    ("actor", "outcome"),
)
JOB_SECONDS = Histogram(
    "carebase_job_duration_seconds",
    "Time one job ran, by actor.",
    ("actor",),
    buckets=LATENCY_BUCKETS,
)
TICKS = Counter(
    "carebase_scheduler_ticks",
    "Scheduler passes, by outcome (ok, error).",
    ("outcome",),
)
LAST_TICK = Gauge(
    "carebase_scheduler_last_tick_timestamp_seconds",
    "Unix time of this scheduler's last completed pass.",
    multiprocess_mode="max",
)
WEBHOOK_DELIVERIES = Counter(
    "carebase_webhook_deliveries",
    "Outbound webhook delivery attempts, by outcome (delivered, failed, gave_up).",
    ("outcome",),
)


def record_request(operation: str, outcome: str, seconds: float) -> None:
    REQUESTS.labels(operation, outcome).inc()
    REQUEST_SECONDS.labels(operation).observe(seconds)


def record_job(actor: str, outcome: str, seconds: float | None) -> None:
    JOBS.labels(actor, outcome).inc()
    if seconds is not None:
        JOB_SECONDS.labels(actor).observe(seconds)


def record_tick(ok: bool) -> None:
    TICKS.labels("ok" if ok else "error").inc()
    if ok:
        LAST_TICK.set(time.time())


def record_webhook_delivery(outcome: str) -> None:
    """One outbound webhook attempt, counted by ``webhooks.deliver``."""
    WEBHOOK_DELIVERIES.labels(outcome).inc()


class Snapshot(Collector):
    """Figures read just before a scrape (queue depth, lag, pool), as gauge families."""

    def __init__(self, families: Iterable[GaugeMetricFamily]) -> None:
        self.families = list(families)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield from self.families


def queue_depth_family(depths: dict[str, int]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(
        "carebase_queue_depth",
        "Messages waiting on the broker, delayed ones included, by queue.",
        labels=("queue",),
    )
    for queue, depth in sorted(depths.items()):
        family.add_metric((queue,), depth)
    return family


def scheduler_lag_family(seconds: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(
        "carebase_scheduler_lag_seconds",
        "How long the oldest due, unsent reminder has waited past its due time (0: none).",
        value=seconds,
    )


def pool_families(pool: Any) -> list[GaugeMetricFamily]:
    """This process's database pool (a QueuePool; other pools report nothing)."""
    if not all(hasattr(pool, name) for name in ("checkedout", "checkedin", "overflow", "size")):
        return []
    use = GaugeMetricFamily(
        "carebase_db_pool_connections",
        "This process's database connections by state (checked_out, idle, overflow).",
        labels=("state",),
    )
    use.add_metric(("checked_out",), pool.checkedout())
    use.add_metric(("idle",), pool.checkedin())
    use.add_metric(("overflow",), max(pool.overflow(), 0))
    size = GaugeMetricFamily(
        "carebase_db_pool_size",
        "This process's database pool size (connections kept open; overflow comes on top).",
        value=pool.size(),
    )
    return [use, size]


def render(snapshot: Iterable[GaugeMetricFamily] = ()) -> bytes:
    """The text exposition: the counters (this process's, or the host's in multiprocess
    mode) and the snapshot's gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        counted = CollectorRegistry()
        multiprocess.MultiProcessCollector(counted)  # type: ignore[no-untyped-call]
        body = generate_latest(counted)
    else:
        body = generate_latest(REGISTRY)
    live = CollectorRegistry()
    live.register(Snapshot(snapshot))
    return body + generate_latest(live)


CONTENT_TYPE = CONTENT_TYPE_LATEST


def allowed(settings: Settings, *, peer: str | None, authorization: str | None) -> int:
    """200 when this caller may read metrics; else 404 (metrics off, or not on loopback) or
    401 (the bearer token is missing or wrong)."""
    token = settings.metrics_token.get_secret_value()
    if not token and not settings.metrics_loopback:
        return 404
    if settings.metrics_loopback and not _is_loopback(peer):
        return 404
    if token:
        given = (authorization or "").removeprefix("Bearer ").removeprefix("bearer ")
        if not hmac.compare_digest(given.encode(), token.encode()):
            return 401
    return 200


def _is_loopback(peer: str | None) -> bool:
    try:
        return peer is not None and ipaddress.ip_address(peer).is_loopback
    except ValueError:
        return False


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # scrapes are not news
        return


def serve_in_thread(
    settings: Settings, snapshot: Callable[[], Iterable[GaugeMetricFamily]] = list
) -> WSGIServer | None:
    """``carebase worker`` and ``carebase scheduler``: ``/metrics`` on ``CAREBASE_METRICS_PORT``
    (loopback only when ``CAREBASE_METRICS_LOOPBACK``), under the same token."""
    if not settings.metrics_port:
        return None
    host = "127.0.0.1" if settings.metrics_loopback else "0.0.0.0"

    def app(environ: dict[str, Any], start: Callable[..., Any]) -> list[bytes]:
        if environ.get("PATH_INFO") != "/metrics":
            start("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found\n"]
        status = allowed(
            settings,
            peer=environ.get("REMOTE_ADDR"),
            authorization=environ.get("HTTP_AUTHORIZATION"),
        )
        if status != 200:
            start(f"{status} {'Unauthorized' if status == 401 else 'Not Found'}", [])
            return [b""]
        start("200 OK", [("Content-Type", CONTENT_TYPE)])
        return [render(snapshot())]

    server = make_server(host, settings.metrics_port, app, handler_class=_QuietHandler)
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    log.info("metrics on port %s", settings.metrics_port)
    return server
