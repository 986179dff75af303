"""Schema of the scheduling area: its root fields are in ``queries.py`` and ``mutations.py``;
the types other areas show (``Appointment``, ``AppointmentType``) in ``types.py``."""

from carebase.schema.scheduling.mutations import SchedulingMutation
from carebase.schema.scheduling.queries import SchedulingQuery

__all__ = ["SchedulingMutation", "SchedulingQuery"]
