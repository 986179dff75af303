"""How errors are logged: the expected ones as one INFO line (code and path, never the
message, which can carry input); the unexpected ones at ERROR with their traceback."""

from __future__ import annotations

import pytest
from graphql import GraphQLError

from carebase.errors import DomainError, ErrorCode, invalid, unauthenticated
from carebase.schema import build_schema
from tests.conftest import unique_email
from tests.fixtures.graphql import GraphQLClient
from tests.fixtures.log_capture import CAPTURE

SCHEMA = build_schema(production=False)
INPUT = "jo-secret-9f8e7d@example.test"


def _logged(errors: list[GraphQLError]) -> list[tuple[str, str, str]]:
    mark = CAPTURE.mark()
    SCHEMA.process_errors(errors)
    return [(r.level, r.logger, r.text) for r in CAPTURE.since(mark)]


@pytest.mark.parametrize(
    ("error", "code", "path"),
    [
        (GraphQLError(f"Cannot query field '{INPUT}'"), "GRAPHQL_VALIDATION_FAILED", "-"),
        (GraphQLError(f"Syntax Error: Unexpected '{INPUT}'"), "GRAPHQL_PARSE_FAILED", "-"),
        (
            GraphQLError("Syntax Error: Document contains more than 2000 tokens."),
            "QUERY_TOO_COMPLEX",
            "-",
        ),
        (GraphQLError("too deep", extensions={"code": "QUERY_TOO_DEEP"}), "QUERY_TOO_DEEP", "-"),
        (
            GraphQLError("aliases", extensions={"code": "TOO_MANY_ALIASES"}),
            "TOO_MANY_ALIASES",
            "-",
        ),
    ],
)
def test_document_and_limit_errors_are_one_info_line(
    error: GraphQLError, code: str, path: str
) -> None:
    line = f"INFO carebase.graphql graphql error {code} at {path}"
    assert _logged([error]) == [("INFO", "carebase.graphql", line)]


@pytest.mark.parametrize(
    "domain",
    [
        unauthenticated(),
        DomainError(ErrorCode.FORBIDDEN, f"not for {INPUT}"),
        DomainError(ErrorCode.INTAKE_REQUIRED, "Finish intake first"),
        DomainError(ErrorCode.RATE_LIMITED, f"Too many attempts for {INPUT}"),
        invalid(f"{INPUT} is not valid", "email"),
    ],
)
def test_domain_errors_are_one_info_line_with_their_code(domain: DomainError) -> None:
    error = GraphQLError(domain.message, path=["clients", 0, "email"], original_error=domain)
    logged = _logged([error])
    assert logged == [
        (
            "INFO",
            "carebase.graphql",
            f"INFO carebase.graphql graphql error {domain.code.value} at clients.0.email",
        )
    ]


def test_an_unexpected_error_keeps_error_and_its_traceback() -> None:
    try:
        raise RuntimeError("the database went away")
    except RuntimeError as exc:
        boom = exc
    expected = GraphQLError("Sign in first", path=["viewer"], original_error=unauthenticated())
    unexpected = GraphQLError(str(boom), path=["clients"], original_error=boom)
    logged = _logged([expected, unexpected])
    assert [(level, name) for level, name, _ in logged] == [
        ("INFO", "carebase.graphql"),
        ("ERROR", "strawberry.execution"),
    ]
    assert "Traceback" in logged[1][2] and "RuntimeError: the database went away" in logged[1][2]


async def test_errors_of_real_requests_are_logged_without_their_input(
    api: GraphQLClient,
) -> None:
    email = unique_email("never-logged")
    mark = CAPTURE.mark()
    bad_variable = await api.raw(
        "query($n: Int!) { clients(first: $n) { totalCount } }", {"n": email}
    )
    field = email.split("@")[0].replace("-", "_")
    unknown_field = await api.raw(f"{{ {field} }}")
    not_signed_in = await api.raw("{ organization { name } }")
    assert bad_variable["errors"] and unknown_field["errors"] and not_signed_in["errors"]
    logged = CAPTURE.since(mark)
    lines = [r.text for r in logged if r.logger == "carebase.graphql"]
    assert len(lines) == 3, [r.text for r in logged]
    assert "graphql error UNAUTHENTICATED at organization" in lines[-1]
    assert not [r for r in logged if email in r.text or field in r.text]
    assert not [r for r in logged if r.level == "ERROR" or "Traceback" in r.text]
