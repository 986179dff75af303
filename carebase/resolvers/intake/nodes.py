"""What ``node`` reads of the intake area: forms, intake flows and form requests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from carebase.auth.policy import org_id, require_authenticated, require_member, scoped
from carebase.auth.principal import Principal
from carebase.models import Form, FormRequest, IntakeFlow
from carebase.resolvers.core.nodes import NodeSource


def _forms(principal: Principal) -> Select[Any]:
    # the practice's templates; a client reads the form of their own requests through them
    require_member(principal, "forms")
    return select(Form).where(Form.organization_id == org_id(principal))


def _flows(principal: Principal) -> Select[Any]:
    require_member(principal, "forms")
    return select(IntakeFlow).where(IntakeFlow.organization_id == org_id(principal))


def _requests(principal: Principal) -> Select[Any]:
    require_authenticated(principal)
    if not principal.is_client:
        require_member(principal, "forms")
    return scoped(
        select(FormRequest), principal, FormRequest.organization_id, FormRequest.client_id
    )


FORMS = NodeSource(Form.id, _forms)
INTAKE_FLOWS = NodeSource(IntakeFlow.id, _flows)
FORM_REQUESTS = NodeSource(
    FormRequest.id, _requests, audited="form_request", client_id=FormRequest.client_id
)
