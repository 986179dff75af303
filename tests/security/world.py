"""The authorization matrix's world: two organizations built through the API, every kind of
caller, the first organization's data as markers to search answers for, and a row
fingerprint to prove a refused mutation changed nothing.

Organization A has an owner (who is also the provider with hours), an invited provider, a
client with records of every kind (appointments, a form request with a draft answer, cards,
payments, invoices, a package purchase, a conversation with a message), a second client with
a portal login and nothing of their own, API keys and OAuth clients. Organization B has only
its owner. Every name carries a per-run suffix, so a marker of A never occurs in B's answers.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Table, select
from starlette.applications import Starlette

from carebase.auth.scopes import AREAS
from carebase.models.base import Base
from tests.conftest import PASSWORD, token_from, unique_email
from tests.fixtures.factories import key_of
from tests.fixtures.graphql import GraphQLClient
from tests.fixtures.scheduling import CHICAGO, local, next_weekday
from tests.fixtures.smtp import Inbox
from tests.fixtures.waiting import jobs_settled

ALL_SCOPES = sorted(f"{a}:{m}" for a in AREAS for m in ("read", "write"))


# --------------------------------------------------------------------------- callers


@dataclass
class Caller:
    """Who sends a request: a bearer token, headers (the publishable key), or nothing."""

    label: str
    token: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def http_headers(self) -> dict[str, str]:
        headers = dict(self.headers)
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers


def publishable(label: str, key: str) -> Caller:
    return Caller(label, headers={"X-Carebase-Publishable-Key": key})


# --------------------------------------------------------------------------- the world


@dataclass
class World:
    api: GraphQLClient
    app: Starlette
    suffix: str
    org_a: dict[str, Any]
    org_b: dict[str, Any]
    owner_a: Caller
    client1: Caller
    client2: Caller
    owner_b: Caller
    anonymous: Caller
    publishable_a: Caller
    publishable_b: Caller
    # "no:<area>": every scope but the area's; "ro:<area>": every scope but <area>:write
    keys: dict[str, Caller]
    ids: dict[str, str]
    times: dict[str, str]
    values: dict[str, Any]
    # every string of A's data: global id, raw key, name, email, phone, body, secret -> label
    markers: dict[str, str]
    # what the second client of A may see of A by design (the organization itself, its
    # appointment types and packages, its providers' names and ids, themself)
    seen_by_client2: set[str]

    def caller(self, name: str) -> Caller:
        if name.startswith(("no:", "ro:")):
            return self.keys[name]
        found = getattr(self, name)
        assert isinstance(found, Caller), name
        return found

    def markers_for(self, caller: Caller) -> dict[str, str]:
        if caller is self.client2:
            return {m: v for m, v in self.markers.items() if m not in self.seen_by_client2}
        return self.markers

    def add_markers(self, label: str, *values: str | None) -> None:
        for value in values:
            if value:
                self.markers[value] = label
                if _is_global_id(value):
                    self.markers[str(key_of(value))] = label


def _is_global_id(value: str) -> bool:
    try:
        key_of(value)
    except Exception:
        return False
    return True


# --------------------------------------------------------------------------- requests


async def call(
    api: GraphQLClient, caller: Caller, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    return await api.raw(query, variables, headers=caller.http_headers())


async def done(
    api: GraphQLClient,
    name: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A named document of gql/operations/ that must succeed: its payload."""
    data = await api.op(name, variables, token=token, headers=headers)
    [payload] = data.values()
    if isinstance(payload, dict) and "userErrors" in payload:
        assert payload["userErrors"] == [], (name, payload)
    return payload  # type: ignore[no-any-return]


async def sign_up_as(api: GraphQLClient, organization: str, owner: str) -> dict[str, Any]:
    payload = await done(
        api,
        "SignUpOrganization",
        {
            "input": {
                "organizationName": organization,
                "name": owner,
                "email": unique_email("owner"),
                "password": PASSWORD,
                "timezone": "America/Chicago",
            }
        },
    )
    return payload


