"""Clients whose required intake is still pending before an appointment soon."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from carebase.models import Account
from carebase.models import Appointment as AppointmentModel
from carebase.resolvers.reports import intake as intake_ops
from carebase.schema.context import Info

if TYPE_CHECKING:
    from carebase.schema.intake.forms import FormRequest
    from carebase.schema.people.clients import Client
    from carebase.schema.scheduling.types import Appointment


@strawberry.type(
    description=(
        "A client with required forms still pending and a live appointment soon: that "
        "appointment (their soonest in the window) and the forms."
    )
)
class IncompleteIntake:
    model: strawberry.Private[AppointmentModel]

    @strawberry.field(description="The client (an audited read).")  # type: ignore[untyped-decorator]
    async def client(
        self, info: Info
    ) -> Annotated[Client, strawberry.lazy("carebase.schema.people.clients")]:
        from carebase.schema.people.clients import Client

        found: Account | None = await info.context.loaders.client.load(self.model.client_id)
        assert found is not None
        return Client.from_model(found)

    @strawberry.field(description="The client's soonest live appointment in the window.")  # type: ignore[untyped-decorator]
    def appointment(
        self,
    ) -> Annotated[Appointment, strawberry.lazy("carebase.schema.scheduling.types")]:
        from carebase.schema.scheduling.types import Appointment

        return Appointment.from_model(self.model)

    @strawberry.field(  # type: ignore[untyped-decorator]
        description="The client's required form requests still `PENDING`, oldest first."
    )
    async def pending_forms(
        self, info: Info
    ) -> list[Annotated[FormRequest, strawberry.lazy("carebase.schema.intake.forms")]]:
        from carebase.schema.intake.forms import FormRequest

        ctx = info.context
        rows = await intake_ops.pending_forms(
            ctx.uow,
            ctx.principal,
            client_id=self.model.client_id,
            load=ctx.loaders.pending_forms.load,
        )
        return [FormRequest.from_model(r) for r in rows]
