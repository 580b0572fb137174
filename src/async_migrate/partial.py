"""Parse with LibCST only the part of a module its open views need.

A views module of a thousand lines may hold forty views of which the index settles thirty
(decorators, callers, shapes: ``index_plan``), and LibCST's parse and the line pass cost
about seven times ``ast.parse``.  So only these top-level statements are parsed: the first
one (the module's header), every one that is not a ``def`` or ``class`` (imports, ``__all__``,
module-level settings), the open views, the first block (it sets the default indent), and
every ``def`` or ``class`` these name, transitively (helpers, base classes, forms).  Each
other ``def`` or ``class`` stands in the tree as an ``Unparsed`` statement that generates its
own text, so the module's code, its line numbers and every rewrite are a full parse's.

The statements come from the module's ``ast`` tree (the index has it).  ``partial_module``
gives None where it would save nothing or cannot be sure: the caller parses the whole text
then, and also when the partial tree does not give the text back byte for byte.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Sequence

import libcst as cst
from libcst._nodes.internal import CodegenState

_NEWLINE = re.compile(r"\r\n|\r|\n")   # what ast and LibCST count as a line break
_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


@dataclass(frozen=True, eq=False)
class Unparsed(cst.BaseStatement):
    """A top-level ``def`` or ``class`` no open view needs: its text, never parsed by LibCST.
    The blank and comment lines above it are real ``EmptyLine`` nodes, as in a full parse."""

    name: str                       # the name it binds
    text: str                       # from its first decorator to its end (to the end of the file, if last)
    statement: ast.stmt             # its ``ast`` node: the names it uses
    leading_lines: Sequence[cst.EmptyLine] = ()

    def _visit_and_replace_children(self, visitor: cst.CSTVisitorT) -> "Unparsed":
        return self

    def _codegen_impl(self, state: CodegenState) -> None:
        for line in self.leading_lines:
            line._codegen(state)
        with state.record_syntactic_position(self):   # its line: where its text starts
            state.add_token(self.text)

    def uses(self, names: set[str]) -> set[str]:
        """Those of ``names`` its code uses as ``names_under`` counts them: any ``Name``
        (bound or read; not an attribute's name, not in an import), parameter, keyword
        argument, or name a ``def``, ``class``, ``except``, ``global`` or pattern binds."""
        present = {name for name in names if name in self.text}
        return present & _ast_names(self.statement) if present else set()


def _ast_names(root: ast.AST) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(root):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.arg):
            found.add(node.arg)
        elif isinstance(node, ast.keyword):
            if node.arg:
                found.add(node.arg)
        elif isinstance(node, (*_DEFS, ast.ExceptHandler, ast.MatchAs, ast.MatchStar)):
            if node.name:
                found.add(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            found.update(node.names)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            found.add(node.rest)
        elif isinstance(node, ast.MatchClass):
            found.update(node.kwd_attrs)
    return found


def defined_names(tree: cst.Module) -> set[str]:
    """Names the ``Unparsed`` statements of ``tree`` bind."""
    return {s.name for s in tree.body if isinstance(s, Unparsed)}


@dataclass
class _Group:
    """Top-level statements sharing their lines (``a = 1; b = 2``), with the lines above them."""

    statements: list[ast.stmt]
    start: int   # first line, blank and comment lines above the statements included
    first: int   # line of the first statement (of its first decorator)
    end: int     # last line


def partial_module(text: str, tree: ast.Module, open_views: set[str]) -> cst.Module | None:
    """The module with only what ``open_views`` need parsed; None when a full parse is
    needed (nothing to leave out, or a part LibCST would not take alone)."""
    if not tree.body or not text.endswith(("\n", "\r")):
        return None
    groups = _groups(tree.body)
    block = next((i for i, group in enumerate(groups) if _opens_block(group)), None)
    keep = _needed(groups, open_views, block)
    if len(keep) == len(groups):
        return None
    offsets = [0, *(m.end() for m in _NEWLINE.finditer(text))]   # offsets[n - 1]: where line n starts
    body: list[cst.BaseStatement] = []
    runs: list[cst.Module] = []
    indent_run = 0   # the run holding ``block``
    index = 0
    while index < len(groups):
        if index not in keep:
            unparsed = _unparsed(text, offsets, groups[index], last=index == len(groups) - 1)
            if unparsed is None:
                return None
            body.append(unparsed)
            index += 1
            continue
        stop = index
        while stop + 1 < len(groups) and stop + 1 in keep:
            stop += 1
        last = stop == len(groups) - 1
        try:
            run = cst.parse_module(_slice(text, offsets, groups[index].start, groups[stop].end, last))
        except cst.ParserSyntaxError:
            return None
        if not run.body or (run.footer and not last):
            return None
        statements = list(run.body)
        if runs:   # what a module's parse calls its header is the first statement's leading lines
            statements[0] = statements[0].with_changes(leading_lines=[*run.header, *statements[0].leading_lines])
        if block is not None and index <= block <= stop:
            indent_run = len(runs)
        body.extend(statements)
        runs.append(run)
        index = stop + 1
    first = runs[0]
    return cst.Module(body=body, header=first.header, footer=runs[-1].footer if len(groups) - 1 in keep else (),
                      encoding=first.encoding, default_indent=runs[indent_run].default_indent,
                      default_newline=first.default_newline, has_trailing_newline=True)


def _groups(statements: list[ast.stmt]) -> list[_Group]:
    groups: list[_Group] = []
    for statement in statements:
        first = min([statement.lineno, *(d.lineno for d in getattr(statement, "decorator_list", ()))])
        end = statement.end_lineno or statement.lineno
        if groups and first <= groups[-1].end:
            groups[-1].statements.append(statement)
            groups[-1].end = max(groups[-1].end, end)
        else:
            groups.append(_Group([statement], groups[-1].end + 1 if groups else 1, first, end))
    return groups


def _opens_block(group: _Group) -> bool:
    """The group may hold the module's first indented block (where LibCST reads its default
    indent): a compound statement over more than one line."""
    return group.end > group.first and any(hasattr(s, "body") for s in group.statements)


def _needed(groups: list[_Group], open_views: set[str], block: int | None) -> set[int]:
    """Indices of the groups to parse: the first, ``block``, every group but a ``def`` or
    ``class`` no open view needs."""
    by_name: dict[str, list[int]] = {}
    keep: set[int] = {0} if block is None else {0, block}
    for index, group in enumerate(groups):
        statement = group.statements[0]
        if len(group.statements) == 1 and isinstance(statement, _DEFS) and statement.name not in open_views:
            by_name.setdefault(statement.name, []).append(index)
        else:
            keep.add(index)
    todo = list(keep) if by_name else []
    while todo:
        for statement in groups[todo.pop()].statements:
            for name in _used(statement) & by_name.keys():
                for index in by_name.pop(name):
                    if index not in keep:
                        keep.add(index)
                        todo.append(index)
    return keep


def _used(statement: ast.stmt) -> set[str]:
    return {node.id for node in ast.walk(statement) if isinstance(node, ast.Name)}


def _slice(text: str, offsets: list[int], start: int, end: int, last: bool) -> str:
    """Lines ``start`` to ``end`` (to the end of the text if ``last``)."""
    return text[offsets[start - 1]: len(text) if last else offsets[end]]


def _unparsed(text: str, offsets: list[int], group: _Group, last: bool) -> Unparsed | None:
    statement = group.statements[0]
    leading: Sequence[cst.EmptyLine] = ()
    if group.first > group.start:
        try:
            gap = cst.parse_module(_slice(text, offsets, group.start, group.first - 1, False))
        except cst.ParserSyntaxError:
            return None
        if gap.body or gap.footer:
            return None
        leading = gap.header
    assert isinstance(statement, _DEFS)
    return Unparsed(statement.name, _slice(text, offsets, group.first, group.end, last), statement, leading)
