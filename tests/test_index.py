"""The project index: summaries instead of kept trees, parallel loading, and the files it
settles without LibCST (issue 7, scale)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from async_migrate import engine, project as project_module, transform
from async_migrate.engine import _decided_by_index, process_file, run
from async_migrate.facts import Options, clear_cache, facts_for
from async_migrate.files import iter_python_files
from async_migrate.project import TREES, WORD, Project, find_root, words_of
from async_migrate.registry import all_codemods

from .test_plan import FILES, make_project, plan_of

REPO = Path(__file__).resolve().parent.parent
ENABLED = frozenset(all_codemods())

UNROUTED = {
    "manage.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "site.settings")\n',
    "site/__init__.py": "",
    "site/settings.py": 'ROOT_URLCONF = "site.urls"\n',
    "site/urls.py": '''
        from django.urls import path
        from site import views

        urlpatterns = [path("", views.routed)]
    ''',
    "site/views.py": '''
        from django.http import HttpResponse

        def routed(request):
            return legacy(request)

        def legacy(request):
            return HttpResponse("l")
    ''',
    "site/extra_views.py": '''
        from django.http import HttpResponse, JsonResponse
        from django.views import View


        def plain(request):
            return HttpResponse("p")


        @some_decorator
        def decorated(request, pk):
            return HttpResponse(str(pk))
    ''',
    "site/async_views.py": '''
        from django.http import HttpResponse, JsonResponse
        from django.views import View


        async def already(request):
            return HttpResponse("a")


        class AsyncHandlers(View):
            async def get(self, request):
                return JsonResponse({})
    ''',
    "site/mixed_views.py": '''
        from django.http import JsonResponse
        from django.views import View


        class Mixed(View):
            def get(self, request):
                return JsonResponse({})

            async def post(self, request):
                return JsonResponse({})
    ''',
    "site/skipped_views.py": '''
        from django.http import HttpResponse

        def kept(request):  # async-migrate: skip
            return HttpResponse("k")

        def other(request):
            return HttpResponse("o")
    ''',
}


@pytest.fixture
def parsed(monkeypatch) -> list[str]:
    """The names of the files that reach the LibCST pass, as a run goes."""
    names: list[str] = []
    real = transform.transform_source
    monkeypatch.setattr(transform, "transform_source",
                        lambda text, path, *rest: names.append(path.name) or real(text, path, *rest))
    return names


# Views whose shape keeps them sync, each file settled by the index alone (view_shape).
SHAPES = {
    "manage.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "site.settings")\n',
    "site/__init__.py": "",
    "site/settings.py": 'ROOT_URLCONF = "site.urls"\n',
    "site/urls.py": '''
        from django.urls import path
        from site import called_views, decorated_views, generic_views, guarded_views
        from site.decorated_views import in_urls
        from django.views.decorators.cache import cache_page

        urlpatterns = [
            path("called/", called_views.called),
            path("list/", generic_views.Listing.as_view()),
            path("empty/", generic_views.Empty.as_view()),
            path("guarded/", guarded_views.Guarded.as_view()),
            path("child/", guarded_views.Child.as_view()),
            path("cached/", decorated_views.cached),
            path("custom/", decorated_views.custom),
            path("class/", decorated_views.Decorated.as_view()),
            path("handler/", decorated_views.HandlerDecorated.as_view()),
            path("in-urls/", cache_page(60)(in_urls)),
        ]
    ''',
    "site/decorated_views.py": '''
        from django.http import HttpResponse
        from django.utils.decorators import method_decorator
        from django.views import View
        from django.views.decorators.cache import cache_page

        from site.tools import audited, tag


        @cache_page(60)
        def cached(request):
            return HttpResponse("c")


        @audited
        def custom(request):
            return HttpResponse("c")


        @tag
        class Decorated(View):
            def get(self, request):
                return HttpResponse("d")


        class HandlerDecorated(View):
            @audited
            def get(self, request):
                return HttpResponse("h")


        def in_urls(request):
            return HttpResponse("u")
    ''',
    "site/tools.py": '''
        def audited(view):
            return view


        def tag(cls):
            return cls
    ''',
    "site/called_views.py": '''
        from django.http import HttpResponse

        def called(request):
            return HttpResponse("c")
    ''',
    "site/caller.py": '''
        from site.called_views import called

        def elsewhere(request):
            return called(request)
    ''',
    "site/generic_views.py": '''
        from django.views import View
        from django.views.generic import ListView


        class Listing(ListView):
            template_name = "x.html"


        class Empty(View):
            template_name = "y.html"
    ''',
    "site/guarded_views.py": '''
        from django.http import HttpResponse
        from django.views import View


        class Guard:
            def dispatch(self, request, *args, **kwargs):
                return super().dispatch(request, *args, **kwargs)


        class Guarded(Guard, View):
            def get(self, request):
                return HttpResponse("g")


        class Base(View):
            def get(self, request):
                return HttpResponse("b")


        class Child(Base):
            def post(self, request):
                return HttpResponse("p")
    ''',
}


def test_shapes_that_keep_a_view_sync_are_settled_by_the_index(tmp_path, parsed):
    root = make_project(tmp_path, SHAPES)
    plan = plan_of(root)
    assert parsed == []   # no file needed LibCST
    assert plan["called"] == ("sync", "called directly by site/caller.py:4 (a sync caller would get a coroutine)")
    assert plan["Listing"] == ("sync", "generic view (ListView): Django runs its machinery sync")
    assert plan["Empty"] == ("sync", "no HTTP handler methods")
    assert plan["Guarded"] == ("sync", "Guard overrides dispatch(), which Django calls on the event loop: "
                                       "it would have to become async too")
    assert plan["Child"][0] == "sync" and plan["Child"][1].startswith("inherits handler")
    assert plan["cached"] == plan["in_urls"] == (
        "sync", "@cache_page is not async-safe (runs its middleware on the event loop)")
    custom = "decorator site.tools.audited may not support async views (list it in async-safe-decorators if it does)"
    assert plan["custom"] == plan["HandlerDecorated"] == ("sync", custom)
    assert plan["Decorated"] == ("sync", "class decorator site.tools.tag wraps dispatch (sync)")


def test_a_decorator_listed_as_async_safe_leaves_the_view_to_the_full_pass(tmp_path, parsed):
    root = make_project(tmp_path, SHAPES)
    plan = plan_of(root, async_safe_decorators=frozenset({"audited"}))
    assert set(parsed) == {"decorated_views.py"}
    assert plan["custom"][0] == plan["HandlerDecorated"][0] == "convert"


def _projects(tmp_path: Path) -> list[Path]:
    return [REPO / "examples" / "shop" / "before", REPO / "examples" / "api" / "before",
            REPO / "tests" / "patterns", make_project(tmp_path / "plan", FILES),
            make_project(tmp_path / "unrouted", UNROUTED), make_project(tmp_path / "shapes", SHAPES)]


@pytest.mark.parametrize("include_unrouted", [False, True])
def test_files_the_index_settles_report_what_the_full_pass_reports(tmp_path, include_unrouted):
    """Every file decided without LibCST gets the very view entries the LibCST pass gives."""
    options = Options(include_unrouted=include_unrouted)
    settled_views = 0
    for root in _projects(tmp_path):
        clear_cache()
        facts = facts_for(root, find_root(root), unrouted_callers=include_unrouted)
        for path in iter_python_files([root]):
            decided = _decided_by_index(path, facts, options)
            if decided is None:
                continue
            full = process_file(path, options, ENABLED, find_root(root))
            assert full.error is None and not full.changed, path
            assert decided.views == full.views, path
            settled_views += len(decided.views)
    assert settled_views >= (7 if include_unrouted else 9)


def test_unrouted_views_never_reach_libcst(tmp_path, parsed):
    root = make_project(tmp_path, UNROUTED)
    plan = plan_of(root)
    # mixed handlers, a skip comment, a routed view: the rest is settled by the index
    assert sorted(set(parsed)) == ["mixed_views.py", "skipped_views.py", "views.py"]
    assert plan["plain"] == plan["decorated"] == (
        "not routed", "no urls.py routes to it (--include-unrouted converts it)")
    assert plan["already"] == ("already async", "already async def")
    assert plan["AsyncHandlers"] == ("already async", "handlers already async")
    assert plan["Mixed"][0] == "sync" and "mixes sync and async handlers" in plan["Mixed"][1]
    assert plan["kept"] == ("suppressed", "# async-migrate: skip")
    assert plan["routed"][0] == "convert"


def test_direct_callers_of_unrouted_views_count_with_include_unrouted(tmp_path):
    root = make_project(tmp_path, UNROUTED)
    assert plan_of(root)["legacy"][0] == "not routed"
    legacy = plan_of(root, include_unrouted=True)["legacy"]
    assert legacy[0] == "sync" and "called directly by site/views.py:4" in legacy[1]


def test_a_tiny_tree_cache_gives_the_same_plan(tmp_path, monkeypatch):
    """Trees are parsed again on demand: evicting them changes nothing but time."""
    root = make_project(tmp_path, FILES)
    expected = plan_of(root)
    monkeypatch.setattr(TREES, "size", 1)
    TREES.clear()
    assert plan_of(root) == expected


def test_parallel_load_gives_the_serial_index(monkeypatch):
    monkeypatch.setattr(project_module, "PARALLEL_LOAD_MIN", 1)
    root = REPO / "examples" / "shop" / "before"
    waits = []
    serial = Project.load(root, jobs=1, while_parsing=lambda: waits.append("serial"))
    parallel = Project.load(root, jobs=2, while_parsing=lambda: waits.append("parallel"))
    assert waits == ["parallel"]   # called once, only while workers parse
    assert list(serial.modules) == list(parallel.modules) and len(serial.modules) > 20
    for name, module in serial.modules.items():
        other = parallel.modules[name]
        assert (module.path, module.text, module.imports, module.function_info, module.class_info) == (
            other.path, other.text, other.imports, other.function_info, other.class_info), name
    # and the tree of a module loaded by a worker is parsed again in this process when asked for
    assert set(parallel.modules["catalog.views"].functions) == set(serial.modules["catalog.views"].function_info)


def test_run_with_a_pool_loads_the_index_in_workers(tmp_path, monkeypatch):
    monkeypatch.setattr(project_module, "PARALLEL_LOAD_MIN", 1)
    root = make_project(tmp_path, FILES)
    clear_cache()
    pooled = run([root], Options(), ENABLED, jobs=2)
    clear_cache()
    serial = run([root], Options(), ENABLED, jobs=1)
    assert [(f.path, f.new, f.views) for f in pooled.files] == [(f.path, f.new, f.views) for f in serial.files]


def test_libcst_loads_while_the_index_workers_parse_in_a_django_project(tmp_path, monkeypatch):
    """A manage.py at the root and a urls or views module among the files, walked or named."""
    monkeypatch.setattr(project_module, "PARALLEL_LOAD_MIN", 1)
    calls = []
    monkeypatch.setattr(engine, "_load_libcst", lambda: calls.append("libcst"))
    site = make_project(tmp_path / "site", FILES)
    library = make_project(tmp_path / "library", {k: v for k, v in FILES.items() if k != "manage.py"})
    views = sorted(site.rglob("views.py"))[0]
    cases = [
        (site, True),
        (views.parent, True),            # a folder of the project: its root has the manage.py
        (library, False),                # no manage.py: a library (Django's own source) routes no view
        (views, True),                   # files named, as a pre-commit hook does
        (site / "manage.py", False),     # no urls or views module named: nothing to rewrite
    ]
    for path, loads in cases:
        calls.clear()
        clear_cache()
        run([path], Options(), ENABLED, jobs=2)
        assert calls == (["libcst"] if loads else []), path


def test_uses_are_whole_words_and_not_definitions():
    from async_migrate.discovery import _lines_at, _uses

    text = "def view(request):\n    pass\nviews = 1\r\n_view = 2\rx = view(r)\nobj.view\n  view\n"
    assert _lines_at(text, list(_uses(text, "view"))) == {5, 6, 7}


def test_a_missing_path_is_one_error_and_indexes_nothing(tmp_path, monkeypatch):
    """``diff missing/`` once indexed the whole folder around it (from /tmp: minutes)."""
    make_project(tmp_path, FILES)
    monkeypatch.setattr(engine, "facts_for", lambda *a, **k: pytest.fail("indexed a folder"))
    result = run([tmp_path / "missing"], Options(), ENABLED, jobs=1)
    assert [(f.path.name, f.error) for f in result.files] == [("missing", "no such file or directory")]


def test_a_run_the_index_settles_never_loads_libcst(tmp_path):
    """Startup is part of every run: LibCST (about 0.3 s to import) loads only for files it rewrites."""
    import subprocess
    import sys

    files = {k: v for k, v in UNROUTED.items() if k not in ("site/views.py", "site/mixed_views.py",
                                                             "site/skipped_views.py", "site/urls.py")}
    root = make_project(tmp_path, files)
    script = ("import sys\nfrom async_migrate.cli import app\n"
              "try:\n    app()\nexcept SystemExit:\n    pass\n"
              "print('libcst loaded:', 'libcst' in sys.modules, file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", script, "diff", "--json", str(root)],
                          capture_output=True, text=True, timeout=120)
    assert "libcst loaded: False" in done.stderr, done.stderr
    assert '"not routed"' in done.stdout


def test_a_run_that_rewrites_never_loads_libcst_codemod(tmp_path):
    """``libcst.codemod`` (and its matchers, about 0.25 s to import) is only for LibCST's own
    runner: the engine rewrites without it, and the codemod modules build their command lazily.
    Nor does the CLI load pydantic (typer 0.29 parses every option through it: +0.12 s a run),
    nor rich for ``--json`` (40 ms: nothing is printed for people)."""
    import subprocess
    import sys

    root = make_project(tmp_path, FILES)
    script = ("import sys\nfrom async_migrate.cli import app\n"
              "try:\n    app()\nexcept SystemExit:\n    pass\n"
              "print('loaded:', sorted(m for m in ('libcst', 'libcst.codemod', 'libcst.matchers', 'pydantic', "
              "'rich') if m in sys.modules), file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", script, "diff", "--jobs", "1", str(root)],
                          capture_output=True, text=True, timeout=120)
    assert "loaded: ['libcst', 'rich']" in done.stderr, done.stderr
    assert "+async def" in done.stdout
    done = subprocess.run([sys.executable, "-c", script, "diff", "--json", "--jobs", "1", str(root)],
                          capture_output=True, text=True, timeout=120)
    assert "loaded: ['libcst']" in done.stderr, done.stderr
    assert '"decision": "convert"' in done.stdout


def test_a_run_walks_the_tree_once_and_reports_paths_as_given(tmp_path, monkeypatch):
    root = make_project(tmp_path / "proj", FILES)
    (root / "broken.py").symlink_to(root / "nowhere.py")
    monkeypatch.chdir(tmp_path)
    walks = []
    for module in (engine, project_module):
        real = module.iter_python_files
        monkeypatch.setattr(module, "iter_python_files", lambda paths, *a, real=real: walks.append(paths) or real(paths, *a))
    clear_cache()
    fresh = [(str(f.path), f.error) for f in run([Path("proj")], Options(), ENABLED, jobs=1).files]
    assert walks == [[Path("proj")]]   # the index reuses the run's walk of its root
    assert ("proj/broken.py", "broken symlink") in fresh and all(p.startswith("proj/") for p, _ in fresh)
    walks.clear()
    clear_cache()
    excluded = run([Path("proj")], Options(), ENABLED, jobs=1, exclude=("blog",))
    assert len(walks) == 2   # with --exclude the index still walks (and knows) the whole root
    assert all("blog" not in str(f.path) for f in excluded.files)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x7f)) | st.text())
def test_words_of_finds_what_the_word_regex_finds(text):
    """The ASCII fast path (translate and split) is the regex's answer, control characters included."""
    assert words_of(text) == frozenset(WORD.findall(text))


