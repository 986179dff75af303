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
    create_setup_intent = strawberry.mutation(
        resolver=card_fields.create_setup_intent,
        description=(
            "Start saving a card for a client: answers a Stripe "
            "SetupIntent client secret for Stripe.js. Members with "
            "`billing:write`, or the client themself. Errors: "
            "`PAYMENTS_NOT_CONFIGURED`, `NOT_FOUND`, `FORBIDDEN`."
        ),
    )
    attach_payment_method = strawberry.mutation(
        resolver=card_fields.attach_payment_method,
        description=(
            "Keep a card collected with Stripe.js on file for a client. "
            "Members with `billing:write`, or the client themself. "
            "Errors: `INVALID_INPUT` (unknown card), "
            "`PAYMENTS_NOT_CONFIGURED`, `NOT_FOUND`, `FORBIDDEN`."
        ),
    )
    set_default_payment_method = strawberry.mutation(
        resolver=card_fields.set_default_payment_method,
        description=(
            "Make a card the client's default. Members with "
            "`billing:write`, or the client themself. Errors: "
            "`NOT_FOUND`, `FORBIDDEN`."
        ),
    )
    remove_payment_method = strawberry.mutation(
        resolver=card_fields.remove_payment_method,
        description=(
            "Remove a card from file (detached in Stripe). Members with "
            "`billing:write`, or the client themself. Errors: "
            "`NOT_FOUND`, `FORBIDDEN`."
        ),
    )
    charge_client = strawberry.mutation(
        resolver=payment_fields.charge_client,
        description=(
            "Charge a client's default card once, now. Members with "
            "`billing:write`. Errors: `INVALID_INPUT`, "
            "`NO_PAYMENT_METHOD`, `CARD_DECLINED` (the payment is kept as"
            " `FAILED`), `PAYMENT_IN_PROGRESS`, "
            "`PAYMENTS_NOT_CONFIGURED`, `IDEMPOTENCY_KEY_REUSED`, "
            "`FORBIDDEN`."
        ),
    )
    schedule_payment = strawberry.mutation(
        resolver=payment_fields.schedule_payment,
        description=(
            "Schedule a charge of the client's default card on a day "
            "(today or later; due from the start of that day in the "
            "organization's time zone). Members with `billing:write`. "
            "Errors: `INVALID_INPUT`, `NO_PAYMENT_METHOD`, "
            "`IDEMPOTENCY_KEY_REUSED`, `FORBIDDEN`."
        ),
    )
    cancel_scheduled_payment = strawberry.mutation(
        resolver=payment_fields.cancel_scheduled_payment,
        description=(
            "Cancel a payment still `SCHEDULED`. Members with "
            "`billing:write`. Errors: `NOT_FOUND`, "
            "`INVALID_STATUS_TRANSITION`, `FORBIDDEN`."
        ),
    )
    refund_payment = strawberry.mutation(
        resolver=payment_fields.refund_payment,
        description=(
            "Refund a succeeded payment in full or in part, never more "
            "than is left of what was captured. Members with "
            "`billing:write`. Errors: `REFUND_EXCEEDS_CAPTURED`, "
            "`INVALID_STATUS_TRANSITION`, `PAYMENT_IN_PROGRESS`, "
            "`IDEMPOTENCY_KEY_REUSED`, `NOT_FOUND`, `FORBIDDEN`."
        ),
    )
    record_external_payment = strawberry.mutation(
        resolver=payment_fields.record_external_payment,
        description=(
            "Record money received outside Stripe (cash, check); it may "
            "settle an open invoice. Members with `billing:write`. "
            "Errors: `INVALID_INPUT`, `INVOICE_NOT_OPEN`, "
            "`IDEMPOTENCY_KEY_REUSED`, `NOT_FOUND`, `FORBIDDEN`."
        ),
    )
    create_package = strawberry.mutation(
        resolver=package_fields.create_package,
        description=(
            "Create a package of appointment credits sold for one price. "
            "Owners and admins (`billing:write`). Errors: "
            "`INVALID_INPUT`, `NOT_FOUND`, `FORBIDDEN`."
        ),
    )
    purchase_package = strawberry.mutation(
        resolver=package_fields.purchase_package,
        description=(
            "Sell a package to a client: their default card is charged up"
            " front and the credits are theirs (redeemed on booking). "
            "Members with `billing:write`, or the client themself. "
            "Errors: `NO_PAYMENT_METHOD`, `CARD_DECLINED`, "
            "`PAYMENTS_NOT_CONFIGURED`, `IDEMPOTENCY_KEY_REUSED`, "
            "`NOT_FOUND`, `FORBIDDEN`."
        ),
    )
    create_invoice = strawberry.mutation(
        resolver=invoice_fields.create_invoice,
        description=(
            "Create a draft invoice for a client. Members with "
            "`billing:write`. Errors: `INVALID_INPUT`, `NOT_FOUND`, "
            "`FORBIDDEN`."
        ),
    )
    send_invoice = strawberry.mutation(
        resolver=invoice_fields.send_invoice,
        description=(
            "Send a draft invoice to the client by email; it becomes "
            "`OPEN`. Members with `billing:write`. Errors: "
            "`INVALID_STATUS_TRANSITION`, `NOT_FOUND`, `FORBIDDEN`."
        ),
    )
    void_invoice = strawberry.mutation(
        resolver=invoice_fields.void_invoice,
        description=(
            "Void an invoice that is not paid. Members with "
            "`billing:write`. Errors: `INVALID_STATUS_TRANSITION`, "
            "`NOT_FOUND`, `FORBIDDEN`."
        ),
    )
    pay_invoice = strawberry.mutation(
        resolver=invoice_fields.pay_invoice,
        description=(
            "Pay an open invoice with the client's default card. Members "
            "with `billing:write`, or the client themself. Errors: "
            "`INVOICE_NOT_OPEN`, `NO_PAYMENT_METHOD`, `CARD_DECLINED`, "
            "`PAYMENT_IN_PROGRESS`, `IDEMPOTENCY_KEY_REUSED`, "
            "`NOT_FOUND`, `FORBIDDEN`."
        ),
    )
