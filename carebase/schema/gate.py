"""The intake gate: while a client has required intake pending (and the practice's gate is
PORTAL), only the viewer, intake, log-out and password operations answer. Checked in the
resolvers of the root query fields and the ``Client`` fields it closes, never per field of
every node."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from graphql import GraphQLResolveInfo
from strawberry.utils.await_maybe import await_maybe

from carebase.models import IntakeGate
from carebase.resolvers.intake.requests import intake_gate, intake_required
from carebase.schema.context import Context

OPEN_ROOT_FIELDS = frozenset({"viewer", "formRequests"})
OPEN_CLIENT_FIELDS = frozenset(
    {
        "id",
        "name",
        "email",
        "phone",
        "dateOfBirth",
        "timezone",
        "archived",
        "provider",
        "formRequests",
        "pendingIntake",
    }
)
OPEN_MUTATIONS = frozenset(
    {
        "submitFormResponse",
        "logOut",
        "changePassword",
        "refreshToken",
        "logIn",
        "requestPasswordReset",
        "resetPassword",
        "acceptInvitation",
        "signUpOrganization",
        "confirmAppointment",
    }
)
_UNKNOWN = object()


async def gate_of(context: Context) -> IntakeGate | None:
    """Computed once per request (a client's portal either is open or is not)."""
    state = context.extra.get("intake_gate", _UNKNOWN)
    if state is _UNKNOWN:
        state = await intake_gate(context.uow, context.principal)
        context.extra["intake_gate"] = state
    return cast(IntakeGate | None, state)


async def portal_closed(context: Context) -> bool:
    return await gate_of(context) is IntakeGate.PORTAL


def gate_resolver(resolve: Callable[..., Any]) -> Callable[..., Any]:
    """``resolve`` behind the intake gate: installed on the gated fields only, when the schema
    is built (``carebase.schema.field_gates``), so no other field pays for the check."""

    def gated(root: Any, info: GraphQLResolveInfo[Any], **kwargs: Any) -> Any:
        if not info.context.principal.is_client:
            return resolve(root, info, **kwargs)
        return _checked(resolve, root, info, **kwargs)

    return gated


async def _checked(
    resolve: Callable[..., Any], root: Any, info: GraphQLResolveInfo[Any], **kwargs: Any
) -> Any:
    if await portal_closed(info.context):
        raise intake_required()
    return await await_maybe(resolve(root, info, **kwargs))
