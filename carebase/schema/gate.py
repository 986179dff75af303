"""The intake gate, checked per field: while a client has required intake pending (and the
practice's gate is PORTAL), only the viewer, intake, log-out and password operations answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from graphql import GraphQLResolveInfo
from strawberry.extensions import SchemaExtension
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


def gated(info: GraphQLResolveInfo[Any]) -> bool:
    if not info.context.principal.is_client or info.field_name.startswith("__"):
        return False
    parent = info.parent_type.name
    if parent in ("Query", "Subscription"):
        return info.field_name not in OPEN_ROOT_FIELDS
    if parent == "Client":
        return info.field_name not in OPEN_CLIENT_FIELDS
    return False


class IntakeGateExtension(SchemaExtension):
    def resolve(
        self,
        _next: Callable[..., Any],
        root: Any,
        info: GraphQLResolveInfo[Any],
        *args: str,
        **kwargs: Any,
    ) -> Any:
        if not gated(info):
            return _next(root, info, *args, **kwargs)
        return self._checked(_next, root, info, *args, **kwargs)

    async def _checked(
        self,
        _next: Callable[..., Any],
        root: Any,
        info: GraphQLResolveInfo[Any],
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        if await portal_closed(info.context):
            raise intake_required()
        return await await_maybe(_next(root, info, *args, **kwargs))
