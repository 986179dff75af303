"""Schema of the scheduling area."""
