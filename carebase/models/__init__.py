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
from carebase.models.intake import (
    Form,
    FormRequest,
    FormRequestStatus,
    FormVersion,
    IntakeFlow,
    QuestionType,
)
from carebase.models.scheduling import (
    LIVE_STATUSES,
    Appointment,
    AppointmentEvent,
    AppointmentEventKind,
    AppointmentStatus,
    AppointmentType,
    Availability,
    ContactType,
    IdempotencyRecord,
    Initiator,
    RateLimitHit,
    Reminder,
    ReminderStatus,
    VideoProvider,
)
from carebase.models.sms import SmsMessage

__all__ = [
    "LIVE_STATUSES",
    "MEMBER_ROLES",
    "Account",
    "ApiKey",
    "Appointment",
    "AppointmentEvent",
    "AppointmentEventKind",
    "AppointmentStatus",
    "AppointmentType",
    "AuditEvent",
    "AuthSession",
    "Availability",
    "Base",
    "ContactType",
    "Email",
    "EmailStatus",
    "Form",
    "FormRequest",
    "FormRequestStatus",
    "FormVersion",
    "IdempotencyRecord",
    "Initiator",
    "IntakeFlow",
    "IntakeGate",
    "LoginAttempt",
    "OAuthClient",
    "OneTimeToken",
    "Organization",
    "QuestionType",
    "RateLimitHit",
    "RefreshToken",
    "Reminder",
    "ReminderStatus",
    "Role",
    "SmsMessage",
    "TokenPurpose",
    "VideoProvider",
    "new_publishable_key",
    "utcnow",
]
