"""`check --fix`: rewrite the fixable findings with the codemods' own rewrite functions.

The fixable points (``Finding.fixable``) are the ones Django's native async API covers at
the target version: AM101 (``x.get()`` -> ``await x.aget()``, instance/related/session/cache
methods, ``get_object_or_404``), AM102 (``for`` -> ``async for``, comprehensions,
``list()``/``len()``/``bool()``/truth tests, ``qs[0]``, ``select_related`` for a lazy
relation), AM103 ``time.sleep`` -> ``await asyncio.sleep`` and AM105 (``request.user`` ->
``user = await request.auser()``, ``login``/``logout``/``authenticate`` -> ``alogin``/...).
Where Django has no async form the fix is the wrap_sync/blocking_io one: the call goes
through ``await sync_to_async(...)`` (AM101 below the version, AM103 blocking calls, AM106
project helpers) or the ``with`` block moves into a nested sync function (AM104, AM103),
one thread hop each.  AM107 (``thread_sensitive=False``, ``async_to_sync``) needs a human.

The points come from ``async def`` bodies only (never lambdas, nested ``def`` or generator
expressions), so no ``await`` lands outside a coroutine; the result is compiled before it
is written, and a file whose fix would not compile is left as it was.
"""

from __future__ import annotations

from pathlib import Path

from .check import ModuleCheck, check_source, facts_of, nothing_to_check
from .facts import Options, ProjectFacts
from .files import encode_source, read_source, write_atomic
from .imports import apply_imports
from .plan import CONVERT, ModulePlan, ViewPlan, free_name
from .registry import all_codemods
from .rewriter import RewriteState, rewrite_module


class FixError(Exception):
    """The fixed source would not compile; nothing was written."""


def fix_checked(checked: ModuleCheck, target: tuple[int, int]) -> str:
    """The source of ``checked.tree`` with its fixable points rewritten."""
    tree = checked.tree
    assert tree is not None
    if not checked.functions:
        return tree.code
    plan = ModulePlan()
    for function in checked.functions:
        view = ViewPlan(function.func.name.value, None, 0, CONVERT, points=function.points,
                        functions=[function.func])
        view.user_name = free_name([function.func], ("user", "current_user", "request_user"))
        plan.views.append(view)
    state = RewriteState(target)
    new_tree = rewrite_module(tree, plan, all_codemods(), state)
    code = apply_imports(new_tree, state.imports, state.maybe_unused).code
    try:
        compile(code, "<fixed>", "exec")
    except SyntaxError as exc:  # never write code that does not compile
        raise FixError(f"the fix would not compile ({exc.msg} at line {exc.lineno}); file left unchanged") from None
    return code


def fix_text(text: str, options: Options, facts: ProjectFacts | None = None, path: Path | None = None) -> str:
    facts = facts or ProjectFacts.for_source(text)
    return fix_checked(check_source(text, path, facts, options), options.target)


def fix_file(path: Path, options: Options) -> bool:
    """Fix one file in place; True when it changed."""
    source = read_source(path)
    facts = facts_of(path)
    if nothing_to_check(source.text, path, facts):
        return False
    checked = check_source(source.text, path, facts, options)
    new = fix_checked(checked, options.target)
    if new == source.text:
        return False
    write_atomic(path, encode_source(source, new))
    return True


__all__ = ["fix_checked", "fix_text", "fix_file", "FixError"]
