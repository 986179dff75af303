"""How an actor is declared: ``@actor("area.event", **dramatiq_options)`` marks the function;
`carebase/jobs/actors.py` lists every actor, and the runtime binds that list, nothing else."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

ActorFn = Callable[..., Awaitable[None]]


@dataclass(frozen=True)
class ActorSpec:
    name: str
    fn: ActorFn
    options: dict[str, Any] = field(default_factory=dict)


def actor(name: str, **options: Any) -> Callable[[ActorFn], ActorFn]:
    """Mark an async actor (``fn(runtime, *ids)``); it runs once `actors.ACTORS` lists it."""

    def mark(fn: ActorFn) -> ActorFn:
        fn.__carebase_actor__ = ActorSpec(name, fn, options)  # type: ignore[attr-defined]
        return fn

    return mark


def spec_of(fn: ActorFn) -> ActorSpec:
    spec = getattr(fn, "__carebase_actor__", None)
    if not isinstance(spec, ActorSpec):
        raise TypeError(f"{fn.__qualname__} is not declared with @actor")
    return spec
