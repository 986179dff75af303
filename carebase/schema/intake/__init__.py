"""Schema of the intake area."""