async def portal_client(
    api: GraphQLClient, smtp: Inbox, owner: str, name: str, **extra: Any
) -> tuple[dict[str, Any], str]:
    """A client of the owner's practice who accepted the invitation: (client, token)."""
    email = unique_email("client")
    created = await done(
        api,
        "CreateClient",
        {"input": {"name": name, "email": email, "sendInvitation": True, **extra}},
        token=owner,
    )
    [invite] = await smtp.wait_for(email, subject="invited")
    accepted = await done(
        api, "AcceptInvitation", {"input": {"token": token_from(invite), "password": PASSWORD}}
    )
    return created["client"], str(accepted["accessToken"])


async def plain_client(api: GraphQLClient, owner: str, name: str) -> dict[str, Any]:
    created = await done(
        api, "CreateClient", {"input": {"name": name, "email": unique_email("client")}}, token=owner
    )
    return created["client"]  # type: ignore[no-any-return]


# --------------------------------------------------------------------------- the build


async def build_world(api: GraphQLClient, app: Starlette, smtp: Inbox) -> World:
    s = uuid.uuid4().hex[:8]
    a = await sign_up_as(api, f"Aldermere Wellness {s}", f"Odessa Quill {s}")
    b = await sign_up_as(api, f"Brackenridge Clinic {s}", f"Bram Ostrow {s}")
    owner = str(a["accessToken"])
    world = World(
        api=api,
        app=app,
        suffix=s,
        org_a=a["organization"],
        org_b=b["organization"],
        owner_a=Caller("owner of A", owner),
        client1=Caller("client 1 of A"),
        client2=Caller("client 2 of A"),
        owner_b=Caller("owner of B", str(b["accessToken"])),
        anonymous=Caller("anonymous"),
        publishable_a=publishable("A's publishable key", a["organization"]["publishableKey"]),
        publishable_b=publishable("B's publishable key", b["organization"]["publishableKey"]),
        keys={},
        ids={},
        times={},
        values={},
        markers={},
        seen_by_client2=set(),
    )
    ids = world.ids
    ids["orgA"] = a["organization"]["id"]
    ids["ownerA"] = a["viewer"]["id"]
    world.values["ownerA.email"] = a["viewer"]["email"]

    # B's widget books too, so its publishable key meets A's ids, not "booking is off"
    await done(
        api,
        "UpdatePortalSettings",
        {"input": {"bookingOutsidePortal": True}},
        token=world.owner_b.token,
    )
    # the practice: widget booking on, the intake gate off (so a client's refusals are the
    # policy's, never INTAKE_REQUIRED), the owner's hours, a bookable video type
    await done(
        api,
        "UpdatePortalSettings",
        {"input": {"intakeGate": "OFF", "bookingOutsidePortal": True}},
        token=owner,
    )
    await done(
        api,
        "SetAvailability",
        {
            "input": {
                "providerId": ids["ownerA"],
                "weekly": [{"weekday": d, "start": "09:00", "end": "17:00"} for d in range(1, 6)],
                "timezone": "America/Chicago",
            }
        },
        token=owner,
    )
    for label, name in (("type", "Aldermere Session"), ("typeToUpdate", "Aldermere Intro")):
        made = await done(
            api,
            "CreateAppointmentType",
            {
                "input": {
                    "name": f"{name} {s}",
                    "durationMinutes": 60,
                    "contactType": "VIDEO",
                    "priceCents": 12000,
                }
            },
            token=owner,
        )
        ids[label] = made["appointmentType"]["id"]
        world.add_markers(label, ids[label], made["appointmentType"]["name"])
    invited = await done(
        api,
        "InviteMember",
        {
            "input": {
                "name": f"Percival Thorn {s}",
                "email": unique_email("provider"),
                "role": "PROVIDER",
            }
        },
        token=owner,
    )
    ids["provider"] = invited["member"]["id"]
    world.add_markers("provider", ids["provider"], invited["member"]["name"])
    world.add_markers("provider email", invited["member"]["email"])

    # the two portal clients
    first, world.client1.token = await portal_client(
        api,
        smtp,
        owner,
        f"Clementine Fairweather {s}",
        phone="+1 312 555 0142",
        dateOfBirth="1984-07-19",
    )
    second, world.client2.token = await portal_client(api, smtp, owner, f"Bartholomew Gale {s}")
    ids["client1"], ids["client2"] = first["id"], second["id"]
    world.add_markers("client 1", first["id"], first["name"], first["email"], first["phone"])
    world.add_markers("client 2", second["id"], second["name"], second["email"])
    for label in ("clientToUpdate", "clientToArchive"):
        made = await plain_client(api, owner, f"{label} Pemberton {s}")
        ids[label] = made["id"]
        world.add_markers(label, made["id"], made["name"], made["email"])

    await _intake(world)
    await _appointments(world)
    await _billing(world)
    await _insurance(world)
    await _chat(world)
    await _credentials(world)
    await _webhooks(world)
    await _audit(world)
    world.add_markers(
        "organization A",
        ids["orgA"],
        world.org_a["name"],
        world.org_a["publishableKey"],
        ids["ownerA"],
        a["viewer"]["name"],
        a["viewer"]["email"],
    )
    world.seen_by_client2 = (
        {
            m
            for m, label in world.markers.items()
            if label
            in ("organization A", "type", "typeToUpdate", "package", "provider", "client 2")
        }
        - {world.values["ownerA.email"]}
        - {m for m, label in world.markers.items() if label == "provider email"}
    )
    return world


