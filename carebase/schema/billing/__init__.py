"""Schema of the billing area."""
