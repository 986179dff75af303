"""Packages paid up front; their credits pay for bookings of the covered types."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, update

from carebase.auth.policy import (
    org_id,
    require_authenticated,
    require_manager,
    require_member,
    require_reader,
)
from carebase.auth.principal import Principal
from carebase.db import UnitOfWork
from carebase.errors import DomainError, ErrorCode, invalid, not_found
from carebase.models import (
    Appointment,
    AppointmentType,
    CreditUse,
    Organization,
    Package,
    PackageCredit,
    PackagePurchase,
    Payment,
    PaymentKind,
    PaymentStatus,
)
from carebase.resolvers.billing import cards, charges, customers
from carebase.resolvers.core import audit
from carebase.resolvers.core.checks import check_name, practice_currency
from carebase.resolvers.core.idempotency import run_idempotent
from carebase.resolvers.core.lookups import get_client
from carebase.resolvers.core.pagination import Load, grouped


@dataclass(frozen=True)
class PackageItem:
    appointment_type_id: uuid.UUID
    quantity: int


async def create_package(
    uow: UnitOfWork,
    principal: Principal,
    *,
    name: str,
    price_cents: int,
    currency: str | None,
    items: Sequence[PackageItem],
) -> Package:
    require_manager(principal, "billing")
    org = await uow.session.get_one(Organization, org_id(principal))
    if not items:
        raise invalid("A package covers at least one appointment type", "items")
    if price_cents < 0:
        raise invalid("A price is 0 or more cents", "priceCents")
    for i, item in enumerate(items):
        found = (
            await uow.session.execute(
                select(AppointmentType.id).where(
                    AppointmentType.id == item.appointment_type_id,
                    AppointmentType.organization_id == org.id,
                )
            )
        ).first()
        if found is None:
            raise not_found("No such appointment type", ["items", str(i), "appointmentTypeId"])
        if not 1 <= item.quantity <= 1000:
            raise invalid("A quantity is 1 to 1,000", ["items", str(i), "quantity"])
    package = Package(
        organization_id=org.id,
        name=check_name(name),
        price_cents=price_cents,
        currency=practice_currency(currency, org.currency),
        items=[
            {"appointment_type_id": str(i.appointment_type_id), "quantity": i.quantity}
            for i in items
        ],
    )
    uow.session.add(package)
    await uow.session.flush()
    return package


async def list_packages(uow: UnitOfWork, principal: Principal) -> list[Package]:
    """Clients see what they may buy; members and keys need billing:read."""
    require_reader(principal, "billing")
    rows = await uow.session.execute(
        select(Package)
        .where(Package.organization_id == principal.organization_id, Package.archived_at.is_(None))
        .order_by(Package.name)
    )
    return list(rows.scalars())


@dataclass(frozen=True)
class PackageBought:
    """What ``purchasePackage`` shows: the purchase, its package and its payment (FAILED
    when the card was declined)."""

    purchase: PackagePurchase
    package: Package
    payment: Payment


async def purchase_package(
    uow: UnitOfWork,
    principal: Principal,
    *,
    client_id: uuid.UUID,
    package_id: uuid.UUID,
    idempotency_key: str | None,
) -> PackageBought:
    require_authenticated(principal)
    if not principal.is_client:
        require_member(principal, "billing", write=True)
    client = await get_client(uow, principal, client_id, audit_read=False)
    package = (
        await uow.session.execute(
            select(Package).where(
                Package.id == package_id, Package.organization_id == client.organization_id
            )
        )
    ).scalar_one_or_none()
    if package is None:
        raise not_found("No such package", "packageId")

    async def execute() -> Payment:
        customers.gateway(uow)
        if await cards.default_card(uow, client.id) is None:
            raise DomainError(ErrorCode.NO_PAYMENT_METHOD, "No card on file", "clientId")
        purchase = PackagePurchase(
            organization_id=client.organization_id, package_id=package.id, client_id=client.id
        )
        uow.session.add(purchase)
        await uow.session.flush()
        payment = await charges.new_payment(
            uow,
            principal,
            client=client,
            kind=PaymentKind.PACKAGE,
            amount_cents=package.price_cents,
            currency=package.currency,
            description=f"Package: {package.name}",
            id=charges.payment_id_for(client.organization_id, "purchasePackage", idempotency_key),
        )
        purchase.payment_id = payment.id
        await uow.session.flush()
        audit.record(
            uow,
            principal,
            action="write",
            resource="payment",
            resource_id=payment.id,
            client_id=client.id,
            operation="purchasePackage",
        )
        return await charges.charge_now(uow, payment, look_first=idempotency_key is not None)

    payment = await run_idempotent(
        uow,
        organization_id=client.organization_id,
        operation="purchasePackage",
        key=idempotency_key,
        request={"client": str(client_id), "package": str(package_id)},
        execute=execute,
        remember=lambda p: {"payment": str(p.id)},
        replay=lambda saved: uow.session.get_one(Payment, uuid.UUID(saved["payment"])),
        reserve=True,
    )
    purchase = (
        await uow.session.execute(
            select(PackagePurchase).where(PackagePurchase.payment_id == payment.id)
        )
    ).scalar_one()
    # the purchase's own package (the one read above, from the identity map)
    bought = await uow.session.get_one(Package, purchase.package_id)
    return PackageBought(purchase=purchase, package=bought, payment=payment)


async def grant_credits(uow: UnitOfWork, payment: Payment) -> None:
    """Credits exist only once the package's payment has succeeded, and only once."""
    if payment.kind is not PaymentKind.PACKAGE:
        return
    purchase = (
        await uow.session.execute(
            select(PackagePurchase).where(PackagePurchase.payment_id == payment.id)
        )
    ).scalar_one_or_none()
    if purchase is None:
        return
    granted = await uow.session.execute(
        update(PackagePurchase)
        .where(PackagePurchase.id == purchase.id, PackagePurchase.credits_granted.is_(False))
        .values(credits_granted=True)
    )
    if granted.rowcount != 1:  # type: ignore[attr-defined]
        return
    package = await uow.session.get_one(Package, purchase.package_id)
    uow.session.add_all(
        PackageCredit(
            organization_id=purchase.organization_id,
            client_id=purchase.client_id,
            purchase_id=purchase.id,
            appointment_type_id=uuid.UUID(item["appointment_type_id"]),
            quantity=item["quantity"],
            remaining=item["quantity"],
        )
        for item in package.items
    )


