"""Cards on file: a SetupIntent to collect one, attaching it, the default card, removing it."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence

from sqlalchemy import select, update

from carebase.auth.policy import require_authenticated, require_reader
from carebase.auth.principal import Principal
from carebase.db import UnitOfWork
from carebase.errors import DomainError, ErrorCode, invalid, not_found
from carebase.gateways.stripe import CardDeclined, StripeUnavailable, UnknownPaymentMethod
from carebase.models import PaymentMethod
from carebase.resolvers.billing.customers import billing_client, customer_id, gateway
from carebase.resolvers.core import audit
from carebase.resolvers.core.pagination import Load, grouped

# what a Stripe object id looks like (pm_..., card_..., src_...), checked before asking Stripe
STRIPE_ID = re.compile(r"[A-Za-z][A-Za-z0-9_]{2,254}")


async def create_setup_intent(
    uow: UnitOfWork, principal: Principal, *, client_id: uuid.UUID
) -> str:
    client = await billing_client(uow, principal, client_id, write=True)
    stripe_customer = await customer_id(uow, client)
    return await gateway(uow).create_setup_intent(customer_id=stripe_customer)


async def attach_payment_method(
    uow: UnitOfWork,
    principal: Principal,
    *,
    client_id: uuid.UUID,
    stripe_payment_method_id: str,
    make_default: bool,
) -> PaymentMethod:
    client = await billing_client(uow, principal, client_id, write=True)
    if not STRIPE_ID.fullmatch(stripe_payment_method_id):
        raise invalid("Not a Stripe payment method id", "stripePaymentMethodId")
    stripe_customer = await customer_id(uow, client)
    try:
        card = await gateway(uow).attach_card(
            payment_method_id=stripe_payment_method_id,
            customer_id=stripe_customer,
        )
    except UnknownPaymentMethod:
        raise invalid("No such payment method", "stripePaymentMethodId") from None
    except CardDeclined as declined:
        raise DomainError(
            ErrorCode.CARD_DECLINED, declined.message, "stripePaymentMethodId"
        ) from None
    except StripeUnavailable:
        raise DomainError(
            ErrorCode.PAYMENTS_NOT_CONFIGURED, "The payment processor cannot be reached; try again"
        ) from None
    existing = await _cards(uow, client.id)
    method = PaymentMethod(
        organization_id=client.organization_id,
        client_id=client.id,
        stripe_payment_method_id=card.id,
        brand=card.brand,
        last4=card.last4,
        exp_month=card.exp_month,
        exp_year=card.exp_year,
        is_default=make_default or not existing,
    )
    if method.is_default:
        await _clear_default(uow, client.id)
    uow.session.add(method)
    await uow.session.flush()
    audit.record(
        uow,
        principal,
        action="write",
        resource="payment_method",
        resource_id=method.id,
        client_id=client.id,
        operation="attachPaymentMethod",
    )
    return method


async def _clear_default(uow: UnitOfWork, client_id: uuid.UUID) -> None:
    await uow.session.execute(
        update(PaymentMethod).where(PaymentMethod.client_id == client_id).values(is_default=False)
    )


async def _cards(uow: UnitOfWork, client_id: uuid.UUID) -> list[PaymentMethod]:
    rows = await uow.session.execute(
        select(PaymentMethod)
        .where(PaymentMethod.client_id == client_id, PaymentMethod.removed_at.is_(None))
        .order_by(PaymentMethod.created_at)
    )
    return list(rows.scalars())


async def _method(uow: UnitOfWork, principal: Principal, method_id: uuid.UUID) -> PaymentMethod:
    require_authenticated(principal)  # no credentials: UNAUTHENTICATED, not "no such card"
    method = (
        await uow.session.execute(
            select(PaymentMethod).where(
                PaymentMethod.id == method_id,
                PaymentMethod.organization_id == principal.organization_id,
                PaymentMethod.removed_at.is_(None),
            )
        )
    ).scalar_one_or_none()
    if method is None:
        raise not_found("No such card", "id")
    await billing_client(uow, principal, method.client_id, write=True)
    return method


async def set_default_payment_method(
    uow: UnitOfWork, principal: Principal, *, method_id: uuid.UUID
) -> PaymentMethod:
    method = await _method(uow, principal, method_id)
    await _clear_default(uow, method.client_id)
    method.is_default = True
    audit.record(
        uow,
        principal,
        action="write",
        resource="payment_method",
        resource_id=method.id,
        client_id=method.client_id,
        operation="setDefaultPaymentMethod",
    )
    return method


async def remove_payment_method(
    uow: UnitOfWork, principal: Principal, *, method_id: uuid.UUID
) -> PaymentMethod:
    method = await _method(uow, principal, method_id)
    await gateway(uow).detach_card(payment_method_id=method.stripe_payment_method_id)
    method.removed_at = uow.now()
    if method.is_default:
        method.is_default = False
        others = [m for m in await _cards(uow, method.client_id) if m.id != method.id]
        if others:
            others[-1].is_default = True
    audit.record(
        uow,
        principal,
        action="write",
        resource="payment_method",
        resource_id=method.id,
        client_id=method.client_id,
        operation="removePaymentMethod",
    )
    return method


async def default_card(uow: UnitOfWork, client_id: uuid.UUID) -> PaymentMethod | None:
    return (
        await uow.session.execute(
            select(PaymentMethod).where(
                PaymentMethod.client_id == client_id,
                PaymentMethod.is_default.is_(True),
                PaymentMethod.removed_at.is_(None),
            )
        )
    ).scalar_one_or_none()


async def load_cards(uow: UnitOfWork, client_ids: Sequence[uuid.UUID]) -> list[list[PaymentMethod]]:
    rows = await uow.session.execute(
        select(PaymentMethod)
        .where(PaymentMethod.client_id.in_(client_ids), PaymentMethod.removed_at.is_(None))
        .order_by(PaymentMethod.created_at)
    )
    return grouped(rows.scalars(), client_ids, lambda m: m.client_id)


async def client_cards(
    uow: UnitOfWork,
    principal: Principal,
    *,
    client_id: uuid.UUID,
    load: Load[uuid.UUID, list[PaymentMethod]],
) -> list[PaymentMethod]:
    """``Client.paymentMethods``: a client reads their own, a member or key needs
    billing:read. ``load`` is the request's batch loader over ``load_cards``."""
    require_reader(principal, "billing")
    return await load(client_id)
