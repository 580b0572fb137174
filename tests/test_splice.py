"""ModuleLines.code_of: the rewritten module's code, copying the top-level statements the
rewrite kept from the original code, is the text LibCST generates for it."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from async_migrate.positions import module_lines

from .test_positions import TRICKY

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted([*(ROOT / "src" / "async_migrate").glob("*.py"), *(ROOT / "examples").rglob("*.py"),
                  *(ROOT / "tests" / "patterns").rglob("*.py")])


def _rewrites(tree: cst.Module):
    """Rewrites of ``tree`` that keep some top-level statements and change, add or drop others."""
    body = list(tree.body)
    renamed = [s.with_changes(name=cst.Name(s.name.value + "_x")) if isinstance(s, cst.FunctionDef)
               else s for s in body]
    yield tree.with_changes(body=renamed)
    yield tree.with_changes(body=[s.deep_clone() if i % 2 else s for i, s in enumerate(body)])
    yield tree.with_changes(body=[cst.parse_statement("import asyncio\n"), *body[1:], body[0]] if body
                            else [cst.parse_statement("import asyncio\n")])
    yield tree.with_changes(body=body[::2])
    yield tree.with_changes(body=[], header=[], footer=[])
    yield tree.with_changes(header=[*tree.header, cst.EmptyLine(comment=cst.Comment("# new"))])
    yield tree.with_changes(has_trailing_newline=not tree.has_trailing_newline)
    blocks = [s for s in body if isinstance(getattr(s, "body", None), cst.IndentedBlock)]
    if blocks:   # inside blocks: a statement changed, the block re-indented, statements moved out
        inner = list(blocks[0].body.body)
        changed = [cst.parse_statement("pass\n"), *inner[1:]]
        yield tree.with_changes(body=[s.with_changes(body=s.body.with_changes(body=changed))
                                      if s is blocks[0] else s for s in body])
        yield tree.with_changes(body=[s.with_changes(body=s.body.with_changes(indent=" \t"))
                                      if s in blocks else s for s in body])
        yield tree.with_changes(body=[*body, *inner])
        wrapped = cst.With(items=[cst.WithItem(cst.Name("lock"))], body=cst.IndentedBlock(body=inner))
        yield tree.with_changes(body=[s.with_changes(body=s.body.with_changes(body=[wrapped]))
                                      if s is blocks[0] else s for s in body])


def _same_code(text: str) -> None:
    tree = cst.parse_module(text)
    lines = module_lines(tree)
    assert lines.code_of(tree) == tree.code
    for result in _rewrites(tree):
        assert lines.code_of(result) == result.code


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_tricky_module(newline: str) -> None:
    _same_code(TRICKY.replace("\n", newline))
    _same_code("# header\n\n" + TRICKY.replace("\n", newline) + "\n# footer\n")


def test_sources_examples_and_patterns() -> None:
    assert len(SOURCES) > 20
    for path in SOURCES:
        _same_code(path.read_text(encoding="utf-8"))


def test_empty_and_tiny_modules() -> None:
    for text in ["", "\n", "# only\n", "x = 1", "x = 1\n", "\n\nx = 1\n\n\n", "x = 1\r\n"]:
        _same_code(text)


PIECES = ["x = 1", "import os", "# a comment", "", "\f", "def f(a,\n      b):  # c\n    return a\n",
          "class C:\n\n    y = 2\n    # inside\n", "if x:\n\tpass\nelse:  # e\n\tpass\n", "y = (1 +\n     2)",
          "@d\ndef g(): ...", "z = '''a\nb'''", "w = 1; v = 2  # semi", "\f# fed", "u = [\n\f1]"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=12), st.sampled_from(["\n", "\r\n", "\r"]),
       st.booleans())
def test_generated_modules(pieces: list[str], newline: str, trailing: bool) -> None:
    text = "\n".join(pieces)
    text = (text + "\n" if trailing else text).replace("\n", newline)
    try:
        compile(text, "<generated>", "exec")
    except SyntaxError:
        return   # mixed tabs and spaces and the like: not a module LibCST sees
    _same_code(text)


def test_the_engine_rewrites_of_the_examples_and_patterns(monkeypatch) -> None:
    from async_migrate import engine
    from async_migrate.facts import Options, clear_cache
    from async_migrate.positions import ModuleLines
    from async_migrate.registry import codemod_names

    compared = []
    code_of = ModuleLines.code_of

    def checked(self, result):
        code = code_of(self, result)
        assert code == result.code
        compared.append(code)
        return code

    monkeypatch.setattr(ModuleLines, "code_of", checked)
    for root in [ROOT / "examples" / "shop" / "before", ROOT / "tests" / "patterns"]:
        clear_cache()
        engine.run([root], Options(), frozenset(codemod_names()), jobs=1)
    assert len(compared) >= 3
