"""Shapes of LibCST nodes the analysis asks about (pure functions, no state)."""

from __future__ import annotations

import re

import libcst as cst

from .cst_names import dotted


def streamed_generator(view: cst.FunctionDef, nested: cst.FunctionDef) -> bool:
    """``nested`` yields, and the view only ever passes ``nested(...)`` to StreamingHttpResponse."""
    name = nested.name.value
    yields, uses, streamed = [], [], []

    class Scan(cst.CSTVisitor):
        def visit_Yield(self, node: cst.Yield) -> None:
            yields.append(node)

        def visit_Name(self, node: cst.Name) -> None:
            if node.value == name:
                uses.append(node)

        def visit_Call(self, node: cst.Call) -> None:
            if (dotted(node.func) or "").endswith("StreamingHttpResponse") and node.args:
                first = node.args[0].value
                if isinstance(first, cst.Call) and isinstance(first.func, cst.Name) and first.func.value == name:
                    streamed.append(first.func)

    nested.body.visit(Scan())
    if not yields:
        return False
    yields.clear()
    view.body.visit(Scan())
    uses = [u for u in uses if u is not nested.name]
    return bool(streamed) and len(uses) == len(streamed)


def chain_methods(node: cst.BaseExpression) -> str:
    """Space-separated method names of a call chain (``a.filter().iterator()`` -> "filter iterator")."""
    names = []
    while isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        names.append(node.func.attr.value)
        node = node.func.value
    return " " + " ".join(reversed(names))


def method(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        return node.func.attr.value
    return None


def is_slice(node: cst.Subscript) -> bool:
    return any(isinstance(e.slice, cst.Slice) for e in node.slice)


def index_of(node: cst.Subscript) -> int | None:
    if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        value = node.slice[0].slice.value
        if isinstance(value, cst.Integer):
            return int(value.value)
    return None


def literal_args(node: cst.Call) -> list[str | None] | None:
    """The positional arguments of ``node`` when each is a string literal or ``None``, else None."""
    found: list[str | None] = []
    for arg in node.args:
        if arg.keyword is not None or arg.star:
            return None
        if isinstance(arg.value, cst.SimpleString) and isinstance(arg.value.evaluated_value, str):
            found.append(arg.value.evaluated_value)
        elif isinstance(arg.value, cst.Name) and arg.value.value == "None":
            found.append(None)
        else:
            return None
    return found


_SELECT = re.compile(r"^\s*select\s+(?:distinct\s+)?(.*?)\s+from\s", re.IGNORECASE | re.DOTALL)
_ALIAS = re.compile(r"\s+as\s+", re.IGNORECASE)


def raw_columns(node: cst.Call) -> frozenset[str] | None:
    """The column names ``Manager.raw(sql)`` selects, read from a literal ``SELECT a, t.b AS c
    FROM``; None when it selects ``*``; empty when the SQL cannot be read (only the key is sure)."""
    sql = node.args[0].value if node.args and node.args[0].keyword is None else None
    text = sql.evaluated_value if isinstance(sql, cst.SimpleString) else None
    match = _SELECT.match(text) if isinstance(text, str) else None
    if match is None:
        return frozenset()
    columns, depth, start = [], 0, 0
    body = match[1]
    for at, char in enumerate(body + ","):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            columns.append(body[start:at].strip())
            start = at + 1
    names = set()
    for column in columns:
        if column == "*" or column.endswith(".*"):
            return None
        name = _ALIAS.split(column)[-1].rsplit(".", 1)[-1].strip('"`[] ')
        names.add(name)
    return frozenset(names)


def select_related_args(node: cst.Call) -> frozenset[str]:
    names = set()
    for arg in node.args:
        if isinstance(arg.value, cst.SimpleString):
            names.add(arg.value.evaluated_value)
    return frozenset(names)
