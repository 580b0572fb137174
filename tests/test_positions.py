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
