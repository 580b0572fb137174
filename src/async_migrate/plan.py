"""One decision per view, with its reason, made before any edit.

``convert``: every I/O point uses Django's native async API.  ``wrap``: converted, with
some points behind ``sync_to_async`` (each a thread hop).  ``sync``: left as it is, and the
reason says which line stopped it and, where a flag would change that, which flag.
"""

from __future__ import annotations

from pathlib import Path

import libcst as cst

from . import django_api as api
from .analysis import WRAP as WRAP_CODEMOD
from .analysis import Analysis, Context, Point, analyse_function
from .cst_names import import_table, names_under
from .decisions import (ALREADY_ASYNC, CONVERT, NOT_ROUTED, SKIP_COMMENT, SKIP_MARK, SUPPRESSED, SYNC, WRAP,
                        ModulePlan, ViewPlan)
from .discovery import FoundView
from .facts import Options, ProjectFacts
from .grouping import group_wraps
from .partial import defined_names
from .positions import module_lines
from .view_shape import callers_reason, class_decorator_reason, class_reason, decorators_reason


def plan_module(tree: cst.Module, facts: ProjectFacts, options: Options, enabled: frozenset[str],
                path: Path | None, module_name: str, settled: dict[str, ViewPlan] | None = None) -> ModulePlan:
    """``settled``: the plans the index made (``index_plan``), by view name: taken as they are."""
    found = facts.views_in(path) if path else sorted(facts.views.values(), key=lambda v: v.line)
    if not found:
        return ModulePlan()
    settled = settled or {}
    lines = module_lines(tree)
    line_of = lines.line_of
    defs = {s.name.value: s for s in tree.body if isinstance(s, (cst.FunctionDef, cst.ClassDef))}
    imports = import_table(tree, module_name, is_package=bool(path and path.name == "__init__.py"))
    ctx = Context(facts, options, module_name, imports, set(defs) | defined_names(tree),
                  line_of, {k: d for k, d in defs.items() if isinstance(d, cst.ClassDef)})
    ctx.functions = {k: d for k, d in defs.items() if isinstance(d, cst.FunctionDef)}
    ctx.lines = lines
    plan = ModulePlan(lines=lines)
    may_skip = SKIP_MARK in lines.code   # else no header or comment of the module can hold the comment
    for view in found:
        node = defs.get(view.name)
        if view.name in settled:
            plan.views.append(settled[view.name])
        elif node is not None:
            plan.views.append(_decide(view, node, ctx, enabled, tree, line_of, may_skip))
    return plan


def _decide(view: FoundView, node: cst.FunctionDef | cst.ClassDef, ctx: Context, enabled: frozenset[str],
            tree: cst.Module, line_of, may_skip: bool = True) -> ViewPlan:
    label = view.name
    plan = ViewPlan(label, view.path, line_of(node) or view.line, SYNC)
    if may_skip and _suppressed(node, tree):
        plan.decision, plan.reason = SUPPRESSED, "# async-migrate: skip"
        return plan
    if isinstance(node, cst.FunctionDef):
        functions = [node]
        if node.asynchronous is not None:
            plan.decision, plan.reason = ALREADY_ASYNC, "already async def"
            return plan
    else:
        functions = [f for f in _class_functions(node) if f.name.value in api.HTTP_HANDLERS]
        if functions and all(f.asynchronous is not None for f in functions):
            plan.decision, plan.reason = ALREADY_ASYNC, "handlers already async"
            return plan
        if any(f.asynchronous is not None for f in functions):
            plan.reason = ("mixes sync and async handlers, which Django refuses (ImproperlyConfigured): "
                           "fix by hand")
            return plan
    if not view.routed and not ctx.options.include_unrouted:
        plan.decision, plan.reason = NOT_ROUTED, "no urls.py routes to it (--include-unrouted converts it)"
        return plan
    reason = _structural_reason(view, node, ctx, functions)
    if reason:
        plan.reason = reason
        return plan
    points: list[Point] = []
    blockers: list[tuple[int, str]] = []
    for function in list(functions):
        atomic = _atomic_decorator(function, ctx)
        if atomic is not None:
            # The whole body is one transaction: it moves, whole, into one nested sync function.
            points.append(Point(function, "atomic_view", WRAP_CODEMOD, False, line_of(function),
                                "@transaction.atomic: the whole body runs in one sync_to_async hop, "
                                "inside the same transaction", {"decorator": atomic}))
            continue
        result: Analysis = analyse_function(function, ctx, node if isinstance(node, cst.ClassDef) else None)
        points.extend(group_wraps(function, result.points, ctx.lines))
        blockers.extend(result.blockers)
        functions = functions + [f for f in result.async_functions if f not in functions]
    if blockers:
        line, why = sorted(blockers)[0]
        plan.reason = f"line {line}: {why}"
        plan.points = points
        return plan
    missing = sorted({p.codemod for p in points} - enabled)
    if missing:
        plan.reason = f"needs codemod {', '.join(missing)} (not selected)"
        plan.points = points
        return plan
    plan.points, plan.functions = points, functions
    plan.decision = WRAP if any(p.hop for p in points) else CONVERT
    plan.reason = _summary(points)
    if any(p.kind == "request_user" for p in points):
        plan.user_name = free_name(functions, ("user", "current_user", "request_user"))
    if ctx.facts.settings.atomic_requests and isinstance(node, cst.FunctionDef):
        plan.non_atomic = True
        plan.reason += "; @transaction.non_atomic_requests added (--unsafe): no request-wide transaction any more"
    return plan


