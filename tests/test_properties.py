"""Property tests: generated Django views modules, through the engine and through the CLI.

A module is built from building blocks (a model, imports, helpers, views made of statement
templates, comments, blank lines, docstrings, random names).  Whatever the mix:

* the output parses (``ast`` and LibCST) and compiles (no ``await`` outside ``async def``);
* a second run changes nothing;
* functions and classes the plan does not convert are byte-identical in the output;
* through ``python -m async_migrate apply``, non-view files stay byte-identical and CRLF, a
  UTF-8 BOM, latin-1 with a coding cookie and tab indentation survive the rewrite.
"""

from __future__ import annotations

import ast
import builtins
import keyword
import subprocess
import sys
import textwrap
from pathlib import Path

import libcst as cst
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from async_migrate.plan import CONVERT, WRAP

from .helpers import migrate

# No shrink phase: one engine run takes tens of milliseconds and shrinking a failure took
# minutes; the generated modules are small enough to read as they are.
PHASES = [Phase.explicit, Phase.reuse, Phase.generate]
FAST = settings(max_examples=50, deadline=None, phases=PHASES, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=4, deadline=None, derandomize=True, phases=PHASES,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

IMPORTS = [
    "import time",
    "from django.db import models, transaction",
    "from django.http import HttpResponse, JsonResponse",
    "from django.shortcuts import get_object_or_404, render",
    "from django.contrib.auth.decorators import login_required",
    "from django.views.decorators.http import require_GET, require_POST",
]
RESERVED = set(keyword.kwlist) | set(keyword.softkwlist) | set(dir(builtins)) | {
    "time", "models", "transaction", "HttpResponse", "JsonResponse", "get_object_or_404", "render",
    "login_required", "require_GET", "require_POST", "request", "obj", "item", "o", "asyncio",
    "sync_to_async", "TemplateResponse", "user", "current_user", "self", "x",
}

identifiers = st.from_regex(r"\A[a-z][a-z0-9_]{0,7}\Z").filter(
    lambda s: s not in RESERVED and not s.startswith("_in_") and "__" not in s
)
comments = st.sampled_from(["# a comment", "# TODO: tidy", "#", "# naïve café"])

# Statement templates; {M} the model, {v} a variable, {h} a helper, {f} another view.
STATEMENTS = [
    "{v} = {M}.objects.get(pk=1)",
    "{v} = {M}.objects.filter(name=\"x\")",
    "{v} = {M}.objects.count()",
    "{v} = {M}.objects.filter(name__startswith=\"a\").exists()",
    "{v} = {M}.objects.first()",
    "for obj in {M}.objects.all():\n    {v} = obj.pk",
    "{v} = [o.name for o in {M}.objects.filter(pk__gt=0)]",
    "obj = {M}(name=\"n\")\nobj.save()",
    "{v} = get_object_or_404({M}, pk=1)",
    "{v} = request.user",
    "{v} = request.user.is_authenticated",
    "time.sleep(0.01)",
    "with transaction.atomic():\n    {M}.objects.create(name=\"a\")\n    {v} = 1",
    "with transaction.atomic():\n    {v} = {M}.objects.create(name=\"b\")\n{v} = {v}.pk",
    "{v} = {h}(1)",
    "{v} = 1 + 2",
    "if {v}:\n    {v} = None\nelse:\n    {v} = [1, 2]",
    "{v} = {{\"k\": 'v', \"n\": (1, 2)}}",
    "{v} = len(\"abc\")  # trailing comment",
    "{v} = lambda x: x + 1",
    "{v} = 'caf\u00e9'",
]
RETURNS = [
    "return render(request, \"page.html\", {{\"v\": 1}})",
    "return JsonResponse({{\"ok\": True}})",
    "return HttpResponse(\"done\")",
]
# A view calling another view: excluded from the generic properties until the second-run bug
# (see test_view_called_by_another_view_stays_sync_on_a_second_run) is fixed.
CALLS_VIEW = "{v} = {f}(request)"
DECORATORS = ["@login_required", "@require_GET", "@require_POST"]
HELPERS = [
    "def {h}(x):\n    return {M}.objects.filter(pk=x).count()",
    "def {h}(x):\n    return x * 2",
    "def {h}(x):\n    \"\"\"Helper.\"\"\"\n    # keep me\n    return [x]",
]


@st.composite
def modules(draw, statements: list[str] = STATEMENTS) -> str:
    """Source text of one generated views module."""
    names = draw(st.lists(identifiers, min_size=8, max_size=8, unique=True))
    model = names[0].capitalize() + "Model"
    helpers = [f"{n}_helper" for n in names[1:3]]
    view_names = [f"{n}_view" for n in names[3:3 + draw(st.integers(1, 4))]]
    variables = [f"{n}_v" for n in names[3:]]
    parts = []
    if draw(st.booleans()):
        parts.append('"""Generated views."""\n')
    imports = draw(st.permutations(IMPORTS))
    parts.append("\n".join(imports) + "\n")
    parts.append(f"\n\nclass {model}(models.Model):\n    name = models.CharField(max_length=50)\n")
    for h in helpers:
        template = draw(st.sampled_from(HELPERS))
        parts.append("\n\n" + template.format(h=h, M=model) + "\n")
    for i, view in enumerate(view_names):
        lines: list[str] = []
        if draw(st.booleans()):
            lines.append(f'"""View {view}."""')
        atomic_used = False
        for _ in range(draw(st.integers(0, 6))):
            kind = draw(st.integers(0, 9))
            if kind == 0:
                lines.append(draw(comments))
            elif kind == 1:
                lines.append("")
            else:
                template = draw(st.sampled_from(statements))
                if template.startswith("with transaction") and atomic_used:
                    continue   # one atomic block per view: see test_two_atomic_blocks_binding_one_name
                atomic_used = atomic_used or template.startswith("with transaction")
                others = [v for v in view_names if v != view] or helpers
                lines.append(template.format(M=model, v=draw(st.sampled_from(variables)),
                                             h=draw(st.sampled_from(helpers)),
                                             f=draw(st.sampled_from(others))))
        lines.append(draw(st.sampled_from(RETURNS)).format())
        body = textwrap.indent("\n".join(lines), "    ", lambda line: bool(line))
        head = "".join(d + "\n" for d in draw(st.lists(st.sampled_from(DECORATORS), max_size=2, unique=True)))
        skip = "  # async-migrate: skip" if draw(st.integers(0, 7)) == 0 else ""
        parts.append(f"\n\n{head}def {view}(request):{skip}\n{body}\n")
    return "".join(parts)


def segments(code: str) -> dict[str, str]:
    """Source of each top-level def/class (from its first decorator), by name."""
    lines = code.splitlines(keepends=True)
    out = {}
    for node in ast.parse(code).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            start = min([node.lineno] + [d.lineno for d in node.decorator_list])
            out[node.name] = "".join(lines[start - 1:node.end_lineno])
    return out


def awaits_outside_async(tree: ast.AST) -> list[int]:
    """Lines of await / async for / async with / async comprehensions not directly in an async def."""
    bad: list[int] = []

    def visit(node: ast.AST, in_async: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.AsyncFunctionDef):
                visit(child, True)
            elif isinstance(child, (ast.FunctionDef, ast.Lambda, ast.ClassDef)):
                visit(child, False)
            else:
                is_async = isinstance(child, (ast.Await, ast.AsyncFor, ast.AsyncWith)) or (
                    isinstance(child, ast.comprehension) and child.is_async)
                if is_async and not in_async:
                    bad.append(getattr(child, "lineno", getattr(node, "lineno", 0)))
                visit(child, in_async)

    visit(tree, False)
    return bad


def check_output(source: str, code: str, plan) -> None:
    tree = ast.parse(code)
    cst.parse_module(code)
    assert awaits_outside_async(tree) == []
    compile(code, "<views>", "exec")   # CPython's own check of await placement
    converted = {view.name for view in plan.views if view.decision in (CONVERT, WRAP)}
    before, after = segments(source), segments(code)
    assert set(after) >= set(before)
    for name, text in before.items():
        if name not in converted:
            assert after[name] == text, f"{name} is not converted but changed"
        else:
            assert after[name].lstrip().startswith(("async def", "@")), name


@FAST
@given(modules())
def test_engine_output_parses_is_idempotent_and_leaves_the_rest_alone(source):
    ast.parse(source)
    code, plan = migrate(source)
    check_output(source, code, plan)
    again, _ = migrate(code)
    assert again == code, "a second run must change nothing"


@settings(FAST, max_examples=30)
@given(modules(), st.sampled_from(["4.1", "4.2", "5.0", "5.1", "5.2", "6.0"]), st.booleans())
def test_any_target_version_and_unsafe_flag_keep_the_invariants(source, target, unsafe):
    code, plan = migrate(source, target=target, unsafe=unsafe)
    check_output(source, code, plan)
    again, _ = migrate(code, target=target, unsafe=unsafe)
    assert again == code


def test_two_atomic_blocks_binding_one_name_still_compile():
    source = textwrap.dedent('''\
        from django.db import models, transaction
        from django.http import HttpResponse


        class Item(models.Model):
            name = models.CharField(max_length=50)


        def view(request):
            with transaction.atomic():
                Item.objects.create(name="a")
                v = 1
            with transaction.atomic():
                Item.objects.create(name="b")
                v = 2
            return HttpResponse("done")
    ''')
    code, plan = migrate(source)
    assert "async def view" in code
    compile(code, "<views>", "exec")


def test_view_called_by_another_view_stays_sync_on_a_second_run():
    source = textwrap.dedent('''\
        import time

        from django.http import HttpResponse
        from django.shortcuts import render


        def outer(request):
            inner(request)
            return render(request, "page.html", {})


        def inner(request):
            time.sleep(0)
            return HttpResponse("x")
    ''')
    code, plan = migrate(source)
    assert "sync_to_async(inner)" in code and "\ndef inner(request):" in code
    again, _ = migrate(code)
    assert again == code


def test_lone_cr_line_endings_round_trip():
    """LibCST drops a final lone "\\r"; the engine puts it back (transform.transform_source)."""
    source = "X = 1\r\r\rdef helper(a):\r    return a\r"
    assert migrate(source)[0] == source
    view = "from django.http import HttpResponse\r\r\rdef v(request):\r    return HttpResponse()\r"
    code, _ = migrate(view)
    assert code == view.replace("def v", "async def v")


# ------------------------------------------------------------------ through the CLI
# A CLI run costs about a second, so each test puts several apps in one tree and runs once.


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "async_migrate", *args], capture_output=True, timeout=300)


