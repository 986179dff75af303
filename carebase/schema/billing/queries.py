"""Billing's root query fields, in the order the schema lists them.

Each field's resolver lives beside its types, in the module of its concept.
"""

from __future__ import annotations

import strawberry

from carebase.schema.billing import invoices as invoice_fields
from carebase.schema.billing import packages as package_fields
from carebase.schema.billing import payments as payment_fields


@strawberry.type
class BillingQuery:
    payments = strawberry.field(
        resolver=payment_fields.payments,
        description=(
            "The organization's payments, newest first; a client sees "
            "only their own. Members with `billing:read`."
        ),
    )
    invoices = strawberry.field(
        resolver=invoice_fields.invoices,
        description=(
            "The organization's invoices, newest first; a client sees "
            "only their own. Members with `billing:read`."
        ),
    )
    packages = strawberry.field(
        resolver=package_fields.packages,
        description=("The packages on sale, by name. Members and clients of the organization."),
    )
