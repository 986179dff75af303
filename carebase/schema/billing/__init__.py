"""Schema of the billing area: its root fields are in ``queries.py`` and ``mutations.py``;
the types other areas show (``Payment``, ``PaymentMethod``, ``PackageCredit``) in ``types.py``."""

from carebase.schema.billing.mutations import BillingMutation
from carebase.schema.billing.queries import BillingQuery

__all__ = ["BillingMutation", "BillingQuery"]
