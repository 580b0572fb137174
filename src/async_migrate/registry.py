"""The codemods, by name: every public module of ``async_migrate.codemods``, found once."""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache
from types import ModuleType

from . import codemods as package

# The order codemods are listed and documented in; rewriting does not depend on it.
ORDER = ("async_def", "orm_async", "auth_async", "template_response", "wrap_sync", "blocking_io")


@lru_cache(maxsize=None)
def codemod_names() -> tuple[str, ...]:
    """Each codemod's ``NAME``, which is its module's name (a test holds them equal), in order;
    found without importing them, so a run that needs no LibCST never loads it."""
    found = [info.name for info in pkgutil.iter_modules(package.__path__) if not info.name.startswith("_")]
    return tuple(sorted(found, key=lambda n: (ORDER.index(n) if n in ORDER else 99, n)))


@lru_cache(maxsize=None)
def all_codemods() -> dict[str, ModuleType]:
    return {name: importlib.import_module(f"{package.__name__}.{name}") for name in codemod_names()}


def select(only: list[str] | None = None, skip: list[str] | None = None) -> frozenset[str]:
    """Names of the codemods to run; unknown names raise ValueError naming them."""
    known = codemod_names()
    for name in (*(only or ()), *(skip or ())):
        if name not in known:
            raise ValueError(f"unknown codemod {name!r} (known: {', '.join(known)})")
    chosen = set(only) if only else set(known)
    return frozenset(chosen - set(skip or ()))
