"""The viewer, log-in, token refresh with rotation, log-out, password reset and change,
invitations."""

from __future__ import annotations

import functools
import math
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import NoReturn

from sqlalchemy import Update, delete, func, select, update

from carebase.auth.credential_cache import announce
from carebase.auth.passwords import check_strength, hash_password, verify_password
from carebase.auth.policy import require_authenticated
from carebase.auth.principal import Principal
from carebase.auth.tokens import TokenSigner, hash_secret, random_token
from carebase.db import UnitOfWork
from carebase.errors import DomainError, ErrorCode, forbidden, rate_limited
from carebase.models import (
    Account,
    AuthSession,
    LoginAttempt,
    OneTimeToken,
    Organization,
    RateLimitHit,
    RefreshToken,
    TokenPurpose,
)
from carebase.resolvers.core import rate_limits
from carebase.resolvers.core.checks import check_email, now
from carebase.resolvers.core.notifications import portal_link, queue_email

REFRESH_TTL = timedelta(days=30)
INVITATION_TTL = timedelta(days=7)
RESET_TTL = timedelta(hours=1)
RESET_REQUEST_WINDOW = timedelta(hours=1)
# an address from which an account of the email logged in this recently skips the slowdown
KNOWN_ADDRESS_TTL = REFRESH_TTL


async def get_viewer(uow: UnitOfWork, principal: Principal) -> Account | None:
    """The ``viewer`` query: the caller's own account; None when signed out (and for a key
    or OAuth client acting for no account)."""
    if not principal.is_authenticated or principal.account_id is None:
        return None
    return await uow.session.get(Account, principal.account_id)


@dataclass(frozen=True)
class AuthResult:
    account: Account
    access_token: str
    refresh_token: str


@functools.cache
def signer_for(secret_key: str) -> TokenSigner:
    return TokenSigner(secret_key)


def _invalid_credentials(field: str | None = None) -> DomainError:
    return DomainError(ErrorCode.INVALID_CREDENTIALS, "Wrong email or password", field)


async def start_session(uow: UnitOfWork, account: Account, ip: str | None) -> AuthResult:
    session = AuthSession(account_id=account.id, organization_id=account.organization_id, ip=ip)
    uow.session.add(session)
    await uow.session.flush()
    refresh = random_token("rt_")
    uow.session.add(
        RefreshToken(
            session_id=session.id,
            token_hash=hash_secret(refresh),
            expires_at=uow.now() + REFRESH_TTL,
        )
    )
    access, _ = signer_for(uow.settings.secret_key.get_secret_value()).issue(
        subject=str(account.id),
        kind="user",
        organization_id=str(account.organization_id),
        session_id=str(session.id),
    )
    await uow.session.flush()
    return AuthResult(account=account, access_token=access, refresh_token=refresh)


async def log_in(
    uow: UnitOfWork,
    *,
    email: str,
    password: str,
    organization_id: uuid.UUID | None,
    ip: str | None,
) -> AuthResult:
    """Check an email and password; failures are throttled (see ``_check_throttle``)."""
    email = email.strip().lower()
    await _check_throttle(uow, email, ip)
    stmt = select(Account).where(Account.email == email, Account.archived_at.is_(None))
    if organization_id is not None:
        stmt = stmt.where(Account.organization_id == organization_id)
    accounts = list((await uow.session.execute(stmt)).scalars())
    cost = uow.settings.password_hash_cost
    matched = [a for a in accounts if verify_password(a.password_hash, password, cost)]
    if not accounts:
        verify_password(None, password, cost)
    if not matched:
        _count_failure(uow, email, ip)
        raise _invalid_credentials()
    if len(accounts) > 1:
        # only reached when the password matched one of them: nothing is revealed otherwise
        raise DomainError(
            ErrorCode.ORGANIZATION_REQUIRED,
            "This email has accounts in several organizations; give organizationId",
            "organizationId",
        )
    return await start_session(uow, matched[0], ip)


def refuse_repeated_log_in(uow: UnitOfWork, *, email: str, ip: str | None) -> NoReturn:
    """A second ``logIn`` in one request (aliases): refused without looking at the password,
    and counted as a failed attempt, so aliases cannot multiply the attempts of one request."""
    _count_failure(uow, email.strip().lower(), ip)
    # the next request may try at once (this attempt counted as a failure)
    raise rate_limited("Only one logIn per request", 0)


def _count_failure(uow: UnitOfWork, email: str, ip: str | None) -> None:
    # written even though the log-in fails (its savepoint is rolled back)
    uow.keep_on_failure.append(LoginAttempt(email=email, ip=ip))
    if ip is not None:
        uow.keep_on_failure.append(RateLimitHit(key=_address_key(ip)))