def _structural_reason(view: FoundView, node, ctx: Context, functions: list[cst.FunctionDef]) -> str:
    """Reasons that keep a view sync before looking at its body (the index gives the same:
    ``index_plan``)."""
    reason = callers_reason(view, ctx.facts.project.root)
    if reason:
        return reason
    if isinstance(node, cst.ClassDef):
        reason = class_reason(view, {f.name.value for f in _class_functions(node)}) \
            or class_decorator_reason([_decorator_name(d, ctx) for d in node.decorators])
        if reason:
            return reason
    names = [_decorator_name(d, ctx) for f in functions for d in f.decorators] + list(view.wrappers)
    return decorators_reason(names, isinstance(node, cst.ClassDef), ctx.facts.settings, ctx.options)


def _atomic_decorator(function: cst.FunctionDef, ctx: Context) -> int | None:
    """Index of an ``@transaction.atomic`` decorator of ``function``, if it has one."""
    for index, decorator in enumerate(function.decorators):
        if _decorator_name(decorator, ctx).startswith("django.db.transaction.atomic"):
            return index
    return None


def _decorator_name(decorator: cst.Decorator, ctx: Context) -> str:
    expr = decorator.decorator
    if isinstance(expr, cst.Call):
        expr = expr.func
    return ctx.qualify(expr) or "?"


def _class_functions(node: cst.ClassDef) -> list[cst.FunctionDef]:
    return [s for s in node.body.body if isinstance(s, cst.FunctionDef)]


def _suppressed(node: cst.FunctionDef | cst.ClassDef, tree: cst.Module) -> bool:
    header = tree.code_for_node(node.with_changes(body=cst.IndentedBlock([cst.SimpleStatementLine([cst.Pass()])]),
                                                  leading_lines=()))
    first_lines = header.splitlines()[: len(node.decorators) + 2]
    comments = [line.comment.value for line in node.leading_lines if line.comment][-1:]
    header = getattr(node.body, "header", None)
    if header is not None and header.comment is not None:
        comments.append(header.comment.value)   # ``def view(request):  # async-migrate: skip``
    return any(SKIP_COMMENT.search(text) for text in [*first_lines, *comments])


def _summary(points: list[Point]) -> str:
    if not points:
        return "no I/O in the body"
    native = sum(1 for p in points if p.native)
    hops = sum(1 for p in points if p.hop)
    in_loops = sum(1 for p in points if p.hop and p.data.get("in_loop"))
    parts = []
    if native:
        parts.append(f"{native} native async point{'s' if native != 1 else ''}")
    if hops:
        parts.append(f"{hops} sync_to_async hop{'s' if hops != 1 else ''}"
                     + (f" ({in_loops} inside a loop: once per iteration)" if in_loops else ""))
    return ", ".join(parts)


def free_name(functions: list[cst.FunctionDef], candidates: tuple[str, ...]) -> str:
    used = set().union(*(names_under(f) for f in functions))
    return next((c for c in candidates if c not in used), candidates[-1])
