"""All tables; importing this package registers every model on ``Base.metadata``."""

from carebase.models.accounts import (
    MEMBER_ROLES,
    Account,
    IntakeGate,
    Organization,
    Role,
    new_publishable_key,
)
from carebase.models.audit import AuditEvent
from carebase.models.auth import (
    ApiKey,
    AuthSession,
    LoginAttempt,
    OAuthClient,
    OneTimeToken,
    RefreshToken,
    TokenPurpose,
)
from carebase.models.base import Base, utcnow
from carebase.models.email import Email, EmailStatus

__all__ = [
    "MEMBER_ROLES",
    "Account",
    "ApiKey",
    "AuditEvent",
    "AuthSession",
    "Base",
    "Email",
    "EmailStatus",
    "IntakeGate",
    "LoginAttempt",
    "OAuthClient",
    "OneTimeToken",
    "Organization",
    "RefreshToken",
    "Role",
    "TokenPurpose",
    "new_publishable_key",
    "utcnow",
]
