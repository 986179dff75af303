"""Intake as a practice and its clients use it: forms, flows, requests, the gate, tenancy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.applications import Starlette

from carebase.models import EmailStatus, Form, FormRequest, FormRequestStatus, FormVersion
from tests.conftest import PASSWORD, Practice, sign_up, token_from, unique_email
from tests.fixtures.factories import key_of, make_client, make_member
from tests.fixtures.graphql import GraphQLClient, documents
from tests.fixtures.intake import (
    INTAKE_URL,
    accept,
    consent_answers,
    create_client,
    create_flow,
    create_form,
    default_flow,
    history_answers,
    request_flow,
    requests_of,
    set_gate,
    skip,
    submit,
    text,
)
from tests.fixtures.scheduling import Booking, booking_setup, local, next_weekday
from tests.fixtures.smtp import Inbox, body_of
from tests.fixtures.statements import assert_pinned, count_statements
from tests.fixtures.waiting import jobs_settled, outbox_to

ALL_TYPES: list[dict[str, Any]] = [
    {"key": "nickname", "label": "Nickname", "type": "TEXT", "required": True},
    {"key": "story", "label": "Your story", "type": "LONG_TEXT", "required": True},
    {
        "key": "colour",
        "label": "Favourite colour",
        "type": "SINGLE_CHOICE",
        "required": True,
        "options": ["Blue", "Green"],
    },
    {
        "key": "times",
        "label": "Good times to meet",
        "type": "MULTIPLE_CHOICE",
        "required": True,
        "options": ["Mornings", "Afternoons", "Evenings"],
    },
    {"key": "born", "label": "Date of birth", "type": "DATE", "required": True},
    {"key": "weight", "label": "Weight in kg", "type": "NUMBER", "required": True},
    {"key": "smoker", "label": "Do you smoke?", "type": "YES_NO", "required": True},
    {"key": "signed", "label": "Signature of client or guardian", "type": "SIGNATURE"},
]
LABELS = {q["key"]: q["label"] for q in ALL_TYPES}


def codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]


async def book(
    api: GraphQLClient, b: Booking, starts_at: str, *, token: str, client_id: str | None = None
) -> dict[str, Any]:
    data = await api.op(
        "BookAppointment",
        {
            "input": {
                "appointmentTypeId": b.type_id,
                "providerId": b.provider_id,
                "startsAt": starts_at,
                **({"clientId": client_id} if client_id else {}),
            }
        },
        token=token,
    )
    return data["bookAppointment"]  # type: ignore[no-any-return]


def error_code(errors: list[dict[str, Any]]) -> str:
    return str(errors[0]["extensions"]["code"])


async def invite_provider(api: GraphQLClient, practice: Practice, smtp: Inbox) -> tuple[str, str]:
    email = unique_email("provider")
    data = await api.op(
        "InviteMember",
        {"input": {"name": "Pat Provider", "email": email, "role": "PROVIDER"}},
        token=practice.owner_token,
    )
    assert data["inviteMember"]["userErrors"] == [], data
    [invite] = await smtp.wait_for(email, subject="invited")
    accepted = await api.op(
        "AcceptInvitation", {"input": {"token": token_from(invite), "password": PASSWORD}}
    )
    return data["inviteMember"]["member"]["id"], accepted["acceptInvitation"]["accessToken"]


async def audit_rows(
    api: GraphQLClient, practice: Practice, client_id: str, operation: str
) -> list[dict[str, Any]]:
    data = await api.op(
        "AuditEvents",
        {"first": 100, "filter": {"clientId": client_id, "resource": "form_request"}},
        token=practice.owner_token,
    )
    return [e["node"] for e in data["auditEvents"]["edges"] if e["node"]["operation"] == operation]


# --- forms and answers ---------------------------------------------------------------------


async def test_every_question_type_is_accepted_and_refused(
    api: GraphQLClient, practice: Practice, smtp: Inbox
) -> None:
    owner = practice.owner_token
    form = await create_form(api, owner, "Everything", ALL_TYPES)
    assert [q["type"] for q in form["questions"]] == [q["type"] for q in ALL_TYPES]
    assert form["questions"][2]["options"] == ["Blue", "Green"]
    assert form["questions"][0]["options"] is None
    flow = await create_flow(api, owner, [form["id"]])
    client_id, email = await create_client(api, practice, invite=True, name="Cleo Client")
    client = await accept(api, smtp, email)
    [request] = await request_flow(api, owner, client_id, flow["id"])
    assert request["status"] == "PENDING" and request["formVersion"] == 1
    rid = request["id"]

    accepted: list[tuple[str, dict[str, Any], Any]] = [
        ("nickname", {"value": "  Cleo  "}, "Cleo"),
        ("story", {"value": "x" * 20000}, "x" * 20000),
        ("colour", {"value": "Green"}, "Green"),
        ("times", {"values": ["Evenings", "Mornings", "Evenings"]}, ["Evenings", "Mornings"]),
        ("times", {"values": []}, []),
        ("born", {"value": "2024-02-29"}, "2024-02-29"),
        ("weight", {"value": "72"}, 72),
        ("weight", {"value": "-3.25"}, -3.25),
        ("smoker", {"value": "Yes"}, True),
        ("smoker", {"value": "no"}, False),
        ("smoker", {"value": "TRUE"}, True),
        ("smoker", {"value": "0"}, False),
        ("smoker", {"value": "y"}, True),
        ("smoker", {"value": "false"}, False),
    ]
    for key, answer, stored in accepted:
        saved = await submit(api, client, rid, [{"questionKey": key, **answer}], finished=False)
        assert saved["userErrors"] == [], (key, answer, saved)
        assert saved["formRequest"]["status"] == "PENDING"
        assert saved["formRequest"]["answers"][key] == stored, (key, answer)

    refused: list[tuple[str, dict[str, Any]]] = [
        ("nickname", {"value": "x" * 1001}),
        ("nickname", {"values": ["Cleo"]}),
        ("story", {"value": "x" * 20001}),
        ("colour", {"value": "Purple"}),
        ("colour", {"value": "blue"}),
        ("colour", {"values": ["Blue"]}),
        ("times", {"values": ["Mornings", "Never"]}),
        ("born", {"value": "05/04/1990"}),
        ("born", {"value": "1990-02-30"}),
        ("born", {"value": "yesterday"}),
        ("weight", {"value": "seventy"}),
        ("weight", {"value": "12kg"}),
        ("weight", {"value": "nan"}),
        ("weight", {"value": "inf"}),
        ("smoker", {"value": "maybe"}),
        ("smoker", {"values": ["yes"]}),
        ("signed", {"value": "X"}),
        ("signed", {"value": "x" * 201}),
    ]
    for key, answer in refused:
        bad = await submit(api, client, rid, [{"questionKey": key, **answer}], finished=False)
        assert bad["formRequest"] is None, (key, answer)
        [error] = bad["userErrors"]
        assert error["code"] == "INVALID_INPUT", (key, answer)
        assert LABELS[key] in error["message"], (key, answer, error)
        assert error["field"] == ["answers", "0"]
    unknown = await submit(api, client, rid, [{"questionKey": "shoe_size", "value": "9"}])
    assert codes(unknown) == ["INVALID_INPUT"]
    assert "shoe_size" in unknown["userErrors"][0]["message"]
    # one bad answer refuses the whole submission: the good one beside it is not kept
    mixed = await submit(
        api,
        client,
        rid,
        [{"questionKey": "nickname", "value": "Changed"}, {"questionKey": "weight", "value": "?"}],
        finished=False,
    )
    assert codes(mixed) == ["INVALID_INPUT"]
    assert mixed["userErrors"][0]["field"] == ["answers", "1"]
    assert LABELS["weight"] in mixed["userErrors"][0]["message"]

    # a guardian signs: the typed name need not be the client's
    before = datetime.now(UTC)
    done = await submit(
        api,
        client,
        rid,
        [
            {"questionKey": "times", "values": ["Afternoons"]},
            {"questionKey": "born", "value": "1990-04-05"},
            {"questionKey": "signed", "value": "Gina Guardian"},
        ],
    )
    assert done["userErrors"] == []
    answers = done["formRequest"]["answers"]
    assert done["formRequest"]["status"] == "COMPLETED"
    signature = answers.pop("signed")
    assert set(signature) == {"name", "signedAt", "ip"}
    assert signature["name"] == "Gina Guardian"
    assert signature["ip"] == "203.0.113.7"
    signed_at = datetime.fromisoformat(signature["signedAt"])
    assert before - timedelta(seconds=5) <= signed_at <= datetime.now(UTC) + timedelta(seconds=5)
    assert answers == {
        "nickname": "Cleo",
        "story": "x" * 20000,
        "colour": "Green",
        "times": ["Afternoons"],
        "born": "1990-04-05",
        "weight": -3.25,
        "smoker": False,
    }
    # the completed answers are there for the practice and for the client
    [as_member] = await requests_of(api, owner, client_id)
    assert as_member["answers"]["signed"]["name"] == "Gina Guardian"
    assert as_member["answers"]["nickname"] == "Cleo"
    mine = await api.op("ViewerIntake", token=client)
    [own] = [e["node"] for e in mine["viewer"]["formRequests"]["edges"]]
    assert own["answers"] == as_member["answers"]
    assert mine["viewer"]["pendingIntake"] == []


async def test_bad_form_definitions_are_refused(
    api: GraphQLClient, practice: Practice, smtp: Inbox
) -> None:
    owner = practice.owner_token

    async def refused(name: str, questions: list[dict[str, Any]]) -> dict[str, Any]:
        data = await api.op(
            "CreateForm", {"input": {"name": name, "questions": questions}}, token=owner
        )
        payload = data["createForm"]
        assert payload["form"] is None, payload
        [error] = payload["userErrors"]
        assert error["code"] == "INVALID_INPUT", error
        return error  # type: ignore[no-any-return]

    assert (await refused("Dup", [text("name"), text("name")]))["field"] == [
        "questions",
        "1",
        "key",
    ]
    one_option = {"key": "pick", "label": "Pick", "type": "SINGLE_CHOICE", "options": ["Only"]}
    assert (await refused("One", [one_option]))["field"] == ["questions", "0", "options"]
    no_options = {"key": "pick", "label": "Pick", "type": "MULTIPLE_CHOICE"}
    assert (await refused("None", [text("a"), no_options]))["field"] == [
        "questions",
        "1",
        "options",
    ]
    blank = {"key": "pick", "label": "Pick", "type": "SINGLE_CHOICE", "options": ["A", "  "]}
    await refused("Blank", [blank])
    same = {"key": "pick", "label": "Pick", "type": "MULTIPLE_CHOICE", "options": ["A", "A"]}
    await refused("Same", [same])
    await refused("Text options", [{**text("a"), "options": ["x", "y"]}])
    await refused("Bad key", [text("First name")])
    await refused("Digit key", [text("1st")])
    await refused("Empty", [])
    await refused("", [text("a")])

    form = await create_form(api, owner, "Good", [text("a", "A question")])
    data = await api.op(
        "UpdateForm",
        {"input": {"id": form["id"], "questions": [text("b"), text("b")]}},
        token=owner,
    )
    assert codes(data["updateForm"]) == ["INVALID_INPUT"]
    renamed = await api.op(
        "UpdateForm", {"input": {"id": form["id"], "name": "Renamed"}}, token=owner
    )
    assert renamed["updateForm"]["form"]["questions"] == form["questions"]
    assert renamed["updateForm"]["form"]["name"] == "Renamed"

    async def flow_refused(form_ids: list[str], optional: list[str] = []) -> dict[str, Any]:  # noqa: B006
        data = await api.op(
            "CreateIntakeFlow",
            {"input": {"name": "Flow", "formIds": form_ids, "optionalFormIds": optional}},
            token=owner,
        )
        assert data["createIntakeFlow"]["intakeFlow"] is None
        return data["createIntakeFlow"]  # type: ignore[no-any-return]

    assert codes(await flow_refused([])) == ["INVALID_INPUT"]
    assert codes(await flow_refused([form["id"], form["id"]])) == ["INVALID_INPUT"]
    other = await create_form(api, owner, "Other", [text("c")])
    assert codes(await flow_refused([form["id"]], [other["id"]])) == ["INVALID_INPUT"]
    archived = await api.op("ArchiveForm", {"input": {"id": other["id"]}}, token=owner)
    assert archived["archiveForm"]["form"]["archived"] is True
    assert codes(await flow_refused([form["id"], other["id"]])) == ["INVALID_INPUT"]

    # a client builds nothing
    _, b_email = await create_client(api, practice, invite=True)
    client = await accept(api, smtp, b_email)
    by_client = await api.op(
        "CreateForm", {"input": {"name": "Mine", "questions": [text("a")]}}, token=client
    )
    assert codes(by_client["createForm"]) == ["FORBIDDEN"]


async def test_editing_a_requested_form_makes_a_new_version_with_the_same_id(
    api: GraphQLClient, practice: Practice
) -> None:
    owner = practice.owner_token
    form = await create_form(api, owner, "Check-in", [text("mood", "How are you?")])
    assert form["version"] == 1
    # no request yet: edited in place
    edited = await api.op(
        "UpdateForm",
        {"input": {"id": form["id"], "questions": [text("mood", "How do you feel?")]}},
        token=owner,
    )
    v1 = edited["updateForm"]["form"]
    assert edited["updateForm"]["userErrors"] == []
    assert (v1["id"], v1["version"]) == (form["id"], 1)
    assert v1["questions"][0]["label"] == "How do you feel?"

    flow = await create_flow(api, owner, [form["id"]])
    client_id, _ = await create_client(api, practice)
    [old] = await request_flow(api, owner, client_id, flow["id"])
    assert old["formVersion"] == 1

    v2_questions = [text("mood", "How do you feel?"), text("sleep", "How did you sleep?")]
    bumped = await api.op(
        "UpdateForm",
        {"input": {"id": form["id"], "name": "Weekly check-in", "questions": v2_questions}},
        token=owner,
    )
    v2 = bumped["updateForm"]["form"]
    assert (v2["id"], v2["version"], v2["name"]) == (form["id"], 2, "Weekly check-in")
    assert [q["key"] for q in v2["questions"]] == ["mood", "sleep"]
    # v2 has no request yet: another edit stays version 2
    again = await api.op(
        "UpdateForm",
        {"input": {"id": form["id"], "questions": [*v2_questions, text("diet", required=False)]}},
        token=owner,
    )
    assert again["updateForm"]["form"]["version"] == 2
    assert [q["key"] for q in again["updateForm"]["form"]["questions"]] == [
        "mood",
        "sleep",
        "diet",
    ]
    preview = await api.op("IntakeFlowPreview", {"id": flow["id"]}, token=owner)
    assert preview["intakeFlowPreview"]["items"][0]["form"]["version"] == 2

    # the old request still answers what it was sent
    [still_old] = await requests_of(api, owner, client_id)
    assert still_old["formVersion"] == 1
    assert still_old["form"]["id"] == form["id"]
    assert still_old["form"]["version"] == 1
    assert [q["key"] for q in still_old["form"]["questions"]] == ["mood"]
    assert still_old["form"]["questions"][0]["label"] == "How do you feel?"
    not_in_v1 = await submit(api, owner, old["id"], [{"questionKey": "sleep", "value": "Well"}])
    assert codes(not_in_v1) == ["INVALID_INPUT"]
    done = await submit(api, owner, old["id"], [{"questionKey": "mood", "value": "Fine"}])
    assert done["userErrors"] == [] and done["formRequest"]["status"] == "COMPLETED"
    assert done["formRequest"]["formVersion"] == 1

    # a new request gets version 2
    [new] = await request_flow(api, owner, client_id, flow["id"])
    assert new["formVersion"] == 2
    assert new["form"]["version"] == 2
    assert [q["key"] for q in new["form"]["questions"]] == ["mood", "sleep", "diet"]
    incomplete = await submit(api, owner, new["id"], [{"questionKey": "mood", "value": "Ok"}])
    assert codes(incomplete) == ["FORM_INCOMPLETE"]
    assert "sleep" in incomplete["userErrors"][0]["field"]
    finished = await submit(
        api,
        owner,
        new["id"],
        [{"questionKey": "mood", "value": "Ok"}, {"questionKey": "sleep", "value": "Badly"}],
    )
    assert finished["formRequest"]["answers"] == {"mood": "Ok", "sleep": "Badly"}
    # and from now on v2 is requested: the next edit is version 3, v1 and v2 kept as sent
    third = await api.op(
        "UpdateForm", {"input": {"id": form["id"], "name": "Check-in v3"}}, token=owner
    )
    assert third["updateForm"]["form"]["version"] == 3
    rows = await requests_of(api, owner, client_id)
    assert sorted((r["formVersion"], r["form"]["version"]) for r in rows) == [(1, 1), (2, 2)]


async def test_a_draft_is_saved_and_finishing_needs_every_required_answer(
    api: GraphQLClient, practice: Practice, smtp: Inbox
) -> None:
    owner = practice.owner_token
    form = await create_form(
        api,
        owner,
        "History",
        [
            text("allergies", "Any allergies?"),
            {"key": "consent", "label": "Do you consent?", "type": "YES_NO", "required": True},
            {"key": "notes", "label": "Anything else", "type": "LONG_TEXT"},
        ],
    )
    flow = await create_flow(api, owner, [form["id"]])
    client_id, email = await create_client(api, practice, invite=True)
    client = await accept(api, smtp, email)
    [request] = await request_flow(api, owner, client_id, flow["id"])

    draft = await submit(
        api,
        client,
        request["id"],
        [{"questionKey": "notes", "value": "Back pain"}],
        finished=False,
    )
    assert draft["userErrors"] == []
    assert draft["formRequest"]["status"] == "PENDING"
    assert draft["formRequest"]["answers"] == {"notes": "Back pain"}
    [pending] = (await api.op("ViewerIntake", token=client))["viewer"]["pendingIntake"]
    assert pending["answers"] == {"notes": "Back pain"}

    short = await submit(
        api, client, request["id"], [{"questionKey": "allergies", "value": "None"}]
    )
    assert short["formRequest"] is None
    [error] = short["userErrors"]
    assert error["code"] == "FORM_INCOMPLETE"
    assert "consent" in error["field"] and "allergies" not in error["field"]
    assert "Do you consent?" in error["message"]
    # the refused finish kept nothing: the draft is as it was
    [still] = await requests_of(api, owner, client_id)
    assert still["status"] == "PENDING" and still["answers"] == {"notes": "Back pain"}

    done = await submit(
        api,
        client,
        request["id"],
        [{"questionKey": "allergies", "value": "None"}, {"questionKey": "consent", "value": "yes"}],
    )
    assert done["userErrors"] == []
    completed = done["formRequest"]
    assert completed["status"] == "COMPLETED"
    assert completed["answers"] == {"notes": "Back pain", "allergies": "None", "consent": True}
    assert completed["filledBy"] == {"__typename": "Client", "id": client_id, "name": "Cleo Client"}
    again = await submit(api, client, request["id"], [{"questionKey": "notes", "value": "More"}])
    assert codes(again) == ["INVALID_INPUT"]


async def test_a_member_fills_a_form_for_the_client_and_the_audit_log_says_so(
    api: GraphQLClient, practice: Practice, smtp: Inbox
) -> None:
    provider_id, provider = await invite_provider(api, practice, smtp)
    flows = await default_flow(api, practice)
    client_id, _ = await create_client(api, practice)
    history, consent = await requests_of(api, provider, client_id)
    assert history["form"]["id"] == flows.history["id"]

    filled = await submit(api, provider, consent["id"], consent_answers("Cleo Client"))
    assert filled["userErrors"] == []
    row = filled["formRequest"]
    assert row["status"] == "COMPLETED"
    assert row["filledBy"] == {"__typename": "Member", "id": provider_id, "name": "Pat Provider"}
    assert row["answers"]["signature"]["name"] == "Cleo Client"
    assert row["answers"]["signature"]["ip"] == "203.0.113.7"
    [event] = await audit_rows(api, practice, client_id, "submitFormResponse")
    assert event["action"] == "WRITE"
    assert event["actorId"] == provider_id
    assert event["resourceId"] == consent["id"]
    assert event["clientId"] == client_id
    # read back by the owner: the provider is who filled it
    rows = {r["id"]: r for r in await requests_of(api, practice.owner_token, client_id)}
    assert rows[consent["id"]]["filledBy"]["id"] == provider_id
    assert rows[history["id"]]["filledBy"] is None


async def test_skipping_is_for_members_and_keeps_the_reason(
    api: GraphQLClient, practice: Practice, smtp: Inbox
) -> None:
    owner = practice.owner_token
    await default_flow(api, practice)
    client_id, email = await create_client(api, practice, invite=True)
    client = await accept(api, smtp, email)
    history, consent = await requests_of(api, owner, client_id)

    # members only: a client is FORBIDDEN (while the portal gate is closed to them, the gate
    # may answer first; either way nothing is skipped)
    gated = await skip(api, client, history["id"], "I'd rather not")
    assert gated["formRequest"] is None
    assert codes(gated)[0] in ("FORBIDDEN", "INTAKE_REQUIRED")
    await set_gate(api, practice, "OFF")
    assert codes(await skip(api, client, history["id"], "I'd rather not")) == ["FORBIDDEN"]
    await set_gate(api, practice, "PORTAL")
    assert [r["status"] for r in await requests_of(api, owner, client_id)] == ["PENDING"] * 2

    assert codes(await skip(api, owner, history["id"], "   ")) == ["INVALID_INPUT"]
    skipped = await skip(api, owner, history["id"], "Completed on paper at the front desk")
    assert skipped["userErrors"] == []
    row = skipped["formRequest"]
    assert row["status"] == "SKIPPED"
    assert row["skipReason"] == "Completed on paper at the front desk"
    assert row["answers"] is None
    [event] = await audit_rows(api, practice, client_id, "skipFormRequest")
    assert event["actorId"] == practice.owner["id"]
    assert codes(await skip(api, owner, history["id"], "Twice")) == ["INVALID_INPUT"]
    assert codes(await submit(api, client, history["id"], history_answers())) == ["INVALID_INPUT"]
    pending = (await api.op("ViewerIntake", token=client))["viewer"]["pendingIntake"]
    assert [r["id"] for r in pending] == [consent["id"]]
    listed = await api.op(
        "FormRequests", {"filter": {"clientId": client_id, "status": "SKIPPED"}}, token=owner
    )
    assert [e["node"]["id"] for e in listed["formRequests"]["edges"]] == [history["id"]]


# --- requests and emails -------------------------------------------------------------------


async def only_email_to(app: Starlette, smtp: Inbox, email: str) -> None:
    """Everything the request set going has run: one email was made for the address, and sent."""
    await jobs_settled(app)
    assert [r.status for r in await outbox_to(app, email)] == [EmailStatus.SENT]
    assert len(smtp.to(email)) == 1, [m["Subject"] for m in smtp.to(email)]


async def test_create_client_with_an_invitation_sends_one_email_with_both_links(
    app: Starlette, api: GraphQLClient, practice: Practice, smtp: Inbox
) -> None:
    flows = await default_flow(api, practice)
    assert flows.flow["isDefault"] is True
    client_id, email = await create_client(api, practice, invite=True)
    [invite] = await smtp.wait_for(email, subject="invited")
    body = body_of(invite)
    assert "https://portal.example.test/accept-invitation?token=" in body
    assert INTAKE_URL in body
    await only_email_to(app, smtp, email)  # nothing else is on its way
    rows = await requests_of(api, practice.owner_token, client_id)
    assert [(r["form"]["id"], r["status"], r["required"], r["formVersion"]) for r in rows] == [
        (flows.history["id"], "PENDING", True, 1),
        (flows.consent["id"], "PENDING", True, 1),
    ]
    [event] = [
        e
        for e in await audit_rows(api, practice, client_id, "requestIntakeFlow")
        if e["resourceId"] == rows[0]["id"]
    ]
    assert event["actorId"] == practice.owner["id"]


async def test_a_client_not_invited_gets_no_intake_email_until_their_invitation_carries_it(
    app: Starlette, api: GraphQLClient, practice: Practice, smtp: Inbox
) -> None:
    await default_flow(api, practice)
    client_id, email = await create_client(api, practice, invite=False)
    data = await api.op("ClientIntake", {"id": client_id}, token=practice.owner_token)
    assert len(data["client"]["pendingIntake"]) == 2
    await jobs_settled(app)
    assert await outbox_to(app, email) == [] and smtp.to(email) == []
    resent = await api.op(
        "ResendInvitation", {"input": {"clientId": client_id}}, token=practice.owner_token
    )
    assert resent["resendInvitation"]["userErrors"] == []
    assert resent["resendInvitation"]["client"]["id"] == client_id
    [invite] = await smtp.wait_for(email, subject="invited")
    assert "https://portal.example.test/accept-invitation?token=" in body_of(invite)
    assert INTAKE_URL in body_of(invite)
    await only_email_to(app, smtp, email)


async def test_no_default_flow_means_no_requests_and_no_intake_email(
    api: GraphQLClient, practice: Practice, smtp: Inbox
) -> None:
    form = await create_form(api, practice.owner_token, "Not default", [text("a")])
    await create_flow(api, practice.owner_token, [form["id"]], default=False)
    client_id, email = await create_client(api, practice, invite=True)
    [invite] = await smtp.wait_for(email, subject="invited")
    assert INTAKE_URL not in body_of(invite)
    assert await requests_of(api, practice.owner_token, client_id) == []


async def test_one_flow_is_the_default_and_archived_forms_are_left_out(
    api: GraphQLClient, practice: Practice, smtp: Inbox
) -> None:
    owner = practice.owner_token
    old = await default_flow(api, practice)
    welcome = await create_form(api, owner, "Welcome", [text("goals", "Your goals")])
    extra = await create_form(api, owner, "Extra", [text("more")])
    newer = await create_flow(api, owner, [welcome["id"], extra["id"]], default=True)
    # the preview shows what a client will get, and creates nothing
    preview = await api.op("IntakeFlowPreview", {"id": newer["id"]}, token=owner)
    assert [i["form"]["id"] for i in preview["intakeFlowPreview"]["items"]] == [
        welcome["id"],
        extra["id"],
    ]
    listed = await api.op("FormRequests", token=owner)
    assert listed["formRequests"]["totalCount"] == 0
    first_id, _ = await create_client(api, practice)
    assert [r["form"]["id"] for r in await requests_of(api, owner, first_id)] == [
        welcome["id"],
        extra["id"],
    ]
    old_preview = await api.op("IntakeFlowPreview", {"id": old.flow["id"]}, token=owner)
    assert old_preview["intakeFlowPreview"]["isDefault"] is False
    # an archived form is no longer requested
    await api.op("ArchiveForm", {"input": {"id": extra["id"]}}, token=owner)
    preview = await api.op("IntakeFlowPreview", {"id": newer["id"]}, token=owner)
    assert [i["form"]["id"] for i in preview["intakeFlowPreview"]["items"]] == [welcome["id"]]
    second_id, _ = await create_client(api, practice)
    assert [r["form"]["id"] for r in await requests_of(api, owner, second_id)] == [welcome["id"]]
    # what was already requested stays as it was
    assert len(await requests_of(api, owner, first_id)) == 2


async def test_a_client_created_by_public_booking_gets_the_default_flow(
    api: GraphQLClient, smtp: Inbox
) -> None:
    b = await booking_setup(api, smtp)
    flows = await default_flow(api, b.practice)
    await set_gate(api, b.practice, "PORTAL", bookingOutsidePortal=True)
    email = unique_email("widget")
    made = await api.op(
        "WidgetBook",
        {
            "input": {
                "appointmentTypeId": b.type_id,
                "providerId": b.provider_id,
                "startsAt": local(next_weekday(3), 10),
                "client": {"name": "Wanda Widget", "email": email},
            }
        },
        headers={"X-Carebase-Publishable-Key": b.practice.organization["publishableKey"]},
    )
    assert made["bookAppointmentPublic"]["userErrors"] == []
    [invite] = await smtp.wait_for(email, subject="invited")
    assert INTAKE_URL in body_of(invite)
    assert "accept-invitation?token=" in body_of(invite)
    found = await api.op("Clients", {"search": email}, token=b.practice.owner_token)
    [client] = [e["node"] for e in found["clients"]["edges"]]
    rows = await requests_of(api, b.practice.owner_token, client["id"])
    assert [(r["form"]["id"], r["status"]) for r in rows] == [
        (flows.history["id"], "PENDING"),
        (flows.consent["id"], "PENDING"),
    ]


async def test_resend_emails_the_client_again(
    api: GraphQLClient, practice: Practice, smtp: Inbox
) -> None:
    owner = practice.owner_token
    await default_flow(api, practice)
    client_id, email = await create_client(api, practice, invite=True)
    await accept(api, smtp, email)
    resent = await api.op("ResendIntakeRequest", {"input": {"clientId": client_id}}, token=owner)
    payload = resent["resendIntakeRequest"]
    assert payload["userErrors"] == []
    assert [r["status"] for r in payload["formRequests"]] == ["PENDING", "PENDING"]
    first, second = await smtp.wait_for(email, count=2)
    assert "invited" in str(first["Subject"])
    assert "intake forms" in str(second["Subject"])
    assert INTAKE_URL in body_of(second)
    assert "token=" not in body_of(second)  # accepted already: no new invitation
    [event] = await audit_rows(api, practice, client_id, "resendIntakeRequest")
    assert event["actorId"] == practice.owner["id"]

    # done: nothing left to resend
    history, consent = await requests_of(api, owner, client_id)
    await submit(api, owner, history["id"], history_answers())
    await skip(api, owner, consent["id"], "Signed on paper")
    nothing = await api.op("ResendIntakeRequest", {"input": {"clientId": client_id}}, token=owner)
    assert codes(nothing["resendIntakeRequest"]) == ["INVALID_INPUT"]


async def test_resend_to_a_client_who_never_accepted_reinvites_with_the_intake_link(
    api: GraphQLClient, practice: Practice, smtp: Inbox
) -> None:
    await default_flow(api, practice)
    client_id, email = await create_client(api, practice, invite=True)
    await smtp.wait_for(email, subject="invited")
    resent = await api.op(
        "ResendIntakeRequest", {"input": {"clientId": client_id}}, token=practice.owner_token
    )
    assert resent["resendIntakeRequest"]["userErrors"] == []
    _, again = await smtp.wait_for(email, subject="invited", count=2)
    assert INTAKE_URL in body_of(again)
    assert "accept-invitation?token=" in body_of(again)
    token = await accept(api, smtp, email, nth=2)
    viewer = await api.op("ViewerIntake", token=token)
    assert viewer["viewer"]["id"] == client_id
    assert len(viewer["viewer"]["pendingIntake"]) == 2


# --- the gate ------------------------------------------------------------------------------


async def test_the_portal_gate_closes_everything_but_intake_until_it_is_done(
    api: GraphQLClient, smtp: Inbox
) -> None:
    b = await booking_setup(api, smtp)
    owner = b.practice.owner_token
    organization = await api.op("Organization", token=b.client_token)
    assert organization["organization"]["portalSettings"]["intakeGate"] == "PORTAL"  # default
    history = await create_form(api, owner, "Health history", [text("allergies")])
    consent = await create_form(api, owner, "Consent", [text("agree")])
    extra = await create_form(api, owner, "About you", [text("hobbies")])
    flow = await create_flow(
        api, owner, [history["id"], consent["id"], extra["id"]], optional=[extra["id"]]
    )
    rows = await request_flow(api, owner, b.client_id, flow["id"])
    assert [r["required"] for r in rows] == [True, True, False]
    client = b.client_token
    day = next_weekday(4)

    refused = await book(api, b, local(day, 10), token=client)
    assert refused["appointment"] is None
    assert codes(refused) == ["INTAKE_REQUIRED"]
    for name, variables in (
        ("Appointments", {}),
        ("Organization", {}),
        ("UpcomingAppointments", {}),
        ("FormRequestNode", {"id": rows[0]["id"]}),
        (
            "AvailableSlots",
            {
                "providerId": b.provider_id,
                "appointmentTypeId": b.type_id,
                "from": local(day, 0),
                "to": local(day, 23),
            },
        ),
    ):
        result = await api.raw(
            documents()[name],
            variables,
            token=client,
        )
        assert result["errors"], (name, result)
        assert error_code(result["errors"]) == "INTAKE_REQUIRED", (name, result)

    # what stays open: the viewer, intake, log-out
    viewer = await api.op("Viewer", token=client)
    assert viewer["viewer"]["id"] == b.client_id
    nested = await api.op("ViewerAppointmentsNested", token=client)
    assert nested["viewer"]["id"] == b.client_id and nested["viewer"]["name"] == "Cleo Client"
    listed = await api.op("FormRequests", token=client)
    assert listed["formRequests"]["totalCount"] == 3
    intake = await api.op("ViewerIntake", token=client)
    assert [r["id"] for r in intake["viewer"]["pendingIntake"]] == [rows[0]["id"], rows[1]["id"]]
    assert intake["viewer"]["formRequests"]["totalCount"] == 3
    second = await api.op("LogIn", {"input": {"email": b.client_email, "password": PASSWORD}})
    other_session = second["logIn"]["accessToken"]
    out = await api.op("LogOut", token=other_session)
    assert out["logOut"] == {"success": True, "userErrors": []}

    # members are never gated: they book for the client
    for_client = await book(api, b, local(day, 10), token=owner, client_id=b.client_id)
    assert for_client["userErrors"] == []
    appointment_id = for_client["appointment"]["id"]
    cancel = await api.op("CancelAppointment", {"input": {"id": appointment_id}}, token=client)
    assert codes(cancel["cancelAppointment"]) == ["INTAKE_REQUIRED"]

    # one form done by the client: still one required pending
    done = await submit(api, client, rows[0]["id"], [{"questionKey": "allergies", "value": "No"}])
    assert done["userErrors"] == []
    assert codes(await book(api, b, local(day, 13), token=client)) == ["INTAKE_REQUIRED"]
    # the other skipped by the practice: the optional one does not hold the gate
    assert (await skip(api, owner, rows[1]["id"], "Signed on paper"))["userErrors"] == []
    intake = await api.op("ViewerIntake", token=client)
    assert intake["viewer"]["pendingIntake"] == []
    statuses = [e["node"]["status"] for e in intake["viewer"]["formRequests"]["edges"]]
    assert statuses == ["COMPLETED", "SKIPPED", "PENDING"]
    booked = await book(api, b, local(day, 13), token=client)
    assert booked["userErrors"] == []
    assert (await api.op("Organization", token=client))["organization"]["id"] == b.practice.id
    mine = await api.op("Appointments", token=client)
    assert mine["appointments"]["totalCount"] == 2
    upcoming = await api.op("UpcomingAppointments", token=client)
    assert upcoming["upcomingAppointments"]["totalCount"] == 2
    node = await api.op("FormRequestNode", {"id": rows[2]["id"]}, token=client)
    assert node["node"]["status"] == "PENDING"


async def test_the_booking_gate_closes_only_booking_and_off_closes_nothing(
    api: GraphQLClient, smtp: Inbox
) -> None:
    b = await booking_setup(api, smtp)
    owner = b.practice.owner_token
    await set_gate(api, b.practice, "BOOKING")
    form = await create_form(api, owner, "History", [text("allergies")])
    flow = await create_flow(api, owner, [form["id"]])
    [row] = await request_flow(api, owner, b.client_id, flow["id"])
    day = next_weekday(2)

    refused = await book(api, b, local(day, 9), token=b.client_token)
    assert codes(refused) == ["INTAKE_REQUIRED"]
    organization = await api.op("Organization", token=b.client_token)
    assert organization["organization"]["portalSettings"]["intakeGate"] == "BOOKING"
    assert (await api.op("Appointments", token=b.client_token))["appointments"]["totalCount"] == 0
    await api.op("UpcomingAppointments", token=b.client_token)
    node = await api.op("FormRequestNode", {"id": row["id"]}, token=b.client_token)
    assert node["node"]["id"] == row["id"]
    # members still book for the client
    by_owner = await book(api, b, local(day, 9), token=owner, client_id=b.client_id)
    assert by_owner["userErrors"] == []

    await set_gate(api, b.practice, "OFF")
    booked = await book(api, b, local(day, 11), token=b.client_token)
    assert booked["userErrors"] == []
    assert (await api.op("Appointments", token=b.client_token))["appointments"]["totalCount"] == 2
    pending = (await api.op("ViewerIntake", token=b.client_token))["viewer"]["pendingIntake"]
    assert [r["id"] for r in pending] == [row["id"]]  # still pending, just not enforced


# --- tenancy -------------------------------------------------------------------------------


async def test_another_organization_cannot_read_fill_skip_or_resend(
    app: Starlette, api: GraphQLClient, practice: Practice, smtp: Inbox
) -> None:
    flows = await default_flow(api, practice)
    client_id, email = await create_client(api, practice)
    history, consent = await requests_of(api, practice.owner_token, client_id)
    other = await sign_up(api, "Elsewhere Clinic")
    token = other.owner_token

    assert (await api.op("FormRequestNode", {"id": history["id"]}, token=token))["node"] is None
    listed = await api.op("FormRequests", {"filter": {"clientId": client_id}}, token=token)
    assert listed["formRequests"]["totalCount"] == 0
    assert (await api.op("FormRequests", token=token))["formRequests"]["totalCount"] == 0
    assert (await api.op("ClientIntake", {"id": client_id}, token=token))["client"] is None
    assert codes(await submit(api, token, history["id"], history_answers())) == ["NOT_FOUND"]
    assert codes(await skip(api, token, consent["id"], "Not ours")) == ["NOT_FOUND"]
    resent = await api.op("ResendIntakeRequest", {"input": {"clientId": client_id}}, token=token)
    assert codes(resent["resendIntakeRequest"]) == ["NOT_FOUND"]
    preview = await api.errors("IntakeFlowPreview", {"id": flows.flow["id"]}, token=token)
    assert error_code(preview) == "NOT_FOUND"
    # their own client cannot be sent this practice's flow or forms
    own_client, _ = await create_client(api, other)
    stolen = await api.op(
        "RequestIntakeFlow",
        {"input": {"clientId": own_client, "intakeFlowId": flows.flow["id"]}},
        token=token,
    )
    assert codes(stolen["requestIntakeFlow"]) == ["NOT_FOUND"]
    borrowed = await api.op(
        "CreateIntakeFlow",
        {"input": {"name": "Borrowed", "formIds": [flows.history["id"]]}},
        token=token,
    )
    assert codes(borrowed["createIntakeFlow"]) == ["NOT_FOUND"]
    edited = await api.op(
        "UpdateForm", {"input": {"id": flows.history["id"], "name": "Mine now"}}, token=token
    )
    assert codes(edited["updateForm"]) == ["NOT_FOUND"]

    rows = await requests_of(api, practice.owner_token, client_id)
    assert [(r["status"], r["answers"], r["skipReason"]) for r in rows] == [
        ("PENDING", None, None),
        ("PENDING", None, None),
    ]
    await jobs_settled(app)  # no resend went out (nor any intake email: not invited yet)
    assert await outbox_to(app, email) == [] and smtp.to(email) == []


async def test_a_client_cannot_read_or_fill_another_clients_forms(
    api: GraphQLClient, practice: Practice, smtp: Inbox
) -> None:
    await default_flow(api, practice)
    await set_gate(api, practice, "OFF")  # so that node is open to the clients
    first_id, first_email = await create_client(api, practice, invite=True, name="Ada First")
    second_id, second_email = await create_client(api, practice, invite=True, name="Bo Second")
    first = await accept(api, smtp, first_email)
    await accept(api, smtp, second_email)
    theirs = await requests_of(api, practice.owner_token, second_id)
    mine = await requests_of(api, practice.owner_token, first_id)

    for row in theirs:
        assert (await api.op("FormRequestNode", {"id": row["id"]}, token=first))["node"] is None
    own = await api.op("FormRequestNode", {"id": mine[0]["id"]}, token=first)
    assert own["node"]["client"]["id"] == first_id
    listed = await api.op("FormRequests", token=first)
    assert {e["node"]["client"]["id"] for e in listed["formRequests"]["edges"]} == {first_id}
    assert listed["formRequests"]["totalCount"] == 2
    filtered = await api.op("FormRequests", {"filter": {"clientId": second_id}}, token=first)
    assert filtered["formRequests"]["totalCount"] == 0
    viewer = await api.op("ViewerIntake", token=first)
    assert {r["id"] for r in viewer["viewer"]["pendingIntake"]} == {r["id"] for r in mine}
    assert codes(await submit(api, first, theirs[0]["id"], history_answers())) == ["NOT_FOUND"]
    after = await requests_of(api, practice.owner_token, second_id)
    assert [r["answers"] for r in after] == [None, None]


# --- cost ----------------------------------------------------------------------------------


async def test_form_requests_cost_the_same_for_10_and_100(
    app: Starlette, api: GraphQLClient, practice: Practice
) -> None:
    org = key_of(practice.id)
    async with app.state.db.unit_of_work(write=True) as uow:
        member = await make_member(uow, organization_id=org)
        forms = []
        for i in range(3):
            form = Form(organization_id=org, name=f"Form {i}", version=1)
            uow.session.add(form)
            await uow.session.flush()
            uow.session.add(
                FormVersion(
                    form_id=form.id,
                    version=1,
                    name=form.name,
                    questions=[
                        {
                            "key": "q",
                            "label": "Q",
                            "type": "TEXT",
                            "required": True,
                            "options": None,
                        }
                    ],
                )
            )
            forms.append(form)
        for i in range(100):
            client = await make_client(uow, organization_id=org, name=f"Client {i:03}")
            uow.session.add(
                FormRequest(
                    organization_id=org,
                    client_id=client.id,
                    form_id=forms[i % 3].id,
                    form_version=1,
                    position=0,
                    required=True,
                    status=FormRequestStatus.COMPLETED if i % 2 else FormRequestStatus.PENDING,
                    answers={"q": f"answer {i}"} if i % 2 else None,
                    filled_by_id=member.id if i % 2 else None,
                )
            )
    counts = {}
    for first in (10, 100):
        with count_statements(app) as statements:
            data = await api.op("FormRequests", {"first": first}, token=practice.owner_token)
        edges = data["formRequests"]["edges"]
        assert len(edges) == first
        assert all(e["node"]["client"]["name"].startswith("Client ") for e in edges)
        assert all(e["node"]["form"]["questions"][0]["key"] == "q" for e in edges)
        assert any(e["node"]["filledBy"] for e in edges)
        counts[first] = len(statements)
    assert_pinned("form_requests", counts)


# --- as a new practice would try it --------------------------------------------------------


async def test_a_new_practice_runs_intake_end_to_end(api: GraphQLClient, smtp: Inbox) -> None:
    b = await booking_setup(api, smtp)
    practice, owner = b.practice, b.practice.owner_token
    provider_id, provider = await invite_provider(api, practice, smtp)
    flows = await default_flow(api, practice)
    preview = await api.op("IntakeFlowPreview", {"id": flows.flow["id"]}, token=owner)
    assert [(i["form"]["name"], i["required"]) for i in preview["intakeFlowPreview"]["items"]] == [
        ("Health history", True),
        ("Consent", True),
    ]

    # a new client: one email, logs in, cannot book yet
    client_id, email = await create_client(api, practice, invite=True, name="Nina New")
    [invite] = await smtp.wait_for(email)
    assert INTAKE_URL in body_of(invite)
    client = await accept(api, smtp, email)
    day = next_weekday(2)
    assert codes(await book(api, b, local(day, 9), token=client)) == ["INTAKE_REQUIRED"]
    history, consent = (await api.op("ViewerIntake", token=client))["viewer"]["pendingIntake"]
    # the client does one, the provider the other with them
    mine = await submit(api, client, history["id"], history_answers())
    assert mine["formRequest"]["filledBy"]["__typename"] == "Client"
    theirs = await submit(api, provider, consent["id"], consent_answers("Nina New"))
    assert theirs["formRequest"]["filledBy"] == {
        "__typename": "Member",
        "id": provider_id,
        "name": "Pat Provider",
    }
    actors = {
        e["actorId"] for e in await audit_rows(api, practice, client_id, "submitFormResponse")
    }
    assert actors == {client_id, provider_id}
    booked = await book(api, b, local(day, 9), token=client)
    assert booked["userErrors"] == [] and booked["appointment"]["client"]["id"] == client_id

    # another client's forms are skipped with a reason, and they book
    other_id, other_email = await create_client(api, practice, invite=True, name="Omar Other")
    other = await accept(api, smtp, other_email)
    for row in await requests_of(api, owner, other_id):
        skipped = await skip(api, owner, row["id"], "Returning client, forms on file")
        assert skipped["formRequest"]["skipReason"] == "Returning client, forms on file"
    assert (await book(api, b, local(day, 11), token=other))["userErrors"] == []

    # a resend sends another email (to a client who has no login yet: an invitation with it)
    third_id, third_email = await create_client(api, practice, name="Tess Third")
    resent = await api.op("ResendIntakeRequest", {"input": {"clientId": third_id}}, token=owner)
    assert resent["resendIntakeRequest"]["userErrors"] == []
    [again] = await smtp.wait_for(third_email, count=1)
    assert INTAKE_URL in body_of(again) and "accept-invitation?token=" in body_of(again)