def _address_key(ip: str) -> str:
    return f"login-failures:{ip}"


async def _check_throttle(uow: UnitOfWork, email: str, ip: str | None) -> None:
    """Refuse a log-in attempt with RATE_LIMITED when throttled; only failures are counted.

    Three rules, over the last ``login_window_seconds`` (settings ``CAREBASE_LOGIN_*``):

    1. **Per address**: an address with ``login_max_per_address`` failures, whatever the
       emails, is refused for every email (spraying many emails from one address).
    2. **Per email and address**: ``login_max_failures`` failures for one email from one
       address lock that address out of that email, and only that address.
    3. **Per email alone, a slowdown that never locks**: once an email has
       ``login_max_failures`` failures from all addresses together, each address waits
       ``login_slowdown_seconds`` after its own last failure for that email before trying it
       again; an address from which the email logged in within ``KNOWN_ADDRESS_TTL`` is not
       slowed.

    Why the slowdown is counted per address and not as one slot per email: a single slot
    (one attempt every few seconds per email, from anywhere) can be taken again and again by
    a stranger sending attempts continuously, which would starve, that is lock out, the owner
    trying from a new device. Per address, what a stranger does never delays another address:
    the owner's first attempt from a fresh address always goes through, and after a typo the
    owner waits only the few seconds. Many addresses together still get at most
    ``login_max_failures`` attempts each per window, one every few seconds, and each of them
    is bounded across emails by rule 1.

    Refused attempts test no password and are not counted, so a locked address is free again
    once its failures age out of the window. A successful ``resetPassword`` deletes the
    email's failures (``reset_password``). Without a known address (``ip`` is None: the
    server saw no peer), rule 1 is skipped and such callers share one address for rules 2
    and 3.
    """
    settings = uow.settings
    window = timedelta(seconds=settings.login_window_seconds)
    since = uow.now() - window
    if ip is not None and (
        await rate_limits.count(uow, _address_key(ip), window) >= settings.login_max_per_address
    ):
        raise rate_limited(
            "Too many failed log-ins from this address; try again later",
            await rate_limits.free_in(
                uow, _address_key(ip), window, settings.login_max_per_address
            ),
        )
    from_here = LoginAttempt.ip.is_(None) if ip is None else LoginAttempt.ip == ip
    here, last_here = (
        await uow.session.execute(
            select(func.count(), func.max(LoginAttempt.created_at)).where(
                LoginAttempt.email == email, from_here, LoginAttempt.created_at > since
            )
        )
    ).one()
    if here >= settings.login_max_failures:
        raise rate_limited(
            "Too many failed log-ins for this email from this address; try again later",
            await rate_limits.seconds_until_below(
                uow,
                select(LoginAttempt.created_at).where(
                    LoginAttempt.email == email, from_here, LoginAttempt.created_at > since
                ),
                LoginAttempt.created_at,
                window,
                settings.login_max_failures,
            ),
        )
    if last_here is None:
        return  # this address has not failed for this email lately: never slowed
    wait = (
        last_here + timedelta(seconds=settings.login_slowdown_seconds) - uow.now()
    ).total_seconds()
    if wait <= 0:
        return
    everywhere = (
        await uow.session.execute(
            select(func.count())
            .select_from(LoginAttempt)
            .where(LoginAttempt.email == email, LoginAttempt.created_at > since)
        )
    ).scalar_one()
    if everywhere < settings.login_max_failures or await _known_address(uow, email, ip):
        return
    raise rate_limited(
        f"Too many failed log-ins for this email; try again in {math.ceil(wait)} seconds", wait
    )


async def _known_address(uow: UnitOfWork, email: str, ip: str | None) -> bool:
    """Whether an account of ``email`` started a session from ``ip`` lately."""
    if ip is None:
        return False
    found = await uow.session.execute(
        select(AuthSession.id)
        .join(Account, Account.id == AuthSession.account_id)
        .where(
            Account.email == email,
            AuthSession.ip == ip,
            AuthSession.created_at > uow.now() - KNOWN_ADDRESS_TTL,
        )
        .limit(1)
    )
    return found.first() is not None


