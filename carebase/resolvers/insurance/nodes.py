"""What ``node`` reads of the insurance area: policies, claims and superbills."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from carebase.auth.policy import require_reader, scoped
from carebase.auth.principal import Principal
from carebase.models import Claim, InsurancePolicy, Superbill
from carebase.resolvers.core.nodes import NodeSource


def _own(model: Any, *, clients: bool = True) -> Any:
    """A client reads their own; a member or key needs billing:read."""

    def visible(principal: Principal) -> Select[Any]:
        require_reader(principal, "billing")
        stmt = scoped(select(model), principal, model.organization_id, model.client_id)
        if hasattr(model, "removed_at"):
            stmt = stmt.where(model.removed_at.is_(None))
        return stmt

    return visible


INSURANCE_POLICIES = NodeSource(
    InsurancePolicy.id,
    _own(InsurancePolicy),
    audited="insurance_policy",
    client_id=InsurancePolicy.client_id,
)
CLAIMS = NodeSource(Claim.id, _own(Claim), audited="claim", client_id=Claim.client_id)
SUPERBILLS = NodeSource(
    Superbill.id, _own(Superbill), audited="superbill", client_id=Superbill.client_id
)
