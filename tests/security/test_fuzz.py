"""The fuzz suite: documents generated from ``gql/schema.graphql`` for every kind of caller.

hypothesis-graphql writes queries and mutations (valid ones, and some with one schema
violation); the scalar strategies of ``tests/security/scalars.py`` give good and bad
``DateTime``, ``Date``, ``JSON``, ``ID``, ``String`` and ``Int`` values, and each document has
its arguments inline, as variables, or some of each. Every answer must be HTTP < 500 with no
masked error: bad input is refused with a typed error, never an ``INTERNAL_SERVER_ERROR``.

Each example gets a fresh principal (a new session, a new API key, the current publishable
key), so a generated ``logOut`` or ``revokeApiKey`` does not turn the rest into
``UNAUTHENTICATED``, and a fresh client address, so the suite's own log-in attempts are not
throttled per address (nor throttle anybody else's tests).

CI runs a fixed number of examples per principal (150) from a fixed seed. For a longer run,
with another seed, writing every exchange to a file to see what the run reached::

    CAREBASE_FUZZ_EXAMPLES=2000 CAREBASE_FUZZ_SEED=7 CAREBASE_FUZZ_LOG=/tmp/fuzz.jsonl \
        .venv/bin/pytest tests/security/test_fuzz.py

A failure prints the document, its variables and the answer, and Hypothesis's
``@reproduce_failure`` blob. Inputs it found once are kept below as plain tests.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import random
import uuid
from collections.abc import Callable
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import graphql
import httpx
import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from hypothesis_graphql import from_schema
from sqlalchemy import select
from starlette.applications import Starlette

from carebase.auth.scopes import ALL_SCOPES
from carebase.auth.tokens import TokenSigner, hash_secret, random_token
from carebase.models import ApiKey, AuthSession, Organization
from tests.conftest import Practice, unique_email
from tests.fixtures.factories import key_of
from tests.fixtures.graphql import GraphQLClient
from tests.fixtures.intake import create_flow, create_form, text
from tests.fixtures.scheduling import make_type, set_hours
from tests.security.scalars import ANCHOR, CUSTOM_SCALARS, fill_references

# the one fuzz pass of CI: on SQLite (its findings are the API's, not the database's)
pytestmark = pytest.mark.once

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "gql" / "schema.graphql"
SCHEMA = graphql.build_schema(SCHEMA_PATH.read_text())

EXAMPLES = int(os.environ.get("CAREBASE_FUZZ_EXAMPLES", "150"))
SEED = int(os.environ.get("CAREBASE_FUZZ_SEED", "20260"))
LOG = os.environ.get("CAREBASE_FUZZ_LOG")

PRINCIPALS = ("anonymous", "owner", "client", "api_key", "publishable")

ROOT_FIELDS = sorted(
    [*SCHEMA.query_type.fields, *SCHEMA.mutation_type.fields]  # type: ignore[union-attr]
)


try:  # hypothesis-graphql 0.13 writes documents that break the schema too
    from hypothesis_graphql import Mode
except ImportError:  # pragma: no cover - older releases write valid documents only
    Mode = None  # type: ignore[assignment,misc]


@functools.cache
def _documents(fields: tuple[str, ...], negative: bool = False) -> st.SearchStrategy[str]:
    if negative:
        return from_schema(SCHEMA, fields=fields, custom_scalars=CUSTOM_SCALARS, mode=Mode.NEGATIVE)
    return from_schema(SCHEMA, fields=fields, custom_scalars=CUSTOM_SCALARS)


# fields with arguments: a NEGATIVE document violates the schema through one of them
ARGUMENT_FIELDS = sorted(
    name
    for root in (SCHEMA.query_type, SCHEMA.mutation_type)
    if root is not None
    for name, f in root.fields.items()
    if f.args
)

# One root field per document for the most part, so that one refused argument does not hide
# the rest, and every field gets its turn; sometimes a few together. Mostly valid documents
# (they reach the resolvers), one in four with one schema violation.
ONE_FIELD = st.sampled_from(ROOT_FIELDS).map(lambda f: (f,))
SOME_FIELDS = st.lists(st.sampled_from(ROOT_FIELDS), min_size=2, max_size=4, unique=True)
VALID = st.one_of(ONE_FIELD, ONE_FIELD, SOME_FIELDS.map(tuple)).flatmap(_documents)
VIOLATING = st.sampled_from(ARGUMENT_FIELDS).flatmap(lambda f: _documents((f,), negative=True))
DOCUMENTS = st.one_of(VALID, VALID, VALID, VIOLATING) if Mode is not None else VALID
HOISTING = st.sampled_from(["inline", "variables", "mixed"])
SCOPES = st.one_of(
    st.just(sorted(ALL_SCOPES)),
    st.sets(st.sampled_from(sorted(ALL_SCOPES)), min_size=1).map(sorted),
)

FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize="CAREBASE_FUZZ_SEED" not in os.environ,
    database=None,
    print_blob=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
        HealthCheck.large_base_example,
    ],
)

_addresses = itertools.count(1)

# which kind of row an ID argument or input field of this name refers to
ID_KINDS = {
    "clientId": "Client",
    "providerId": "Member",
    "memberId": "Member",
    "memberIds": "Member",
    "actorId": "Member",
    "appointmentTypeId": "AppointmentType",
    "appointmentId": "Appointment",
    "conversationId": "Conversation",
    "paymentId": "Payment",
    "organizationId": "Organization",
    "formRequestId": "FormRequest",
    "formIds": "Form",
    "optionalFormIds": "Form",
    "packageId": "Package",
    "invoiceId": "Invoice",
    "intakeFlowId": "IntakeFlow",
}


# ---------------------------------------------------------------------------- the practice


class FuzzWorld:
    """One practice with a row of most kinds, and the ids generated references point at."""

    def __init__(
        self,
        app: Starlette,
        practice: Practice,
        client_account: uuid.UUID,
        ids: dict[str, list[str]],
    ) -> None:
        self.app = app
        self.practice = practice
        self.client_account = client_account
        self.ids = ids

    @property
    def organization(self) -> uuid.UUID:
        return key_of(self.practice.id)

    def __repr__(self) -> str:
        return f"FuzzWorld(organization={self.practice.id})"

    def resolve(self, n: int, name: str | None) -> str:
        """The n-th id of the kind the argument (or input field) ``name`` wants; one time in
        five, or for a plain ``id``, of any kind."""
        wanted = ID_KINDS.get(name or "")
        if wanted in self.ids and n % 5 != 4:
            pool = self.ids[wanted]
        else:
            pool = [i for kind in sorted(self.ids) for i in self.ids[kind]]
        return pool[n % len(pool)]

    async def session_token(self, account_id: uuid.UUID) -> str:
        """A new session for the account, as a log-in would start (with no throttle)."""
        async with self.app.state.db.unit_of_work(write=True) as uow:
            session = AuthSession(account_id=account_id, organization_id=self.organization)
            uow.session.add(session)
            await uow.session.flush()
            session_id = session.id
        signer = TokenSigner(self.app.state.settings.secret_key.get_secret_value())
        token, _ = signer.issue(
            subject=str(account_id),
            kind="user",
            organization_id=str(self.organization),
            session_id=str(session_id),
        )
        return token

    async def api_key(self, scopes: list[str]) -> str:
        secret = random_token("cbk_")
        async with self.app.state.db.unit_of_work(write=True) as uow:
            uow.session.add(
                ApiKey(
                    organization_id=self.organization,
                    created_by_id=key_of(self.practice.owner["id"]),
                    name="fuzz key",
                    secret_hash=hash_secret(secret),
                    scopes=scopes,
                )
            )
        return secret

    async def publishable_key(self) -> str:
        async with self.app.state.db.sessionmaker() as session:
            key = await session.scalar(
                select(Organization.publishable_key).where(Organization.id == self.organization)
            )
        return str(key)

    async def headers(self, who: str, scopes: list[str]) -> dict[str, str]:
        if who == "owner":
            token = await self.session_token(key_of(self.practice.owner["id"]))
        elif who == "client":
            token = await self.session_token(self.client_account)
        elif who == "api_key":
            token = await self.api_key(scopes)
        elif who == "publishable":
            return {"x-carebase-publishable-key": await self.publishable_key()}
        else:
            return {}
        return {"Authorization": f"Bearer {token}"}


async def _ok(api: GraphQLClient, name: str, variables: dict[str, Any], token: str) -> Any:
    data = await api.op(name, variables, token=token)
    (payload,) = data.values()
    assert payload.get("userErrors") in (None, []), payload
    return payload


@pytest.fixture
async def fuzz_world(app: Starlette, api: GraphQLClient, practice: Practice) -> FuzzWorld:
    token = practice.owner_token
    owner_id = practice.owner["id"]
    await set_hours(api, practice, owner_id)
    type_id = await make_type(api, practice)
    client = (
        await _ok(
            api,
            "CreateClient",
            {"input": {"name": "Fuzzy Client", "email": unique_email("fuzz")}},
            token,
        )
    )["client"]
    # near the moment generated DateTimes cluster around, so ranges find it
    starts = (ANCHOR + timedelta(days=1, hours=6)).replace(tzinfo=UTC)
    booked = await _ok(
        api,
        "BookAppointment",
        {
            "input": {
                "appointmentTypeId": type_id,
                "providerId": owner_id,
                "startsAt": starts.isoformat(),
                "clientId": client["id"],
                "overrideAvailability": True,
            }
        },
        token,
    )
    card = await _ok(
        api,
        "AttachPaymentMethod",
        {"input": {"clientId": client["id"], "stripePaymentMethodId": "pm_card_visa"}},
        token,
    )
    form = await create_form(api, token, "Fuzz history", [text("history")])
    # optional: the client's portal stays open (a required form would close it)
    flow = await create_flow(api, token, [form["id"]], optional=[form["id"]], name="Fuzz flow")
    requested = await _ok(
        api,
        "RequestIntakeFlow",
        {"input": {"clientId": client["id"], "intakeFlowId": flow["id"]}},
        token,
    )
    conversation = await _ok(api, "StartConversation", {"input": {"clientId": client["id"]}}, token)
    package = await _ok(
        api,
        "CreatePackage",
        {
            "input": {
                "name": "Fuzz five",
                "priceCents": 50000,
                "items": [{"appointmentTypeId": type_id, "quantity": 5}],
            }
        },
        token,
    )
    invoice = await _ok(
        api,
        "CreateInvoice",
        {
            "input": {
                "clientId": client["id"],
                "items": [{"description": "Session", "amountCents": 12000}],
            }
        },
        token,
    )
    charged = await _ok(
        api,
        "ChargeClient",
        {"input": {"clientId": client["id"], "amountCents": 4200, "idempotencyKey": "fuzz"}},
        token,
    )
    message = await _ok(
        api,
        "SendMessage",
        {"input": {"conversationId": conversation["conversation"]["id"], "body": "Hello"}},
        token,
    )
    ids = {
        "Client": [client["id"]],
        "Member": [owner_id],
        "AppointmentType": [type_id],
        "Appointment": [booked["appointment"]["id"]],
        "PaymentMethod": [card["paymentMethod"]["id"]],
        "Payment": [charged["payment"]["id"]],
        "Form": [form["id"]],
        "IntakeFlow": [flow["id"]],
        "FormRequest": [r["id"] for r in requested["formRequests"]],
        "Conversation": [conversation["conversation"]["id"]],
        "Message": [message["message"]["id"]],
        "Package": [package["package"]["id"]],
        "Invoice": [invoice["invoice"]["id"]],
        "Organization": [practice.id],
    }
    return FuzzWorld(app, practice, key_of(client["id"]), ids)


# ---------------------------------------------------------------------------- documents


class _References(graphql.Visitor):
    def __init__(self, resolve: Callable[[int, str | None], str]) -> None:
        super().__init__()
        self.resolve = resolve

    def enter_argument(self, node: graphql.ArgumentNode, *_: Any) -> Any:
        filled = fill_references(node.value, self.resolve, node.name.value)
        if filled is node.value:
            return None
        return graphql.ArgumentNode(name=node.name, value=filled)


def hoist(
    document: str, how: str, rnd: random.Random, resolve: Callable[[int, str | None], str]
) -> tuple[str, dict[str, Any], graphql.DocumentNode]:
    """Fill in the references to real rows, then move argument values into variables: all
    of them, none, or a random share."""
    ast = graphql.visit(graphql.parse(document), _References(resolve))
    if how == "inline":
        return graphql.print_ast(ast), {}, ast
    type_info = graphql.TypeInfo(SCHEMA)
    variables: dict[str, Any] = {}
    definitions: list[graphql.VariableDefinitionNode] = []

    class Hoister(graphql.Visitor):
        def enter_argument(self, node: graphql.ArgumentNode, *_: Any) -> Any:
            argument = type_info.get_argument()
            if argument is None or (how == "mixed" and rnd.random() < 0.5):
                return None
            value = graphql.value_from_ast_untyped(node.value)
            try:  # 1e400 is a GraphQL float literal but no JSON number: it stays inline
                json.dumps(value, allow_nan=False)
            except ValueError:
                return None
            name = f"v{len(definitions)}"
            definitions.append(
                graphql.VariableDefinitionNode(
                    variable=graphql.VariableNode(name=graphql.NameNode(value=name)),
                    type=graphql.parse_type(str(argument.type)),
                )
            )
            variables[name] = value
            return graphql.ArgumentNode(
                name=node.name, value=graphql.VariableNode(name=graphql.NameNode(value=name))
            )

        def leave_operation_definition(
            self, node: graphql.OperationDefinitionNode, *_: Any
        ) -> graphql.OperationDefinitionNode:
            return graphql.OperationDefinitionNode(
                operation=node.operation,
                name=node.name,
                variable_definitions=tuple(definitions),
                directives=node.directives,
                selection_set=node.selection_set,
            )

    rewritten = graphql.visit(ast, graphql.TypeInfoVisitor(type_info, Hoister()))
    return graphql.print_ast(rewritten), variables, rewritten


def masked(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        e
        for e in errors
        if (e.get("extensions") or {}).get("code") == "INTERNAL_SERVER_ERROR"
        or e.get("message") == "Unexpected error."
    ]


async def send(
    world: FuzzWorld, headers: dict[str, str], query: str, variables: dict[str, Any]
) -> httpx.Response:
    n = next(_addresses)
    address = f"2001:db8:f00::{n:x}"
    transport = httpx.ASGITransport(app=world.app, client=(address, 40000 + n % 20000))
    async with httpx.AsyncClient(transport=transport, base_url="http://carebase.test") as http:
        return await http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )


# ---------------------------------------------------------------------------- the test


async def fuzz_once(
    who: str, world: FuzzWorld, document: str, how: str, rnd: random.Random, scopes: list[str]
) -> None:
    query, variables, _ = hoist(document, how, rnd, world.resolve)
    headers = await world.headers(who, scopes)
    response = await send(world, headers, query, variables)
    shown = f"{who} sent:\n{query}\nvariables: {json.dumps(variables, default=str)[:2000]}"
    assert response.status_code < 500, f"{shown}\nanswer {response.status_code}: {response.text}"
    if not response.headers.get("content-type", "").startswith("application/"):
        return
    body = response.json()
    if LOG:  # by hand: every exchange, one JSON line each, to see what the run reached
        with open(LOG, "a") as log:
            exchange = {"who": who, "query": query, "variables": variables, "answer": body}
            log.write(json.dumps(exchange, default=str) + "\n")
    bad = masked(body.get("errors") or []) if isinstance(body, dict) else []
    assert not bad, f"{shown}\nanswer: {json.dumps(body)[:4000]}"


def fuzz_test_for(who: str) -> Any:
    """One test per principal, each with its own seed (so each sees other documents)."""

    # the app's background work (in-process jobs, Stripe's retry jitter) moves the global
    # ``random`` state while Hypothesis draws; that is not the strategies depending on it
    @pytest.mark.filterwarnings("ignore:Do not use the `random` module inside strategies")
    @seed(SEED + PRINCIPALS.index(who))
    @FUZZ_SETTINGS
    @given(document=DOCUMENTS, how=HOISTING, rnd=st.randoms(use_true_random=False), scopes=SCOPES)
    async def test(
        fuzz_world: FuzzWorld, document: str, how: str, rnd: random.Random, scopes: list[str]
    ) -> None:
        await fuzz_once(who, fuzz_world, document, how, rnd, scopes)

    test.__name__ = test.__qualname__ = f"test_fuzz_{who}"
    test.__doc__ = f"Generated documents sent as {who.replace('_', ' ')}: no 5xx, none masked."
    return test


test_fuzz_anonymous = fuzz_test_for("anonymous")
test_fuzz_owner = fuzz_test_for("owner")
test_fuzz_client = fuzz_test_for("client")
test_fuzz_api_key = fuzz_test_for("api_key")
test_fuzz_publishable = fuzz_test_for("publishable")


# ---------------------------------------------------------------------------- what it found

# Inputs the fuzz suite once answered with INTERNAL_SERVER_ERROR; each is now a typed error.
# (document, variables, where the INVALID_INPUT is: a root field's error or a userError)
SLOTS = """query ($from: DateTime!, $to: DateTime!) {
  availableSlots(providerId: "{provider}", appointmentTypeId: "{type}", from: $from, to: $to) {
    startsAt
  }
}"""
FOUND: dict[str, tuple[str, dict[str, Any], str | None]] = {
    "slots from without an offset": (
        SLOTS,
        {"from": "2030-01-07T09:00:00", "to": "2030-01-07T09:00:00+00:00"},
        None,
    ),
    "slots to a bare date": (SLOTS, {"from": "2030-01-06T00:00:00Z", "to": "2030-01-08"}, None),
    "slots from year 1": (
        SLOTS,
        {"from": "0001-01-01T00:00:00Z", "to": "0001-01-02T00:00:00Z"},
        None,
    ),
    "slots to year 9999 behind UTC": (
        SLOTS,
        {"from": "9999-12-30T00:00:00-14:00", "to": "9999-12-31T23:59:00-14:00"},
        None,
    ),
    "appointments from a bare date": (
        '{ appointments(filter: { from: "2030-01-07" }) { totalCount } }',
        {},
        None,
    ),
    "payments to without an offset": (
        "query ($f: PaymentFilter) { payments(filter: $f) { totalCount } }",
        {"f": {"to": "2030-01-07T09:00:00"}},
        None,
    ),
    "audit events since without an offset": (
        '{ auditEvents(filter: { since: "2030-01-07T09:00:00" }) { totalCount } }',
        {},
        None,
    ),
    "booking in year 9999 behind UTC": (
        """mutation { bookAppointment(input: { appointmentTypeId: "{type}",
          providerId: "{provider}", clientId: "{client}", startsAt: "9999-12-31T23:59:00-14:00" }) {
          userErrors { field code } } }""",
        {},
        "startsAt",
    ),
    "card id empty": (
        """mutation { attachPaymentMethod(input: { clientId: "{client}",
          stripePaymentMethodId: "" }) { userErrors { field code } } }""",
        {},
        "stripePaymentMethodId",
    ),
    "card id unknown to Stripe": (
        """mutation { attachPaymentMethod(input: { clientId: "{client}",
          stripePaymentMethodId: "pm_nope" }) { userErrors { field code } } }""",
        {},
        "stripePaymentMethodId",
    ),
    # not an unexpected error, but money in no currency (or not the practice's) was charged
    "charge in no ISO 4217 currency": (
        """mutation { chargeClient(input: { clientId: "{client}", amountCents: 100,
          currency: "xyz" }) { userErrors { field code } } }""",
        {},
        "currency",
    ),
    "charge in another currency than the practice's": (
        """mutation { chargeClient(input: { clientId: "{client}", amountCents: 100,
          currency: "eur" }) { userErrors { field code } } }""",
        {},
        "currency",
    ),
}


@pytest.mark.parametrize("case", sorted(FOUND))
async def test_found_inputs_are_typed_errors(fuzz_world: FuzzWorld, case: str) -> None:
    document, variables, user_error_field = FOUND[case]
    ids = fuzz_world.ids
    for name, kind in (("provider", "Member"), ("type", "AppointmentType"), ("client", "Client")):
        document = document.replace("{" + name + "}", ids[kind][0])
    headers = await fuzz_world.headers("owner", [])
    response = await send(fuzz_world, headers, document, variables)
    assert response.status_code == 200, response.text
    body = response.json()
    assert not masked(body.get("errors") or []), body
    if user_error_field is None:
        assert [e["extensions"]["code"] for e in body["errors"]] == ["INVALID_INPUT"], body
    else:
        (payload,) = body["data"].values()
        assert payload["userErrors"] == [{"field": [user_error_field], "code": "INVALID_INPUT"}], (
            body
        )