async def _intake(world: World) -> None:
    api, owner, ids, s = world.api, world.owner_a.token, world.ids, world.suffix
    forms = {}
    for label in ("form", "formToUpdate", "formToArchive"):
        made = await done(
            api,
            "CreateForm",
            {
                "input": {
                    "name": f"Aldermere {label} {s}",
                    "questions": [{"key": "allergies", "label": "Allergies?", "type": "TEXT"}],
                }
            },
            token=owner,
        )
        forms[label] = made["form"]["id"]
        world.add_markers(label, made["form"]["id"], made["form"]["name"])
    ids.update(forms)
    flow = await done(
        api,
        "CreateIntakeFlow",
        {"input": {"name": f"Aldermere Intake {s}", "formIds": [forms["form"]]}},
        token=owner,
    )
    ids["flow"] = flow["intakeFlow"]["id"]
    world.add_markers("flow", ids["flow"], flow["intakeFlow"]["name"])
    # a flow asked again adds no pending request: each request comes from a flow of its own
    for label in ("formRequest", "formRequestToSubmit", "formRequestToSkip"):
        flow_id = ids["flow"]
        if label != "formRequest":
            other = await done(
                api,
                "CreateIntakeFlow",
                {"input": {"name": f"Aldermere {label} {s}", "formIds": [forms["form"]]}},
                token=owner,
            )
            flow_id = other["intakeFlow"]["id"]
        made = await done(
            api,
            "RequestIntakeFlow",
            {"input": {"clientId": ids["client1"], "intakeFlowId": flow_id}},
            token=owner,
        )
        [request] = made["formRequests"]
        ids[label] = request["id"]
        world.add_markers(label, request["id"])
    # a draft answer: the client's words are a marker of their own
    answer = f"allergic to aldermere-pollen {s}"
    world.add_markers("client 1's answer", answer)
    await done(
        api,
        "SubmitFormResponse",
        {
            "input": {
                "formRequestId": ids["formRequest"],
                "answers": [{"questionKey": "allergies", "value": answer}],
                "finished": False,
            }
        },
        token=world.client1.token,
    )


def _slot(day: date, hour: int) -> str:
    return local(day, hour)


