"""What the booking widget may read with a publishable key: no client or payment data."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from carebase.auth.policy import require_publishable
from carebase.auth.principal import Principal
from carebase.db import UnitOfWork
from carebase.models import Account, AppointmentType, Availability, Organization, Role
from carebase.resolvers.scheduling.appointment_types import bookable_types

PUBLISHABLE_KEY_REQUIRED = "Send the practice's publishable key"


@dataclass(frozen=True)
class BookingProfile:
    organization: Organization
    types: list[AppointmentType]
    providers: list[Account]


async def booking_profile(uow: UnitOfWork, principal: Principal) -> BookingProfile:
    if principal.organization_id is None:
        # any caller of the organization may read it; without credentials, ask for the key
        require_publishable(principal, PUBLISHABLE_KEY_REQUIRED)
    org = await uow.session.get_one(Organization, principal.organization_id)
    types = await bookable_types(uow, org.id)
    # providers who take bookings: those who have set their hours
    providers = await uow.session.execute(
        select(Account)
        .join(Availability, Availability.provider_id == Account.id)
        .where(
            Account.organization_id == org.id,
            Account.role.in_((Role.OWNER, Role.ADMIN, Role.PROVIDER)),
        )
        .order_by(Account.name, Account.id)
    )
    return BookingProfile(org, types, list(providers.scalars()))


async def provider_name(uow: UnitOfWork, provider_id: uuid.UUID) -> str:
    return (
        await uow.session.execute(select(Account.name).where(Account.id == provider_id))
    ).scalar_one()
