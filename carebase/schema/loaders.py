"""Per-request DataLoaders: child fields load in batches, never one query per parent."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from carebase.auth.principal import Principal
from carebase.db import UnitOfWork
from carebase.models import (
    Account,
    Appointment,
    AppointmentEvent,
    AppointmentType,
    Claim,
    Form,
    FormRequest,
    FormVersion,
    InsurancePolicy,
    Invoice,
    Organization,
    Payment,
    PaymentMethod,
    Superbill,
)
from carebase.resolvers.billing.cards import load_cards
from carebase.resolvers.billing.invoices import balances, load_invoices
from carebase.resolvers.billing.packages import load_credits
from carebase.resolvers.billing.payments import load_appointment_payments
from carebase.resolvers.chat.conversations import unread_counts
from carebase.resolvers.insurance.claims import load_client_claims, load_policies
from carebase.resolvers.insurance.policies import load_client_policies
from carebase.resolvers.insurance.superbills import load_client_superbills
from carebase.resolvers.intake.forms import load_forms, load_versions
from carebase.resolvers.intake.requests import load_form_requests
from carebase.resolvers.org.organizations import load_organizations
from carebase.resolvers.people.clients import load_clients
from carebase.resolvers.people.members import load_accounts, load_members
from carebase.resolvers.reports.intake import load_pending_forms
from carebase.resolvers.scheduling.appointment_types import load_appointment_types
from carebase.resolvers.scheduling.appointments import (
    AppointmentFilter,
    load_appointments,
    load_history,
)
from carebase.resolvers.scheduling.client_appointments import load_client_appointments


class Loaders:
    def __init__(self, uow: UnitOfWork, principal: Principal) -> None:
        self.uow = uow
        self.principal = principal

        async def clients(ids: Sequence[uuid.UUID]) -> list[Account | None]:
            return await load_clients(uow, principal, ids)

        async def members(ids: Sequence[uuid.UUID]) -> list[Account | None]:
            return await load_members(uow, principal, ids)

        async def organizations(ids: Sequence[uuid.UUID]) -> list[Organization | None]:
            return await load_organizations(uow, ids)

        async def appointment_types(ids: Sequence[uuid.UUID]) -> list[AppointmentType | None]:
            return await load_appointment_types(uow, principal, ids)

        async def appointments(ids: Sequence[uuid.UUID]) -> list[Appointment | None]:
            return await load_appointments(uow, principal, ids)

        async def history(ids: Sequence[uuid.UUID]) -> list[list[AppointmentEvent]]:
            return await load_history(uow, ids)

        async def form_requests(ids: Sequence[uuid.UUID]) -> list[list[FormRequest]]:
            return await load_form_requests(uow, principal, ids)

        async def forms(ids: Sequence[uuid.UUID]) -> list[Form | None]:
            return await load_forms(uow, ids)

        async def versions(keys: Sequence[tuple[uuid.UUID, int]]) -> list[FormVersion | None]:
            return await load_versions(uow, keys)

        async def pending(ids: Sequence[uuid.UUID]) -> list[list[FormRequest]]:
            return await load_pending_forms(uow, principal, ids)

        async def accounts(ids: Sequence[uuid.UUID]) -> list[Account | None]:
            return await load_accounts(uow, principal, ids)

        async def unread(ids: Sequence[uuid.UUID]) -> list[int]:
            return await unread_counts(uow, principal, ids)

        async def cards(ids: Sequence[uuid.UUID]) -> list[list[PaymentMethod]]:
            return await load_cards(uow, ids)

        async def owed(ids: Sequence[uuid.UUID]) -> list[int]:
            return await balances(uow, ids)

        async def credits(ids: Sequence[uuid.UUID]) -> list[list[tuple[uuid.UUID, int]]]:
            return await load_credits(uow, ids)

        async def appointment_payments(ids: Sequence[uuid.UUID]) -> list[list[Payment]]:
            return await load_appointment_payments(uow, principal, ids)

        async def invoices(ids: Sequence[uuid.UUID]) -> list[Invoice | None]:
            return await load_invoices(uow, principal, ids)

        async def policies_by_id(ids: Sequence[uuid.UUID]) -> list[InsurancePolicy | None]:
            return await load_policies(uow, principal, ids)

        async def policies(ids: Sequence[uuid.UUID]) -> list[list[InsurancePolicy]]:
            return await load_client_policies(uow, ids)

        async def claims(ids: Sequence[uuid.UUID]) -> list[list[Claim]]:
            return await load_client_claims(uow, principal, ids)

        async def superbills(ids: Sequence[uuid.UUID]) -> list[list[Superbill]]:
            return await load_client_superbills(uow, ids)

        self.client_claims: DataLoader[uuid.UUID, list[Claim]] = DataLoader(load_fn=claims)
        self.superbills: DataLoader[uuid.UUID, list[Superbill]] = DataLoader(load_fn=superbills)
        self.cards: DataLoader[uuid.UUID, list[PaymentMethod]] = DataLoader(load_fn=cards)
        self.balance: DataLoader[uuid.UUID, int] = DataLoader(load_fn=owed)
        self.credits: DataLoader[uuid.UUID, list[tuple[uuid.UUID, int]]] = DataLoader(
            load_fn=credits
        )
        self.appointment_payments: DataLoader[uuid.UUID, list[Payment]] = DataLoader(
            load_fn=appointment_payments
        )
        self.invoice: DataLoader[uuid.UUID, Invoice | None] = DataLoader(load_fn=invoices)
        self.policies: DataLoader[uuid.UUID, list[InsurancePolicy]] = DataLoader(load_fn=policies)
        self.policy: DataLoader[uuid.UUID, InsurancePolicy | None] = DataLoader(
            load_fn=policies_by_id
        )
        self.unread_count: DataLoader[uuid.UUID, int] = DataLoader(load_fn=unread)
        self.form_requests: DataLoader[uuid.UUID, list[FormRequest]] = DataLoader(
            load_fn=form_requests
        )
        self.pending_forms: DataLoader[uuid.UUID, list[FormRequest]] = DataLoader(load_fn=pending)
        self.form: DataLoader[uuid.UUID, Form | None] = DataLoader(load_fn=forms)
        self.form_version: DataLoader[tuple[uuid.UUID, int], FormVersion | None] = DataLoader(
            load_fn=versions
        )
        self.account: DataLoader[uuid.UUID, Account | None] = DataLoader(load_fn=accounts)
        self.appointment_type: DataLoader[uuid.UUID, AppointmentType | None] = DataLoader(
            load_fn=appointment_types
        )
        self.appointment: DataLoader[uuid.UUID, Appointment | None] = DataLoader(
            load_fn=appointments
        )
        self.history: DataLoader[uuid.UUID, list[AppointmentEvent]] = DataLoader(load_fn=history)
        self.client: DataLoader[uuid.UUID, Account | None] = DataLoader(load_fn=clients)
        self.member: DataLoader[uuid.UUID, Account | None] = DataLoader(load_fn=members)
        self.organization: DataLoader[uuid.UUID, Organization | None] = DataLoader(
            load_fn=organizations
        )
        self._client_appointments: dict[
            AppointmentFilter, DataLoader[uuid.UUID, list[Appointment]]
        ] = {}

    def client_appointments(
        self, filter: AppointmentFilter
    ) -> DataLoader[uuid.UUID, list[Appointment]]:
        """Clients' appointments under one filter: one query per filter the request uses."""
        if filter not in self._client_appointments:

            async def load(ids: Sequence[uuid.UUID]) -> list[list[Appointment]]:
                return await load_client_appointments(self.uow, self.principal, ids, filter)

            self._client_appointments[filter] = DataLoader(load_fn=load)
        return self._client_appointments[filter]
