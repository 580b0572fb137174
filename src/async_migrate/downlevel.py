"""Let the stdlib ``ast`` index code written for a newer Python than the one running us.

Real projects already use 3.12 ``type`` aliases and generic ``def f[T]``, and 3.14's
``except A, B:``.  LibCST parses them on any interpreter; for the project index (stdlib
``ast``) we rewrite just those constructs into older equivalents with the same names and
line numbers.  The files themselves are never changed by this: it only feeds the index.
"""

from __future__ import annotations

import ast


def parse_any(text: str) -> ast.Module:
    """``ast.parse``, retried on syntax this Python lacks; raises SyntaxError when neither works."""
    try:
        return ast.parse(text)
    except SyntaxError as first:
        if "too many nested" in str(first.msg) or "too complex" in str(first.msg):
            raise   # LibCST's native parser would crash on it: never hand it over
        older = _downlevel(text)
        if older is None:
            raise first from None
        return ast.parse(older)


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