def view_names(source: str) -> list[str]:
    return [n.name for n in ast.parse(source).body
            if isinstance(n, ast.FunctionDef) and n.args.args and n.args.args[0].arg == "request"]


OTHER_FILES = {   # non-view files of each app: they must stay byte-identical
    "__init__.py": b"",
    "utils.py": b"\xef\xbb\xbfdef helper(request):\r\n\treturn request.user\r\n",
    "legacy.py": b"# -*- coding: latin-1 -*-\nNAME = '\xe9t\xe9'\n\n\ndef view(request):\n    return None\n",
    "mixed.py": b"a = 1\r\nb = 2\n\rc = 3\r",
    "notes.txt": b"not python \x00\xff\n",
    "data.json": b'{"a": 1}\n',
}


def make_project(root: Path, apps: dict[str, tuple[bytes, list[str]]]) -> dict[str, bytes]:
    """A project with one app per entry (views bytes, routed view names).

    Returns the bytes of every file that is not a views module, by relative path.
    """
    others = {"manage.py": b"#!/usr/bin/env python\nimport sys\n"}
    includes = []
    for app, (views, names) in apps.items():
        routes = ", ".join(f"path('{i}/', views.{name})" for i, name in enumerate(names))
        others[f"{app}/urls.py"] = (f"from django.urls import path\n\nfrom . import views\n\n"
                                    f"urlpatterns = [{routes}]\n").encode()
        others.update({f"{app}/{name}": data for name, data in OTHER_FILES.items()})
        (root / app).mkdir(parents=True)
        (root / app / "views.py").write_bytes(views)
        includes.append(f"path('{app}/', include('{app}.urls'))")
    for rel, data in others.items():
        (root / rel).write_bytes(data)
    return others