async def _appointments(world: World) -> None:
    api, owner, ids = world.api, world.owner_a.token, world.ids
    day = next_weekday(2, at_least_days=3)
    later = day + timedelta(days=1)  # Wednesday: free, for availableSlots
    world.times.update(
        {
            "book": _slot(day, 14),
            "reschedule": _slot(day, 15),
            "bookPublic": _slot(day, 16),
            "hold": _slot(later, 15),
            "slotsFrom": datetime.combine(later, datetime.min.time(), CHICAGO)
            .astimezone(UTC)
            .isoformat(),
            "slotsTo": datetime.combine(later + timedelta(days=1), datetime.min.time(), CHICAGO)
            .astimezone(UTC)
            .isoformat(),
        }
    )
    hours = {
        "appointment": 9,
        "appointmentToReschedule": 10,
        "appointmentToCancel": 11,
        "appointmentToMark": 12,
        "appointmentForSubscription": 13,
    }
    for label, hour in hours.items():
        made = await done(
            api,
            "BookAppointment",
            {
                "input": {
                    "appointmentTypeId": ids["type"],
                    "providerId": ids["ownerA"],
                    "startsAt": _slot(day, hour),
                    "clientId": ids["client1"],
                }
            },
            token=owner,
        )
        ids[label] = made["appointment"]["id"]
        world.add_markers(label, ids[label])


async def _billing(world: World) -> None:
    api, owner, ids, s = world.api, world.owner_a.token, world.ids, world.suffix
    c1 = ids["client1"]
    for label, default in (("card", True), ("cardToMakeDefault", False), ("cardToRemove", False)):
        made = await done(
            api,
            "AttachPaymentMethod",
            {
                "input": {
                    "clientId": c1,
                    "stripePaymentMethodId": "pm_card_visa",
                    "makeDefault": default,
                }
            },
            token=owner,
        )
        ids[label] = made["paymentMethod"]["id"]
        world.add_markers(label, ids[label])
    for label, cents in (("payment", 5011), ("paymentToRefund", 3011)):
        made = await done(
            api,
            "ChargeClient",
            {"input": {"clientId": c1, "amountCents": cents, "description": f"{label} {s}"}},
            token=owner,
        )
        assert made["payment"]["status"] == "SUCCEEDED", made
        ids[label] = made["payment"]["id"]
        world.add_markers(label, ids[label], f"{label} {s}")
    scheduled = await done(
        api,
        "SchedulePayment",
        {
            "input": {
                "clientId": c1,
                "amountCents": 2011,
                "chargeOn": (datetime.now(CHICAGO).date() + timedelta(days=20)).isoformat(),
            }
        },
        token=owner,
    )
    ids["paymentToCancel"] = scheduled["payment"]["id"]
    world.add_markers("paymentToCancel", ids["paymentToCancel"])
    for label, send in (
        ("invoice", True),
        ("invoiceToPay", True),
        ("invoiceToSend", False),
        ("invoiceToVoid", False),
    ):
        made = await done(
            api,
            "CreateInvoice",
            {
                "input": {
                    "clientId": c1,
                    "items": [{"description": f"Aldermere {label} {s}", "amountCents": 4011}],
                }
            },
            token=owner,
        )
        ids[label] = made["invoice"]["id"]
        world.add_markers(label, ids[label], f"Aldermere {label} {s}")
        if send:
            await done(api, "SendInvoice", {"input": {"id": ids[label]}}, token=owner)
    package = await done(
        api,
        "CreatePackage",
        {
            "input": {
                "name": f"Aldermere Bundle {s}",
                "priceCents": 30011,
                "items": [{"appointmentTypeId": ids["type"], "quantity": 3}],
            }
        },
        token=owner,
    )
    ids["package"] = package["package"]["id"]
    world.add_markers("package", ids["package"], package["package"]["name"])
    bought = await done(
        api,
        "PurchasePackage",
        {"input": {"clientId": c1, "packageId": ids["package"]}},
        token=owner,
    )
    ids["packagePurchase"] = bought["packagePurchase"]["id"]
    ids["packagePayment"] = bought["payment"]["id"]
    world.add_markers("packagePurchase", ids["packagePurchase"], ids["packagePayment"])


