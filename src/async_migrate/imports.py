"""Add the imports a rewrite needs and drop the ones it made unused, tidily and cheaply.

LibCST's AddImportsVisitor/RemoveImportsVisitor run a full scope analysis per file (most of
the run time on big view modules); an import table and one pass over the names do here.
New names join an existing ``from module import ...`` line (kept sorted when it was sorted);
otherwise a new line goes after the module's last top-level import.
"""

from __future__ import annotations

import libcst as cst

from .builders import is_docstring
from .cst_names import dotted, names_under
from .partial import Unparsed
from .positions import ModuleLines

Needed = tuple[str, str | None]   # ("asgiref.sync", "sync_to_async") or ("asyncio", None)


def apply_imports(tree: cst.Module, needed: set[Needed], maybe_unused: set[Needed],
                  original: ModuleLines | None = None) -> cst.Module:
    """``original``: the tree ``tree`` was rewritten from; the parts they share are not walked."""
    body = list(tree.body)
    used = _used_names(tree, {name or module.split(".")[0] for module, name in maybe_unused}, original) \
        | _exported(tree) if maybe_unused else set()
    for module, name in sorted(needed, key=lambda n: (n[1] is not None, n[0], n[1] or "")):   # first: new names join existing lines
        if not _present(body, module, name):
            body = _add(body, module, name)
    for module, name in sorted(maybe_unused, key=str):
        local = name or module.split(".")[0]
        if local not in used:
            body = _remove(body, module, name)
    return tree.with_changes(body=body)


def _imports(body):
    for index, statement in enumerate(body):
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, (cst.Import, cst.ImportFrom)):
                    yield index, statement, small


def _module_of(node: cst.ImportFrom) -> str | None:
    if node.relative or node.module is None:
        return None
    return dotted(node.module)


def _present(body, module: str, name: str | None) -> bool:
    for _, _, small in _imports(body):
        if name is None and isinstance(small, cst.Import):
            if any(dotted(a.name) == module and a.asname is None for a in small.names):
                return True
        if name is not None and isinstance(small, cst.ImportFrom) and _module_of(small) == module \
                and not isinstance(small.names, cst.ImportStar):
            if any(dotted(a.name) == name and a.asname is None for a in small.names):
                return True
    return False


def _add(body: list, module: str, name: str | None) -> list:
    if name is not None:
        for index, statement, small in _imports(body):
            if isinstance(small, cst.ImportFrom) and _module_of(small) == module \
                    and not isinstance(small.names, cst.ImportStar) and len(statement.body) == 1:
                names = list(small.names)
                new = cst.ImportAlias(cst.Name(name))
                ordered = [dotted(a.name) for a in names]
                names = sorted([*names, new], key=lambda a: dotted(a.name)) if ordered == sorted(ordered) \
                    else [*names, new]
                updated = small.with_changes(names=_recomma(names, list(small.names)))
                return [*body[:index], statement.with_changes(body=[updated]), *body[index + 1:]]
        line = cst.SimpleStatementLine([cst.ImportFrom(module=_dotted_expr(module),
                                                       names=[cst.ImportAlias(cst.Name(name))])])
    else:
        line = cst.SimpleStatementLine([cst.Import(names=[cst.ImportAlias(_dotted_expr(module))])])
    # After the last absolute import at the top (before ``from .models import ...``): a
    # library import belongs with the libraries, as isort would put it.
    top = [(index, small) for index, _, small in _imports(body) if not _after_code(body, index)]
    absolute = [index for index, small in top if not (isinstance(small, cst.ImportFrom) and small.relative)]
    positions = absolute or [index for index, _ in top]
    at = positions[-1] + 1 if positions else _after_docstring(body)
    return [*body[:at], line, *body[at:]]