def no_temp_files(root: Path) -> None:
    leftovers = [p for p in root.rglob("*") if p.name.endswith(".tmp") or p.name.startswith(".views.py.")]
    assert leftovers == []


SHOP_VIEWS = '''\
"""Shop views; caf\u00e9."""
import time

from django.db import models, transaction
from django.http import JsonResponse
from django.shortcuts import render


class Book(models.Model):
    title = models.CharField(max_length=100)


def _helper(x):
    # r\u00e9sum\u00e9
    return Book.objects.filter(title=x).count()


def book_list(request):
    """List the books."""
    books = [b.title for b in Book.objects.all()]
    if books:
        n = Book.objects.count()
    for b in Book.objects.filter(title="x"):
        b.save()
    time.sleep(1)
    with transaction.atomic():
        Book.objects.create(title="y")
    user = request.user
    k = _helper("a")
    return render(request, "x.html", {"books": books, "n": n, "u": user, "k": k})


def plain(request):
    # comment

    x = 1 + 2
    return JsonResponse({"x": x})


def not_a_view(a, b):
    return a + b
'''

STYLES = {
    "lf": dict(newline="\n", encoding="utf-8", bom=False, tabs=False),
    "crlf": dict(newline="\r\n", encoding="utf-8", bom=False, tabs=False),
    "cr": dict(newline="\r", encoding="utf-8", bom=False, tabs=False),
    "bom": dict(newline="\n", encoding="utf-8", bom=True, tabs=False),
    "bom_crlf": dict(newline="\r\n", encoding="utf-8", bom=True, tabs=False),
    "latin1": dict(newline="\n", encoding="latin-1", bom=False, tabs=False),
    "latin1_crlf_tabs": dict(newline="\r\n", encoding="latin-1", bom=False, tabs=True),
    "tabs": dict(newline="\n", encoding="utf-8", bom=False, tabs=True),
}


