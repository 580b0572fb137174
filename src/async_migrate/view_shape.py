"""Reasons a view stays sync that its shape alone gives, before its body is read.

Both the LibCST plan (``plan._structural_reason``) and the index (``index_plan``) ask here, so
a view the index settles gets the very reason the full pass would give.
"""

from __future__ import annotations

from pathlib import Path

from . import django_api as api
from .discovery import FoundView


def callers_reason(view: FoundView, root: Path) -> str:
    """Other code calls (or references) the view: it must stay a plain function."""
    if not view.callers:
        return ""
    caller = view.callers[0]
    try:
        caller = str(Path(caller).relative_to(root))
    except ValueError:
        pass
    return f"called directly by {caller} (a sync caller would get a coroutine)"


def class_reason(view: FoundView, own_methods: set[str]) -> str:
    """What keeps a class-based view sync, from its bases and the methods its body defines
    (``own_methods``); "" when only its decorators or its handlers' bodies can tell."""
    needed = api.GENERIC_HANDLERS.get(view.generic_base or "")
    if view.generic_base and not (needed and set(needed) <= own_methods):
        return f"generic view ({view.generic_base}): Django runs its machinery sync"
    if view.inherited_handlers:
        return f"inherits handler {view.inherited_handlers[0]} (handlers must be all sync or all async)"
    if not own_methods & set(api.HTTP_HANDLERS):
        return "no HTTP handler methods"
    if view.dispatch_from:
        return (f"{view.dispatch_from} overrides dispatch(), which Django calls on the event loop: "
                "it would have to become async too")
    if view.foreign_base:
        return (f"derives from {view.foreign_base}, from outside the project and Django: "
                "its dispatch() may not run async handlers")
    return ""
