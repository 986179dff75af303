"""The log search over a real `carebase serve`: a practice's day (a sign-up, a client with
a portal login, a booking, a charge on a card, a chat, a GET with a token in its query
string, a WebSocket opened with one, a failed log-in, an expected error) leaves none of
the names, emails, phones, passwords, tokens, bodies or card numbers in its output, and
the requests were logged."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import websockets

from tests.conftest import PASSWORD, STRIPE_KEY, token_from, unique_email
from tests.fixtures.graphql import documents
from tests.fixtures.log_capture import Record, find_leaks
from tests.fixtures.scheduling import local, next_weekday
from tests.fixtures.secrets import secret
from tests.fixtures.smtp import Inbox, free_port

CAREBASE = str(Path(sys.executable).parent / "carebase")
CARD_NUMBER = "4242424242424242"
# a line of the log format in carebase/logs.py: "2025-01-31 12:00:00,123 INFO name message"
# structlog's readable line: `<iso time>Z [level    ] <event> [logger] key=value …`
RECORD_START = re.compile(r"^\d{4}-\d\d-\d\dT[\d:.]+Z \[(\w+)\s*\] .* \[([\w.]+)\](?: |$)")


@dataclass
class Served:
    base: str
    out: Path
    err: Path
    used: dict[str, str] = field(default_factory=dict)  # every value that must stay out

    def keep_out(self, value: str, kind: str) -> str:
        self.used[value] = kind
        return secret(value, kind)

    @property
    def address(self) -> str:
        return self.base.removeprefix("http://")

    def records(self) -> list[Record]:
        """The process's output as records: a traceback belongs to the line before it."""
        records: list[Record] = []
        for path in (self.out, self.err):
            level, name = "?", path.name
            lines: list[str] = []
            for line in path.read_text(errors="replace").splitlines():
                start = RECORD_START.match(line)
                if start and lines:
                    records.append(Record(level, name, "\n".join(lines)))
                    lines = []
                if start:
                    level, name = start.group(1).upper(), start.group(2)
                lines.append(line)
            if lines:
                records.append(Record(level, name, "\n".join(lines)))
        return records