def styled(text: str, newline: str, encoding: str, bom: bool, tabs: bool) -> bytes:
    """``text`` (LF, 4-space indents) stored in the given style."""
    if tabs:
        text = "\n".join("\t" * ((len(line) - len(line.lstrip(" "))) // 4) + line.lstrip(" ")
                         for line in text.split("\n"))
    if encoding != "utf-8":
        text = f"# -*- coding: {encoding} -*-\n" + text
    data = text.replace("\n", newline).encode(encoding)
    return b"\xef\xbb\xbf" + data if bom else data


def unstyled(data: bytes, newline: str, encoding: str, bom: bool, tabs: bool) -> str:
    """Decode ``data`` exactly as it was stored, checking BOM, codec, line endings and indents."""
    assert data.startswith(b"\xef\xbb\xbf") == bom
    text = (data[3:] if bom else data).decode(encoding)   # the same codec still decodes it
    for line in text.splitlines(keepends=True):
        ending = line[len(line.rstrip("\r\n")):]
        assert ending in ("", newline), f"line ending {ending!r} in {line!r}"
    assert text.endswith(newline)
    indents = {ch for line in text.splitlines() for ch in line[: len(line) - len(line.lstrip(" \t"))]}
    assert indents <= ({"\t"} if tabs else {" "}), f"indentation {indents} in a {'tab' if tabs else 'space'} file"
    if encoding != "utf-8":
        assert text.startswith(f"# -*- coding: {encoding} -*-")
    ast.parse(text)
    return text


def test_encodings_newlines_bom_and_tabs_survive_apply(tmp_path):
    apps = {f"app_{name}": (styled(SHOP_VIEWS, **spec), ["book_list", "plain"]) for name, spec in STYLES.items()}
    others = make_project(tmp_path, apps)
    result = cli("apply", "--quiet", "--no-color", str(tmp_path))
    assert result.returncode == 0, result.stderr.decode()
    for app, (before, _) in apps.items():
        spec = STYLES[app.removeprefix("app_")]
        after = (tmp_path / app / "views.py").read_bytes()
        assert after != before, f"{app}: the views should have changed"
        old, new = segments(unstyled(before, **spec)), segments(unstyled(after, **spec))
        for name in ("Book", "_helper", "not_a_view"):   # byte-identical outside the converted views
            assert new[name] == old[name], f"{app}: {name}"
        assert new["book_list"].startswith("async def") and new["plain"].startswith("async def"), app
    for rel, data in others.items():
        assert (tmp_path / rel).read_bytes() == data, rel
    no_temp_files(tmp_path)
    again = cli("diff", "--check", "--quiet", str(tmp_path))
    assert again.returncode == 0, again.stderr.decode()


@SLOW
@given(st.lists(st.tuples(modules(), st.sampled_from(sorted(STYLES))), min_size=1, max_size=6))
def test_generated_projects_through_the_cli(tmp_path_factory, apps):
    """apply: views keep their style and the plan's invariants; everything else is byte-identical."""
    root = tmp_path_factory.mktemp("proj")
    specs = {f"app{i}": STYLES[style] for i, (_, style) in enumerate(apps)}
    sources = {f"app{i}": source for i, (source, _) in enumerate(apps)}
    others = make_project(root, {app: (styled(sources[app], **specs[app]), view_names(sources[app]))
                                 for app in sources})
    result = cli("apply", "--quiet", "--no-color", str(root))
    assert result.returncode == 0, result.stderr.decode()
    for rel, data in others.items():
        assert (root / rel).read_bytes() == data, rel
    for app, spec in specs.items():
        text = unstyled((root / app / "views.py").read_bytes(), **spec)
        assert awaits_outside_async(ast.parse(text)) == []
        compile(text, f"{app}/views.py", "exec")
        converted = {n.name for n in ast.parse(text).body if isinstance(n, ast.AsyncFunctionDef)}
        before = segments(unstyled(styled(sources[app], **spec), **spec))
        after = segments(text)
        for name, segment in before.items():
            if name not in converted:
                assert after[name] == segment, f"{app}: {name}"
    no_temp_files(root)
    again = cli("diff", "--check", "--quiet", str(root))
    assert again.returncode == 0, again.stderr.decode()