async def refresh_session(uow: UnitOfWork, *, refresh_token: str, ip: str | None) -> AuthResult:
    row = (
        await uow.session.execute(
            select(RefreshToken, AuthSession, Account)
            .join(AuthSession, AuthSession.id == RefreshToken.session_id)
            .join(Account, Account.id == AuthSession.account_id)
            .where(RefreshToken.token_hash == hash_secret(refresh_token))
        )
    ).first()
    if row is None:
        raise DomainError(ErrorCode.TOKEN_INVALID, "Unknown refresh token", "refreshToken")
    token, session, account = row
    if session.revoked_at is not None or account.archived_at is not None:
        raise DomainError(ErrorCode.TOKEN_INVALID, "This session has ended", "refreshToken")
    if token.expires_at <= uow.now():
        raise DomainError(ErrorCode.TOKEN_EXPIRED, "The refresh token has expired", "refreshToken")
    spent = await uow.session.execute(
        update(RefreshToken)
        .where(RefreshToken.id == token.id, RefreshToken.used_at.is_(None))
        .values(used_at=uow.now())
    )
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        # a spent token came back: assume it was stolen and end the whole family
        uow.keep_on_failure.append(_revoke_sessions(session_ids=[session.id], reason="reuse"))
        announce(uow, sessions=[session.id], even_on_failure=True)
        raise DomainError(
            ErrorCode.TOKEN_INVALID,
            "This refresh token was already used; the session has been ended",
            "refreshToken",
        )
    new_refresh = random_token("rt_")
    uow.session.add(
        RefreshToken(
            session_id=session.id,
            token_hash=hash_secret(new_refresh),
            expires_at=uow.now() + REFRESH_TTL,
        )
    )
    access, _ = signer_for(uow.settings.secret_key.get_secret_value()).issue(
        subject=str(account.id),
        kind="user",
        organization_id=str(account.organization_id),
        session_id=str(session.id),
    )
    await uow.session.flush()
    return AuthResult(account=account, access_token=access, refresh_token=new_refresh)


def _revoke_sessions(
    *,
    session_ids: list[uuid.UUID] | None = None,
    account_id: uuid.UUID | None = None,
    keep: uuid.UUID | None = None,
    reason: str,
) -> Update:
    stmt = update(AuthSession).where(AuthSession.revoked_at.is_(None))
    if session_ids is not None:
        stmt = stmt.where(AuthSession.id.in_(session_ids))
    if account_id is not None:
        stmt = stmt.where(AuthSession.account_id == account_id)
    if keep is not None:
        stmt = stmt.where(AuthSession.id != keep)
    return stmt.values(revoked_at=now(), revoked_reason=reason)


async def log_out(uow: UnitOfWork, principal: Principal) -> None:
    require_authenticated(principal)
    if principal.kind != "user" or principal.session_id is None:
        raise forbidden("Only a signed-in user has a session to end")
    await uow.session.execute(_revoke_sessions(session_ids=[principal.session_id], reason="logout"))
    announce(uow, sessions=[principal.session_id])


async def change_password(
    uow: UnitOfWork, principal: Principal, *, current_password: str, new_password: str
) -> Account:
    require_authenticated(principal)
    if principal.kind != "user" or principal.account_id is None:
        raise forbidden("Only a signed-in user can change their password")
    account = await uow.session.get_one(Account, principal.account_id)
    cost = uow.settings.password_hash_cost
    if not verify_password(account.password_hash, current_password, cost):
        raise _invalid_credentials("currentPassword")
    check_strength(new_password, email=account.email, field="newPassword")
    account.password_hash = hash_password(new_password, cost)
    await uow.session.execute(
        _revoke_sessions(
            account_id=account.id, keep=principal.session_id, reason="password_changed"
        )
    )
    announce(uow, accounts=[account.id])
    return account


async def issue_one_time_token(uow: UnitOfWork, account: Account, purpose: TokenPurpose) -> str:
    token = random_token()
    ttl = INVITATION_TTL if purpose is TokenPurpose.INVITATION else RESET_TTL
    # only the newest link works: an older one, perhaps in a forgotten inbox, is spent now
    await uow.session.execute(
        update(OneTimeToken)
        .where(
            OneTimeToken.account_id == account.id,
            OneTimeToken.purpose == purpose,
            OneTimeToken.used_at.is_(None),
        )
        .values(used_at=uow.now())
    )
    uow.session.add(
        OneTimeToken(
            account_id=account.id,
            purpose=purpose,
            token_hash=hash_secret(token),
            expires_at=uow.now() + ttl,
        )
    )
    await uow.session.flush()
    return token


async def _spend_one_time_token(uow: UnitOfWork, token: str, purpose: TokenPurpose) -> Account:
    row = (
        await uow.session.execute(
            select(OneTimeToken, Account)
            .join(Account, Account.id == OneTimeToken.account_id)
            .where(OneTimeToken.token_hash == hash_secret(token), OneTimeToken.purpose == purpose)
        )
    ).first()
    if row is None:
        raise DomainError(ErrorCode.TOKEN_INVALID, "This link is not valid", "token")
    record, account = row
    if record.used_at is not None:
        raise DomainError(ErrorCode.TOKEN_INVALID, "This link was already used", "token")
    if record.expires_at <= uow.now():
        raise DomainError(ErrorCode.TOKEN_EXPIRED, "This link has expired", "token")
    spent = await uow.session.execute(
        update(OneTimeToken)
        .where(OneTimeToken.id == record.id, OneTimeToken.used_at.is_(None))
        .values(used_at=uow.now())
    )
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        raise DomainError(ErrorCode.TOKEN_INVALID, "This link was already used", "token")
    return account


