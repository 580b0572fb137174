"""Decisions the project index makes alone, so a file whose views all stay as they are is
never parsed with LibCST (most files of a big tree that no urls.py reaches).

Only the first checks of ``plan._decide`` can be made here: suppression, already-async
code, unrouted views, and what the view's shape says before its body is read (direct callers,
generic bases, an inherited handler, no handler, a ``dispatch`` override: ``view_shape``).
Anything else (a view to convert, mixed handlers, decorators, a skip comment anywhere in the
file) returns None and the file goes through the full LibCST pass, which makes the same
decisions with the same lines and reasons.
"""

from __future__ import annotations

from pathlib import Path

from .django_api import HTTP_HANDLERS
from .discovery import FoundView
from .facts import Options, ProjectFacts
from .view_shape import callers_reason, class_reason
from .decisions import ALREADY_ASYNC, NOT_ROUTED, SKIP_COMMENT, SYNC, ViewPlan


def plan_from_index(facts: ProjectFacts, views: list[FoundView], options: Options) -> list[ViewPlan] | None:
    """Each view's plan when none of them can change, else None."""
    plans = []
    for view in views:
        module = facts.project.modules.get(view.module)
        if module is None or SKIP_COMMENT.search(module.text):
            return None
        decision = _decision(module, view, options, facts.project.root)
        if decision is None:
            return None
        plans.append(ViewPlan(view.name, view.path, view.line, *decision))
    return plans


def _decision(module, view: FoundView, options: Options, root: Path) -> tuple[str, str] | None:
    if view.is_class:
        info = module.class_info.get(view.name)
        if info is None:
            return None
        handlers = [is_async for name, is_async in info.methods.items() if name in HTTP_HANDLERS]
        if handlers and all(handlers):
            return ALREADY_ASYNC, "handlers already async"
        if any(handlers):
            return None   # mixed handlers: the full pass explains it
    else:
        info = module.function_info.get(view.name)
        if info is None:
            return None
        if info.is_async:
            return ALREADY_ASYNC, "already async def"
    if not view.routed and not options.include_unrouted:
        return NOT_ROUTED, "no urls.py routes to it (--include-unrouted converts it)"
    reason = callers_reason(view, root) or (class_reason(view, set(info.methods)) if view.is_class else "")
    return (SYNC, reason) if reason else None
