"""The bare reference endpoint `bench/api.py` measures Carebase against.

A Starlette app: each request runs one SQLAlchemy Core statement (a join) on the same
database and answers with orjson the JSON the matching GraphQL document gets from Carebase
(ids included, in the same global id encoding), with none of the rest: no authentication,
no policy, no audit, no GraphQL. Booking does one conflict check and one insert.

    python bench/reference.py --database URL --organization UUID --port N
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import orjson
import uvicorn
from sqlalchemy import Text, and_, cast, event, func, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.orm import aliased
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from carebase.models import (
    Account,
    Appointment,
    AppointmentStatus,
    AppointmentType,
    Availability,
    Form,
    FormRequest,
    Message,
    Payment,
    Role,
)

LIVE = (AppointmentStatus.BOOKED, AppointmentStatus.OCCURRED, AppointmentStatus.NO_SHOW)
Client = aliased(Account)
Provider = aliased(Account)
Sender = aliased(Account)


def gid(type_name: str, key: uuid.UUID) -> str:
    """Carebase's Node id: base64url of ``Type:uuid``."""
    return base64.urlsafe_b64encode(f"{type_name}:{key}".encode()).decode()


def at(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def money(cents: int, currency: str) -> dict[str, Any]:
    return {"amountCents": cents, "currency": currency}


def answer(data: dict[str, Any]) -> Response:
    return Response(orjson.dumps({"data": data}), media_type="application/json")


def engine_for(url: str) -> AsyncEngine:
    if not url.startswith("sqlite"):
        return create_async_engine(url, pool_size=16)
    engine = create_async_engine(url, pool_size=16, connect_args={"timeout": 30})

    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(conn: Connection) -> None:
        # a booking waits for the write lock up front; reads take a plain transaction
        writes = conn.get_execution_options().get("write")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")

    return engine


def build(url: str, organization: uuid.UUID) -> Starlette:
    engine = engine_for(url)

    async def appointments(request: Request) -> Response:
        first = int(request.query_params.get("first", "20"))
        page = (
            select(Appointment.id)
            .where(Appointment.organization_id == organization)
            .order_by(Appointment.starts_at, Appointment.id)
            .limit(first)
            .subquery()
        )
        stmt = (
            select(
                Appointment.id,
                Appointment.starts_at,
                Appointment.ends_at,
                Appointment.status,
                Appointment.late_cancellation,
                Client.id,
                Client.name,
                Provider.id,
                Provider.name,
                AppointmentType.id,
                AppointmentType.name,
                AppointmentType.duration_minutes,
                AppointmentType.price_cents,
                AppointmentType.currency,
                Payment.id,
                Payment.kind,
                Payment.status,
                Payment.amount_cents,
                Payment.currency,
                Payment.refunded_cents,
            )
            .select_from(page)
            .join(Appointment, Appointment.id == page.c.id)
            .join(Client, Client.id == Appointment.client_id)
            .join(Provider, Provider.id == Appointment.provider_id)
            .join(AppointmentType, AppointmentType.id == Appointment.appointment_type_id)
            .outerjoin(Payment, Payment.appointment_id == Appointment.id)
            .order_by(Appointment.starts_at, Appointment.id, Payment.created_at, Payment.id)
        )
        async with engine.connect() as conn:
            rows = (await conn.execute(stmt)).all()
        nodes: dict[uuid.UUID, dict[str, Any]] = {}
        for r in rows:
            node = nodes.get(r[0])
            if node is None:
                price = None if r[12] is None else money(r[12], r[13])
                node = nodes[r[0]] = {
                    "id": gid("Appointment", r[0]),
                    "startsAt": at(r[1]),
                    "endsAt": at(r[2]),
                    "status": r[3].value,
                    "lateCancellation": r[4],
                    "client": {"id": gid("Client", r[5]), "name": r[6]},
                    "provider": {"id": gid("Member", r[7]), "name": r[8]},
                    "appointmentType": {
                        "id": gid("AppointmentType", r[9]),
                        "name": r[10],
                        "durationMinutes": r[11],
                        "price": price,
                    },
                    "payments": [],
                }
            if r[14] is not None:
                node["payments"].append(
                    {
                        "id": gid("Payment", r[14]),
                        "kind": r[15].value,
                        "status": r[16].value,
                        "amount": money(r[17], r[18]),
                        "refunded": money(r[19], r[18]),
                    }
                )
        edges = [{"node": n} for n in nodes.values()]
        return answer({"appointments": {"edges": edges}})

    async def clients(request: Request) -> Response:
        first = int(request.query_params.get("first", "20"))
        stmt = (
            select(Client.id, Client.name, Client.email, Client.phone, Provider.id, Provider.name)
            .outerjoin(Provider, Provider.id == Client.provider_id)
            .where(
                Client.organization_id == organization,
                Client.role == Role.CLIENT,
                Client.archived_at.is_(None),
            )
            .order_by(Client.name, Client.id)
            .limit(first)
        )
        async with engine.connect() as conn:
            rows = (await conn.execute(stmt)).all()
        edges = [
            {
                "node": {
                    "id": gid("Client", r[0]),
                    "name": r[1],
                    "email": r[2],
                    "phone": r[3],
                    "provider": None if r[4] is None else {"id": gid("Member", r[4]), "name": r[5]},
                }
            }
            for r in rows
        ]
        return answer({"clients": {"edges": edges}})

    async def form_requests(request: Request) -> Response:
        first = int(request.query_params.get("first", "20"))
        stmt = (
            select(
                FormRequest.id,
                FormRequest.status,
                FormRequest.form_version,
                FormRequest.required,
                Client.id,
                Client.name,
                Form.id,
                Form.name,
            )
            .join(Client, Client.id == FormRequest.client_id)
            .join(Form, Form.id == FormRequest.form_id)
            .where(FormRequest.organization_id == organization)
            .order_by(FormRequest.created_at, FormRequest.position, FormRequest.id)
            .limit(first)
        )
        async with engine.connect() as conn:
            rows = (await conn.execute(stmt)).all()
        edges = [
            {
                "node": {
                    "id": gid("FormRequest", r[0]),
                    "status": r[1].value,
                    "formVersion": r[2],
                    "required": r[3],
                    "client": {"id": gid("Client", r[4]), "name": r[5]},
                    "form": {"id": gid("Form", r[6]), "name": r[7]},
                }
            }
            for r in rows
        ]
        return answer({"formRequests": {"edges": edges}})

    async def messages(request: Request) -> Response:
        first = int(request.query_params.get("first", "20"))
        conversation = uuid.UUID(request.query_params["conversation"])
        stmt = (
            select(
                Message.id, Message.body, Message.created_at, Sender.id, Sender.role, Sender.name
            )
            .join(Sender, Sender.id == Message.sender_id)
            .where(Message.conversation_id == conversation)
            .order_by(Message.created_at.desc(), Message.id.desc())
            .limit(first)
        )
        async with engine.connect() as conn:
            rows = (await conn.execute(stmt)).all()
        edges = [
            {
                "node": {
                    "id": gid("Message", r[0]),
                    "body": r[1],
                    "sentAt": at(r[2]),
                    "sender": {
                        "id": gid("Client" if r[4] is Role.CLIENT else "Member", r[3]),
                        "name": r[5],
                    },
                }
            }
            for r in rows
        ]
        return answer({"conversation": {"messages": {"edges": edges}}})

    async def available_slots(request: Request) -> Response:
        q = request.query_params
        provider, kind = uuid.UUID(q["provider"]), uuid.UUID(q["type"])
        start, end = datetime.fromisoformat(q["from"]), datetime.fromisoformat(q["to"])
        # one join: the hours and the type beside each live appointment in the range
        stmt = (
            select(
                Availability.timezone,
                # as text: decoded once below, not once per joined row
                cast(Availability.weekly, Text),
                Availability.minimum_notice_minutes,
                Availability.horizon_days,
                AppointmentType.duration_minutes,
                Appointment.starts_at,
                Appointment.ends_at,
            )
            .select_from(Availability)
            .join(AppointmentType, AppointmentType.id == kind)
            .outerjoin(
                Appointment,
                and_(
                    Appointment.provider_id == Availability.provider_id,
                    Appointment.status.in_(LIVE),
                    Appointment.starts_at < end + timedelta(days=1),
                    Appointment.ends_at > start - timedelta(days=1),
                ),
            )
            .where(Availability.provider_id == provider)
            .order_by(Appointment.starts_at)
        )
        async with engine.connect() as conn:
            rows = (await conn.execute(stmt)).all()
        found: list[dict[str, str]] = []
        if rows:
            zone = ZoneInfo(rows[0][0])
            hours = {w["weekday"]: (w["start"], w["end"]) for w in orjson.loads(rows[0][1])}
            now = datetime.now(UTC)
            earliest = now + timedelta(minutes=rows[0][2])
            latest = now + timedelta(days=rows[0][3])
            length = timedelta(minutes=rows[0][4])
            busy = [(r[5], r[6]) for r in rows if r[5] is not None]
            day = start.astimezone(zone).date() - timedelta(days=1)
            b = 0
            while day <= end.astimezone(zone).date():
                if day.isoweekday() in hours:
                    opens, closes = hours[day.isoweekday()]
                    moment = datetime.fromisoformat(f"{day}T{opens}").replace(tzinfo=zone)
                    closing = datetime.fromisoformat(f"{day}T{closes}").replace(tzinfo=zone)
                    moment, closing = moment.astimezone(UTC), closing.astimezone(UTC)
                    while moment + length <= closing:
                        finish = moment + length
                        # live appointments never overlap (booking sees to it): the first
                        # one ending after `moment` is the only one that can clash
                        while b < len(busy) and busy[b][1] <= moment:
                            b += 1
                        clash = b < len(busy) and busy[b][0] < finish
                        if start <= moment < end and earliest <= moment <= latest and not clash:
                            found.append({"startsAt": at(moment), "endsAt": at(finish)})
                        moment = finish
                day += timedelta(days=1)
        return answer({"availableSlots": found})

    async def book(request: Request) -> Response:
        body = orjson.loads(await request.body())
        client, provider = uuid.UUID(body["client"]), uuid.UUID(body["provider"])
        kind, starts = uuid.UUID(body["type"]), datetime.fromisoformat(body["startsAt"])
        minutes = int(body["minutes"])
        ends = starts + timedelta(minutes=minutes)
        now = datetime.now(UTC)
        async with engine.connect() as conn:
            conn = await conn.execution_options(write=True)
            async with conn.begin():
                clash = await conn.scalar(
                    select(func.count(Appointment.id)).where(
                        Appointment.provider_id == provider,
                        Appointment.status.in_(LIVE),
                        Appointment.starts_at < ends,
                        Appointment.ends_at > starts,
                    )
                )
                if clash:
                    return answer(
                        {
                            "bookAppointment": {
                                "appointment": None,
                                "userErrors": [{"code": "SLOT_UNAVAILABLE"}],
                            }
                        }
                    )
                key = uuid.uuid4()
                await conn.execute(
                    insert(Appointment).values(
                        id=key,
                        created_at=now,
                        updated_at=now,
                        organization_id=organization,
                        client_id=client,
                        provider_id=provider,
                        appointment_type_id=kind,
                        starts_at=starts,
                        ends_at=ends,
                        status=AppointmentStatus.BOOKED,
                        booked_by_id=None,
                        unverified=False,
                        late_cancellation=False,
                    )
                )
        appointment = {
            "id": gid("Appointment", key),
            "startsAt": at(starts),
            "endsAt": at(ends),
            "status": "BOOKED",
        }
        return answer({"bookAppointment": {"appointment": appointment, "userErrors": []}})

    async def health(request: Request) -> Response:
        return Response(b"ok")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await engine.dispose()

    return Starlette(
        routes=[
            Route("/appointments", appointments),
            Route("/clients", clients),
            Route("/form-requests", form_requests),
            Route("/messages", messages),
            Route("/slots", available_slots),
            Route("/book", book, methods=["POST"]),
            Route("/health", health),
        ],
        lifespan=lifespan,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", required=True)
    parser.add_argument("--organization", required=True, type=uuid.UUID)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    app = build(args.database, args.organization)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
