"""The index reads code written for a newer Python: cheap line fixes, LibCST when they do not apply."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from async_migrate import downlevel
from async_migrate.downlevel import NeedsLibCST, _downlevel, parse_any
from async_migrate.fstring_tuples import f_strings_as_tuples

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


# PEP 701 f-string -> (names the index sees inside it, (first line, last line) of each statement)
F_STRINGS = [
    ("x = f\"{re.sub(r'a', r'\\1', s)}\"\ny = 2\n", {"re", "s"}, [(1, 1), (2, 2)]),
    ("x = f\"{d[\"a\"]}\" f'{b}' 'c'\ny = 2\n", {"d", "b"}, [(1, 1), (2, 2)]),
    ("def f():\n    return f\"{a!r:>{width}} {'\\n'.join(x)}\"\n\nz = 3\n", {"a", "width", "x"}, [(1, 2), (4, 4)]),
    ("q = f'{x}' 'y' f\"{[1,\n 2]}\"\nz = 3\n", {"x"}, [(1, 2), (3, 3)]),
    ("x = f\"\"\"\n{'\\n'.join(d)}\n{f'{n:{w}}'}\n\"\"\"\ny = call(2)\n", {"d", "n", "w"}, [(1, 4), (5, 5)]),
    ("def g(a=f\"{x[\"k\"]}\"):\n    pass\n", {"x"}, [(1, 2)]),
]


@pytest.mark.parametrize("text, inside, lines", F_STRINGS)
def test_pep_701_f_strings_become_tuples_of_what_they_format(text, inside, lines, monkeypatch):
    with pytest.raises(SyntaxError):
        ast.parse(text)
    by_libcst = ast.dump(ast.parse(_downlevel(text)))
    monkeypatch.setattr(downlevel, "_downlevel", lambda _: pytest.fail("LibCST was needed"))
    tree = parse_any(text, libcst=False)   # the scan of the text: an index worker without LibCST
    assert inside <= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    assert [(n.lineno, n.end_lineno) for n in tree.body] == lines
    assert ast.dump(tree) == by_libcst


def test_f_strings_and_line_fixes_together_need_no_libcst(monkeypatch):
    monkeypatch.setattr(downlevel, "_downlevel", lambda _: pytest.fail("LibCST was needed"))
    text = "type X = int\nx = f\"{d[\"a\"]}\"\ntry:\n    pass\nexcept A, B:\n    y = f'{'\\n'.join(z)}'\n"
    tree = parse_any(text, libcst=False)
    assert [type(n).__name__ for n in tree.body] == ["Assign", "Assign", "Try"]
    assert {"d", "z"} <= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}


def test_the_scan_reads_lines_continued_in_strings_with_any_line_ending(monkeypatch):
    monkeypatch.setattr(downlevel, "_downlevel", lambda _: pytest.fail("LibCST was needed"))
    for newline in ("\n", "\r\n", "\r"):
        text = f"x = f'{{d['a']}}' 'a\\{newline}b' f'c\\{newline}{{e}}'{newline}y = 1{newline}"
        with pytest.raises(SyntaxError):
            ast.parse(text)   # quotes reused inside (PEP 701)
        tree = parse_any(text, libcst=False)
        assert [(n.lineno, n.end_lineno) for n in tree.body] == [(1, 3), (4, 4)], repr(newline)
        assert {"d", "e"} <= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}


def test_without_libcst_the_caller_is_told_it_is_needed(monkeypatch):
    """Index workers have not imported LibCST (0.2 s each): they hand such modules back."""
    monkeypatch.setattr(downlevel, "_downlevel", lambda _: pytest.fail("LibCST was asked"))
    for text in ["def f[\n    T,\n](x: T) -> T:\n    return x\n", "def f(:\n", "x = f'{a b}' + f'{\n"]:
        with pytest.raises(NeedsLibCST):
            parse_any(text, libcst=False)
    assert [type(n).__name__ for n in parse_any("type X = int\n", libcst=False).body] == ["Assign"]   # a line fix


def test_real_syntax_errors_still_raise():
    with pytest.raises(SyntaxError):
        parse_any("def f(:\n    pass\n")
    with pytest.raises(SyntaxError):
        parse_any("except A, B:\n")


def _statement_lines(tree: ast.Module) -> list[tuple[int, int]]:
    return [(n.lineno, n.end_lineno) for n in ast.walk(tree) if isinstance(n, ast.stmt)]


def test_f_strings_as_tuples_keep_every_statement_line_on_real_code():
    """Django's own modules with the most f-strings: the code still parses, every statement starts
    and ends on the lines it did, and every name an f-string formats is still there."""
    import django
    import libcst as cst

    root = Path(django.__file__).parent
    files = sorted(root.rglob("*.py"), key=lambda p: (-p.read_text("utf-8").count('f"'), str(p)))[:12]
    for path in files:
        text = path.read_text("utf-8")
        before = ast.parse(text)
        after = ast.parse(downlevel._f_strings_as_tuples(cst.parse_module(text)))
        assert not any(isinstance(n, ast.JoinedStr) for n in ast.walk(after)), path
        assert _statement_lines(after) == _statement_lines(before), path
        names = {n.id for n in ast.walk(before) if isinstance(n, ast.Name)}
        assert {n.id for n in ast.walk(after) if isinstance(n, ast.Name)} == names, path


def test_the_scan_gives_the_tree_libcst_gives_on_real_code():
    """Django's modules with the most f-strings: the scan of the text and LibCST's codegen write
    the same tuples (the same tree, every line kept)."""
    import django
    import libcst as cst

    root = Path(django.__file__).parent
    files = sorted(root.rglob("*.py"), key=lambda p: (-p.read_text("utf-8").count('f"'), str(p)))[:40]
    for path in files:
        text = path.read_text("utf-8")
        scanned = ast.parse(f_strings_as_tuples(text))
        assert ast.dump(scanned) == ast.dump(ast.parse(downlevel._f_strings_as_tuples(cst.parse_module(text)))), path
        assert _statement_lines(scanned) == _statement_lines(ast.parse(text)), path


# PEP 701 f-strings, generated: quotes reused inside, backslashes, nesting, specs, fields over lines
_NAMES = st.sampled_from(["a", "obj", "items", "w"])


def _expression(children):
    quote = st.sampled_from(["'", '"'])
    return st.one_of(
        st.builds("{}.x".format, children),
        st.builds("{0}[{1}k{1}]".format, children, quote),
        st.builds("{}({}, n={})".format, children, children, children),
        st.builds("{1}\\n{1}.join({0})".format, children, quote),
        st.builds("[{},\n {}]".format, children, children),
        st.builds("{} {} {}".format, children, st.sampled_from(["==", "!=", "<=", "+"]), children),
        st.builds(_f_string, st.lists(st.tuples(st.sampled_from(["", "t ", "{{", "}}"]), children,
                                                st.sampled_from(["", "=", "!r", ":>10", ":>{w}"])),
                                      max_size=3), quote),
    )


def _f_string(fields, quote) -> str:
    body = "".join(f"{text}{{{code}{tail}}}" for text, code, tail in fields)
    return f"f{quote}{body}{quote}"


_CODE = st.recursive(_NAMES, _expression, max_leaves=8)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fields=st.lists(st.tuples(st.sampled_from(["", "x ", "\\N{DASH} "]), _CODE,
                                 st.sampled_from(["", "=", " = !r", ":%Y", ":{w}>{a}"])), max_size=4),
       quote=st.sampled_from(["'", '"', "'''", '"""']), prefix=st.sampled_from(["f", "rf", "F"]),
       after=st.sampled_from(["", " 'plain'", ' f"{tail}"']))
def test_the_scan_gives_the_tree_libcst_gives_on_pep_701_f_strings(fields, quote, prefix, after):
    import libcst as cst

    body = "".join(f"{text}{{{code}{tail}}}" for text, code, tail in fields)
    text = f"def f():\n    x = ({prefix}{quote}{body}{quote}{after})\n    return x\n\n\ny = call(2)\n"
    try:
        by_libcst = ast.parse(downlevel._f_strings_as_tuples(cst.parse_module(text)))
    except cst.ParserSyntaxError:
        assume(False)
    scanned = ast.parse(f_strings_as_tuples(text))
    assert ast.dump(scanned) == ast.dump(by_libcst)
    assert _statement_lines(scanned) == _statement_lines(by_libcst)
