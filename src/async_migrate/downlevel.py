"""Let the stdlib ``ast`` index code written for a newer Python than the one running us.

Real projects already use 3.12 ``type`` aliases and generic ``def f[T]``, and 3.14's
``except A, B:``.  LibCST parses them on any interpreter; for the project index (stdlib
``ast``) we rewrite just those constructs into older equivalents with the same names and
line numbers.  The files themselves are never changed by this: it only feeds the index.
"""

from __future__ import annotations

import ast
import re


def parse_any(text: str) -> ast.Module:
    """``ast.parse``, retried on syntax this Python lacks; raises SyntaxError when neither works."""
    try:
        return ast.parse(text)
    except SyntaxError as first:
        if "too many nested" in str(first.msg) or "too complex" in str(first.msg):
            raise   # LibCST's native parser would crash on it: never hand it over
        if str(first.msg).startswith("f-string"):
            raise   # 3.12 f-strings (PEP 701): LibCST keeps them as they are, so it cannot help
        older = _downlevel_lines(text, first)
        if older is not None:
            return older
        older_text = _downlevel(text)
        if older_text is None:
            raise first from None
        return ast.parse(older_text)


_EXCEPT = re.compile(r"^(\s*except\*?\s+)([\w.]+(?:\s*,\s*[\w.]+)+)(\s*:)")
_TYPE_ALIAS = re.compile(r"^(\s*)type\s+(\w+)\s*(?:\[[^\[\]]*\])?\s*=")
_GENERIC_DEF = re.compile(r"^\s*(?:async\s+def|def|class)\s+\w+\s*\[")
MAX_LINE_FIXES = 64


def _downlevel_lines(text: str, error: SyntaxError) -> ast.Module | None:
    """The cheap way: rewrite the line each SyntaxError points at, while it is one of the
    newer constructs on a single line, and parse again.  None: leave it to LibCST."""
    lines = text.splitlines(keepends=True)
    for _ in range(MAX_LINE_FIXES):
        number = (error.lineno or 0) - 1
        fixed = _fixed_line(lines[number]) if 0 <= number < len(lines) else None
        if fixed is None:
            return None
        lines[number] = fixed
        try:
            return ast.parse("".join(lines))
        except SyntaxError as again:
            error = again
    return None


def _fixed_line(line: str) -> str | None:
    """``except A, B:`` -> ``except (A, B):``; ``type X = v`` -> ``X = v``; ``def f[T](`` -> ``def f(``."""
    if match := _EXCEPT.match(line):
        return f"{match[1]}({match[2]}){match[3]}{line[match.end():]}"
    if match := _TYPE_ALIAS.match(line):
        return f"{match[1]}{match[2]} ={line[match.end():]}"
    if match := _GENERIC_DEF.match(line):
        end = _closing_bracket(line, match.end() - 1)
        return None if end is None else line[: match.end() - 1] + line[end + 1:]
    return None


def _closing_bracket(line: str, start: int) -> int | None:
    depth = 0
    for index in range(start, len(line)):
        depth += {"[": 1, "]": -1}.get(line[index], 0)
        if depth == 0:
            return index
    return None   # the type parameters go on over several lines


def _downlevel(text: str) -> str | None:
    """``text`` with the newer constructs rewritten, or None when LibCST cannot parse it either."""
    import libcst as cst   # only here: most runs never need it before the rewrite pass

    class Downlevel(cst.CSTTransformer):
        def leave_TypeAlias(self, original: cst.TypeAlias, updated: cst.TypeAlias) -> cst.Assign:
            return cst.Assign([cst.AssignTarget(updated.name)], updated.value)

        def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
            return updated.with_changes(type_parameters=None)

        def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
            return updated.with_changes(type_parameters=None)

        def leave_ExceptHandler(self, original: cst.ExceptHandler, updated: cst.ExceptHandler) -> cst.ExceptHandler:
            if isinstance(updated.type, cst.Tuple) and not updated.type.lpar:   # except A, B:
                return updated.with_changes(type=updated.type.with_changes(lpar=[cst.LeftParen()],
                                                                           rpar=[cst.RightParen()]))
            return updated

    try:
        return cst.parse_module(text).visit(Downlevel()).code
    except (cst.ParserSyntaxError, RecursionError):
        return None
