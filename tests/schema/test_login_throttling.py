"""Log-in and password-reset throttling: per address, per email and address, never per email.

Each test calls from addresses of its own (the ASGI transport's peer), so counts made by one
test, or by the rest of the suite from the shared test address, never reach another.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, update
from starlette.applications import Starlette

from carebase.config import Settings, SettingsError
from carebase.models import Email, LoginAttempt, utcnow
from tests.conftest import PASSWORD, Practice, token_from, unique_email
from tests.fixtures.graphql import GraphQLClient
from tests.fixtures.smtp import Inbox

WRONG = "not the password at all"


class AddressedClient(GraphQLClient):
    def __init__(self, http: httpx.AsyncClient, address: str) -> None:
        super().__init__(http)
        self.address = address


Caller = Callable[[], AddressedClient]


@pytest.fixture
async def caller(app: Starlette) -> AsyncIterator[Caller]:
    """Each call gives a client calling from a new address of its own."""
    async with AsyncExitStack() as stack:

        def fresh() -> AddressedClient:
            address = f"2001:db8::{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}"
            transport = httpx.ASGITransport(app=app, client=(address, 50000))
            http = httpx.AsyncClient(transport=transport, base_url="http://carebase.test")
            stack.push_async_callback(http.aclose)
            return AddressedClient(http, address)

        yield fresh


async def log_in(api: GraphQLClient, email: str, password: str) -> dict[str, object]:
    data = await api.op("LogIn", {"input": {"email": email, "password": password}})
    return data["logIn"]  # type: ignore[no-any-return]


def code_of(payload: dict[str, object]) -> str | None:
    errors = payload["userErrors"]
    assert isinstance(errors, list)
    return errors[0]["code"] if errors else None


async def fail_times(api: GraphQLClient, email: str, times: int) -> None:
    for _ in range(times):
        assert code_of(await log_in(api, email, WRONG)) == "INVALID_CREDENTIALS"


async def test_failures_from_one_address_lock_that_address_only(
    caller: Caller, practice: Practice, settings: Settings
) -> None:
    attacker, owner = caller(), caller()
    await fail_times(attacker, practice.owner_email, settings.login_max_failures)
    # the address that failed is refused for that email, even with the right password
    locked = await log_in(attacker, practice.owner_email, PASSWORD)
    assert code_of(locked) == "RATE_LIMITED" and locked["accessToken"] is None
    # the owner, from a new address, logs in at once
    fine = await log_in(owner, practice.owner_email, PASSWORD)
    assert code_of(fine) is None and fine["accessToken"]
    # the locked address can still log in to another email (its count is per email)
    assert code_of(await log_in(attacker, unique_email(), WRONG)) == "INVALID_CREDENTIALS"


async def test_failures_from_everywhere_slow_an_email_down_without_locking_it(
    app: Starlette, api: GraphQLClient, caller: Caller, practice: Practice, settings: Settings
) -> None:
    email = practice.owner_email
    await fail_times(caller(), email, settings.login_max_failures)
    # the email is now under attack: an address that just failed waits a few seconds
    fresh = caller()
    await fail_times(fresh, email, 1)
    slowed = await log_in(fresh, email, PASSWORD)
    assert code_of(slowed) == "RATE_LIMITED" and slowed["accessToken"] is None
    assert "seconds" in str(slowed["userErrors"])
    # ... and only that: once its failure is older than the wait, the owner is in
    async with app.state.db.unit_of_work(write=True) as uow:
        await uow.session.execute(
            update(LoginAttempt)
            .where(LoginAttempt.email == email, LoginAttempt.ip == fresh.address)
            .values(created_at=utcnow() - timedelta(seconds=settings.login_slowdown_seconds + 1))
        )
    assert code_of(await log_in(fresh, email, PASSWORD)) is None
    # another new address is not slowed at all
    assert code_of(await log_in(caller(), email, PASSWORD)) is None
    # an address the owner logged in from (the sign-up's) is not slowed even after a typo
    await fail_times(api, email, 1)
    assert code_of(await log_in(api, email, PASSWORD)) is None


async def test_one_address_spraying_many_emails_is_refused(
    caller: Caller, practice: Practice, settings: Settings
) -> None:
    sprayer = caller()
    for _ in range(settings.login_max_per_address):
        assert code_of(await log_in(sprayer, unique_email(), WRONG)) == "INVALID_CREDENTIALS"
    refused = await log_in(sprayer, practice.owner_email, PASSWORD)
    assert code_of(refused) == "RATE_LIMITED" and refused["accessToken"] is None
    assert code_of(await log_in(sprayer, unique_email(), WRONG)) == "RATE_LIMITED"
    # other addresses are not concerned
    assert code_of(await log_in(caller(), practice.owner_email, PASSWORD)) is None


def aliased_log_ins(count: int) -> str:
    fields = "\n".join(
        f"  a{i}: logIn(input: {{email: $email, password: $password{i}}}) "
        "{ accessToken userErrors { code } }"
        for i in range(count)
    )
    variables = ", ".join(f"$password{i}: String!" for i in range(count))
    return f"mutation AliasedLogIns($email: String!, {variables}) {{\n{fields}\n}}"


async def test_aliased_log_ins_are_refused_and_counted(
    app: Starlette, caller: Caller, practice: Practice, settings: Settings
) -> None:
    email = practice.owner_email
    api = caller()
    # a wrong password, then the right one in the same document: only the first is tried
    result = await api.raw(
        aliased_log_ins(2), {"email": email, "password0": WRONG, "password1": PASSWORD}
    )
    assert "errors" not in result
    first, second = result["data"]["a0"], result["data"]["a1"]
    assert [e["code"] for e in first["userErrors"]] == ["INVALID_CREDENTIALS"]
    assert [e["code"] for e in second["userErrors"]] == ["RATE_LIMITED"]
    assert second["accessToken"] is None
    # every one of them counts as an attempt: one document locks its address
    many = settings.login_max_failures
    result = await api.raw(
        aliased_log_ins(many), {"email": email, **{f"password{i}": WRONG for i in range(many)}}
    )
    codes = [result["data"][f"a{i}"]["userErrors"][0]["code"] for i in range(many)]
    assert codes == ["INVALID_CREDENTIALS"] + ["RATE_LIMITED"] * (many - 1)
    async with app.state.db.unit_of_work() as uow:
        counted = (
            await uow.session.execute(
                select(func.count())
                .select_from(LoginAttempt)
                .where(LoginAttempt.email == email, LoginAttempt.ip == api.address)
            )
        ).scalar_one()
    assert counted == 2 + many
    assert code_of(await log_in(api, email, PASSWORD)) == "RATE_LIMITED"


async def test_a_password_reset_clears_the_locks(
    caller: Caller, practice: Practice, settings: Settings, smtp: Inbox
) -> None:
    email = practice.owner_email
    api = caller()
    await fail_times(api, email, settings.login_max_failures)
    assert code_of(await log_in(api, email, PASSWORD)) == "RATE_LIMITED"
    done = await api.op("RequestPasswordReset", {"input": {"email": email}})
    assert done["requestPasswordReset"] == {"success": True, "userErrors": []}
    [message] = await smtp.wait_for(email, subject="Reset")
    reset = await api.op(
        "ResetPassword", {"input": {"token": token_from(message), "newPassword": "reset 2026 ok"}}
    )
    assert reset["resetPassword"]["userErrors"] == []
    back = await log_in(api, email, "reset 2026 ok")
    assert code_of(back) is None and back["accessToken"]


async def reset_emails(app: Starlette, to: str) -> int:
    async with app.state.db.unit_of_work() as uow:
        return int(
            (
                await uow.session.execute(
                    select(func.count())
                    .select_from(Email)
                    .where(Email.to_address == to, Email.kind == "password_reset")
                )
            ).scalar_one()
        )


async def test_password_reset_requests_are_throttled_per_email(
    app: Starlette, caller: Caller, practice: Practice, settings: Settings, smtp: Inbox
) -> None:
    email = practice.owner_email
    for _ in range(settings.password_reset_per_email + 2):
        # from different addresses, so only the per-email limit applies
        done = await caller().op("RequestPasswordReset", {"input": {"email": email}})
        # over the limit too the answer is success: it tells nothing about the account
        assert done["requestPasswordReset"] == {"success": True, "userErrors": []}
    assert settings.password_reset_per_email == 3
    assert await reset_emails(app, email) == 3
    await smtp.wait_for(email, count=3, subject="Reset")


async def test_password_reset_requests_are_throttled_per_address(
    app: Starlette, caller: Caller, practice: Practice, settings: Settings
) -> None:
    api = caller()
    for _ in range(settings.password_reset_per_address):
        done = await api.op("RequestPasswordReset", {"input": {"email": unique_email()}})
        assert done["requestPasswordReset"] == {"success": True, "userErrors": []}
    done = await api.op("RequestPasswordReset", {"input": {"email": practice.owner_email}})
    assert done["requestPasswordReset"] == {"success": True, "userErrors": []}
    assert await reset_emails(app, practice.owner_email) == 0
    await caller().op("RequestPasswordReset", {"input": {"email": practice.owner_email}})
    assert await reset_emails(app, practice.owner_email) == 1


def test_the_limits_are_settings(tmp_path: Path) -> None:
    base = {"CAREBASE_DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"}
    defaults = Settings.from_env(base)
    assert (
        defaults.login_max_failures,
        defaults.login_window_seconds,
        defaults.login_max_per_address,
        defaults.password_reset_per_email,
        defaults.password_reset_per_address,
    ) == (10, 900, 30, 3, 10)
    custom = Settings.from_env(
        {
            **base,
            "CAREBASE_LOGIN_MAX_FAILURES": "4",
            "CAREBASE_LOGIN_WINDOW_SECONDS": "60",
            "CAREBASE_LOGIN_MAX_PER_ADDRESS": "100",
            "CAREBASE_LOGIN_SLOWDOWN_SECONDS": "2",
            "CAREBASE_PASSWORD_RESET_PER_EMAIL": "1",
            "CAREBASE_PASSWORD_RESET_PER_ADDRESS": "5",
        }
    )
    assert (custom.login_max_failures, custom.login_window_seconds) == (4, 60)
    assert (custom.login_max_per_address, custom.login_slowdown_seconds) == (100, 2)
    assert (custom.password_reset_per_email, custom.password_reset_per_address) == (1, 5)
    for name in ("LOGIN_MAX_FAILURES", "PASSWORD_RESET_PER_EMAIL"):
        with pytest.raises(SettingsError, match=f"CAREBASE_{name}"):
            Settings.from_env({**base, f"CAREBASE_{name}": "0"})
