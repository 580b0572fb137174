"""Rewrite one module with LibCST: the only part of a run that needs LibCST, so ``engine``
imports this module only when some file has views to plan.  It never imports
``libcst.codemod`` (whose matchers alone take a quarter of a second to import): the LibCST
command each codemod exposes (``codemods/_command.py``) calls ``rewrite_tree`` from here."""

from __future__ import annotations

import ast
from pathlib import Path

import libcst as cst
from libcst import ParserSyntaxError

from .decisions import ModulePlan, ViewPlan
from .facts import Options, ProjectFacts
from .files import FileProblem
from .imports import apply_imports
from .partial import partial_module
from .plan import plan_module
from .registry import all_codemods
from .rewriter import RewriteState, rewrite_module

__all__ = ["ParserSyntaxError", "rewrite_tree", "transform_source"]


def _check_nesting(text: str) -> None:
    """FileProblem for code nested too deeply for CPython: LibCST's native parser would crash on it."""
    try:
        ast.parse(text)
    except (MemoryError, RecursionError):
        raise FileProblem("too deeply nested to parse") from None
    except SyntaxError as exc:   # other syntax errors: LibCST reports them with its own message
        if "too many nested" in str(exc.msg) or "too complex" in str(exc.msg):
            raise FileProblem("too deeply nested to parse") from None
    except ValueError:
        pass


def transform_source(text: str, path: Path | None, facts: ProjectFacts, options: Options,
                     enabled: frozenset[str], nesting_checked: bool = False,
                     settled: dict[str, ViewPlan] | None = None,
                     ast_tree: ast.Module | None = None) -> tuple[str, ModulePlan]:
    """Rewrite one module's source; raises cst.ParserSyntaxError for unparseable code.
    ``nesting_checked``: the stdlib parsed it already (the project index), skip that check.
    ``settled``: views the index decided (by name); ``ast_tree``: the module's ``ast`` tree,
    given with ``settled``: only what the other views need is parsed (``partial``)."""
    if not nesting_checked:
        _check_nesting(text)
    if ast_tree is not None:
        open_views = {view.name for view in facts.views_in(path)} - set(settled or ()) if path else set()
        tree = partial_module(text, ast_tree, open_views)
        if tree is not None:
            result, plan = rewrite_tree(tree, path, facts, options, enabled, settled)
            if result is tree or plan.lines is None or plan.lines.code == text:
                return _output(text, tree, result, plan)
            # The parts did not give the text back: parse it whole.
    tree = cst.parse_module(text)
    if text.endswith("\r") and not tree.has_trailing_newline:
        tree = tree.with_changes(has_trailing_newline=True)   # LibCST drops a final lone "\r"
    result, plan = rewrite_tree(tree, path, facts, options, enabled, settled)
    return _output(text, tree, result, plan)


def _output(text: str, tree: cst.Module, result: cst.Module, plan: ModulePlan) -> tuple[str, ModulePlan]:
    if result is tree:
        return text, plan   # nothing converted: the file stays exactly as it was
    reproduced = plan.lines.code if plan.lines is not None else tree.code
    if reproduced != text:   # e.g. a form feed before a statement: never rewrite what we did not touch
        raise FileProblem("LibCST cannot reproduce this file byte for byte; not rewritten")
    code = plan.lines.code_of(result) if plan.lines is not None else result.code
    _check_compiles(code, text)
    return code, plan


def rewrite_tree(tree: cst.Module, path: Path | None, facts: ProjectFacts, options: Options,
                 enabled: frozenset[str], settled: dict[str, ViewPlan] | None = None) -> tuple[cst.Module, ModulePlan]:
    """Plan the module's views, then rewrite the planned ones with the ``enabled`` codemods
    (plus the ``async def`` flip every one implies); ``tree`` itself when nothing changes.
    ``settled``: plans the index made, by view name."""
    if path is not None and not facts.single_source:
        module = facts.project.module_for_path(path)
        module_name = module.name if module else path.stem
    else:
        path, module_name = None, "views"
    plan = plan_module(tree, facts, options, enabled, path, module_name, settled)
    state = RewriteState(options.target)
    result = rewrite_module(tree, plan, all_codemods(), state)
    if result is tree:
        return tree, plan
    result = apply_imports(result, state.imports, state.maybe_unused, plan.lines)
    return _no_new_leading_blank_lines(tree, result), plan


def _no_new_leading_blank_lines(before: cst.Module, after: cst.Module) -> cst.Module:
    """Removing the first import (``import time``) must not leave the file starting blank."""
    started_blank = bool(before.header) or bool(before.body and before.body[0].leading_lines)
    if not after.body or started_blank or after.header:
        return after
    first = after.body[0]
    lines = list(first.leading_lines)
    while lines and lines[0].comment is None:
        lines.pop(0)
    return after.with_changes(body=[first.with_changes(leading_lines=lines), *after.body[1:]])


def _check_compiles(new: str, old: str) -> None:
    """The last safety net: a rewrite CPython would refuse is never written."""
    try:
        compile(new, "<rewritten>", "exec", dont_inherit=True)
    except SyntaxError as exc:
        try:
            compile(old, "<original>", "exec", dont_inherit=True)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return   # syntax newer than this Python: nothing to compare against
        raise FileProblem(f"internal: the rewrite would not compile ({exc.msg}, line {exc.lineno}); "
                          "file left unchanged, please report it") from None