def _remove(body: list, module: str, name: str | None) -> list:
    for index, statement, small in _imports(body):
        if len(statement.body) != 1:
            continue
        if name is None and isinstance(small, cst.Import):
            keep = [a for a in small.names if not (dotted(a.name) == module and a.asname is None)]
        elif name is not None and isinstance(small, cst.ImportFrom) and _module_of(small) == module \
                and not isinstance(small.names, cst.ImportStar):
            keep = [a for a in small.names if not (dotted(a.name) == name and a.asname is None)]
        else:
            continue
        if len(keep) == len(small.names):
            continue
        if keep:
            updated = statement.with_changes(body=[small.with_changes(names=_recomma(keep, list(small.names)))])
            return [*body[:index], updated, *body[index + 1:]]
        rest = body[index + 1:]
        if rest and statement.leading_lines:   # keep comments above a removed line
            rest[0] = rest[0].with_changes(leading_lines=[*statement.leading_lines, *rest[0].leading_lines])
        return [*body[:index], *rest]
    return body


def _recomma(names: list[cst.ImportAlias], original: list[cst.ImportAlias]) -> list[cst.ImportAlias]:
    """Give ``names`` the comma style of ``original``: separators like its first, and its last
    alias's trailing comma (or none) on the new last."""
    separator = original[0].comma if len(original) > 1 else cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    last = original[-1].comma
    return [a.with_changes(comma=separator if i < len(names) - 1 else last) for i, a in enumerate(names)]


def _after_code(body: list, index: int) -> bool:
    return any(isinstance(s, (cst.FunctionDef, cst.ClassDef, Unparsed)) for s in body[:index])


def _after_docstring(body: list) -> int:
    return 1 if body and is_docstring(body[0]) else 0


def _dotted_expr(name: str) -> cst.Attribute | cst.Name:
    parts = name.split(".")
    node: cst.Attribute | cst.Name = cst.Name(parts[0])
    for part in parts[1:]:
        node = cst.Attribute(node, cst.Name(part))
    return node


def _used_names(tree: cst.Module, wanted: set[str], original: ModuleLines | None = None) -> set[str]:
    """Names the module uses outside its import statements (attribute names excluded): all of
    them, or, given the ``original`` tree, at least those of ``wanted`` that it uses."""
    if original is not None and original.shared:
        original = None
    holding = _holding(original, wanted) if original is not None else {}
    used: set[str] = set()

    def stop(node: cst.CSTNode) -> bool:
        if isinstance(node, (cst.Import, cst.ImportFrom)):
            return True
        if isinstance(node, Unparsed):
            used.update(node.uses(wanted))
            return True
        if original is None or not original.holds(node):
            return False
        # A subtree of the original, unchanged: what it uses is known without a walk.
        if isinstance(node, cst.Name):
            used.add(node.value)
        used.update(name for name, ids in holding.items() if id(node) in ids)
        return True

    walked = names_under(tree, stop)
    return used | walked


def _holding(original: ModuleLines, wanted: set[str]) -> dict[str, set[int]]:
    """For each name of ``wanted``, the ids of the original nodes with a use of it below them
    (a ``Name`` that is neither an attribute's name nor inside an import)."""
    holding: dict[str, set[int]] = {name: set() for name in wanted}
    for node in original.nodes:
        if type(node) is not cst.Name or node.value not in holding:
            continue
        ids = holding[node.value]
        parent = original.parents[id(node)]
        if isinstance(parent, cst.Attribute) and parent.attr is node:
            continue   # ``x.time``: only ``x`` is used
        while parent is not None and not isinstance(parent, (cst.Import, cst.ImportFrom)) \
                and id(parent) not in ids:
            ids.add(id(parent))
            parent = original.parents[id(parent)]
    return holding


def _exported(tree: cst.Module) -> set[str]:
    """Strings listed in a top-level ``__all__``."""
    names: set[str] = set()
    for statement in tree.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, (cst.Assign, cst.AugAssign, cst.AnnAssign)) and "__all__" in (
                        [dotted(t.target) for t in small.targets] if isinstance(small, cst.Assign)
                        else [dotted(small.target)]) and isinstance(small.value, (cst.List, cst.Tuple)):
                    names |= {e.value.evaluated_value for e in small.value.elements
                              if isinstance(e.value, cst.SimpleString)}
    return names