def _summary(module):
    return module.imports, module.function_info, module.class_info


def test_a_module_the_index_only_checks_gets_its_summary_on_first_use(tmp_path):
    (tmp_path / "manage.py").write_text("")
    helpers = "import math\nfrom .models import Item\n\n\nclass Cache:\n    def get(self): ...\n\n\ndef area(r):\n    return math.pi * r * r\n"
    (tmp_path / "helpers.py").write_text(helpers)
    (tmp_path / "broken.py").write_text("def broken(:\n")
    loaded = Project.load(tmp_path)
    module = loaded.modules["helpers"]
    assert not module.indexed and "imports" not in vars(module)   # not parsed by the index
    assert module not in loaded.defining_modules()
    expected = project_module.Module.from_text("helpers", module.path, helpers)
    assert _summary(module) == _summary(expected)
    assert module.qualify(ast_name("Item")) == "models.Item"
    assert "broken" not in loaded.modules   # a syntax error keeps a module out, as before


def ast_name(name: str):
    import ast

    return ast.Name(name, ast.Load())


def test_modules_checked_while_the_passes_run_give_the_serial_result(tmp_path, monkeypatch):
    """On a big tree the modules no pass needs are checked to parse while the passes run
    (``Project.checking``): same views, same rewrites, the broken one reported, even when a
    pass reads it before the check has dropped it (it reads as empty)."""
    monkeypatch.setattr(project_module, "PARALLEL_LOAD_MIN", 1)
    monkeypatch.setattr(project_module, "CHECK_LATER_MIN", 1)
    files = dict(FILES)
    files["shop/broken.py"] = "def index(:\n"   # names a view: the callers search reads it
    files["shop/fine.py"] = "LIMIT = 3\n\n\ndef double(x):\n    return 2 * x\n"
    root = make_project(tmp_path, files)
    checked_later = []
    real = Project.checking

    def checking(self, jobs):
        checked_later.extend(sorted(m.name for m in self.modules.values() if not m.checked))
        return real(self, jobs)

    monkeypatch.setattr(Project, "checking", checking)
    clear_cache()
    pooled = run([root], Options(), ENABLED, jobs=2)
    assert {"shop.broken", "shop.fine"} <= set(checked_later)
    monkeypatch.setattr(project_module, "CHECK_LATER_MIN", 10**9)
    clear_cache()
    serial = run([root], Options(), ENABLED, jobs=1)
    assert [(f.path, f.new, f.views, f.error) for f in pooled.files] == [
        (f.path, f.new, f.views, f.error) for f in serial.files]
    assert [f.path.name for f in pooled.errors] == ["broken.py"]
    assert "syntax error" in pooled.errors[0].error


