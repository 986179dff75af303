"""Every cross-area reaction, registered in one place and in a stated order.

`build_hooks()` is called once per process: by `create_app`, by the job runtime (worker and
in-process actors) and by the CLI commands that open units of work. Read this file to learn
what happens elsewhere when a client starts, a booking is made or cancelled, an appointment
changes status or a payment succeeds.
"""

from __future__ import annotations

from carebase.db import UnitOfWork
from carebase.hooks import (
    AppointmentCancelled,
    AppointmentsBooked,
    AppointmentStatusChanged,
    BookingRequested,
    ClientCreated,
    Hooks,
    InvitationResent,
    PaymentSucceeded,
)
from carebase.models import WebhookEventType
from carebase.resolvers.billing import appointment_charges, charges, invoices, packages, receipts
from carebase.resolvers.intake import requests as intake


async def request_default_intake(uow: UnitOfWork, event: ClientCreated) -> str | None:
    """The default intake flow is requested; its paragraph joins the invitation email."""
    return await intake.request_default_flow(
        uow, event.principal, event.client, event.organization, event.invited
    )


async def intake_link_for_invitation(uow: UnitOfWork, event: InvitationResent) -> str | None:
    """A client's invitation carries the intake link while forms are pending."""
    return await intake.invitation_paragraph(uow, event.account, event.organization)


async def intake_gate_for_booking(uow: UnitOfWork, event: BookingRequested) -> None:
    await intake.booking_gate(uow, event.principal, event.client, event.organization)


async def draw_package_credits(uow: UnitOfWork, event: AppointmentsBooked) -> None:
    await packages.draw_credits(uow, event.principal, event.appointments, event.use_package_credit)


async def cancel_planned_charges(uow: UnitOfWork, event: AppointmentCancelled) -> None:
    """The late-cancel fee, when the policy says so."""
    await appointment_charges.on_cancel(uow, event.principal, event.appointment)


async def return_package_credit(uow: UnitOfWork, event: AppointmentCancelled) -> None:
    await packages.return_credit(uow, event.principal, event.appointment)


async def charge_for_status(uow: UnitOfWork, event: AppointmentStatusChanged) -> None:
    """OCCURRED autocharges, NO_SHOW the no-show fee; a correction cancels what is planned."""
    await appointment_charges.on_status_change(
        uow, event.principal, event.appointment, event.previous
    )


async def announce_payment(uow: UnitOfWork, event: PaymentSucceeded) -> None:
    """The outbox row partners' webhooks hear (payment.succeeded)."""
    charges.payment_event(uow, event.payment, WebhookEventType.PAYMENT_SUCCEEDED)


async def settle_invoice(uow: UnitOfWork, event: PaymentSucceeded) -> None:
    await invoices.settle_invoice(uow, event.payment)


async def grant_package_credits(uow: UnitOfWork, event: PaymentSucceeded) -> None:
    await packages.grant_credits(uow, event.payment)


async def email_receipt(uow: UnitOfWork, event: PaymentSucceeded) -> None:
    """The client's receipt for a card charge (once per payment, whoever saw it succeed)."""
    await receipts.send_payment_receipt(uow, event.payment)


def build_hooks() -> Hooks:
    hooks = Hooks()
    hooks.on(ClientCreated, request_default_intake, order=10)
    hooks.on(InvitationResent, intake_link_for_invitation, order=10)
    hooks.on(BookingRequested, intake_gate_for_booking, order=10)
    hooks.on(AppointmentsBooked, draw_package_credits, order=10)
    hooks.on(AppointmentCancelled, cancel_planned_charges, order=10)
    hooks.on(AppointmentCancelled, return_package_credit, order=20)
    hooks.on(AppointmentStatusChanged, charge_for_status, order=10)
    hooks.on(PaymentSucceeded, announce_payment, order=5)
    hooks.on(PaymentSucceeded, settle_invoice, order=10)
    hooks.on(PaymentSucceeded, grant_package_credits, order=20)
    hooks.on(PaymentSucceeded, email_receipt, order=30)
    return hooks
