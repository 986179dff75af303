"""carebase serve | worker | scheduler | migrate | seed | export-schema | export-operations |
audit export"""

from __future__ import annotations

import argparse
import asyncio
import io
import logging
import os
import signal
import sys
import threading
import uuid
from pathlib import Path
from typing import Any

from carebase import logs
from carebase.config import Settings, SettingsError


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as exc:
        print(f"carebase: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _ensure_schema(settings: Settings) -> None:
    """SQLite is created and migrated on first start; PostgreSQL is migrated explicitly."""
    from carebase import migrate

    if settings.is_sqlite:
        migrate.upgrade(settings)
    elif not migrate.is_current(settings):
        print(
            "carebase: the database is not at the latest migration; run `carebase migrate`",
            file=sys.stderr,
        )
        raise SystemExit(2)


def serve(args: argparse.Namespace) -> None:
    from carebase.app import create_app
    from carebase.server import DrainingServer, uvicorn_config

    settings = _settings()
    _ensure_schema(settings)
    app = create_app(settings)
    config = uvicorn_config(
        app,
        settings,
        host=args.host,
        port=args.port,
        # one format (JSON in production); request lines without query strings
        log_config=logs.log_config(json=settings.is_production),
    )
    DrainingServer(config, readiness=app.state.readiness).run()


def _wait_for_signal() -> None:
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()


def worker(args: argparse.Namespace) -> None:
    from carebase.jobs.runtime import start_runtime
    from carebase.resolvers.reactions import build_hooks

    settings = _settings()
    if settings.in_process_jobs:
        print(
            "carebase: set CAREBASE_BROKER_URL to run a worker; without it "
            "`carebase serve` runs jobs in-process",
            file=sys.stderr,
        )
        raise SystemExit(2)
    from carebase import metrics
    from carebase.jobs.runtime import queue_depths

    runtime = start_runtime(settings, build_hooks())
    metrics.serve_in_thread(
        settings, lambda: [metrics.queue_depth_family(queue_depths(runtime.broker))]
    )
    from carebase.schema import build_schema
    from carebase.schema.webhooks.objects import SchemaObjectReader

    runtime.object_reader = SchemaObjectReader(
        build_schema(production=settings.is_production), runtime.database
    )
    running = runtime.start_worker(threads=args.threads)
    log = logging.getLogger("carebase")
    log.info("worker started with %s threads", args.threads)
    try:
        _wait_for_signal()
    finally:
        # each thread finishes the job it holds (up to the grace); what it has not begun goes
        # back to the broker at once, and a job still running past the grace is redelivered
        # once this worker's heartbeat is stale (nothing is acknowledged before it is done)
        log.info("worker stopping: finishing current jobs")
        running.stop(timeout=int(settings.shutdown_grace_seconds * 1000))
        log.info("worker stopped")


def scheduler(args: argparse.Namespace) -> None:
    from carebase import metrics
    from carebase.db import Database
    from carebase.jobs import scheduler as ticks
    from carebase.jobs.runtime import start_runtime
    from carebase.resolvers.reactions import build_hooks

    settings = _settings()
    hooks = build_hooks()
    runtime = start_runtime(settings, hooks)
    metrics.serve_in_thread(settings)

    async def main() -> None:
        db = Database(settings, hooks=hooks, dispatch=runtime.dispatch)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            await ticks.run_forever(db, settings.scheduler_interval_seconds, stop)
        finally:
            await db.dispose()

    asyncio.run(main())


def migrate_cmd(args: argparse.Namespace) -> None:
    from carebase import migrate

    migrate.upgrade(_settings())
    print("carebase: database is at the latest migration")


def seed(args: argparse.Namespace) -> None:
    from carebase.seed import seed_demo, seed_large_practice

    settings = _settings()
    _ensure_schema(settings)
    if args.size == "large":
        asyncio.run(seed_large_practice(settings, scale=args.scale))
    else:
        asyncio.run(seed_demo(settings, clients=args.clients))


def export_schema(args: argparse.Namespace) -> None:
    from carebase.schema import export_sdl

    sys.stdout.write(export_sdl())


def export_operations(args: argparse.Namespace) -> None:
    from graphql import GraphQLError

    from carebase.schema.manifest import ManifestError, build_manifest, render_manifest

    try:
        sys.stdout.write(render_manifest(build_manifest(Path(args.directory))))
    except (ManifestError, GraphQLError, OSError) as exc:
        sys.exit(f"carebase export-operations: {exc}")


def _record_id(value: str | None, kind: str, option: str) -> uuid.UUID | None:
    """A global id of ``kind`` (as the API shows it) or a bare UUID."""
    from carebase.audit_export import ExportError
    from carebase.errors import DomainError
    from carebase.schema.relay import parse_global_id

    if value is None:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        pass
    try:
        type_name, key = parse_global_id(value, option)
    except DomainError:
        type_name, key = "", None
    if type_name != kind or key is None:
        raise ExportError(f"--{option}: not the id of a {kind}")
    return key


def audit_export(args: argparse.Namespace) -> None:
    from carebase.audit_export import ExportError, ExportRange, parse_bound

    try:
        span = ExportRange(
            start=parse_bound(args.start, name="from", end=False),
            end=parse_bound(args.end, name="to", end=True),
            organization_id=_record_id(args.organization, "Organization", "organization"),
            client_id=_record_id(args.client, "Client", "client"),
        )
    except ExportError as exc:
        sys.exit(f"carebase audit export: {exc}")
    settings = _settings()
    _ensure_schema(settings)
    target = Path(args.output) if args.output else None
    written = asyncio.run(_export(settings, span, target, show=bool(target) or sys.stderr.isatty()))
    where = f" to {target}" if target else ""
    print(f"carebase: exported {written} audit events{where}", file=sys.stderr)


async def _export(settings: Settings, span: Any, target: Path | None, *, show: bool) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from carebase.audit_export import count_rows, export_rows
    from carebase.db import READ_OPTION, make_engine
    from carebase.schema.relay import to_global_id

    engine = make_engine(settings, pool_size=1)
    progress = Progress(
        "audit export",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        disable=not show,
    )
    partial = target.with_name(target.name + ".partial") if target else None
    try:
        async with engine.connect() as connection:
            connection = await connection.execution_options(**{READ_OPTION: True})
            total = await count_rows(connection, span)
            task = progress.add_task("rows", total=total)
            # the file appears whole or not at all
            out = (
                partial.open("w", encoding="utf-8", newline="")
                if partial
                else io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
            )
            try:
                with progress:
                    written = await export_rows(
                        connection,
                        span,
                        out,
                        gid=to_global_id,
                        progress=lambda n: progress.advance(task, n),
                    )
            finally:
                out.flush()
                if partial:
                    out.close()
                else:
                    out.detach()  # leave sys.stdout open
        if partial and target:
            os.replace(partial, target)
        return written
    finally:
        if partial and partial.exists():
            partial.unlink()
        await engine.dispose()


def main(argv: list[str] | None = None) -> None:
    logs.configure()
    parser = argparse.ArgumentParser(prog="carebase", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("serve", help="run the API (uvicorn)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.set_defaults(func=serve)
    p = commands.add_parser("worker", help="run Dramatiq workers on CAREBASE_BROKER_URL")
    p.add_argument("--threads", type=int, default=8)
    p.set_defaults(func=worker)
    commands.add_parser("scheduler", help="enqueue due work every interval").set_defaults(
        func=scheduler
    )
    commands.add_parser(
        "migrate", help="upgrade the database to the latest migration"
    ).set_defaults(func=migrate_cmd)
    p = commands.add_parser("seed", help="create a demo practice")
    p.add_argument(
        "--size",
        choices=("small", "large"),
        default="small",
        help="small: the demo (default); large: 50 providers, 5,000 clients, "
        "50,000 appointments over a year, for benchmarks",
    )
    p.add_argument("--clients", type=int, default=20, help="clients of the small demo")
    # a large practice of the same shape, scaled down (tests, quick benchmarks)
    p.add_argument("--scale", type=float, default=1.0, help=argparse.SUPPRESS)
    p.set_defaults(func=seed)
    commands.add_parser("export-schema", help="print the GraphQL SDL").set_defaults(
        func=export_schema
    )
    p = commands.add_parser(
        "export-operations",
        help="print the manifest of registered documents (gql/operations/manifest.json)",
    )
    p.add_argument("directory", nargs="?", default="gql/operations")
    p.set_defaults(func=export_operations)
    p = commands.add_parser("audit", help="the audit log")
    audit = p.add_subparsers(dest="audit_command", required=True)
    p = audit.add_parser(
        "export",
        help="write the audit events of a range as CSV (to stdout, or --output FILE)",
        description="Days are UTC; --to includes its whole day (an instant with an offset "
        "is excluded). Columns: see the README.",
    )
    p.add_argument("--from", dest="start", required=True, help="a day or an ISO 8601 instant")
    p.add_argument("--to", dest="end", required=True, help="a day or an ISO 8601 instant")
    p.add_argument("--client", help="only this client's (global id or UUID)")
    p.add_argument("--organization", help="only this organization's (global id or UUID)")
    p.add_argument("--output", help="write to FILE (with a progress bar) instead of stdout")
    p.set_defaults(func=audit_export)
    args = parser.parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