@asynccontextmanager
async def carebase_serve(tmp_path: Path, smtp: Inbox, stripe_api: str) -> AsyncIterator[Served]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAREBASE_")}
    env.update(
        CAREBASE_DATABASE_URL=f"sqlite:///{tmp_path}/serve.sqlite3",
        CAREBASE_SECRET_KEY="serve-logs-secret-" + "y" * 40,
        CAREBASE_PASSWORD_HASH_COST="1",
        CAREBASE_SMTP_URL=f"smtp://127.0.0.1:{smtp.port}",
        CAREBASE_EMAIL_FROM="Carebase <no-reply@carebase.test>",
        CAREBASE_PORTAL_URL="https://portal.example.test",
        CAREBASE_STRIPE_SECRET_KEY=STRIPE_KEY,
        CAREBASE_STRIPE_API_BASE=stripe_api,
    )
    served = Served(f"http://127.0.0.1:{port}", tmp_path / "serve.out", tmp_path / "serve.err")
    with served.out.open("wb") as out, served.err.open("wb") as err:
        process = await asyncio.create_subprocess_exec(
            CAREBASE, "serve", "--port", str(port), env=env, cwd=tmp_path, stdout=out, stderr=err
        )
    try:
        async with httpx.AsyncClient() as http:
            deadline = asyncio.get_running_loop().time() + 60
            while True:
                try:
                    if (await http.get(f"{served.base}/healthz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if process.returncode is not None or asyncio.get_running_loop().time() > deadline:
                    raise AssertionError(
                        f"carebase serve did not come up:\n{served.err.read_text()}"
                    )
                await asyncio.sleep(0.1)
        yield served
    finally:
        if process.returncode is None:
            process.terminate()
        await asyncio.wait_for(process.wait(), 30)


class Api:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def raw(
        self, name: str, variables: dict[str, Any], token: str | None = None
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.http.post(
            "/graphql", json={"query": documents()[name], "variables": variables}, headers=headers
        )
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    async def op(
        self, name: str, variables: dict[str, Any], token: str | None = None
    ) -> dict[str, Any]:
        body = await self.raw(name, variables, token)
        assert not body.get("errors"), body
        return body["data"]  # type: ignore[no-any-return]


def _ok(payload: dict[str, Any]) -> dict[str, Any]:
    assert payload["userErrors"] == [], payload
    return payload


async def _card(stripe_api: str, number: str, holder: str) -> str:
    """A card made on localstripe from its number, as Stripe.js would: our API sees its id."""
    async with httpx.AsyncClient(base_url=stripe_api, auth=(STRIPE_KEY, "")) as stripe:
        response = await stripe.post(
            "/v1/payment_methods",
            data={
                "type": "card",
                "card[number]": number,
                "card[exp_month]": "12",
                "card[exp_year]": "2034",
                "card[cvc]": "123",
                "billing_details[name]": holder,
            },
        )
    assert response.status_code == 200, response.text
    return str(response.json()["id"])


async def _a_day_at_the_practice(served: Served, smtp: Inbox, stripe_api: str) -> None:
    keep = served.keep_out
    tag = uuid.uuid4().hex[:6]
    owner_name = keep(f"Odessa Ownerly {tag}", "name")
    owner_email = keep(unique_email("serve-owner"), "email")
    client_name = keep(f"Clementine Clientsworth {tag}", "name")
    client_email = keep(unique_email("serve-client"), "email")
    client_phone = keep("+1 312 555 0187", "phone")
    client_password = keep(f"client passphrase {tag}", "password")
    keep(PASSWORD, "password")
    keep(CARD_NUMBER, "card number")
    async with httpx.AsyncClient(base_url=served.base, timeout=30) as http:
        api = Api(http)
        signed_up = _ok(
            (
                await api.op(
                    "SignUpOrganization",
                    {
                        "input": {
                            "organizationName": "Quiet Logs Therapy",
                            "name": owner_name,
                            "email": owner_email,
                            "password": PASSWORD,
                            "timezone": "America/Chicago",
                        }
                    },
                )
            )["signUpOrganization"]
        )
        owner = keep(signed_up["accessToken"], "access token")
        keep(signed_up["refreshToken"], "refresh token")
        provider_id = signed_up["viewer"]["id"]

        client = _ok(
            (
                await api.op(
                    "CreateClient",
                    {
                        "input": {
                            "name": client_name,
                            "email": client_email,
                            "phone": client_phone,
                            "sendInvitation": True,
                        }
                    },
                    owner,
                )
            )["createClient"]
        )
        client_id = client["client"]["id"]
        [invitation] = await smtp.wait_for(client_email, subject="invited", timeout=30)
        accepted = _ok(
            (
                await api.op(
                    "AcceptInvitation",
                    {
                        "input": {
                            "token": keep(token_from(invitation), "invitation token"),
                            "password": client_password,
                        }
                    },
                )
            )["acceptInvitation"]
        )
        client_token = keep(accepted["accessToken"], "access token")
        keep(accepted["refreshToken"], "refresh token")

        # a booking
        type_id = _ok(
            (
                await api.op(
                    "CreateAppointmentType",
                    {
                        "input": {
                            "name": "Therapy session",
                            "durationMinutes": 60,
                            "contactType": "VIDEO",
                            "priceCents": 12000,
                        }
                    },
                    owner,
                )
            )["createAppointmentType"]
        )["appointmentType"]["id"]
        booked = _ok(
            (
                await api.op(
                    "BookAppointment",
                    {
                        "input": {
                            "appointmentTypeId": type_id,
                            "providerId": provider_id,
                            "startsAt": local(next_weekday(2), 10),
                            "clientId": client_id,
                            "overrideAvailability": True,
                        }
                    },
                    owner,
                )
            )["bookAppointment"]
        )
        assert booked["appointment"]["id"]

        # a charge on a card that was typed in as its number
        pm = await _card(stripe_api, CARD_NUMBER, client_name)
        attached = _ok(
            (
                await api.op(
                    "AttachPaymentMethod",
                    {"input": {"clientId": client_id, "stripePaymentMethodId": pm}},
                    owner,
                )
            )["attachPaymentMethod"]
        )
        assert attached["paymentMethod"]["last4"] == CARD_NUMBER[-4:]
        charged = _ok(
            (
                await api.op(
                    "ChargeClient", {"input": {"clientId": client_id, "amountCents": 4500}}, owner
                )
            )["chargeClient"]
        )
        assert charged["payment"]["status"] == "SUCCEEDED", charged

        # a chat, both ways
        conversation = _ok(
            (await api.op("StartConversation", {"input": {"clientId": client_id}}, owner))[
                "startConversation"
            ]
        )["conversation"]["id"]
        for token, body in (
            (owner, f"How are you sleeping, {client_name}?"),
            (client_token, f"Better since Tuesday, my number is still {client_phone}"),
        ):
            keep(body, "message body")
            sent = _ok(
                (
                    await api.op(
                        "SendMessage",
                        {"input": {"conversationId": conversation, "body": body}},
                        token,
                    )
                )["sendMessage"]
            )
            assert sent["message"]["body"] == body

        # a GET whose query string carries a token and an email
        got = await http.get(
            "/graphql",
            params={
                "query": documents()["Clients"],
                "variables": json.dumps({"first": 5, "search": client_email}),
                "access_token": owner,
            },
            headers={"Authorization": f"Bearer {owner}", "Accept": "application/json"},
        )
        assert got.status_code == 200, got.text
        assert got.json()["data"]["clients"]["totalCount"] == 1

        # a WebSocket opened with a token in its URL
        async with websockets.connect(
            f"ws://{served.address}/graphql?access_token={client_token}",
            subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
        ) as ws:
            await ws.send(
                json.dumps(
                    {"type": "connection_init", "payload": {"Authorization": f"Bearer {owner}"}}
                )
            )
            ack = json.loads(await asyncio.wait_for(ws.recv(), 15))
            assert ack["type"] == "connection_ack", ack

        # a failed log-in and an expected error
        wrong = keep(f"not the password {tag}", "password")
        failed = (await api.op("LogIn", {"input": {"email": client_email, "password": wrong}}))[
            "logIn"
        ]
        assert [e["code"] for e in failed["userErrors"]] == ["INVALID_CREDENTIALS"]
        refused = await api.raw("Organization", {})
        assert [e["extensions"]["code"] for e in refused["errors"]] == ["UNAUTHENTICATED"]


async def test_a_served_day_leaves_no_secret_in_the_log(
    tmp_path: Path, smtp: Inbox, stripe_api: str
) -> None:
    async with carebase_serve(tmp_path, smtp, stripe_api) as served:
        await _a_day_at_the_practice(served, smtp, stripe_api)
    records = served.records()
    text = "\n".join(r.text for r in records)

    hits = find_leaks(records, served.used)
    assert hits == [], "\n".join(hit.line() for hit in hits)
    assert len(served.used) >= 14

    # the requests were logged, without their query strings
    access = [r.text for r in records if r.logger == "uvicorn.access"]
    assert any('"POST /graphql HTTP/1.1" 200' in line for line in access), text
    assert any('"GET /graphql HTTP/1.1" 200' in line for line in access), text
    assert any('"WebSocket /graphql"' in r.text for r in records), text
    assert not [line for line in access if "?" in line]
    assert all("request_id=" in line for line in access)  # each request line names its request
    # expected errors: one line each at INFO, and no traceback anywhere
    assert any(
        r.level == "INFO" and "graphql error UNAUTHENTICATED at organization" in r.text
        for r in records
    ), text
    assert "Traceback" not in text
