"""Rewrite one module's source with LibCST: the only part of a run that needs LibCST, so
``engine`` imports this module only when some file has views to plan."""

from __future__ import annotations

import ast
from pathlib import Path

import libcst as cst
from libcst import ParserSyntaxError
from libcst.codemod import CodemodContext

from .codemods._base import FACTS_KEY, OPTIONS_KEY, PLAN_KEY, ViewCodemodCommand
from .decisions import ModulePlan
from .facts import Options, ProjectFacts
from .files import FileProblem

__all__ = ["ParserSyntaxError", "transform_source"]


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
                     enabled: frozenset[str], nesting_checked: bool = False) -> tuple[str, ModulePlan]:
    """Rewrite one module's source; raises cst.ParserSyntaxError for unparseable code.
    ``nesting_checked``: the stdlib parsed it already (the project index), skip that check."""
    if not nesting_checked:
        _check_nesting(text)
    tree = cst.parse_module(text)
    if text.endswith("\r") and not tree.has_trailing_newline:
        tree = tree.with_changes(has_trailing_newline=True)   # LibCST drops a final lone "\r"
    context = CodemodContext(filename=str(path) if path else None,
                             scratch={OPTIONS_KEY: options, FACTS_KEY: facts})
    command = ViewCodemodCommand(context, codemods=tuple(sorted(enabled)))
    result = command.transform_module(tree)
    plan = context.scratch.get(PLAN_KEY, ModulePlan())
    if result is tree:
        return text, plan   # nothing converted: the file stays exactly as it was
    reproduced = plan.lines.code if plan.lines is not None else tree.code
    if reproduced != text:   # e.g. a form feed before a statement: never rewrite what we did not touch
        raise FileProblem("LibCST cannot reproduce this file byte for byte; not rewritten")
    code = plan.lines.code_of(result) if plan.lines is not None else result.code
    _check_compiles(code, text)
    return code, plan


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
