# ruff: noqa: E501
"""What the soak checks once the load has stopped: read from PostgreSQL, from localstripe's
own API, from the SMTP sink and from the webhook receiver. Each count must be 0."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.soak_receiver import Receiver
from tests.fixtures.smtp import Inbox

LIVE = "('BOOKED','OCCURRED','NO_SHOW')"
WEBHOOK_EVENTS = [
    "APPOINTMENT_BOOKED",
    "APPOINTMENT_RESCHEDULED",
    "APPOINTMENT_CANCELLED",
    "APPOINTMENT_STATUS_CHANGED",
    "PAYMENT_SUCCEEDED",
    "PAYMENT_FAILED",
]


@dataclass
class Tracked:
    """What the load did that the checks need: raw ids, not global ids."""

    organization_id: uuid.UUID | None = None
    endpoint_id: uuid.UUID | None = None
    # appointments moved BOOKED -> OCCURRED and never corrected: each owes one autocharge
    occurred: list[uuid.UUID] = field(default_factory=list)
    # idempotency key -> the payment ids its answers named
    charges: dict[str, set[str]] = field(default_factory=dict)
    # reminder appointments -> their client's email
    reminded: dict[uuid.UUID, str] = field(default_factory=dict)


async def stripe_intents(stripe_base: str, key: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": 100}
    async with httpx.AsyncClient(base_url=stripe_base, auth=(key, ""), timeout=30) as s:
        while True:
            response = await s.get("/v1/payment_intents", params=params)
            response.raise_for_status()
            page = response.json()
            found.extend(page["data"])
            if not page.get("has_more") or not page["data"]:
                return found
            params["starting_after"] = page["data"][-1]["id"]


def succeeded_by_payment(intents: list[dict[str, Any]]) -> Counter[str]:
    return Counter(
        (i.get("metadata") or {}).get("carebase_payment", "")
        for i in intents
        if i.get("status") == "succeeded"
    )


async def open_work(conn: Any, reminder_cutoff: Any) -> dict[str, int]:
    """Work still waiting: what a drained system has none of."""
    rows = {
        "emails unsent": "SELECT count(*) FROM emails WHERE status IN ('PENDING','SENDING')",
        "payments still charging": "SELECT count(*) FROM payments WHERE status IN ('SCHEDULED','PROCESSING') AND kind <> 'SCHEDULED'",
        "webhook deliveries open": "SELECT count(*) FROM webhook_deliveries WHERE status IN ('PENDING','RETRYING')",
        "outbox events not fanned out": "SELECT count(*) FROM outbox_events WHERE fanned_out_at IS NULL",
    }
    found = {name: int(await conn.fetchval(sql)) for name, sql in rows.items()}
    found["reminders due and unsent"] = int(
        await conn.fetchval(
            "SELECT count(*) FROM reminders WHERE status = 'PENDING' AND due_at <= $1",
            reminder_cutoff,
        )
    )
    return found


async def check(
    conn: Any,
    *,
    stripe_base: str,
    stripe_key: str,
    inbox: Inbox,
    receiver: Receiver,
    tracked: Tracked,
    reminder_cutoff: Any,
) -> tuple[dict[str, int], dict[str, int]]:
    """(invariants, each 0 when it holds; what was checked, for the printout)."""
    found: dict[str, int] = {}
    seen: dict[str, int] = {}
    found["double bookings"] = int(
        await conn.fetchval(
            f"""SELECT count(*) FROM appointments a JOIN appointments b
               ON a.provider_id = b.provider_id AND a.id < b.id
               AND a.status IN {LIVE} AND b.status IN {LIVE}
               AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at"""
        )
    )

    intents = await stripe_intents(stripe_base, stripe_key)
    charged = succeeded_by_payment(intents)
    found["payments charged more than once in Stripe"] = sum(
        1 for payment, n in charged.items() if payment and n > 1
    )
    found["idempotency keys answered with more than one payment"] = sum(
        1 for ids in tracked.charges.values() if len(ids) > 1
    )
    # the payment a key made was charged, exactly once
    key_payments = [next(iter(ids)) for ids in tracked.charges.values() if len(ids) == 1]
    raw = await conn.fetch(
        "SELECT id, status FROM payments WHERE id = ANY($1::uuid[])",
        [uuid.UUID(p) for p in key_payments],
    )
    found["one-time charges not charged exactly once"] = sum(
        1 for r in raw if r["status"] != "SUCCEEDED" or charged[str(r["id"])] != 1
    ) + (len(key_payments) - len(raw))

    autocharges = await conn.fetch(
        """SELECT a.id AS appointment, a.status AS status, p.id AS payment, p.status AS paid
           FROM appointments a LEFT JOIN payments p
           ON p.appointment_id = a.id AND p.kind = 'AUTOCHARGE'
           WHERE a.id = ANY($1::uuid[])""",
        tracked.occurred,
    )
    found["autocharges missing for OCCURRED appointments"] = sum(
        1
        for r in autocharges
        if r["status"] != "OCCURRED"
        or r["payment"] is None
        or r["paid"] != "SUCCEEDED"
        or charged[str(r["payment"])] != 1
    ) + (len(tracked.occurred) - len(autocharges))

    reminders = await conn.fetch(
        "SELECT appointment_id, status, due_at <= $2 AS due FROM reminders WHERE appointment_id = ANY($1::uuid[])",
        list(tracked.reminded),
        reminder_cutoff,
    )
    # every reminder sent is one email; one due by the cutoff has been sent
    sent = Counter(r["appointment_id"] for r in reminders if r["status"] == "SENT")
    unsent = sum(1 for r in reminders if r["due"] and r["status"] != "SENT")
    twice = missing = 0
    for appointment, address in tracked.reminded.items():
        emails = sum(1 for m in inbox.to(address) if str(m["Subject"]).startswith("Reminder:"))
        twice += max(0, emails - sent[appointment])
        missing += max(0, sent[appointment] - emails)
    found["reminders sent twice"] = twice
    found["reminders not sent at all"] = unsent + missing
    seen["reminders due during the run"] = sum(1 for r in reminders if r["due"])
    seen["reminders sent"] = sum(sent.values())

    events = await conn.fetch(
        """SELECT o.id FROM outbox_events o JOIN webhook_endpoints e ON e.id = $1
           WHERE o.organization_id = e.organization_id AND o.created_at >= e.created_at
           AND o.type::text = ANY($2::text[])""",
        tracked.endpoint_id,
        WEBHOOK_EVENTS,
    )
    arrived = {a.message_id for a in receiver.accepted}
    found["webhook events lost"] = sum(1 for (e,) in events if f"evt_{e.hex}" not in arrived)
    found["webhook events out of order per resource"] = receiver.out_of_order()
    found["webhook deliveries with a bad signature"] = receiver.bad_signatures
    seen["webhook events to deliver"] = len(events)
    seen["webhook requests failed with 503 on purpose"] = receiver.failed
    seen["autocharged appointments"] = len(tracked.occurred)
    seen["one-time charges (idempotency keys)"] = len(tracked.charges)
    seen["Stripe PaymentIntents"] = len(intents)
    return found, seen
