"""Decisions the project index makes alone, so a file whose views all stay as they are is
never parsed with LibCST (most files of a big tree that no urls.py reaches).

Only the first checks of ``plan._decide`` can be made here: suppression, already-async
code, unrouted views, and what the view's shape says before its body is read (direct callers,
generic bases, an inherited handler, no handler, a ``dispatch`` override, decorators that do
not run async views: ``view_shape``).  Anything else (a view whose body must be read, mixed
handlers, a skip comment anywhere in the file) is left to the LibCST pass, which makes the
same decisions with the same lines and reasons; it parses only what those views need
(``partial.py``).
"""

from __future__ import annotations

from .django_api import HTTP_HANDLERS
from .discovery import FoundView
from .facts import Options, ProjectFacts
from .view_shape import callers_reason, class_decorator_reason, class_reason, decorators_reason
from .decisions import ALREADY_ASYNC, NOT_ROUTED, SKIP_COMMENT, SYNC, ViewPlan


def plan_from_index(facts: ProjectFacts, views: list[FoundView], options: Options) -> list[ViewPlan] | None:
    """Each view's plan when none of them can change, else None."""
    plans = plans_from_index(facts, views, options)
    return None if None in plans else plans


def plans_from_index(facts: ProjectFacts, views: list[FoundView], options: Options) -> list[ViewPlan | None]:
    """Each view's plan where the index settles it, else None (its body must be read)."""
    plans: list[ViewPlan | None] = []
    for view in views:
        module = facts.project.modules.get(view.module)
        if module is None or SKIP_COMMENT.search(module.text):
            plans.append(None)
            continue
        decision = _decision(module, view, facts, options)
        plans.append(None if decision is None else ViewPlan(view.name, view.path, view.line, *decision))
    return plans


def _decision(module, view: FoundView, facts: ProjectFacts, options: Options) -> tuple[str, str] | None:
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
    reason = callers_reason(view, facts.project.root)
    if not reason and view.is_class:
        reason = class_reason(view, set(info.methods)) or class_decorator_reason(info.decorators)
    if not reason:
        names = [*(info.handler_decorators if view.is_class else info.decorators), *view.wrappers]
        reason = decorators_reason(names, view.is_class, facts.settings, options)
    return (SYNC, reason) if reason else None
