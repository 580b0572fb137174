"""Reasons a view stays sync that its shape alone gives, before its body is read.

Both the LibCST plan (``plan._structural_reason``) and the index (``index_plan``) ask here, so
a view the index settles gets the very reason the full pass would give.
"""

from __future__ import annotations

from pathlib import Path

from . import django_api as api
from .discovery import FoundView
from .facts import Options
from .settings_facts import Settings

NON_ATOMIC = "django.db.transaction.non_atomic_requests"


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


def class_decorator_reason(names: tuple[str, ...] | list[str]) -> str:
    """A class decorator wraps ``as_view()``'s function, which calls the sync ``dispatch``."""
    return f"class decorator {names[0]} wraps dispatch (sync)" if names else ""


def decorators_reason(names: list[str], is_class: bool, settings: Settings, options: Options) -> str:
    """What the decorators of a view's handlers (qualified names, then those ``urls.py`` or
    ``view = decorator(view)`` apply) say against making it async; "" when nothing."""
    if settings.atomic_requests and NON_ATOMIC not in names:
        if not options.unsafe or is_class:
            return ("ATOMIC_REQUESTS is on: Django refuses async views unless @transaction.non_atomic_requests "
                    "(--unsafe adds it to function views; the view then loses its request-wide transaction)")
    for name in names:
        why = _decorator_problem(name, settings, options)
        if why:
            return why
    return ""


def _decorator_problem(name: str, settings: Settings, options: Options) -> str:
    if name == NON_ATOMIC or name in options.async_safe_decorators \
            or name.rsplit(".", 1)[-1] in options.async_safe_decorators:
        return ""
    if name.startswith("django.db.transaction.atomic"):
        return ""   # handled as one moved block (plan._atomic_decorator)
    if name in api.DECORATORS:
        minimum = api.DECORATORS[name]
        short = name.rsplit(".", 1)[-1]
        if minimum is None:
            return f"@{short} is not async-safe (runs its middleware on the event loop)"
        if options.target < minimum:
            return f"@{short} supports async views only from Django {api.format_version(minimum)}"
        backend = settings.sync_backend
        if name in api.AUSER_DECORATORS and backend and options.target >= api.BACKEND_ASYNC_MIN:
            return f"@{short} awaits request.auser(), which calls {backend}.aget_user(): it has none"
        return ""
    return f"decorator {name} may not support async views (list it in async-safe-decorators if it does)"