def _callers(root: Path) -> dict[str, list[str]]:
    clear_cache()
    return {key: view.callers for key, view in facts_for(root, unrouted_callers=True).views.items()}


def test_the_callers_search_skips_only_modules_where_no_use_can_name_a_view(tmp_path, monkeypatch):
    """``_may_resolve`` (text and summary, no parse) leaves out a module only where the full
    search (parse, walk, qualify, lookup) finds nothing: the same callers either way."""
    from async_migrate import discovery

    files = dict(FILES)
    files["shop/other.py"] = '''
        import shop.views
        from shop import views as v

        def a(rf):
            return shop.views.index(rf), v.called(rf), reverse("index")

        def b(obj):
            return obj.index, "called"
    '''
    roots = [make_project(tmp_path / "files", files), REPO / "examples" / "shop" / "before",
             REPO / "examples" / "api" / "before", REPO / "tests" / "patterns"]
    found = [_callers(root) for root in roots]
    assert any(callers for result in found for callers in result.values())
    assert any("other.py:5" in c for callers in found[0].values() for c in callers), found[0]
    monkeypatch.setattr(discovery, "_may_resolve", lambda *args: True)
    assert [_callers(root) for root in roots] == found


@pytest.mark.parametrize("code, head", [
    ("index(r)", None), ('reverse("index")', None), ("views.index(r)", "views"),
    ("shop.views.index", "shop"), ("self.index", "self"), ("f().index", ""), ("x[0].index", ""),
    ("(views.\n index)", ""), ("views . index", ""), ("'a'.index", ""),
])
def test_attribute_head(code, head):
    from async_migrate.discovery import _attribute_head

    assert _attribute_head(code, code.rindex("index")) == head


