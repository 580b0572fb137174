"""Small LibCST helpers: dotted names, the names a subtree uses, and a module's import table."""

from __future__ import annotations

import dataclasses
from functools import cache
from typing import Callable

import libcst as cst

from .project import GET_USER_MODEL, resolve_relative


def dotted(node: cst.BaseExpression) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name):
        return None
    parts.append(node.value)
    return ".".join(reversed(parts))


# Fields that only ever hold layout (whitespace, parentheses, commas, blank lines): never a Name.
_LAYOUT = {"lpar", "rpar", "comma", "semicolon", "dot", "header", "footer", "leading_lines", "lines_after_decorators"}


@cache
def _fields(node_type: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(node_type)
                 if f.name not in _LAYOUT and not f.name.startswith("whitespace"))


def names_under(root: cst.CSTNode, stop: Callable[[cst.CSTNode], bool] | None = None) -> set[str]:
    """Every name bound or read under ``root`` (attribute names excluded), found without
    LibCST's visitor machinery (which rebuilds every node it passes).  ``stop(node)`` True:
    nothing under ``node`` (nor ``node``) is looked at."""
    found: set[str] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if stop is not None and stop(node):
            continue
        if type(node) is cst.Name:
            found.add(node.value)
            continue
        if type(node) is cst.Attribute:
            stack.append(node.value)   # ``x.user`` uses ``x`` only
            continue
        for name in _fields(type(node)):
            value = getattr(node, name)
            if type(value) is tuple or type(value) is list:
                stack.extend(value)
            elif isinstance(value, cst.CSTNode):
                stack.append(value)
    return found


def import_table(module: cst.Module, module_name: str, is_package: bool = False) -> dict[str, str]:
    """Local name -> qualified name for the module-level imports of ``module``."""
    table: dict[str, str] = {}
    package = module_name if is_package else (module_name.rsplit(".", 1)[0] if "." in module_name else "")
    for statement in _top_level_small_statements(module):
        if isinstance(statement, cst.Import):
            for alias in statement.names:
                name = dotted(alias.name) or ""
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    table[alias.asname.name.value] = name
                else:
                    table[name.split(".")[0]] = name.split(".")[0]
        elif isinstance(statement, cst.ImportFrom) and not isinstance(statement.names, cst.ImportStar):
            base = resolve_relative(package, dotted(statement.module) if statement.module else None,
                                    len(statement.relative))
            for alias in statement.names:
                name = dotted(alias.name) or ""
                local = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else name
                table[local] = f"{base}.{name}" if base else name
        elif isinstance(statement, cst.Assign) and len(statement.targets) == 1 \
                and isinstance(statement.targets[0].target, cst.Name) and isinstance(statement.value, cst.Call) \
                and not statement.value.args and qualify(statement.value.func, table, set(), "") == GET_USER_MODEL:
            table[statement.targets[0].target.value] = GET_USER_MODEL   # ``User = get_user_model()``
    return table


def _top_level_small_statements(module: cst.Module):
    def walk(body):
        for statement in body:
            if isinstance(statement, cst.SimpleStatementLine):
                yield from statement.body
            elif isinstance(statement, (cst.Try, cst.If)):
                yield from walk(statement.body.body)
                if isinstance(statement, cst.Try):
                    for handler in statement.handlers:
                        yield from walk(handler.body.body)
    yield from walk(module.body)


def qualify(node: cst.BaseExpression, imports: dict[str, str], local_defs: set[str], module_name: str) -> str | None:
    """Qualified name of ``node`` through the import table (local defs get the module prefix)."""
    name = dotted(node)
    if name is None:
        return None
    head, _, rest = name.partition(".")
    if head in imports:
        head = imports[head]
    elif head in local_defs:
        head = f"{module_name}.{head}"
    return f"{head}.{rest}" if rest else head
