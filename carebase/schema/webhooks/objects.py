"""``data.object`` of a webhook with ``includePhi``: the committed document of the resource's
type (``gql/operations/webhooks/objects.graphql``, shipped in the operations manifest) run
through the schema as the endpoint's creator, in the delivery's own unit of work (its reads
audited there, as any API read is)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from importlib import resources
from typing import Any

import strawberry
from starlette.requests import Request

from carebase.auth.principal import Principal
from carebase.db import Database, UnitOfWork
from carebase.schema.context import Context
from carebase.schema.manifest import PACKAGED_MANIFEST
from carebase.schema.relay import to_global_id

PREFIX = "WebhookObject"


def object_documents() -> dict[str, str]:
    """Resource type -> its document, from the packaged manifest."""
    packaged = resources.files("carebase.schema").joinpath(PACKAGED_MANIFEST)
    if not packaged.is_file():
        return {}
    entries = json.loads(packaged.read_text(encoding="utf-8"))
    return {
        name[len(PREFIX) :]: str(entry["document"])
        for name, entry in entries.items()
        if name.startswith(PREFIX)
    }


class SchemaObjectReader:
    def __init__(self, schema: strawberry.Schema, database: Callable[[], Database]) -> None:
        self.schema = schema
        self.database = database  # the job's own (the runtime's per-loop database)
        self.documents = object_documents()

    async def __call__(
        self, uow: UnitOfWork, principal: Principal, resource_type: str, resource_id: uuid.UUID
    ) -> dict[str, Any] | None:
        document = self.documents.get(resource_type)
        if document is None:
            return None
        request = Request(
            {"type": "http", "method": "POST", "path": "/", "headers": [], "query_string": b""}
        )
        context = Context(
            request=request,
            response=None,
            settings=uow.settings,
            db=self.database(),
            principal=principal,
        )
        token = context.open(uow)
        try:
            result = await self.schema.execute(
                document,
                variable_values={"id": to_global_id(resource_type, resource_id)},
                context_value=context,
            )
        finally:
            context.close(token)
        if result.errors or not result.data:
            return None
        node = result.data.get("node")
        return dict(node) if isinstance(node, dict) else None