PEP_701 = {
    **FILES,
    "shop/models.py": '''
        from django.db import models

        class Item(models.Model):
            name = models.CharField(max_length=10)
            tags = models.ManyToManyField("Tag")

            @property
            def label(self):
                return f"{self.name} ({", ".join(t.name for t in self.tags.all())})"

        class Tag(models.Model):
            name = models.CharField(max_length=10)
    ''',
    "shop/label_views.py": '''
        from django.http import HttpResponse
        from .models import Item

        def label(request, pk):
            item = Item.objects.get(pk=pk)
            return HttpResponse(item.label)
    ''',
    "shop/urls.py": FILES["shop/urls.py"].replace("urlpatterns = [", "from .label_views import label\n\n        urlpatterns = [\n            path(\"label/\", label),"),
}


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_module_only_libcst_can_read_is_indexed(tmp_path, monkeypatch, jobs):
    """3.12 f-strings (PEP 701): index workers hand the module back, this process reads it with
    LibCST; its models are known, so reading a property that queries is wrapped."""
    monkeypatch.setattr(project_module, "PARALLEL_LOAD_MIN", 1)
    root = make_project(tmp_path, PEP_701)
    clear_cache()
    assert set(Project.load(root, jobs=jobs).modules["shop.models"].class_info) == {"Item", "Tag"}
    clear_cache()
    [view] = [v for v in run([root], Options(), ENABLED, jobs=jobs).views if v["view"] == "label"]
    assert view["decision"] == "wrap", view["reason"]
    assert any(p["message"].startswith(".label is a property that uses the database") for p in view["points"])


