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
    on_visit, on_leave = _dispatch(visitor)
    nodes, spans = lines.nodes, lines.spans
    index, stop = spans[id(root)]
    walking: list[tuple[int, cst.CSTNode]] = []   # (end of its span, node) of the open subtrees
    before: dict[int, list] = {}   # attribute hooks due before a node / after its subtree
    after: dict[int, list] = {}
    while True:
        while walking and (index >= stop or walking[-1][0] <= index):
            _leave(walking.pop()[1], on_leave, after)
        if index >= stop:
            return
        node = nodes[index]
        for hook in before.pop(id(node), ()):
            hook()
        if on_visit(node):
            attributes = hooks.get(type(node).__name__)
            if attributes:
                _schedule(node, attributes, visitor, before, after)
            walking.append((spans[id(node)][1], node))
            index += 1
        else:
            _leave(node, on_leave, after)
            index = spans[id(node)][1]


def _leave(node: cst.CSTNode, on_leave, after: dict[int, list]) -> None:
    on_leave(node)
    for hook in after.pop(id(node), ()):
        hook()


def _dispatch(visitor: cst.CSTVisitor):
    """``visitor.on_visit`` and ``visitor.on_leave``; where those are LibCST's own, the same calls
    with each node type's ``visit_X``/``leave_X`` looked up once and LibCST's empty ones skipped."""
    kind = type(visitor)
    if kind.on_visit is not cst.CSTVisitor.on_visit or kind.on_leave is not cst.CSTVisitor.on_leave:
        return visitor.on_visit, visitor.on_leave
    visits: dict[type, object] = {}
    leaves: dict[type, object] = {}

    def on_visit(node: cst.CSTNode) -> bool:
        node_type = type(node)
        if node_type not in visits:
            visits[node_type] = _own_hook(visitor, "visit_" + node_type.__name__)
        method = visits[node_type]
        return method is None or method(node) is not False

    def on_leave(node: cst.CSTNode) -> None:
        node_type = type(node)
        if node_type not in leaves:
            leaves[node_type] = _own_hook(visitor, "leave_" + node_type.__name__)
        method = leaves[node_type]
        if method is not None:
            method(node)

    return on_visit, on_leave


def _own_hook(visitor: cst.CSTVisitor, name: str):
    """The bound ``name`` method of ``visitor``, or None where there is none or it is LibCST's empty one."""
    if name not in getattr(visitor, "__dict__", {}) and \
            getattr(type(visitor), name, None) is getattr(cst.CSTVisitor, name, None):
        return None
    return getattr(visitor, name, None)


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
    # Only the classes above LibCST's own (whose hooks are empty): ``dir()`` of a visitor lists
    # LibCST's hundreds, a millisecond for each class defined inside a function.
    own = [k for k in visitor_type.__mro__ if k is not object and not k.__module__.startswith("libcst")]
    for name in dict.fromkeys(n for k in own for n in vars(k)):
        if not name.startswith(("visit_", "leave_")) \
                or getattr(visitor_type, name) is getattr(cst.CSTVisitor, name, None):
            continue   # not a hook, or LibCST's own empty one
        type_name, _, attribute = name[len("visit_"):].partition("_")
        node_type = getattr(cst, type_name, None)
        if attribute and isinstance(node_type, type) and issubclass(node_type, cst.CSTNode) \
                and attribute not in found.setdefault(type_name, []):
            found[type_name].append(attribute)
    return {k: tuple(v) for k, v in found.items() if v}
