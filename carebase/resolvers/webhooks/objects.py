"""How a delivery with ``includePhi`` reads its ``data.object``: a callable the app and the
worker provide (they hold the GraphQL schema), run in the delivery's unit of work as the
endpoint's creator, so the read is scoped and audited as the API's own reads are."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from carebase.db import UnitOfWork

# (uow, organization id, creator's account id, resource type, resource id) -> the object
ObjectReader = Callable[
    [UnitOfWork, uuid.UUID, uuid.UUID, str, uuid.UUID], Awaitable[dict[str, Any] | None]
]