@pytest.mark.parametrize("code, lines", [
    ("def other(request):\n    return view(request)\n", [2]),
    ("def other(request):\n    view = make()\n    return view.render()\n", []),           # a local of that name
    ("def other(request, view):\n    return view(request)\n", []),                         # a parameter
    ("def other(request):\n    global view\n    view = 1\n    return view(request)\n", [4]),   # declared global
    ("def other(request):\n    def inner():\n        view = 1\n    return view(request)\n", [4]),   # inner's local only
    ("def other(request, cb=view):\n    view = 1\n    return cb\n", [1]),                  # a default: outer scope
    ("rows = [view for view in views]\nx = [view(r) for r in rs]\n", [2]),                 # comprehension target
    ("f = lambda view: view(1)\ng = lambda r: view(r)\n", [2]),
    ("class C:\n    view = 1\n    def m(self):\n        return view(self)\n", [4]),       # class scope skipped
])
def test_references_ignore_names_a_local_binding_hides(code, lines):
    """django-helpdesk's kb.category view and a local variable named ``category``."""
    from async_migrate.discovery import _references

    tree = ast.parse(code)
    every_line = list(range(1, code.count("\n") + 2))
    assert sorted(n.lineno for n in _references(tree, {"view"}, every_line)) == lines


def test_references_walk_only_what_spans_a_line_naming_a_view():
    """The callers search passes the lines where the text names a view: the rest is not walked
    (a decorator's line counts for the function under it)."""
    from async_migrate.discovery import _references

    code = ("def a(request):\n    return view(request)\n\n\n"
            "class C:\n    @wraps(view)\n    def m(self):\n        return 1\n\n    x = view\n")
    tree = ast.parse(code)
    assert [n.lineno for n in _references(tree, {"view"}, [2, 6, 10])] == [2, 6, 10]
    assert [n.lineno for n in _references(tree, {"view"}, [6])] == [6]
    assert [n.lineno for n in _references(tree, {"view"}, [3, 4, 7])] == []


@pytest.mark.parametrize("count, jobs", [(1, 2), (8, 2), (34, 2), (250, 2), (1000, 8)])
def test_rewrite_batches_spread_the_biggest_files(count, jobs):
    """Files sorted biggest first are dealt into batches: every file once, at most 8 a batch,
    the biggest ones each in a batch of its own, biggest batch first."""
    from async_migrate.engine import _batches

    tasks = list(range(count))   # stand-ins, sorted biggest first
    batches = _batches(tasks, jobs)
    assert sorted(t for batch in batches for t in batch) == tasks
    assert all(0 < len(batch) <= 8 for batch in batches)
    assert [batch[0] for batch in batches] == list(range(len(batches)))
