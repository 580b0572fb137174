"""Parsing only what the open views need (partial.py) gives what a full parse gives: the
same code back, the same line numbers, the same plans and the same rewrite (issue 7, scale)."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import libcst as cst
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from async_migrate import transform
from async_migrate.engine import _settled
from async_migrate.facts import Options, clear_cache, facts_for
from async_migrate.files import iter_python_files
from async_migrate.partial import Unparsed, partial_module
from async_migrate.positions import module_lines
from async_migrate.project import find_root
from async_migrate.registry import all_codemods

from .test_index import SHAPES, UNROUTED, _projects
from .test_plan import make_project

ENABLED = frozenset(all_codemods())


def _partial(text: str, open_views: set[str]) -> cst.Module | None:
    return partial_module(text, ast.parse(text), open_views)


def _lines_by_position(tree: cst.Module, statement: cst.CSTNode) -> list[int]:
    """The line of every statement and expression under ``statement``, in source order.
    (Not of blank and comment lines: a comment indented under a block that ends a run of
    parsed statements belongs to the next statement, where a full parse gives it to the block.)"""
    lines = module_lines(tree)
    first, stop = lines.spans[id(statement)]
    return [lines.line_of(node) for node in lines.nodes[first:stop]
            if isinstance(node, (cst.BaseStatement, cst.BaseSmallStatement, cst.BaseExpression))]


LAYOUT = '''\
#!/usr/bin/env python
"""Docstring."""
import time  # a trailing comment
from django.http import HttpResponse

X = 1; Y = 2


class Form:
    field = 1
    # an indented comment after the block

# about helper
@decorate(
    1,
)
def helper(request):
    return time.time()


def view(request):
    """Uses Form."""
    form = Form()
    return HttpResponse(str(form))
  # odd indent

def other(request): return HttpResponse("x")
# the end
'''


def test_unneeded_defs_stay_text_and_the_code_comes_back_whole():
    tree = _partial(LAYOUT, {"view"})
    assert tree is not None
    unparsed = [s.name for s in tree.body if isinstance(s, Unparsed)]
    assert unparsed == ["helper", "other"]   # Form is named by the open view: parsed
    assert module_lines(tree).code == LAYOUT
    assert tree.code == LAYOUT


def test_parsed_statements_have_a_full_parse_lines():
    full = cst.parse_module(LAYOUT)
    tree = _partial(LAYOUT, {"view"})
    by_name = {s.name.value: s for s in full.body if isinstance(s, (cst.FunctionDef, cst.ClassDef))}
    for statement in tree.body:
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            assert _lines_by_position(tree, statement) == _lines_by_position(full, by_name[statement.name.value])
    assert module_lines(tree).line_of(tree.body[-1]) == 27   # an Unparsed stands on its def's line


@pytest.mark.parametrize("text", [
    "def view(request):\n    return 1\n",                       # nothing to leave out
    "import x\ndef view(request):\n    return 1",                # no final newline
    "",
])
def test_no_partial_tree_where_it_saves_nothing_or_cannot_be_sure(text):
    assert _partial(text, {"view"}) is None


def test_crlf_tabs_and_a_different_first_indent():
    text = ("import os\r\n\r\nclass First:\r\n\tx = 1\r\n\r\n"
            "def unused(request):\r\n\treturn os.sep\r\n\r\n"
            "def view(request):\r\n\tif request:\r\n\t\treturn 1\r\n")
    tree = _partial(text, {"view"})
    assert tree is not None and tree.default_indent == "\t" and tree.default_newline == "\r\n"
    assert module_lines(tree).code == text


# --- the same plans and the same rewrite as a full parse --------------------------------------

def _files_with_views(root: Path):
    clear_cache()
    facts = facts_for(root, find_root(root), unrouted_callers=False)
    for path in iter_python_files([root]):
        if facts.views_in(path):
            yield facts, path


def _both_ways(facts, path: Path, options: Options):
    text = path.read_text()
    full_code, full_plan = transform.transform_source(text, path, facts, options, ENABLED, True)
    settled, tree = _settled(path, facts, options)
    code, plan = transform.transform_source(text, path, facts, options, ENABLED, True, settled, tree)
    return (full_code, [v.to_json() for v in full_plan.views]), (code, [v.to_json() for v in plan.views])


def test_every_views_module_of_the_examples_and_patterns_rewrites_as_with_a_full_parse(tmp_path):
    compared = partial = 0
    for root in _projects(tmp_path):
        for facts, path in _files_with_views(root):
            full, part = _both_ways(facts, path, Options())
            assert part == full, path
            compared += 1
            settled, tree = _settled(path, facts, Options())
            open_views = {v.name for v in facts.views_in(path)} - set(settled)
            partial += tree is not None and partial_module(path.read_text(), tree, open_views) is not None
    assert compared >= 10 and partial >= 3


IMPORT_KEPT = {
    "manage.py": "",
    "site/__init__.py": "",
    "site/urls.py": '''
        from django.urls import path
        from site import views

        urlpatterns = [path("a/", views.slow), path("b/", views.cached)]
    ''',
    "site/views.py": '''
        import time

        from django.http import HttpResponse
        from django.views.decorators.cache import cache_page


        def slow(request):
            time.sleep(1)
            return HttpResponse("slow")


        @cache_page(60)
        def cached(request):
            return HttpResponse(str(time.time()))
    ''',
}


def test_an_import_a_text_only_def_still_uses_is_kept(tmp_path):
    root = make_project(tmp_path, IMPORT_KEPT)
    facts, path = next(_files_with_views(root))
    full, part = _both_ways(facts, path, Options())
    assert part == full
    code = part[0]
    assert "import time\n" in code and "await asyncio.sleep(1)" in code and "async def slow" in code


def test_an_import_only_the_rewritten_view_used_goes(tmp_path):
    files = dict(IMPORT_KEPT)
    files["site/views.py"] = files["site/views.py"].replace("str(time.time())", '"cached"')
    root = make_project(tmp_path, files)
    facts, path = next(_files_with_views(root))
    full, part = _both_ways(facts, path, Options())
    assert part == full and "import time\n" not in part[0]


# --- hypothesis: any layout of defs, comments and blank lines ------------------------------

_PIECES = [
    "def {name}(request):\n    return HttpResponse({used})\n",
    "@decorate\ndef {name}(request):\n    return {used}(request)\n",
    "class {name}:\n    def get(self, request):\n        return {used}\n",
    "async def {name}(request):\n    return None\n",
    "{name} = {used}\n",
    "if DEBUG:\n    {name} = 1\n",
    "def {name}(request): return {used}\n",
]
_GAPS = ["", "\n", "\n\n", "# comment\n", "\n    # indented comment\n\n", "\f\n"]


@st.composite
def modules(draw):
    count = draw(st.integers(1, 7))
    names = [f"f{i}" for i in range(count)]
    parts = ["from django.http import HttpResponse\n"]
    for name in names:
        parts.append(draw(st.sampled_from(_GAPS)))
        piece = draw(st.sampled_from(_PIECES))
        parts.append(piece.format(name=name, used=draw(st.sampled_from([*names, "HttpResponse"]))))
    text = "".join(parts) + draw(st.sampled_from(["", "# end\n", "\n\n"]))
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    return text, set(draw(st.lists(st.sampled_from(names), max_size=3)))


@settings(max_examples=150, deadline=None)
@given(modules())
def test_any_layout_comes_back_byte_for_byte_with_a_full_parse_lines(case):
    text, open_views = case
    tree = _partial(text, open_views)
    if tree is None:
        return
    lines = module_lines(tree)
    assert lines.code == text
    full = cst.parse_module(text)
    assert tree.default_indent == full.default_indent and tree.default_newline == full.default_newline
    parsed = [s for s in tree.body if not isinstance(s, Unparsed)]
    full_by_line = {module_lines(full).line_of(s): s for s in full.body}
    for statement in parsed:
        twin = full_by_line[lines.line_of(statement)]
        assert _lines_by_position(tree, statement) == _lines_by_position(full, twin)
