"""The index reads code written for a newer Python: cheap line fixes, LibCST when they do not apply."""

from __future__ import annotations

import ast

import pytest

from async_migrate import downlevel
from async_migrate.downlevel import _downlevel, parse_any

NEWER = [
    "try:\n    pass\nexcept ValueError, TypeError:\n    pass\n",
    "try:\n    pass\nexcept (OSError):\n    pass\nexcept mod.Error, KeyError :  # why\n    x = 1\n",
    "type Alias = int\n",
    "type Pair[T] = tuple[T, T]\n",
    "def first[T](items: list[T]) -> T:\n    return items[0]\n",
    "async def first[T: (int, str)](items):\n    return items[0]\n",
    "class Box[T, *Ts](Base):\n    def get[U](self) -> U:\n        pass\n",
    "x = 1\n\n\nclass A[T]:\n    type Inner = list[T]\n    try:\n        pass\n    except A, B:\n        pass\n",
]


@pytest.mark.parametrize("text", NEWER)
def test_line_fixes_give_the_tree_libcst_down_levelling_gives(text, monkeypatch):
    with pytest.raises(SyntaxError):
        ast.parse(text)
    by_libcst = ast.dump(ast.parse(_downlevel(text)))
    monkeypatch.setattr(downlevel, "_downlevel", lambda _: pytest.fail("LibCST was needed"))
    assert ast.dump(parse_any(text)) == by_libcst


def test_what_no_line_fix_covers_goes_to_libcst():
    text = "def f[\n    T,\n](x: T) -> T:\n    return x\n"   # type parameters over several lines
    assert [n.name for n in parse_any(text).body] == ["f"]
    assert parse_any(text).body[0].lineno == 1


def test_pep_701_f_strings_are_not_handed_to_libcst(monkeypatch):
    """Its down-levelling keeps f-strings as they are: parsing them again would fail just the same."""
    monkeypatch.setattr(downlevel, "_downlevel", lambda _: pytest.fail("LibCST was asked"))
    with pytest.raises(SyntaxError):
        parse_any("x = f\"{re.sub(r'a', r'\\1', s)}\"\n")


def test_real_syntax_errors_still_raise():
    with pytest.raises(SyntaxError):
        parse_any("def f(:\n    pass\n")
    with pytest.raises(SyntaxError):
        parse_any("except A, B:\n")