async def _insurance(world: World) -> None:
    """A's billing identity, client 1's legal identity and policies, an OCCURRED visit and
    claims on it (DRAFT ones to read and edit, a SUBMITTED one to pay)."""
    api, owner, ids, s = world.api, world.owner_a.token, world.ids, world.suffix
    c1 = ids["client1"]
    address = {"line1": "1 Alder Row", "city": "Peoria", "state": "IL", "postalCode": "616021234"}
    await done(
        api,
        "UpdateBillingProfile",
        {
            "input": {
                "legalName": f"Aldermere Billing {s}",
                "taxId": "123456789",
                "npi": "1234567893",
                "address": address,
            }
        },
        token=owner,
    )
    await done(
        api,
        "UpdateMemberBilling",
        {"input": {"memberId": ids["ownerA"], "npi": "1245319599"}},
        token=owner,
    )
    await done(
        api,
        "UpdateClientLegalIdentity",
        {
            "input": {
                "id": c1,
                "firstName": "Clementine",
                "lastName": f"Quill{s}",
                "sex": "FEMALE",
                "dateOfBirth": "1991-02-03",
                "address": address,
            }
        },
        token=owner,
    )
    policies = {
        "policy": {"priority": "PRIMARY"},
        "policyToEdit": {"priority": "SECONDARY", "validTo": "2020-12-31"},
        "policyToRemove": {
            "priority": "SECONDARY",
            "validFrom": "2021-01-01",
            "validTo": "2021-12-31",
        },
    }
    for label, fields in policies.items():
        made = await done(
            api,
            "AddInsurancePolicy",
            {
                "input": {
                    "clientId": c1,
                    "payerName": f"Aldermere Mutual {label} {s}",
                    "payerId": "ALD01",
                    "memberId": f"MEM{s}",
                    **fields,
                }
            },
            token=owner,
        )
        ids[label] = made["insurancePolicy"]["id"]
        world.add_markers(label, ids[label], made["insurancePolicy"]["payerName"])
    start = (datetime.now(UTC) - timedelta(days=2)).replace(second=0, microsecond=0)
    visit = await done(
        api,
        "BookAppointment",
        {
            "input": {
                "appointmentTypeId": ids["type"],
                "providerId": ids["ownerA"],
                "startsAt": start.isoformat(),
                "clientId": c1,
                "overrideAvailability": True,
            }
        },
        token=owner,
    )
    ids["visit"] = visit["appointment"]["id"]
    await done(
        api,
        "SetAppointmentStatus",
        {"input": {"id": ids["visit"], "status": "OCCURRED"}},
        token=owner,
    )
    line = {
        "procedureCode": "90834",
        "chargeCents": 14000,
        "placeOfService": "11",
        "diagnosisPointers": ["A"],
    }
    for label in ("claim", "claimToEdit", "claimToMove", "claimToPay", "claimToExport"):
        made = await done(
            api,
            "CreateClaim",
            {
                "input": {
                    "appointmentId": ids["visit"],
                    "diagnosisCodes": ["F41.1"],
                    "serviceLines": [line],
                }
            },
            token=owner,
        )
        ids[label] = made["claim"]["id"]
        world.add_markers(label, ids[label])
    await done(
        api,
        "UpdateClaimStatus",
        {"input": {"id": ids["claimToPay"], "status": "SUBMITTED"}},
        token=owner,
    )
    today = datetime.now(UTC).date()
    bill = await done(
        api,
        "CreateSuperbill",
        {
            "input": {
                "clientId": c1,
                "from": (today - timedelta(days=30)).isoformat(),
                "to": today.isoformat(),
            }
        },
        token=owner,
    )
    ids["superbill"] = bill["superbill"]["id"]
    world.add_markers("superbill", ids["superbill"])


