"""Schema of the org area."""
