"""The prefilter: a module it lets the index skip defines nothing the whole-project passes
look for (issue 7, scale)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from async_migrate.prefilter import needs_summary, parses
from async_migrate.project import Module, words_of

REPO = Path(__file__).resolve().parent.parent


def _could_define(module) -> bool:
    """What the whole-project passes look for in a summary: a ``def`` whose first argument is
    ``request`` (a view), or a class with bases (a view class, a model, a form)."""
    return any(f.first_arg == "request" for f in module.function_info.values()) or any(
        c.bases for c in module.class_info.values())


def _sources():
    """Django's own source and our examples: some thousand real modules."""
    import django

    for tree in (Path(django.__file__).parent, REPO / "examples"):
        for path in sorted(tree.rglob("*.py")):
            yield path, path.read_text(encoding="utf-8")


def test_a_module_the_prefilter_skips_defines_nothing_the_passes_look_for():
    """``needs_summary`` False promises no view-shaped ``def`` and no class with bases: checked
    against the summary ``ast`` gives, on every real module we have."""
    skipped = 0
    for path, text in _sources():
        try:
            module = Module.from_text("m", path, text)
        except SyntaxError:
            continue
        if not needs_summary(text, words_of(text)):
            skipped += 1
            assert not _could_define(module), path
    assert skipped > 100


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([
    "class A:\n    pass\n", "class B(A):\n    pass\n", "class C(\n    A,\n):\n    pass\n",
    "\x0cclass D(A): pass\n", "def f(x):\n    return x\n", "def view(request):\n    return 1\n",
    "async def v(request, pk): pass\n", '"""class of (things)"""\n', "x = (1,\n     2)\n",
    "if True:\n    class E(A): pass\n", "@dec\nclass F(A): pass\n", "import os\r\nclass G(A): pass\r\n",
    "# a subclass\n", "classes = list()\n", "class H \\\n(A): pass\n", "x = 1  # class\n",
]), max_size=6))
def test_the_prefilter_never_skips_what_the_passes_need(chunks):
    text = "".join(chunks)
    module = Module.from_text("m", Path("m.py"), text)
    if _could_define(module):
        assert needs_summary(text, words_of(text))


def test_parses_knows_syntax_errors_and_newer_syntax():
    assert parses("x = 1\n", Path("m.py"))
    assert not parses("def broken(:\n", Path("m.py"))
    assert parses("type Alias = int\n", Path("m.py"))   # 3.12 syntax, indexed through parse_any
