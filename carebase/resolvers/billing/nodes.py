"""What ``node`` reads of the billing area: cards, payments, invoices and packages."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select

from carebase.auth.policy import org_id, require_reader, scoped
from carebase.auth.principal import Principal
from carebase.db import UnitOfWork
from carebase.models import Invoice, Package, PackagePurchase, Payment, PaymentMethod
from carebase.resolvers.core.nodes import NodeSource


def _own(model: Any) -> Any:
    """A client reads their own billing records; a member or key needs billing:read."""

    def visible(principal: Principal) -> Select[Any]:
        require_reader(principal, "billing")
        return scoped(select(model), principal, model.organization_id, model.client_id)

    return visible


def _packages(principal: Principal) -> Select[Any]:
    # what clients may buy: the practice's packages, as ``packages`` lists them
    require_reader(principal, "billing")
    return select(Package).where(Package.organization_id == org_id(principal))


PAYMENT_METHODS = NodeSource(
    PaymentMethod.id,
    lambda p: _own(PaymentMethod)(p).where(PaymentMethod.removed_at.is_(None)),
)
PAYMENTS = NodeSource(Payment.id, _own(Payment), audited="payment", client_id=Payment.client_id)
INVOICES = NodeSource(Invoice.id, _own(Invoice), audited="invoice", client_id=Invoice.client_id)
PACKAGES = NodeSource(Package.id, _packages)
PACKAGE_PURCHASES = NodeSource(PackagePurchase.id, _own(PackagePurchase))


async def purchase_parts(
    uow: UnitOfWork, purchases: Sequence[PackagePurchase]
) -> tuple[dict[uuid.UUID, Package], dict[uuid.UUID, Payment]]:
    """The packages and payments of already-visible purchases, two statements for all."""
    package_ids = {p.package_id for p in purchases}
    payment_ids = {p.payment_id for p in purchases if p.payment_id}
    packages = await uow.session.execute(select(Package).where(Package.id.in_(package_ids)))
    payments = (
        await uow.session.execute(select(Payment).where(Payment.id.in_(payment_ids)))
        if payment_ids
        else None
    )
    return (
        {p.id: p for p in packages.scalars()},
        {p.id: p for p in payments.scalars()} if payments is not None else {},
    )
