"""The log search of the whole run (tests/fixtures/log_capture.py) sees carebase's logs, and
the API's everyday paths leave none of the registered secrets in them."""

from __future__ import annotations

import logging
import uuid

import pytest

from carebase.config import Settings
from carebase.jobs.email import EmailNotSent, send_email
from carebase.jobs.runtime import JobRuntime
from carebase.jobs.sms import send_text
from carebase.resolvers.core.notifications import queue_email, queue_sms
from carebase.resolvers.reactions import build_hooks
from tests.conftest import PASSWORD, sign_up, unique_email
from tests.fixtures.graphql import GraphQLClient
from tests.fixtures.log_capture import CAPTURE, Record, find_leaks
from tests.fixtures.secrets import SECRETS, secret
from tests.fixtures.smtp import Inbox, free_port


def test_a_planted_marker_is_captured_and_found() -> None:
    marker = f"planted-{uuid.uuid4().hex}-marker"
    mark = CAPTURE.mark()
    logging.getLogger("carebase.graphql").info("a marker for the log search: %s", marker)
    hits = find_leaks(CAPTURE.since(mark), {marker: "marker"})
    assert [(hit.kind, hit.logger) for hit in hits] == [("marker", "carebase.graphql")]
    assert marker not in hits[0].line()  # reported masked
    assert find_leaks(CAPTURE.records, {marker: "marker"})  # the session's search sees it too


def test_the_search_reads_tracebacks_and_query_strings() -> None:
    marker = f"trace-{uuid.uuid4().hex}"
    mark = CAPTURE.mark()
    try:
        raise RuntimeError(f"failed for {marker}")
    except RuntimeError:
        logging.getLogger("carebase.jobs").exception("a job failed")
    assert find_leaks(CAPTURE.since(mark), {marker: "marker"})
    encoded = [Record("INFO", "x", "GET /p?email=ann-1a2b3c%40example.test")]
    assert find_leaks(encoded, {"ann-1a2b3c@example.test": "email"})
    assert not find_leaks(encoded, {"bob-1a2b3c@example.test": "email"})


async def test_a_sign_up_a_client_a_failed_log_in_and_expected_errors_log_no_secret(
    api: GraphQLClient, smtp: Inbox
) -> None:
    mark = CAPTURE.mark()
    practice = await sign_up(api)
    email = unique_email("logged-client")
    created = await api.op(
        "CreateClient",
        {
            "input": {
                "name": "Juniper Searchfor",
                "email": email,
                "phone": "+1 773 555 0123",
                "sendInvitation": True,
            }
        },
        token=practice.owner_token,
    )
    assert created["createClient"]["userErrors"] == []
    await smtp.wait_for(email, subject="invited")  # the email job ran
    failed = await api.op(
        "LogIn", {"input": {"email": practice.owner_email, "password": "not it, not ever"}}
    )
    assert [e["code"] for e in failed["logIn"]["userErrors"]] == ["INVALID_CREDENTIALS"]
    [refused] = await api.errors("Organization")
    assert refused["extensions"]["code"] == "UNAUTHENTICATED"
    invalid = await api.raw(
        "query($e: Int!) { clients(first: $e) { totalCount } }",
        {"e": secret("not a number at all", "input")},
        token=practice.owner_token,
    )
    assert invalid["errors"]

    # the client's API registered what it sent and heard
    for value in (PASSWORD, email, "Juniper Searchfor", "+1 773 555 0123", "not it, not ever"):
        assert value in SECRETS, value
    assert practice.owner_token in SECRETS

    logged = CAPTURE.since(mark)
    errors = [r for r in logged if r.logger == "carebase.graphql"]
    assert any(r.level == "INFO" and "UNAUTHENTICATED at organization" in r.text for r in errors)
    assert [r for r in errors if "GRAPHQL_VALIDATION_FAILED" in r.text]
    assert not [r for r in logged if "Traceback" in r.text or r.logger == "strawberry.execution"]
    hits = find_leaks(CAPTURE.records, SECRETS)
    assert hits == [], "\n".join(hit.line() for hit in hits)


async def test_the_outbox_logs_ids_and_kinds_never_addresses_subjects_or_bodies(
    settings: Settings,
) -> None:
    address = unique_email("outbox")
    number = secret("+1 872 555 0199", "phone")
    subject = secret("Your visit with Juniper Searchfor", "subject")
    body = secret(
        "Juniper, your reset link: https://portal.example.test/r?token=abc123def456", "body"
    )
    mark = CAPTURE.mark()
    quiet = JobRuntime(
        settings.replace(smtp_url=""), build_hooks()
    )  # no SMTP, and no Twilio either
    async with quiet.database().unit_of_work(write=True) as uow:
        email = await queue_email(
            uow, to=address, subject=subject, body=body, kind="test", organization_id=None
        )
        sms = await queue_sms(uow, to=number, body=body, kind="test", organization_id=None)
    await send_email(quiet, str(email.id))
    await send_text(quiet, str(sms.id))
    refused = JobRuntime(
        settings.replace(smtp_url=f"smtp://127.0.0.1:{free_port()}"), build_hooks()
    )
    async with refused.database().unit_of_work(write=True) as uow:
        failing = await queue_email(
            uow, to=address, subject=subject, body=body, kind="test", organization_id=None
        )
    with pytest.raises(EmailNotSent) as raised:
        await send_email(refused, str(failing.id))
    assert raised.value.__cause__ is None and address not in str(raised.value)

    logged = [r.text for r in CAPTURE.since(mark) if r.logger.startswith("carebase.")]
    assert any(str(email.id) in line and "(test)" in line for line in logged), logged
    assert any(str(sms.id) in line and "(test)" in line for line in logged), logged
    assert any(str(failing.id) in line and "not sent" in line for line in logged), logged
    leaks = find_leaks(
        CAPTURE.since(mark),
        {address: "email", number: "phone", subject: "subject", body: "body", "Juniper": "name"},
    )
    assert leaks == [], "\n".join(hit.line() for hit in leaks)
    await quiet.dispose()
    await refused.dispose()
