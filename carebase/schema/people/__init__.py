"""Schema of the people area."""
