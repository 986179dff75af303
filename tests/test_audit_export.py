"""``carebase audit export``: the CSV holds exactly the range's rows (and the client's), with
its header and proper quoting, to stdout or a file (with a progress bar), and streams: the
memory it takes does not grow with the rows (measured by tracemalloc, never by time)."""

from __future__ import annotations

import csv
import io
import subprocess
import tracemalloc
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert
from starlette.applications import Starlette

from carebase.audit_export import COLUMNS, ExportError, ExportRange, export_rows, parse_bound
from carebase.models import AuditEvent
from carebase.schema.relay import to_global_id
from tests.conftest import Practice
from tests.fixtures.factories import key_of
from tests.test_cli import CAREBASE, clean_env

DAY = datetime(2032, 6, 15, tzinfo=UTC)


def row(org: uuid.UUID, at: datetime, **values: Any) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "organization_id": org,
        "actor_id": None,
        "api_key_id": None,
        "oauth_client_id": None,
        "client_id": None,
        "action": "read",
        "resource": "client",
        "resource_id": None,
        "operation": "export-test",
        "ip": "203.0.113.5",
        "created_at": at,
        "updated_at": at,
        **values,
    }


async def insert_rows(app: Starlette, rows: list[dict[str, Any]], chunk: int = 10_000) -> None:
    for start in range(0, len(rows), chunk):
        async with app.state.db.unit_of_work(write=True) as uow:
            await uow.session.execute(insert(AuditEvent), rows[start : start + chunk])


def parsed(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), strict=True))


def export(
    app: Starlette, *args: str, output: Path | None = None
) -> subprocess.CompletedProcess[str]:
    command = [CAREBASE, "audit", "export", *args]
    if output is not None:
        command += ["--output", str(output)]
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=120,
        env=clean_env(CAREBASE_DATABASE_URL=app.state.settings.database_url),
    )


@pytest.fixture
async def logged(app: Starlette, practice: Practice) -> dict[str, Any]:
    """Rows of one organization around DAY: two inside for a client, one inside about nobody
    with text that needs quoting, one on each edge outside, and another organization's."""
    org = key_of(practice.id)
    client, actor = uuid.uuid4(), uuid.uuid4()
    inside = [
        row(org, DAY, client_id=client, resource_id=client, actor_id=actor),
        row(
            org,
            DAY + timedelta(hours=12),
            action="write",
            resource='note, "quoted"\nand split',
            operation="updateClient",
            ip="10.0.0.1, 10.0.0.2",
        ),
        row(
            org,
            DAY + timedelta(hours=23, minutes=59, seconds=59),
            client_id=client,
            actor_id=client,
        ),
    ]
    outside = [
        row(org, DAY - timedelta(microseconds=1), client_id=client),
        row(org, DAY + timedelta(days=1), client_id=client),
    ]
    await insert_rows(app, inside + outside)
    return {"org": org, "client": client, "actor": actor, "inside": inside}


async def test_the_file_holds_exactly_the_days_rows_quoted(
    app: Starlette, logged: dict[str, Any], tmp_path: Path
) -> None:
    org_id = str(to_global_id("Organization", logged["org"]))
    target = tmp_path / "audit.csv"
    done = export(
        app, "--from", "2032-06-15", "--to", "2032-06-15", "--organization", org_id, output=target
    )
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "audit.csv.partial").exists()
    table = parsed(target.read_text(encoding="utf-8"))
    assert table[0] == list(COLUMNS)
    expected = [str(to_global_id("AuditEvent", r["id"])) for r in logged["inside"]]
    assert [r[0] for r in table[1:]] == expected  # oldest first, nothing outside the day
    first, quoted, own = (dict(zip(COLUMNS, r, strict=True)) for r in table[1:])
    assert first["created_at"] == "2032-06-15T00:00:00+00:00"
    assert first["organization_id"] == org_id
    assert first["client_id"] == str(to_global_id("Client", logged["client"]))
    assert first["resource_id"] == first["client_id"]
    assert first["actor_id"] == str(to_global_id("Member", logged["actor"]))
    assert own["actor_id"] == str(to_global_id("Client", logged["client"]))  # the client acted
    assert quoted["resource"] == 'note, "quoted"\nand split'
    assert quoted["ip"] == "10.0.0.1, 10.0.0.2"
    assert (quoted["client_id"], quoted["actor_id"], quoted["api_key_id"]) == ("", "", "")
    raw = target.read_text(encoding="utf-8")
    assert '"note, ""quoted""\nand split"' in raw  # RFC 4180 quoting
    # the file was written: the progress bar went to stderr, ending at every row
    assert "3/3" in done.stderr
    assert "exported 3 audit events" in done.stderr


