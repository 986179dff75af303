"""Imports every module that adds hooks to another (intake to client creation, packages and
fees to booking and status changes), so each process has them all before it serves."""

from carebase.resolvers import (  # noqa: F401
    appointment_charges,
    intake,
    invoices,
    packages,
)
