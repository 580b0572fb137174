"""Let the stdlib ``ast`` index code written for a newer Python than the one running us.

Real projects already use 3.12 ``type`` aliases, generic ``def f[T]`` and f-strings that
reuse their quotes or hold backslashes (PEP 701), and 3.14's ``except A, B:``.  For the
project index (stdlib ``ast``) we rewrite just those constructs into older equivalents with
the same names and line numbers: cheaply where we can (a fix of the line an error points at;
f-strings by a scan of the text, ``fstring_tuples``), else with LibCST, which parses them on
any interpreter.  The files themselves are never changed by this: it only feeds the index.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import cache, lru_cache

from .fstring_tuples import f_strings_as_tuples


class NeedsLibCST(SyntaxError):
    """Only LibCST can tell whether this parses (``parse_any(..., libcst=False)``)."""


def parse_any(text: str, libcst: bool = True) -> ast.Module:
    """``ast.parse``, retried on syntax this Python lacks; raises SyntaxError when neither works.
    ``libcst=False``: raise NeedsLibCST where only LibCST could help (a worker process that
    has not imported it leaves that to the parent, which has)."""
    try:
        return ast.parse(text)
    except SyntaxError as first:
        if "too many nested" in str(first.msg) or "too complex" in str(first.msg):
            raise   # LibCST's native parser would crash on it: never hand it over
        older = _downlevel_lines(text, first)
        if older is not None:
            return older
        if not libcst:
            raise NeedsLibCST(first.msg, (first.filename, first.lineno, first.offset, first.text)) from None
        older_text = _downlevel(text)
        if older_text is None:
            raise first from None
        return ast.parse(older_text)


_EXCEPT = re.compile(r"^(\s*except\*?\s+)([\w.]+(?:\s*,\s*[\w.]+)+)(\s*:)")
_TYPE_ALIAS = re.compile(r"^(\s*)type\s+(\w+)\s*(?:\[[^\[\]]*\])?\s*=")
_GENERIC_DEF = re.compile(r"^\s*(?:async\s+def|def|class)\s+\w+\s*\[")
_F_STRING = re.compile(r"(?<!\w)[rR]?[fF][rR]?['\"]")
MAX_LINE_FIXES = 64


def _downlevel_lines(text: str, error: SyntaxError) -> ast.Module | None:
    """The cheap ways: rewrite the line each SyntaxError points at, while it is one of the
    newer constructs on a single line, or (once) every f-string as a tuple with a scan of the
    text, and parse again.  None: leave it to LibCST."""
    lines = text.splitlines(keepends=True)
    scanned = False
    for _ in range(MAX_LINE_FIXES):
        number = (error.lineno or 0) - 1
        fixed = _fixed_line(lines[number]) if 0 <= number < len(lines) else None
        if fixed is not None:
            lines[number] = fixed
        elif not scanned and _F_STRING.search(text):   # 3.11 has several messages for them
            scanned = True
            tuples = f_strings_as_tuples("".join(lines))
            if tuples is None:
                return None
            lines = tuples.splitlines(keepends=True)
        else:
            return None
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


@lru_cache(maxsize=64)   # the passes ask for a module's tree again: LibCST takes 0.1 s for 1,000 lines
def _downlevel(text: str) -> str | None:
    """``text`` with the newer constructs rewritten, or None when LibCST cannot parse it either."""
    import libcst as cst   # only here: most runs never need it before the rewrite pass

    try:
        tree = cst.parse_module(text)
    except (cst.ParserSyntaxError, RecursionError):
        return None
    older = _f_strings_as_tuples(tree)   # the newer syntax real projects use most, by one codegen pass
    try:
        ast.parse(older)
        return older
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        pass

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
        return _f_strings_as_tuples(tree.visit(Downlevel()))
    except RecursionError:
        return None


def _f_strings_as_tuples(tree) -> str:
    """The module's code with every f-string (and every concatenation holding one) written as the
    parenthesized tuple of the expressions it formats, over as many lines: the index sees the
    names and calls in them, every line keeps its number, and 3.12 f-strings (PEP 701: quotes
    reused inside, backslashes) become code older Pythons parse."""
    state = _tuple_state()(default_indent=tree.default_indent, default_newline=tree.default_newline)
    tree._codegen(state)
    return "".join(state.tokens)


def _newlines(code: str) -> int:
    return code.count("\n") + code.count("\r") - code.count("\r\n")


def _holds_f_string(node) -> bool:
    import libcst as cst

    while isinstance(node, cst.ConcatenatedString):   # nested on the right: "a" ("b" f"c")
        if isinstance(node.left, cst.FormattedString):
            return True
        node = node.right
    return isinstance(node, cst.FormattedString)


@dataclass
class _Open:
    """A node ``_TupleState`` is generating: a string to replace, or an expression it formats."""

    node: object
    first: int                        # its first token
    expressions: list[str] | None     # a string's: the code of its expressions so far; None: an expression
    coming: object = None             # a string's: the expression the codegen reaches next


@cache
def _tuple_state() -> type:
    import libcst as cst
    from libcst._nodes.internal import CodegenState

    class TupleState(CodegenState):
        """Codegen writing each outermost string node that holds an f-string as the tuple of the
        expressions generated inside it (the f-strings nested in those already tuples)."""

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.open: list[_Open] = []

        def before_codegen(self, node) -> None:
            top = self.open[-1] if self.open else None
            if top is not None and top.expressions is not None:   # in a string being replaced
                if isinstance(node, cst.FormattedStringExpression):
                    top.coming = node.expression
                    return
                if node is not top.coming:
                    return   # its quotes, text, or a part of its concatenation
                top = _Open(node, len(self.tokens), None)
                self.open.append(top)
            if _holds_f_string(node):
                self.open.append(_Open(node, len(self.tokens), []))

        def after_codegen(self, node) -> None:
            while self.open and self.open[-1].node is node:
                done = self.open.pop()
                code = "".join(self.tokens[done.first:])
                if done.expressions is None:   # an expression: the string around it keeps its code
                    self.open[-1].expressions.append(code)
                    continue
                values = "(" + "".join(f"{e}, " for e in done.expressions)
                missing = _newlines(code) - _newlines(values)   # the lines the expressions do not take
                del self.tokens[done.first:]
                self.tokens.append(values + self.default_newline * max(missing, 0) + ")")

    return TupleState
