"""The one answer to a presented credential that was not accepted."""

from __future__ import annotations

from carebase.auth.policy import refuse_rejected

__all__ = ["refuse_rejected"]
