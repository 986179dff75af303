"""What an appointment's status costs: the autocharge when it occurred, the no-show and
late-cancel fees. Each is one payment row per (appointment, kind), charged by a job."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from carebase.auth.principal import Principal
from carebase.db import UnitOfWork
from carebase.models import (
    Account,
    Appointment,
    AppointmentStatus,
    AppointmentType,
    Invoice,
    InvoiceStatus,
    Organization,
    Payment,
    PaymentKind,
    PaymentStatus,
)
from carebase.resolvers.billing import cards, charges
from carebase.resolvers.billing.invoices import Line, create_invoice_record, open_and_send
from carebase.resolvers.billing.packages import credit_use

KIND_FOR_STATUS = {
    AppointmentStatus.OCCURRED: PaymentKind.AUTOCHARGE,
    AppointmentStatus.NO_SHOW: PaymentKind.NO_SHOW_FEE,
}


async def _plan(
    uow: UnitOfWork,
    appointment: Appointment,
    kind: PaymentKind,
    amount: int,
    currency: str,
    description: str,
) -> None:
    """The payment row, unique per (appointment, kind): retries and repeats find it there."""
    client = await uow.session.get_one(Account, appointment.client_id)
    try:
        async with uow.session.begin_nested():
            payment = await charges.new_payment(
                uow,
                None,
                client=client,
                kind=kind,
                amount_cents=amount,
                currency=currency,
                description=description,
                status=PaymentStatus.SCHEDULED,
                appointment_id=appointment.id,
            )
    except IntegrityError:
        return  # already planned (or made) for this appointment: once, whatever happens
    uow.enqueue("billing.charge_appointment", payment.id)


async def on_status_change(
    uow: UnitOfWork, principal: Principal, appointment: Appointment, previous: AppointmentStatus
) -> None:
    # a correction cancels what the old status planned and has not charged yet; a charge
    # already made stays until a member refunds it; the correction itself moves no money
    if previous in KIND_FOR_STATUS:
        await uow.session.execute(
            update(Payment)
            .where(
                Payment.appointment_id == appointment.id,
                Payment.kind == KIND_FOR_STATUS[previous],
                Payment.status == PaymentStatus.SCHEDULED,
            )
            .values(
                status=PaymentStatus.CANCELLED,
                failure_message="The appointment's status was corrected",
            )
        )
        # an invoice sent instead of that charge is not owed either, unless already paid
        invoiced = select(Payment.invoice_id).where(
            Payment.appointment_id == appointment.id,
            Payment.kind == KIND_FOR_STATUS[previous],
            Payment.invoice_id.is_not(None),
        )
        await uow.session.execute(
            update(Invoice)
            .where(
                Invoice.id.in_(invoiced),
                Invoice.status.in_((InvoiceStatus.DRAFT, InvoiceStatus.OPEN)),
            )
            .values(status=InvoiceStatus.VOID, voided_at=uow.now())
        )
        return
    if appointment.unverified:
        return  # never charged automatically before the client confirmed the booking
    kind = await uow.session.get_one(AppointmentType, appointment.appointment_type_id)
    org = await uow.session.get_one(Organization, appointment.organization_id)
    covered = await credit_use(uow, appointment.id) is not None
    if appointment.status is AppointmentStatus.OCCURRED:
        if kind.autocharge_when_occurred and kind.price_cents and not covered:
            await _plan(
                uow, appointment, PaymentKind.AUTOCHARGE, kind.price_cents, kind.currency, kind.name
            )
    elif appointment.status is AppointmentStatus.NO_SHOW and org.no_show_fee_cents and not covered:
        await _plan(
            uow,
            appointment,
            PaymentKind.NO_SHOW_FEE,
            org.no_show_fee_cents,
            org.currency,
            f"No-show fee: {kind.name}",
        )


async def on_cancel(uow: UnitOfWork, principal: Principal, appointment: Appointment) -> None:
    if not appointment.late_cancellation or appointment.unverified:
        return
    org = await uow.session.get_one(Organization, appointment.organization_id)
    if org.late_cancellation_fee_cents and await credit_use(uow, appointment.id) is None:
        kind = await uow.session.get_one(AppointmentType, appointment.appointment_type_id)
        await _plan(
            uow,
            appointment,
            PaymentKind.LATE_CANCELLATION_FEE,
            org.late_cancellation_fee_cents,
            org.currency,
            f"Late cancellation fee: {kind.name}",
        )


def still_due(payment: Payment, appointment: Appointment) -> bool:
    if payment.kind is PaymentKind.AUTOCHARGE:
        return appointment.status is AppointmentStatus.OCCURRED
    if payment.kind is PaymentKind.NO_SHOW_FEE:
        return appointment.status is AppointmentStatus.NO_SHOW
    return appointment.status is AppointmentStatus.CANCELLED and appointment.late_cancellation


async def charge_appointment_payment(uow: UnitOfWork, payment: Payment) -> None:
    """The job's work, on a payment it has claimed (PROCESSING)."""
    appointment = await uow.session.get_one(Appointment, payment.appointment_id)
    if not still_due(payment, appointment):
        payment.status = PaymentStatus.CANCELLED
        payment.failure_message = "The appointment's status changed before the charge"
        return
    if await cards.default_card(uow, payment.client_id) is None:
        # no card: the client gets an invoice instead
        client = await uow.session.get_one(Account, payment.client_id)
        invoice = await create_invoice_record(
            uow,
            client,
            lines=[Line(payment.description or "Appointment", payment.amount_cents)],
            currency=payment.currency,
            due_date=None,
            appointment_id=appointment.id,
        )
        await open_and_send(uow, invoice)
        payment.status = PaymentStatus.CANCELLED
        payment.failure_message = "No card on file: invoiced instead"
        payment.invoice_id = invoice.id
        return
    await charges.charge_now(uow, payment)