async def _chat(world: World) -> None:
    api, owner, ids, s = world.api, world.owner_a.token, world.ids, world.suffix
    started = await done(
        api, "StartConversation", {"input": {"clientId": ids["client1"]}}, token=owner
    )
    ids["conversation"] = started["conversation"]["id"]
    body = f"aldermere note for Clementine {s}"
    sent = await done(
        api,
        "SendMessage",
        {"input": {"conversationId": ids["conversation"], "body": body}},
        token=owner,
    )
    ids["message"] = sent["message"]["id"]
    with_provider = await done(
        api,
        "StartConversation",
        {"input": {"clientId": ids["client1"], "memberIds": [ids["provider"]]}},
        token=owner,
    )
    ids["conversationWithProvider"] = with_provider["conversation"]["id"]
    assert ids["conversationWithProvider"] != ids["conversation"]
    world.add_markers("conversation", ids["conversation"], ids["conversationWithProvider"])
    world.add_markers("message", ids["message"], body)


async def _webhooks(world: World) -> None:
    api, owner, ids, s = world.api, world.owner_a.token, world.ids, world.suffix
    for label in ("webhookEndpoint", "webhookToUpdate", "webhookToDelete"):
        made = await done(
            api,
            "CreateWebhookEndpoint",
            {
                "input": {
                    "url": f"http://127.0.0.1:9/aldermere/{label}",
                    "events": ["CLIENT_CREATED"],
                    "description": f"Aldermere {label} {s}",
                }
            },
            token=owner,
        )
        ids[label] = made["webhookEndpoint"]["id"]
        world.add_markers(label, ids[label], made["webhookEndpoint"]["description"])
        world.add_markers(label, made["secret"])
    sent = await done(
        api, "SendTestWebhook", {"input": {"id": ids["webhookEndpoint"]}}, token=owner
    )
    ids["webhookDelivery"] = sent["delivery"]["id"]
    world.add_markers("webhookDelivery", ids["webhookDelivery"], sent["delivery"]["eventId"])


async def _credentials(world: World) -> None:
    api, owner, ids, s = world.api, world.owner_a.token, world.ids, world.suffix
    for label in ("apiKey", "apiKeyToRevoke"):
        made = await done(
            api,
            "CreateApiKey",
            {"input": {"name": f"Aldermere {label} {s}", "scopes": ["clients:read"]}},
            token=owner,
        )
        ids[label] = made["apiKey"]["id"]
        world.add_markers(label, ids[label], made["apiKey"]["name"], made["secret"])
    for label in ("oauthClient", "oauthClientToRevoke"):
        made = await done(
            api,
            "CreateOAuthClient",
            {"input": {"name": f"Aldermere {label} {s}", "scopes": ["clients:read"]}},
            token=owner,
        )
        client = made["oauthClient"]
        ids[label] = client["id"]
        world.add_markers(label, client["id"], client["clientId"], client["name"])
        world.add_markers(label, made["clientSecret"])
    for area in AREAS:
        for prefix, dropped in (
            ("no", {f"{area}:read", f"{area}:write"}),
            ("ro", {f"{area}:write"}),
        ):
            scopes = [x for x in ALL_SCOPES if x not in dropped]
            made = await done(
                api,
                "CreateApiKey",
                {"input": {"name": f"{prefix} {area} {s}", "scopes": scopes}},
                token=owner,
            )
            label = f"{prefix}:{area}"
            world.keys[label] = Caller(
                f"API key without {' '.join(sorted(dropped))}", made["secret"]
            )
            world.add_markers(f"key {label}", made["apiKey"]["id"], made["secret"])


async def _audit(world: World) -> None:
    data = await world.api.op("AuditEvents", {"first": 3}, token=world.owner_a.token)
    edges = data["auditEvents"]["edges"]
    assert edges, data
    world.ids["auditEvent"] = edges[0]["node"]["id"]
    world.add_markers("auditEvent", *(e["node"]["id"] for e in edges))


# --------------------------------------------------------------------------- rows


