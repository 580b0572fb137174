"""imports._used_names, told which tree the result was rewritten from, walks only what changed:
for the names it is asked about it must answer what a walk of the whole result answers."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from async_migrate import engine, imports
from async_migrate.cst_names import names_under
from async_migrate.facts import Options, clear_cache
from async_migrate.registry import all_codemods
from tests.helpers import migrate

ROOT = Path(__file__).resolve().parent.parent

SOURCES = [
    # the import stays: ``time`` is still used outside the converted view
    "import time\nfrom django.http import HttpResponse\n\n"
    "def view(request):\n    time.sleep(1)\n    return HttpResponse('ok')\n\n"
    "def helper():\n    return time.time()\n",
    # the import goes: only ``x.time`` (an attribute name) and a keyword remain
    "import time\nfrom django.http import HttpResponse\n\n"
    "def view(request):\n    time.sleep(1)\n    return HttpResponse(request.time)\n\n"
    "def helper(x):\n    return dict(y=x.time)\n",
    # ``render`` as a parameter name and inside a string: only real names count
    "from django.shortcuts import render\n\n"
    "def view(request):\n    return render(request, 'a.html', {'k': 'render'})\n\n"
    "def helper(render):\n    return render\n",
    "from django.shortcuts import render\n\n"
    "def view(request):\n    return render(request, 'a.html')\n\n"
    "x = 'render'\n",
    # ``from time import sleep`` used again by a function that is no view
    "from time import sleep\nfrom django.http import HttpResponse\n\n"
    "def view(request):\n    sleep(1)\n    return HttpResponse('ok')\n\n"
    "def helper():\n    sleep(2)\n",
]


@pytest.fixture
def checked_used_names(monkeypatch):
    real = imports._used_names
    calls = []

    def checked(tree, wanted, original=None):
        fast = real(tree, wanted, original)
        assert fast & wanted == real(tree, wanted) & wanted
        calls.append(original is not None)
        return fast

    monkeypatch.setattr(imports, "_used_names", checked)
    return calls


@pytest.mark.parametrize("source", SOURCES)
def test_sources(source: str, checked_used_names) -> None:
    migrate(source)
    assert checked_used_names == [True]


@pytest.mark.parametrize("tree", ["examples/shop/before", "examples/api/before", "tests/patterns"])
def test_projects(tree: str, checked_used_names) -> None:
    clear_cache()
    for options in (Options(), Options(unsafe=True, include_unrouted=True), Options(target=(4, 2))):
        engine.run([ROOT / tree], options, frozenset(all_codemods()), jobs=1)
    assert any(checked_used_names)


class _Reference(cst.CSTVisitor):
    """The names a LibCST visitor finds: every Name but an attribute's own name."""

    def __init__(self) -> None:
        self.found: set[str] = set()

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)
        return False

    def visit_Name(self, node: cst.Name) -> None:
        self.found.add(node.value)


TRICKY = '''\
import a.b as c
from d import (e as f, g)
@dec(x=h)
def fn(p: int = i, *args: j, k=l, **kw) -> m:
    global n
    lam = lambda q, *r: q + s
    t = f"{u!r:>{v}} {w.x}"
    y: z = [aa for bb in cc if dd]
    with ee as (ff, gg):
        del hh[ii], jj.kk
    try:
        pass
    except (ll, mm) as nn:
        raise oo from pp
    match qq:
        case {"k": rr, **ss}:
            pass
        case Tt(uu, vv=ww) | [xx, *yy]:
            pass
    return (await zz).attr
class Cls(Base, metaclass=Meta):
    attr: int = 1
'''


@pytest.mark.parametrize("path", sorted((ROOT / "src" / "async_migrate").glob("*.py")), ids=lambda p: p.name)
def test_names_under_matches_a_visitor(path: Path) -> None:
    for text in (path.read_text(encoding="utf-8"), TRICKY):
        tree = cst.parse_module(text)
        reference = _Reference()
        tree.visit(reference)
        assert names_under(tree) == reference.found
