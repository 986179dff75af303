"""Schema of the intake area: forms, intake flows and the requests sent to clients."""

from carebase.schema.intake.catalog import IntakeCatalogQuery
from carebase.schema.intake.forms import IntakeMutation, IntakeQuery

__all__ = ["IntakeCatalogQuery", "IntakeMutation", "IntakeQuery"]
