"""The registry of cross-area reactions: typed events, handlers in a stated order.

One area reacts to another's change through here, never by importing its internals or by
appending to a list at import time. `carebase.resolvers.reactions.build_hooks()` registers
every area's handlers; `create_app`, the worker and the CLI each build it once and hand it to
their `Database`, whose units of work carry it (`uow.hooks`). A unit of work without a
registry refuses to emit, so a process that forgot to build one fails loudly.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from carebase.auth.principal import Principal
    from carebase.db import UnitOfWork
    from carebase.models import Account, Appointment, AppointmentStatus, Organization, Payment


@dataclass(frozen=True)
class ClientCreated:
    """A client was created; handlers may answer a paragraph for the invitation email."""

    principal: Principal
    client: Account
    organization: Organization
    invited: bool


@dataclass(frozen=True)
class InvitationResent:
    """An invitation goes out again; handlers may answer a paragraph for its email."""

    principal: Principal
    account: Account
    organization: Organization


@dataclass(frozen=True)
class BookingRequested:
    """Before a client's booking is checked for time: a handler may refuse it (raise)."""

    principal: Principal
    client: Account
    organization: Organization


@dataclass(frozen=True)
class AppointmentsBooked:
    principal: Principal
    appointments: list[Appointment]
    use_package_credit: bool


@dataclass(frozen=True)
class AppointmentCancelled:
    principal: Principal
    appointment: Appointment


@dataclass(frozen=True)
class AppointmentStatusChanged:
    principal: Principal
    appointment: Appointment
    previous: AppointmentStatus


@dataclass(frozen=True)
class PaymentSucceeded:
    payment: Payment


Event = (
    ClientCreated
    | InvitationResent
    | BookingRequested
    | AppointmentsBooked
    | AppointmentCancelled
    | AppointmentStatusChanged
    | PaymentSucceeded
)
E = TypeVar("E", bound=Event)
Handler = Callable[["UnitOfWork", Any], Awaitable[Any]]


@dataclass(frozen=True)
class Registration:
    event: type[Any]
    handler: Handler
    order: int
    name: str


@dataclass
class Hooks:
    """Handlers per event type, run in ascending ``order`` (then registration order)."""

    registrations: list[Registration] = field(default_factory=list)

    def on(
        self,
        event: type[E],
        handler: Callable[[UnitOfWork, E], Awaitable[Any]],
        *,
        order: int = 100,
    ) -> None:
        name = getattr(handler, "__qualname__", repr(handler))
        self.registrations.append(Registration(event, handler, order, name))
        self.registrations.sort(key=lambda r: r.order)  # stable: ties keep their order

    def handlers(self, event: type[Any]) -> list[Registration]:
        return [r for r in self.registrations if r.event is event]

    async def emit(self, uow: UnitOfWork, event: Event) -> list[Any]:
        """Run every handler of the event in order; answers what each returned."""
        return [await r.handler(uow, event) for r in self.handlers(type(event))]

    def describe(self) -> list[str]:
        """``Event: handler (order)`` lines, for the README and for tests."""
        return [f"{r.event.__name__}: {r.name} ({r.order})" for r in self.registrations]


class HooksMissing(RuntimeError):
    """A unit of work emitted an event in a process that never built the registry."""


__all__ = [
    "AppointmentCancelled",
    "AppointmentStatusChanged",
    "AppointmentsBooked",
    "BookingRequested",
    "ClientCreated",
    "Event",
    "Hooks",
    "HooksMissing",
    "InvitationResent",
    "PaymentSucceeded",
    "uuid",
]