async def request_password_reset(
    uow: UnitOfWork, *, email: str, organization_id: uuid.UUID | None, ip: str | None
) -> None:
    """Always succeeds: whether the email exists is not revealed.

    Throttled per hour: ``password_reset_per_address`` requests from one address and
    ``password_reset_per_email`` for one email (``CAREBASE_PASSWORD_RESET_PER_*``); over
    either, nothing is sent and the answer is the same success. A stranger using up an
    email's quota locks nobody out: each of those emails reached the owner's inbox, and the
    newest link stays valid for the hour the quota lasts."""
    try:
        email = check_email(email)
    except DomainError:
        return
    settings = uow.settings
    if ip is not None and not await rate_limits.allow(
        uow,
        f"password-reset:ip:{ip}",
        limit=settings.password_reset_per_address,
        window=RESET_REQUEST_WINDOW,
    ):
        return
    if not await rate_limits.allow(
        uow,
        f"password-reset:email:{hash_secret(email)}",  # emails may outgrow the key column
        limit=settings.password_reset_per_email,
        window=RESET_REQUEST_WINDOW,
    ):
        return
    stmt = (
        select(Account, Organization)
        .join(Organization, Organization.id == Account.organization_id)
        .where(Account.email == email, Account.archived_at.is_(None))
    )
    if organization_id is not None:
        stmt = stmt.where(Account.organization_id == organization_id)
    for account, org in (await uow.session.execute(stmt)).all():
        token = await issue_one_time_token(uow, account, TokenPurpose.PASSWORD_RESET)
        link = portal_link(uow, org, "reset-password", token=token)
        await queue_email(
            uow,
            to=account.email,
            subject=f"Reset your {org.name} password",
            body=(
                f"Hello {account.name},\n\nSomeone asked to reset the password of your "
                f"{org.name} account. Choose a new one here (the link works once, for an "
                f"hour):\n\n{link}\n\nIf it was not you, ignore this email.\n"
            ),
            kind="password_reset",
            organization_id=org.id,
            account_id=account.id,
        )


async def reset_password(
    uow: UnitOfWork, *, token: str, new_password: str, ip: str | None
) -> AuthResult:
    account = await _spend_one_time_token(uow, token, TokenPurpose.PASSWORD_RESET)
    check_strength(new_password, email=account.email, field="newPassword")
    account.password_hash = hash_password(new_password, uow.settings.password_hash_cost)
    if account.invitation_accepted_at is None:
        account.invitation_accepted_at = uow.now()  # proving the mailbox is as good as accepting
    await uow.session.execute(_revoke_sessions(account_id=account.id, reason="password_reset"))
    announce(uow, accounts=[account.id])
    # the owner proved the mailbox: the email's failed log-ins, and so its locks, are gone
    await uow.session.execute(delete(LoginAttempt).where(LoginAttempt.email == account.email))
    return await start_session(uow, account, ip)


async def accept_invitation(
    uow: UnitOfWork, *, token: str, password: str, ip: str | None
) -> AuthResult:
    account = await _spend_one_time_token(uow, token, TokenPurpose.INVITATION)
    check_strength(password, email=account.email)
    account.password_hash = hash_password(password, uow.settings.password_hash_cost)
    account.invitation_accepted_at = uow.now()
    return await start_session(uow, account, ip)


async def send_invitation(
    uow: UnitOfWork, account: Account, org: Organization, *, extra: str | None = None
) -> None:
    token = await issue_one_time_token(uow, account, TokenPurpose.INVITATION)
    account.invited_at = uow.now()
    link = portal_link(uow, org, "accept-invitation", token=token)
    what = "client portal" if account.role.value == "CLIENT" else "team"
    await queue_email(
        uow,
        to=account.email,
        subject=f"You're invited to {org.name}",
        body=(
            f"Hello {account.name},\n\n{org.name} has invited you to its {what} on Carebase. "
            f"Your username is this email address. Set your password here (the link works "
            f"once, for 7 days):\n\n{link}\n" + (f"\n{extra}\n" if extra else "")
        ),
        kind="invitation",
        organization_id=org.id,
        account_id=account.id,
    )
