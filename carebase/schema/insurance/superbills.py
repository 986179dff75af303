"""Superbills: the type, ``createSuperbill`` and its input and payload."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Self

import strawberry

from carebase.models import Superbill as SuperbillModel
from carebase.resolvers.insurance import files as file_ops
from carebase.resolvers.insurance import superbills as superbill_ops
from carebase.schema.common import Money, described
from carebase.schema.context import Info
from carebase.schema.docs import MUTATION_INPUT
from carebase.schema.errors import UserError
from carebase.schema.files import FileLink
from carebase.schema.payloads import Payload, mutate
from carebase.schema.relay import Node, decode_id, to_global_id

if TYPE_CHECKING:
    from carebase.schema.people.clients import Client

ERRORS = "What went wrong: INVALID_INPUT naming the field, NOT_FOUND, FORBIDDEN."


@strawberry.type(
    description="An itemized statement of a client's OCCURRED visits in a date range, for "
    "the client to file with their insurer. Members with billing:read, and the client "
    "themself."
)
class Superbill(Node):
    from_: date = strawberry.field(name="from", description="The first day it covers.")
    to: date = strawberry.field(description="The last day it covers.")
    total: Money = strawberry.field(description="The visits' charges together.")
    paid: Money = strawberry.field(
        description="What was paid for those visits (by the client and the insurer), less refunds."
    )
    created_at: datetime = strawberry.field(description="When it was made.")
    model: strawberry.Private[SuperbillModel]

    @classmethod
    def from_model(cls, row: SuperbillModel) -> Superbill:
        return cls(
            id=to_global_id("Superbill", row.id),
            from_=row.from_date,
            to=row.to_date,
            total=Money(amount_cents=row.total_cents, currency=row.currency),
            paid=Money(amount_cents=row.paid_cents, currency=row.currency),
            created_at=row.created_at,
            model=row,
        )

    @described("The client it is for.")
    async def client(
        self, info: Info
    ) -> Annotated[Client, strawberry.lazy("carebase.schema.people.clients")]:
        from carebase.schema.people.clients import Client

        found = await info.context.loaders.client.load(self.model.client_id)
        assert found is not None
        return Client.from_model(found)

    @described(
        "The superbill as a PDF (practice and provider identity, the client, each visit's "
        "date, place, codes, diagnoses, charge and payment, totals): a signed link."
    )
    def pdf(self, info: Info) -> FileLink:
        return FileLink.of(
            file_ops.superbill_pdf_link(
                info.context.uow, info.context.principal, superbill=self.model
            )
        )


@strawberry.input(description="The client and the range of visits a superbill covers.")
class CreateSuperbillInput:
    client_id: strawberry.ID = strawberry.field(description="The client.")
    from_: date = strawberry.field(
        name="from", description="The first day (the organization's time zone)."
    )
    to: date = strawberry.field(description="The last day, at most 366 days after `from`.")


@strawberry.type(description="The new superbill.")
class CreateSuperbillPayload(Payload):
    superbill: Superbill | None = strawberry.field(
        default=None, description="The superbill; null on failure."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)

    @classmethod
    async def from_result(cls, result: SuperbillModel, info: Info) -> Self:
        return cls(superbill=Superbill.from_model(result))


async def create_superbill(
    info: Info,
    input: Annotated[CreateSuperbillInput, strawberry.argument(description=MUTATION_INPUT)],
) -> CreateSuperbillPayload:
    ctx = info.context

    async def op() -> SuperbillModel:
        return await superbill_ops.create_superbill(
            ctx.uow,
            ctx.principal,
            client_id=decode_id(input.client_id, "Client", field="clientId"),
            from_date=input.from_,
            to_date=input.to,
        )

    return await mutate(info, CreateSuperbillPayload, op)
