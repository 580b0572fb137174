"""positions.module_lines gives every node the start line LibCST's PositionProvider gives it."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from async_migrate.positions import module_lines

SRC = Path(__file__).resolve().parent.parent / "src" / "async_migrate"

TRICKY = '''\
"""Doc
string."""
import os  # comment


@decorator(
    arg,
)
@other
def view(request,
         pk):  # trailing
    x = (
        Book.objects
        .filter(pk=pk)
    )
    y = """a
b""" + \\
        f"{x!r:>{width}}"
    if x: return [a for a in x
                  if a]
    with open("f") as handle, \\
            open("g") as other:
        pass
    return {k: v for k, v in y}


class Foo(Base):
    def get(self): ...
'''


def _same_lines(text: str) -> None:
    tree = cst.parse_module(text)
    positions = MetadataWrapper(tree, unsafe_skip_copy=True).resolve(PositionProvider)
    lines = module_lines(tree)
    assert lines.code == tree.code
    assert {node: lines.line_of(node) for node in positions} == \
        {node: where.start.line for node, where in positions.items()}


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_tricky_module(newline: str) -> None:
    _same_lines(TRICKY.replace("\n", newline))


def test_project_sources() -> None:
    for path in sorted(SRC.glob("*.py")):
        _same_lines(path.read_text(encoding="utf-8"))


def test_unknown_node_is_line_zero() -> None:
    assert module_lines(cst.parse_module("x = 1\n")).line_of(cst.Name("x")) == 0


def test_ancestors_are_the_path_to_the_root() -> None:
    tree = cst.parse_module("def f():\n    return g(1)\n\n\nx = 2\n")
    call = tree.body[0].body.body[0].body[0].value
    found = module_lines(tree).ancestors([call])
    assert id(tree) in found and id(tree.body[0]) in found and id(call) in found
    assert id(tree.body[1]) not in found and id(call.args[0]) not in found


def test_no_ancestors_for_a_foreign_node_or_a_shared_one() -> None:
    tree = cst.parse_module("x = 1\n")
    assert module_lines(tree).ancestors([cst.Name("y")]) is None
    shared = tree.body[0]
    assert module_lines(tree.with_changes(body=[shared, shared])).ancestors([shared]) is None
