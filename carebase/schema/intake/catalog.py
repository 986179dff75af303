"""The organization's forms and intake flows as connections, for members."""

from __future__ import annotations

from typing import Annotated

import strawberry

from carebase.resolvers.core.pagination import page_request
from carebase.resolvers.intake import flows as flow_ops
from carebase.schema.context import Info
from carebase.schema.docs import AFTER, FIRST
from carebase.schema.intake.forms import Form, IntakeFlow, flow_of
from carebase.schema.relay import Connection


async def forms(
    info: Info,
    first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
    after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
    include_archived: Annotated[
        bool | None, strawberry.argument(description="Include archived forms (default false).")
    ] = False,
) -> Connection[Form]:
    page = await flow_ops.list_forms(
        info.context.uow,
        info.context.principal,
        page=page_request(first, after),
        include_archived=bool(include_archived),
    )
    return Connection.from_nodes(page, (Form.of(form, version) for form, version in page.items))


async def intake_flows(
    info: Info,
    first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
    after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
) -> Connection[IntakeFlow]:
    page = await flow_ops.list_intake_flows(
        info.context.uow, info.context.principal, page=page_request(first, after)
    )
    return Connection.from_nodes(page, (flow_of(flow, items) for flow, items in page.items))


@strawberry.type
class IntakeCatalogQuery:
    forms = strawberry.field(
        resolver=forms,
        description=(
            "The organization's forms, by name (their latest versions). Members with `forms:read`."
        ),
    )
    intake_flows = strawberry.field(
        resolver=intake_flows,
        description=("The organization's intake flows, by name. Members with `forms:read`."),
    )
