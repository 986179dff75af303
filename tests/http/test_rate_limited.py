"""RATE_LIMITED says how long to wait (``extensions.retryAfterSeconds``, whole seconds) and
means it; a successful password reset lifts every throttle of that email."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from carebase.clock import SettableClock
from carebase.config import Settings
from tests.conftest import PASSWORD, Practice, token_from
from tests.fixtures.graphql import GraphQLClient, documents
from tests.fixtures.smtp import Inbox
from tests.schema.test_login_throttling import WRONG, Caller, caller, fail_times

__all__ = ["caller"]  # the fixture, shared with the throttling tests


async def attempt(api: GraphQLClient, email: str, password: str) -> tuple[str | None, Any]:
    """The log-in's first userError code and the response's retryAfterSeconds."""
    answer = await api.raw(documents()["LogIn"], {"input": {"email": email, "password": password}})
    errors = answer["data"]["logIn"]["userErrors"]
    code = errors[0]["code"] if errors else None
    return code, (answer.get("extensions") or {}).get("retryAfterSeconds")


async def test_a_lock_says_when_it_lifts(
    caller: Caller, practice: Practice, settings: Settings, clock: SettableClock
) -> None:
    api = caller()
    assert await attempt(api, practice.owner_email, WRONG) == ("INVALID_CREDENTIALS", None)
    await fail_times(api, practice.owner_email, settings.login_max_failures - 1)
    code, wait = await attempt(api, practice.owner_email, PASSWORD)
    assert code == "RATE_LIMITED"
    assert isinstance(wait, int) and 0 < wait <= settings.login_window_seconds
    # the first failure ages out of the window then, not before
    clock.advance(timedelta(seconds=wait - 5))
    code, sooner = await attempt(api, practice.owner_email, PASSWORD)
    assert code == "RATE_LIMITED" and isinstance(sooner, int) and sooner <= 5
    clock.advance(timedelta(seconds=sooner + 1))
    assert await attempt(api, practice.owner_email, PASSWORD) == (None, None)


async def test_a_spraying_address_is_told_its_wait(
    caller: Caller, settings: Settings, clock: SettableClock
) -> None:
    sprayer = caller()
    for i in range(settings.login_max_per_address):
        await attempt(sprayer, f"nobody-{i}@example.test", WRONG)
    code, wait = await attempt(sprayer, "someone-else@example.test", WRONG)
    assert code == "RATE_LIMITED"
    assert isinstance(wait, int) and 0 < wait <= settings.login_window_seconds
    clock.advance(timedelta(seconds=wait + 1))
    assert (await attempt(sprayer, "someone-else@example.test", WRONG))[0] == (
        "INVALID_CREDENTIALS"
    )


async def test_the_slowdown_says_its_few_seconds(
    caller: Caller, practice: Practice, settings: Settings, clock: SettableClock
) -> None:
    email = practice.owner_email
    await fail_times(caller(), email, settings.login_max_failures)
    fresh = caller()
    await fail_times(fresh, email, 1)
    code, wait = await attempt(fresh, email, PASSWORD)
    assert code == "RATE_LIMITED"
    assert isinstance(wait, int) and 0 < wait <= settings.login_slowdown_seconds
    clock.advance(timedelta(seconds=wait))
    assert await attempt(fresh, email, PASSWORD) == (None, None)


async def test_a_password_reset_lifts_the_lock_and_the_slowdown(
    caller: Caller, practice: Practice, settings: Settings, smtp: Inbox
) -> None:
    email = practice.owner_email
    locked, slowed = caller(), caller()
    await fail_times(locked, email, settings.login_max_failures)
    await fail_times(slowed, email, 1)
    assert (await attempt(locked, email, PASSWORD))[0] == "RATE_LIMITED"
    assert (await attempt(slowed, email, PASSWORD))[0] == "RATE_LIMITED"
    await locked.op("RequestPasswordReset", {"input": {"email": email}})
    [message] = await smtp.wait_for(email, subject="Reset")
    reset = await locked.op(
        "ResetPassword", {"input": {"token": token_from(message), "newPassword": "reset 2026 ok"}}
    )
    assert reset["resetPassword"]["userErrors"] == []
    # at once, from both addresses, and a typo afterwards is an ordinary failure
    assert await attempt(slowed, email, WRONG) == ("INVALID_CREDENTIALS", None)
    assert await attempt(locked, email, "reset 2026 ok") == (None, None)


def test_a_top_level_rate_limited_error_carries_the_wait_in_its_extensions() -> None:
    from carebase.errors import rate_limited

    assert rate_limited("slow down", 2.1).extensions == {
        "code": "RATE_LIMITED",
        "retryAfterSeconds": 3,
    }
    assert rate_limited("now", -4).retry_after_seconds == 0
