"""The Stripe side of a client: the gateway for this request, the client's Stripe customer,
and who may act on a client's billing."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from carebase.auth.policy import require_authenticated, require_client_access, require_member
from carebase.auth.principal import Principal
from carebase.db import UnitOfWork
from carebase.errors import DomainError, ErrorCode
from carebase.gateways.stripe import PaymentsNotConfigured, StripeGateway
from carebase.models import Account, BillingCustomer
from carebase.resolvers.core.lookups import get_client


def gateway(uow: UnitOfWork) -> StripeGateway:
    """Stripe, or PAYMENTS_NOT_CONFIGURED when the practice has no key."""
    try:
        return StripeGateway(uow.settings)
    except PaymentsNotConfigured:
        raise DomainError(
            ErrorCode.PAYMENTS_NOT_CONFIGURED, "Card payments are not set up for this practice"
        ) from None


async def customer_id(uow: UnitOfWork, client: Account) -> str:
    """The client's Stripe customer, created on first need."""
    found = (
        await uow.session.execute(
            select(BillingCustomer.stripe_customer_id).where(BillingCustomer.client_id == client.id)
        )
    ).scalar_one_or_none()
    if found:
        return found
    stripe_id = await gateway(uow).create_customer(
        client_id=str(client.id),
        email=client.email,
        name=client.name,
    )
    uow.session.add(
        BillingCustomer(
            organization_id=client.organization_id,
            client_id=client.id,
            stripe_customer_id=stripe_id,
        )
    )
    await uow.session.flush()
    return stripe_id


async def billing_client(
    uow: UnitOfWork, principal: Principal, client_id: uuid.UUID, *, write: bool
) -> Account:
    """The client whose cards are asked for: the client themself, or a billing member."""
    require_authenticated(principal)
    if principal.is_client:
        require_client_access(principal, client_id, write=write)
    else:
        require_member(principal, "billing", write=write)
    return await get_client(uow, principal, client_id, audit_read=False)
