"""Schema of the insurance area: billing identity, policies, claims, superbills and files;
its root fields are in ``queries.py`` and ``mutations.py``."""

from carebase.schema.insurance.mutations import InsuranceMutation
from carebase.schema.insurance.queries import InsuranceQuery

__all__ = ["InsuranceMutation", "InsuranceQuery"]
