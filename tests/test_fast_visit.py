"""fast_visit.walk makes the calls ``node.visit(visitor)`` makes, in the same order (layout
nodes aside: whitespace and commas may come in another order)."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from async_migrate.analysis import BodyAnalyser
from async_migrate.fast_visit import _attribute_hooks, walk
from async_migrate.positions import module_lines
from tests.test_positions import TRICKY

SRC = Path(__file__).resolve().parent.parent / "src" / "async_migrate"
LAYOUT = (cst.SimpleWhitespace, cst.ParenthesizedWhitespace, cst.TrailingWhitespace, cst.EmptyLine,
          cst.Newline, cst.Comment, cst.Comma)


class Recorder(cst.CSTVisitor):
    """Records every call; does not look into lambdas (a visit_ returning False)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int]] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, LAYOUT):
            return False
        self.calls.append(("visit", id(node)))
        return super().on_visit(node)

    def on_leave(self, node: cst.CSTNode) -> None:
        if not isinstance(node, LAYOUT):
            self.calls.append(("leave", id(node)))

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_For_body(self, node: cst.For) -> None:
        self.calls.append(("for body", id(node)))

    def leave_For_body(self, node: cst.For) -> None:
        self.calls.append(("left for body", id(node)))

    def visit_DictComp_key(self, node: cst.DictComp) -> None:
        self.calls.append(("key", id(node)))

    def leave_DictComp_value(self, node: cst.DictComp) -> None:
        self.calls.append(("left value", id(node)))

    def visit_Call_args(self, node: cst.Call) -> None:   # a sequence field
        if node.args:   # an empty field's hooks come at another place (no visitor of ours has one)
            self.calls.append(("args", id(node)))

    def leave_Call_args(self, node: cst.Call) -> None:
        if node.args:
            self.calls.append(("left args", id(node)))


EXTRA = '''\
def view(request):
    for a in b:
        f = lambda: [c for c in d]
        del e[a], (g)
    else:
        pass
    x = {k: v for k, v in y.items() if k}
    match z:
        case {"a": 1}:
            pass
'''


@pytest.mark.parametrize("path", [*sorted(SRC.glob("*.py")), None], ids=lambda p: p.name if p else "tricky")
def test_same_calls_as_libcst(path: Path | None) -> None:
    _assert_same_calls(Recorder, path)


def _assert_same_calls(visitor: type, path: Path | None) -> None:
    text = path.read_text(encoding="utf-8") if path else TRICKY + EXTRA
    tree = cst.parse_module(text)
    lines = module_lines(tree)
    for root in [tree, *tree.body]:
        expected, fast = visitor(), visitor()
        root.visit(expected)
        walk(root, fast, lines)
        assert fast.calls == expected.calls


def test_foreign_node_is_visited_the_libcst_way() -> None:
    lines = module_lines(cst.parse_module("x = 1\n"))
    node = cst.parse_statement("for a in b:\n    pass\n")
    expected, fast = Recorder(), Recorder()
    node.visit(expected)
    walk(node, fast, lines)
    assert fast.calls == expected.calls and expected.calls


def test_only_overridden_attribute_hooks_count() -> None:
    assert _attribute_hooks(BodyAnalyser) == {
        "DictComp": ("key", "value"), "For": ("body",), "GeneratorExp": ("elt",), "ListComp": ("elt",),
        "SetComp": ("elt",), "While": ("body",)}


class Plain(cst.CSTVisitor):
    """Only visit_X/leave_X hooks (LibCST's on_visit and on_leave): walk looks each up once per type."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int]] = []
        self.visit_Integer = lambda node: self.calls.append(("integer", id(node)))   # an instance's own

    def visit_Name(self, node: cst.Name) -> None:
        self.calls.append(("name", id(node)))

    def leave_Name(self, node: cst.Name) -> None:
        self.calls.append(("left name", id(node)))

    def visit_Call(self, node: cst.Call) -> bool:
        self.calls.append(("call", id(node)))
        return True

    def leave_Call(self, node: cst.Call) -> None:
        self.calls.append(("left call", id(node)))

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        self.calls.append(("lambda", id(node)))
        return False

    def leave_Lambda(self, node: cst.Lambda) -> None:
        self.calls.append(("left lambda", id(node)))

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.calls.append(("attribute", id(node)))
        return 0   # only False stops the walk


@pytest.mark.parametrize("path", [*sorted(SRC.glob("*.py"))[:8], None], ids=lambda p: p.name if p else "tricky")
def test_plain_visitor_same_calls_as_libcst(path: Path | None) -> None:
    _assert_same_calls(Plain, path)
