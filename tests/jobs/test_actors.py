"""The actor list is the whole truth: every `@actor` is listed, every listed one is one."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import carebase.jobs
from carebase.jobs.actors import ACTORS, specs
from carebase.jobs.declare import actor, spec_of


def _declared() -> set[str]:
    names = set()
    for module in pkgutil.iter_modules(carebase.jobs.__path__):
        loaded = importlib.import_module(f"carebase.jobs.{module.name}")
        for _, fn in inspect.getmembers(loaded, inspect.isfunction):
            if hasattr(fn, "__carebase_actor__"):
                names.add(spec_of(fn).name)
    return names


def test_every_declared_actor_is_listed_once() -> None:
    listed = [spec.name for spec in specs()]
    assert len(listed) == len(set(listed)) == len(ACTORS)
    assert set(listed) == _declared()


def test_an_undeclared_function_cannot_be_listed() -> None:
    async def plain(runtime: object) -> None:
        return None

    with pytest.raises(TypeError, match="not declared with @actor"):
        spec_of(plain)
    assert spec_of(actor("test.plain", max_retries=1)(plain)).options == {"max_retries": 1}
