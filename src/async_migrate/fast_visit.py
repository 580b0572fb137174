"""Run a read-only ``CSTVisitor`` over a subtree of a planned module without LibCST's walk.

``node.visit(visitor)`` rebuilds (and re-validates) every node it passes, even for a visitor
that changes nothing.  ``walk`` makes the same calls (``on_visit``/``on_leave`` and the
``visit_X_attr``/``leave_X_attr`` hooks) in the same order, over the pre-order node list the
line pass recorded (positions.py).  Only layout nodes (whitespace, commas) may come in another
order or not at all, so it is meant for visitors that do not look at those.  A subtree the
line pass did not see (a node built since) is visited the LibCST way.
"""

from __future__ import annotations

from functools import cache

import libcst as cst

from .positions import ModuleLines


def walk(root: cst.CSTNode, visitor: cst.CSTVisitor, lines: ModuleLines | None) -> None:
    if lines is None or lines.shared or id(root) not in lines.spans:
        root.visit(visitor)
        return
    hooks = _attribute_hooks(type(visitor))
    nodes, spans = lines.nodes, lines.spans
    index, stop = spans[id(root)]
    walking: list[tuple[int, cst.CSTNode]] = []   # (end of its span, node) of the open subtrees
    before: dict[int, list] = {}   # attribute hooks due before a node / after its subtree
    after: dict[int, list] = {}
    while True:
        while walking and (index >= stop or walking[-1][0] <= index):
            _leave(walking.pop()[1], visitor, after)
        if index >= stop:
            return
        node = nodes[index]
        for hook in before.pop(id(node), ()):
            hook()
        if visitor.on_visit(node):
            attributes = hooks.get(type(node).__name__)
            if attributes:
                _schedule(node, attributes, visitor, before, after)
            walking.append((spans[id(node)][1], node))
            index += 1
        else:
            _leave(node, visitor, after)
            index = spans[id(node)][1]


def _leave(node: cst.CSTNode, visitor: cst.CSTVisitor, after: dict[int, list]) -> None:
    visitor.on_leave(node)
    for hook in after.pop(id(node), ()):
        hook()


def _schedule(node: cst.CSTNode, attributes: tuple[str, ...], visitor: cst.CSTVisitor,
              before: dict[int, list], after: dict[int, list]) -> None:
    """``visit_X_attr`` goes before the field's first node, ``leave_X_attr`` after its last."""
    for attribute in attributes:
        value = getattr(node, attribute)
        children = list(value) if isinstance(value, (list, tuple)) else \
            [value] if isinstance(value, cst.CSTNode) else []
        enter = lambda a=attribute: visitor.on_visit_attribute(node, a)  # noqa: E731
        leave = lambda a=attribute: visitor.on_leave_attribute(node, a)  # noqa: E731
        if not children:   # an empty field: LibCST calls both hooks with nothing between
            enter()
            leave()
            continue
        before.setdefault(id(children[0]), []).append(enter)
        after.setdefault(id(children[-1]), []).append(leave)


@cache
def _attribute_hooks(visitor_type: type) -> dict[str, tuple[str, ...]]:
    """Node type name -> the fields ``visitor_type`` has ``visit_X_field``/``leave_X_field`` for."""
    found: dict[str, list[str]] = {}
    for name in dir(visitor_type):
        if not name.startswith(("visit_", "leave_")) \
                or getattr(visitor_type, name) is getattr(cst.CSTVisitor, name, None):
            continue   # not a hook, or LibCST's own empty one
        type_name, _, attribute = name[len("visit_"):].partition("_")
        node_type = getattr(cst, type_name, None)
        if attribute and isinstance(node_type, type) and issubclass(node_type, cst.CSTNode) \
                and attribute not in found.setdefault(type_name, []):
            found[type_name].append(attribute)
    return {k: tuple(v) for k, v in found.items() if v}
