"""Documents stored by Apollo's automatic persisted queries, keyed by their sha256.

Shared by every web process and capped (``CAREBASE_PERSISTED_QUERIES_MAX``): the least
recently used go first. Documents only, never variables: running one still takes the
caller's own credentials.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from carebase.models.base import Base


class PersistedQuery(Base):
    __tablename__ = "persisted_queries"

    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    document: Mapped[str] = mapped_column(Text)
    # moved at most once a minute per document, so a hot document costs no write per request
    last_used_at: Mapped[datetime] = mapped_column(index=True)