async def test_stdout_and_the_client_filter(app: Starlette, logged: dict[str, Any]) -> None:
    client = str(to_global_id("Client", logged["client"]))
    done = export(app, "--from", "2032-06-15T00:00:00Z", "--to", "2032-06-17", "--client", client)
    assert done.returncode == 0, done.stderr
    table = parsed(done.stdout)
    assert table[0] == list(COLUMNS)
    ids = [r[0] for r in table[1:]]
    # the client's: the two of the day and the one of the next, not the one before
    assert len(ids) == 3 and all(r[COLUMNS.index("client_id")] == client for r in table[1:])
    assert str(to_global_id("AuditEvent", logged["inside"][0]["id"])) == ids[0]
    # stdout is the data; stderr (no terminal) carries no progress bar, just the summary
    assert "━" not in done.stderr and "3/3" not in done.stderr
    assert "exported 3 audit events" in done.stderr
    # a bare UUID names the client too; an instant --to excludes itself
    same = export(
        app,
        "--from",
        "2032-06-15",
        "--to",
        "2032-06-15T23:59:59+00:00",
        "--client",
        str(logged["client"]),
    )
    assert [r[0] for r in parsed(same.stdout)[1:]] == ids[:1]


async def test_bad_arguments_say_which(app: Starlette) -> None:
    done = export(app, "--from", "yesterday", "--to", "2032-06-15")
    assert done.returncode == 1 and done.stdout == ""
    assert "--from: not a date" in done.stderr
    done = export(app, "--from", "2032-06-15", "--to", "2032-06-16", "--client", "bm90LWFuLWlk")
    assert done.returncode == 1 and "--client: not the id of a Client" in done.stderr
    with pytest.raises(ExportError, match="--from: give the instant's offset"):
        parse_bound("2032-06-15T10:00:00", name="from", end=False)
    with pytest.raises(ExportError, match="--to: not a date"):
        parse_bound("2032-13-01", name="to", end=True)
    with pytest.raises(ExportError, match="--to must be after --from"):
        ExportRange(start=DAY, end=DAY)
    assert parse_bound("2032-06-15", name="to", end=True) == DAY + timedelta(days=1)
    assert parse_bound("2032-06-15T05:00:00-05:00", name="from", end=False) == DAY.replace(hour=10)


async def peak_of_export(app: Starlette, span: ExportRange, target: Path) -> tuple[int, int]:
    """(rows written, peak traced memory) of one export into a file."""
    tracemalloc.start()
    try:
        async with app.state.db.engine.connect() as connection:
            with target.open("w", encoding="utf-8", newline="") as out:
                written = await export_rows(connection, span, out, gid=to_global_id)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return written, peak


async def test_memory_stays_flat_as_the_rows_grow(
    app: Starlette, practice: Practice, tmp_path: Path
) -> None:
    """Five times the rows, the same peak: rows stream through in chunks, whatever the
    total (a million rows take what these take)."""
    org = key_of(practice.id)
    few, many = 10_000, 50_000
    start = datetime(2033, 1, 1, tzinfo=UTC)
    await insert_rows(
        app,
        [
            row(
                org,
                start + timedelta(seconds=i),
                client_id=uuid.uuid4(),
                actor_id=uuid.uuid4(),
                resource_id=uuid.uuid4(),
            )
            for i in range(many)
        ],
    )
    small = ExportRange(start=start, end=start + timedelta(seconds=few), organization_id=org)
    large = ExportRange(start=start, end=start + timedelta(days=1), organization_id=org)
    written, small_peak = await peak_of_export(app, small, tmp_path / "small.csv")
    assert written == few
    target = tmp_path / "large.csv"
    written, large_peak = await peak_of_export(app, large, target)
    assert written == many
    with target.open(encoding="utf-8", newline="") as back:
        assert sum(1 for _ in csv.reader(back, strict=True)) == many + 1
    size = target.stat().st_size
    assert size > 15 * 2**20, size  # some 19 MB of CSV
    shown = f"peaks {small_peak / 2**20:.1f} and {large_peak / 2**20:.1f} MiB"
    # no growth with the rows (a margin for caches warmed once), and far below the data
    assert large_peak < small_peak + 2**20, shown
    assert large_peak < size / 4, shown