async def draw_credits(
    uow: UnitOfWork, principal: Principal, rows: list[Appointment], use_credit: bool
) -> None:
    """Booking a covered type draws a credit, oldest first, while any remain."""
    if not use_credit:
        return
    for appointment in rows:
        if appointment.unverified:
            continue  # drawn when the client confirms: an anonymous booking spends nothing
        credit = (
            await uow.session.execute(
                select(PackageCredit)
                .where(
                    PackageCredit.client_id == appointment.client_id,
                    PackageCredit.appointment_type_id == appointment.appointment_type_id,
                    PackageCredit.remaining > 0,
                )
                .order_by(PackageCredit.created_at)
                .limit(1)
            )
        ).scalar_one_or_none()
        if credit is None:
            return
        taken = await uow.session.execute(
            update(PackageCredit)
            .where(PackageCredit.id == credit.id, PackageCredit.remaining > 0)
            .values(remaining=PackageCredit.remaining - 1)
        )
        if taken.rowcount == 1:  # type: ignore[attr-defined]
            uow.session.add(CreditUse(credit_id=credit.id, appointment_id=appointment.id))
    await uow.session.flush()


async def credit_use(uow: UnitOfWork, appointment_id: uuid.UUID) -> CreditUse | None:
    return (
        await uow.session.execute(
            select(CreditUse).where(
                CreditUse.appointment_id == appointment_id, CreditUse.returned_at.is_(None)
            )
        )
    ).scalar_one_or_none()


async def return_credit(uow: UnitOfWork, principal: Principal, appointment: Appointment) -> None:
    """A cancel in time gives the credit back; a late cancel keeps it used."""
    if appointment.late_cancellation:
        return
    use = await credit_use(uow, appointment.id)
    if use is None:
        return
    if await _purchase_refunded(uow, use.credit_id):
        return  # the purchase's money went back: its credits are gone, this one too
    use.returned_at = uow.now()
    await uow.session.execute(
        update(PackageCredit)
        .where(PackageCredit.id == use.credit_id)
        .values(remaining=PackageCredit.remaining + 1)
    )


async def _purchase_refunded(uow: UnitOfWork, credit_id: uuid.UUID) -> bool:
    status = (
        await uow.session.execute(
            select(Payment.status)
            .join(PackagePurchase, PackagePurchase.payment_id == Payment.id)
            .join(PackageCredit, PackageCredit.purchase_id == PackagePurchase.id)
            .where(PackageCredit.id == credit_id)
        )
    ).scalar_one_or_none()
    return status is PaymentStatus.REFUNDED


async def load_credits(
    uow: UnitOfWork, client_ids: Sequence[uuid.UUID]
) -> list[list[tuple[uuid.UUID, int]]]:
    """Per client: (appointment type, credits remaining), summed over purchases."""
    rows = await uow.session.execute(
        select(
            PackageCredit.client_id,
            PackageCredit.appointment_type_id,
            func.sum(PackageCredit.remaining),
        )
        .where(PackageCredit.client_id.in_(client_ids))
        .group_by(PackageCredit.client_id, PackageCredit.appointment_type_id)
    )
    totals = [(client_id, type_id, int(left)) for client_id, type_id, left in rows.all()]
    return [
        [(type_id, left) for _, type_id, left in group]
        for group in grouped(totals, client_ids, lambda t: t[0])
    ]


async def client_credits(
    uow: UnitOfWork,
    principal: Principal,
    *,
    client_id: uuid.UUID,
    load: Load[uuid.UUID, list[tuple[uuid.UUID, int]]],
) -> list[tuple[uuid.UUID, int]]:
    """``Client.packageCredits``: a client reads their own, a member or key needs
    billing:read. ``load`` is the request's batch loader over ``load_credits``."""
    require_reader(principal, "billing")
    return await load(client_id)