# rows that change by design whoever asks: the audit log records attempts, throttles count
# them; delivery state moves under the in-process workers. Stripe's event inbox belongs to
# no organization (and other tests on the same database post to it meanwhile). The outbox
# is written by in-process jobs too (an autocharge's payment event lands after its request)
# and marked by the fan-out; tests/webhooks/test_outbox.py checks which changes write it
# written by in-process jobs (outbox fan-out, webhook attempts) at any moment, not by the
# mutation under check
UNWATCHED_TABLES = frozenset(
    {
        "audit_events",
        "login_attempts",
        "rate_limit_hits",
        "webhook_events",
        "outbox_events",
        "webhook_attempts",
    }
)
VOLATILE_COLUMNS = {
    "emails": {"status", "attempts", "last_error", "next_attempt_at", "sent_at", "updated_at"},
    "sms_messages": {"status", "attempts", "last_error", "provider_id", "sent_at", "updated_at"},
    "reminders": {"status", "sent_at", "updated_at"},
    "unread_notifications": {"status", "updated_at"},
    "webhook_deliveries": {"status", "next_attempt_at", "attempt_count", "updated_at"},
    "webhook_endpoints": {"failing_since", "enabled", "disabled_reason", "updated_at"},
}


def _rows_of(table: Table, org_ids: list[uuid.UUID], related: dict[str, set[Any]]) -> Any:
    stmt = select(table)
    columns = table.c
    if "organization_id" in columns:
        stmt = stmt.where(columns.organization_id.in_(org_ids))
    elif table.name == "organizations":
        stmt = stmt.where(columns.id.in_(org_ids))
    elif table.name == "form_versions":
        stmt = stmt.where(columns.form_id.in_(related["forms"]))
    elif table.name == "one_time_tokens":
        stmt = stmt.where(columns.account_id.in_(related["accounts"]))
    elif table.name == "conversation_participants":
        stmt = stmt.where(columns.conversation_id.in_(related["conversations"]))
    elif table.name == "refresh_tokens":
        stmt = stmt.where(columns.session_id.in_(related["auth_sessions"]))
    elif table.name == "credit_uses":
        stmt = stmt.where(columns.credit_id.in_(related["package_credits"]))
    return stmt.order_by(columns.id)


async def fingerprint(world: World) -> dict[str, str]:
    """A hash of every row of A and B (and the global Stripe inbox), table by table."""
    org_ids = [key_of(world.ids["orgA"]), key_of(world.org_b["id"])]
    result: dict[str, str] = {}
    async with world.app.state.db.unit_of_work() as uow:
        related: dict[str, set[Any]] = {}
        for name in ("forms", "accounts", "conversations", "auth_sessions", "package_credits"):
            table = Base.metadata.tables[name]
            rows = await uow.session.execute(
                select(table.c.id).where(table.c.organization_id.in_(org_ids))
            )
            related[name] = {r for (r,) in rows.all()}
        for table in Base.metadata.sorted_tables:
            if table.name in UNWATCHED_TABLES:
                continue
            skip = VOLATILE_COLUMNS.get(table.name, set())
            rows = await uow.session.execute(_rows_of(table, org_ids, related))
            digest = hashlib.sha256()
            for row in rows.mappings():
                kept = {k: v for k, v in row.items() if k not in skip}
                digest.update(json.dumps(kept, sort_keys=True, default=str).encode())
            result[table.name] = digest.hexdigest()
    return result


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(t for t in before.keys() | after.keys() if before.get(t) != after.get(t))


async def quiet(world: World, *, timeout: float = 20) -> dict[str, str]:
    """Wait until background work (emails going out, reminders planned) has settled: every
    job the world set going has run, and the rows stay as they are across one more pass."""
    deadline = asyncio.get_running_loop().time() + timeout
    last = await fingerprint(world)
    while True:
        await jobs_settled(world.app, timeout=timeout)
        now = await fingerprint(world)
        if now == last:
            return now
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"rows kept changing: {changed_tables(last, now)}")
        last = now


def found_markers(answer: Any, markers: dict[str, str]) -> dict[str, str]:
    text = json.dumps(answer)
    return {m: label for m, label in markers.items() if m in text}


def labels(values: Iterable[str]) -> list[str]:
    return sorted(set(values))
