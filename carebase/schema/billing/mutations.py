"""Billing's mutations, in the order the schema lists them.

Each mutation's resolver lives beside its input and payload, in the module of its concept.
"""

from __future__ import annotations

import strawberry

from carebase.schema.billing import cards as card_fields
from carebase.schema.billing import invoices as invoice_fields
from carebase.schema.billing import packages as package_fields
from carebase.schema.billing import payments as payment_fields


@strawberry.type
class BillingMutation:
    create_setup_intent = strawberry.mutation(resolver=card_fields.create_setup_intent)
    attach_payment_method = strawberry.mutation(resolver=card_fields.attach_payment_method)
    set_default_payment_method = strawberry.mutation(
        resolver=card_fields.set_default_payment_method
    )
    remove_payment_method = strawberry.mutation(resolver=card_fields.remove_payment_method)
    charge_client = strawberry.mutation(resolver=payment_fields.charge_client)
    schedule_payment = strawberry.mutation(resolver=payment_fields.schedule_payment)
    cancel_scheduled_payment = strawberry.mutation(resolver=payment_fields.cancel_scheduled_payment)
    refund_payment = strawberry.mutation(resolver=payment_fields.refund_payment)
    record_external_payment = strawberry.mutation(resolver=payment_fields.record_external_payment)
    create_package = strawberry.mutation(resolver=package_fields.create_package)
    purchase_package = strawberry.mutation(resolver=package_fields.purchase_package)
    create_invoice = strawberry.mutation(resolver=invoice_fields.create_invoice)
    send_invoice = strawberry.mutation(resolver=invoice_fields.send_invoice)
    void_invoice = strawberry.mutation(resolver=invoice_fields.void_invoice)
    pay_invoice = strawberry.mutation(resolver=invoice_fields.pay_invoice)
