"""userErrors for mutations, coded errors for fields, masking of the unexpected."""

from __future__ import annotations

import logging

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from carebase.errors import DomainError
from carebase.errors import ErrorCode as DomainErrorCode

log = logging.getLogger("carebase.graphql")

ErrorCode = strawberry.enum(DomainErrorCode, name="ErrorCode")

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


@strawberry.type
class UserError:
    field: list[str] | None
    code: ErrorCode  # type: ignore[valid-type]
    message: str

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
