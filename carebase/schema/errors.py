"""userErrors for mutations, coded errors for fields, masking of the unexpected."""

from __future__ import annotations

import logging

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from carebase.errors import DomainError
from carebase.errors import ErrorCode as DomainErrorCode
from carebase.schema.docs import describe_values

log = logging.getLogger("carebase.graphql")

ErrorCode = strawberry.enum(
    DomainErrorCode,
    name="ErrorCode",
    description=(
        "The stable codes of `UserError.code` and of `extensions.code` on top-level errors."
    ),
)

describe_values(
    ErrorCode,
    {
        "INVALID_INPUT": (
            "An argument or input field is malformed or out of range; `field` names it."
        ),
        "NOT_FOUND": "The object does not exist, or the caller may not see it.",
        "UNSAFE_URL": (
            "A webhook URL is not https in production, resolves to a private, loopback,"
            " link-local or metadata address, or redirected."
        ),
        "INVALID_CODE": (
            "A billing code is not valid: an NPI failing its check digit, an unknown or"
            " non-billable ICD-10-CM code, a malformed CPT/HCPCS, taxonomy or place of"
            " service code; `field` names it."
        ),
        "CLAIM_NOT_EDITABLE": "Only a DRAFT claim may be changed.",
        "HOLD_EXPIRED": "The slot hold ran out (after 5 minutes) or was used: hold again.",
        "DOCUMENT_NOT_TRUSTED": (
            "A publishable key may run only the widget's registered documents."
        ),
        "FORBIDDEN": "The caller is known but lacks the role or the key's scope for this.",
        "UNAUTHENTICATED": (
            "No valid credentials: missing, invalid, expired or revoked token or key."
        ),
        "INVALID_CREDENTIALS": "Wrong email or password (the same answer for an unknown email).",
        "ORGANIZATION_REQUIRED": (
            "The email and password matched accounts in several organizations: give"
            " `organizationId`."
        ),
        "EMAIL_TAKEN": "Another account of the organization has this email address.",
        "TOKEN_INVALID": (
            "An emailed or refresh token is unknown, already used or its session ended."
        ),
        "TOKEN_EXPIRED": "An emailed or refresh token has expired; ask for a new one.",
        "WEAK_PASSWORD": "The password is too short (at least 10 characters) or too common.",
        "RATE_LIMITED": "Too many attempts; retry after `extensions.retryAfterSeconds` seconds.",
        "SLOT_UNAVAILABLE": "The time is taken (another live appointment or hold overlaps it).",
        "OUTSIDE_AVAILABILITY": (
            "The time is outside the provider's hours, notice or booking horizon."
        ),
        "BOOKING_DISABLED": (
            "The organization's settings do not let this caller book, reschedule or cancel here."
        ),
        "CANCELLATION_WINDOW_PASSED": (
            "A client's cancel or reschedule inside the cancellation window, where "
            "the portal does not allow it."
        ),
        "INVALID_STATUS_TRANSITION": (
            "The appointment's, payment's or request's current status does not allow this change."
        ),
        "INTAKE_REQUIRED": (
            "The client has required intake forms outstanding and the intake gate is closed."
        ),
        "FORM_INCOMPLETE": "A finished form response leaves a required question unanswered.",
        "VIDEO_NOT_CONFIGURED": (
            "The video provider of the appointment type is not set up on this server."
        ),
        "VIDEO_NOT_OPEN": (
            "The video call cannot be joined now (too early, too late or not a video appointment)."
        ),
        "PAYMENTS_NOT_CONFIGURED": (
            "Card payments are not set up (no Stripe key); external payments still work."
        ),
        "NO_PAYMENT_METHOD": "The client has no card on file to charge.",
        "CARD_DECLINED": "The card was declined; the payment is kept as `FAILED`.",
        "PAYMENT_IN_PROGRESS": "Another request is already charging this payment; retry later.",
        "REFUND_EXCEEDS_CAPTURED": "The refund is more than what is left of the captured amount.",
        "IDEMPOTENCY_KEY_REUSED": "The idempotency key was used with a different input.",
        "INSUFFICIENT_CREDITS": "The client has no package credit left for this.",
        "INVOICE_NOT_OPEN": "The invoice is not open (a draft, paid or void) for this operation.",
        "REFUND_FAILED": (
            "Stripe refused the refund (e.g. the charge was refunded there already): nothing "
            "was refunded or changed."
        ),
    },
)

# what the codes the booking widget brought mean, for partners who read the schema
_DESCRIPTIONS = {
    "HOLD_EXPIRED": "The slot hold named by `holdId` lapsed (5 minutes) or was used: hold "
    "the time again.",
    "DOCUMENT_NOT_TRUSTED": "A publishable key runs only the widget's registered documents "
    "(gql/operations/widget), sent by sha256 or as their exact text.",
}
for _value in ErrorCode.__strawberry_definition__.values:  # type: ignore[attr-defined]
    if _value.name in _DESCRIPTIONS:
        _value.description = _DESCRIPTIONS[_value.name]


@strawberry.type(
    description=(
        "An expected failure of a mutation: what went wrong, which input field,"
        " and a stable code to branch on."
    )
)
class UserError:
    field: list[str] | None = strawberry.field(
        description=(
            "The path of the input field at fault, in the input's GraphQL names "
            '(e.g. `["startsAt"]`, `["items", "0", "amountCents"]`); null when no '
            "one field is."
        )
    )
    code: ErrorCode = strawberry.field(  # type: ignore[valid-type]
        description="A stable, typed code to branch on (the message may change)."
    )
    message: str = strawberry.field(
        description="A human-readable explanation in English, safe to show to the user."
    )

    @classmethod
    def from_domain(cls, error: DomainError) -> UserError:
        return cls(field=error.field, code=error.code, message=error.message)


def _code_of(error: GraphQLError) -> str | None:
    original = error.original_error
    if isinstance(original, DomainError):
        return original.code.value
    return None


def expected_code(error: GraphQLError) -> str:
    """The code an expected error answers with (or the kind of document error it is)."""
    code = _code_of(error) or (error.extensions or {}).get("code")
    original = error.original_error
    if code is None and isinstance(original, GraphQLError):
        code = (original.extensions or {}).get("code")
    if code is None:
        syntax = error.message.startswith("Syntax Error")
        code = "GRAPHQL_PARSE_FAILED" if syntax else "GRAPHQL_VALIDATION_FAILED"
    return str(code)


class CarebaseErrors(MaskErrors):
    """Keep messages of validation and expected (coded) errors; mask everything else."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=self._should_mask, error_message="Unexpected error.")

    @staticmethod
    def _should_mask(error: GraphQLError) -> bool:
        original = error.original_error
        return original is not None and not isinstance(original, (DomainError, GraphQLError))

    @classmethod
    def is_unexpected(cls, error: GraphQLError) -> bool:
        """What this extension masks as INTERNAL_SERVER_ERROR."""
        return cls._should_mask(error)

    @classmethod
    def log_expected(cls, errors: list[GraphQLError]) -> list[GraphQLError]:
        """Log each expected error as one INFO line (its code and path: never its message,
        which can carry the caller's input); returns the unexpected ones, left to log."""
        unexpected = []
        for error in errors:
            if cls.is_unexpected(error):
                unexpected.append(error)
            else:
                path = ".".join(str(p) for p in error.path) if error.path else "-"
                log.info("graphql error %s at %s", expected_code(error), path)
        return unexpected

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        masked.extensions = {"code": "INTERNAL_SERVER_ERROR"}
        return masked
