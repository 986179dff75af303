"""Schema of the org area: the organization, its settings and credentials
(``organizations.py``), and the audit log (``audit.py``)."""

from carebase.schema.org.audit import AuditQuery
from carebase.schema.org.organizations import OrganizationMutation, OrganizationQuery

__all__ = ["AuditQuery", "OrganizationMutation", "OrganizationQuery"]
