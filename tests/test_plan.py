"""Discovery and the per-view plan on a small project laid out on disk (issue: find every view)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from async_migrate.engine import run
from async_migrate.facts import Options, clear_cache
from async_migrate.registry import all_codemods

FILES = {
    "manage.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n',
    "proj/__init__.py": "",
    "proj/settings.py": '''
        ROOT_URLCONF = "proj.urls"
        MIDDLEWARE = [
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
        ]
        DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db"}}
    ''',
    "proj/urls.py": '''
        from django.urls import include, path

        import shop.urls

        urlpatterns = [
            path("shop/", include("shop.urls")),
            path("again/", include(shop.urls)),
            path("blog/", include("blog.urls")),
        ]
    ''',
    "shop/__init__.py": "",
    "shop/models.py": '''
        from django.db import models

        class Item(models.Model):
            name = models.CharField(max_length=10)
    ''',
    "shop/urls.py": '''
        from django.urls import path, re_path

        from . import views as v
        from .views import renamed_target as renamed
        from .cbv import ItemApi, ItemList, Mixed

        urlpatterns = [
            path("", v.index),
            re_path(r"^r/$", renamed),
            path("count/", v.count),
            path("caller/", v.calls_other),
            path("called/", v.called),
            path("deco/", v.decorated),
            path("custom/", v.custom_decorated),
            path("async/", v.already),
            path("skip/", v.skipped),
            path("api/", ItemApi.as_view()),
            path("list/", ItemList.as_view()),
            path("mixed/", Mixed.as_view()),
        ]
    ''',
    "shop/views.py": '''
        from django.contrib.auth.decorators import login_required
        from django.http import HttpResponse, JsonResponse

        from mylib import cached
        from .models import Item


        def index(request):
            return HttpResponse("hi")


        def renamed_target(request):
            return JsonResponse({"q": request.GET.get("q")})


        def count(request):
            return JsonResponse({"n": Item.objects.count()})


        def calls_other(request):
            return called(request)


        def called(request):
            return HttpResponse("x")


        @login_required
        def decorated(request):
            return HttpResponse("private")


        @cached
        def custom_decorated(request):
            return HttpResponse("c")


        async def already(request):
            return HttpResponse("a")


        def skipped(request):  # async-migrate: skip
            return HttpResponse("s")


        def unrouted(request):
            return HttpResponse("u")


        def _parse(request):
            return request.GET


        def helper(value):
            return value
    ''',
    "shop/cbv.py": '''
        from django.http import JsonResponse
        from django.views import View
        from django.views.generic import ListView

        from .models import Item


        class Base(View):
            def helper(self):
                return 1


        class ItemApi(Base):
            def get(self, request):
                return JsonResponse({"n": Item.objects.count()})

            def post(self, request):
                Item.objects.create(name="x")
                return JsonResponse({}, status=201)


        class ItemList(ListView):
            model = Item


        class Mixed(View):
            def get(self, request):
                return JsonResponse({})

            async def post(self, request):
                return JsonResponse({})
    ''',
    "blog/__init__.py": "",
    "blog/urls.py": '''
        from django.urls import path
        from blog.views import post

        urlpatterns = [path("p/", post)]
    ''',
    "blog/views.py": '''
        import time
        from django.http import HttpResponse

        def post(request):
            time.sleep(0)
            return HttpResponse("p")
    ''',
    "shop/tests.py": '''
        from .views import index

        def test_index(rf):
            index(rf.get("/"))
    ''',
}


def make_project(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    return root


def plan_of(root: Path, **options) -> dict[str, tuple[str, str]]:
    clear_cache()
    result = run([root], Options(**options), frozenset(all_codemods()), jobs=1)
    assert not result.errors, [f.error for f in result.errors]
    found = {}
    for view in result.views:
        assert view["view"] not in found, f"{view['view']} reported twice"
        found[view["view"]] = (view["decision"], view["reason"])
    return found


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path, FILES)


def test_every_view_found_once_with_its_decision(project):
    plan = plan_of(project)
    # A test calls index() directly with a RequestFactory request: it must stay sync.
    assert plan["index"][0] == "sync" and "shop/tests.py:4" in plan["index"][1]
    assert plan["renamed_target"][0] == "convert"          # routed through an import alias
    assert plan["count"] == ("convert", "1 native async point")
    assert plan["calls_other"][0] == "convert"            # the sync view it calls does no I/O
    assert plan["called"][0] == "sync" and "called directly by" in plan["called"][1]
    assert "shop/views.py:21" in plan["called"][1]
    assert plan["decorated"][0] == "convert"              # login_required is async-ready in 5.2
    assert plan["custom_decorated"] == ("sync", "decorator mylib.cached may not support async views "
                                                "(list it in async-safe-decorators if it does)")
    assert plan["already"][0] == "already async"
    assert plan["skipped"][0] == "suppressed"
    assert plan["unrouted"][0] == "not routed"
    assert plan["ItemApi"] == ("convert", "2 native async points")
    assert plan["ItemList"][0] == "sync" and "generic view (ListView)" in plan["ItemList"][1]
    assert plan["post"][0] == "convert"                   # reached through include("blog.urls")
    assert "_parse" not in plan and "helper" not in plan and "Base" not in plan


def test_mixed_class_is_left_as_it_is(project):
    # Django refuses a class with sync and async handlers; we do not make it worse.
    decision, reason = plan_of(project)["Mixed"]
    assert decision == "sync" and "ImproperlyConfigured" in reason


def test_older_target_keeps_decorated_views_sync(project):
    plan = plan_of(project, target=(5, 0))
    assert plan["decorated"] == ("sync", "@login_required supports async views only from Django 5.1")


def test_include_unrouted_and_safe_decorators(project):
    plan = plan_of(project, include_unrouted=True, async_safe_decorators=frozenset({"mylib.cached"}))
    assert plan["unrouted"][0] == "convert"
    assert plan["custom_decorated"][0] == "convert"


def test_atomic_requests_keeps_views_sync(tmp_path):
    files = dict(FILES)
    files["proj/settings.py"] = textwrap.dedent(files["proj/settings.py"]) + '\nDATABASES["default"]["ATOMIC_REQUESTS"] = True\n'
    plan = plan_of(make_project(tmp_path, files))
    assert plan["count"][0] == "sync" and "ATOMIC_REQUESTS" in plan["count"][1]


def test_discovery_reads_the_whole_project_but_rewrites_only_under_path(project):
    clear_cache()
    result = run([project / "blog"], Options(), frozenset(all_codemods()), jobs=1)
    assert {v["view"] for v in result.views} == {"post"}   # routed from proj/urls.py above PATH
    assert all(str(f.path).startswith(str(project / "blog")) for f in result.files)


def test_atomic_requests_with_unsafe_adds_non_atomic_requests(tmp_path):
    files = dict(FILES)
    files["proj/settings.py"] = textwrap.dedent(files["proj/settings.py"]) + 'DATABASES["default"]["ATOMIC_REQUESTS"] = True\n'
    root = make_project(tmp_path, files)
    plan = plan_of(root, unsafe=True)
    assert plan["count"][0] == "convert" and "non_atomic_requests added" in plan["count"][1]
    assert plan["ItemApi"][0] == "sync"          # class-based: left alone, with the reason
    clear_cache()
    from async_migrate.engine import write_changes
    result = run([root], Options(unsafe=True), frozenset(all_codemods()), jobs=1)
    write_changes(result)
    text = (root / "shop" / "views.py").read_text()
    assert "@transaction.non_atomic_requests\nasync def count(request):" in text
    assert "from django.db import transaction" in text


def item_list_plan(tmp_path: Path, get: str) -> tuple[str, str]:
    """The plan of shop.cbv's ``ItemList(ListView)`` given a ``get`` handler (indented as a method)."""
    files = dict(FILES)
    files["shop/cbv.py"] = files["shop/cbv.py"].replace('''
        class ItemList(ListView):
            model = Item
''', f'''
        class ItemList(ListView):
            model = Item

{textwrap.indent(textwrap.dedent(get), " " * 12)}
''')
    return plan_of(make_project(tmp_path, files))["ItemList"]


def test_generic_view_overriding_every_handler_is_analysed(tmp_path):
    assert item_list_plan(tmp_path, '''
        def get(self, request):
            return JsonResponse({"n": Item.objects.count()})
    ''') == ("convert", "1 native async point")


def test_generic_view_calling_its_sync_machinery_stays_sync(tmp_path):
    decision, reason = item_list_plan(tmp_path, '''
        def get(self, request):
            return JsonResponse({"n": len(self.get_queryset())})
    ''')
    assert decision == "sync" and "self.get_queryset() comes from a Django base class" in reason


def test_super_handler_of_a_generic_view_keeps_the_view_sync(tmp_path):
    """djangoproject.com's BlogDateDetailView: ``super().get()`` runs DateDetailView's queries."""
    assert item_list_plan(tmp_path, '''
        def get(self, request, *args, **kwargs):
            response = super().get(request, *args, **kwargs)
            response["X-Count"] = "1"
            return response
    ''') == ("sync", "line 27: super().get() runs Django's sync code (--unsafe would wrap it in sync_to_async)")


@pytest.mark.parametrize("helper, expected", [
    ("return Item.objects.count()", ("wrap", "1 sync_to_async hop")),
    ("return 1", ("convert", "no I/O in the body")),
])
def test_super_method_of_a_project_base_is_read_like_self(tmp_path, helper, expected):
    files = dict(FILES)
    files["shop/cbv.py"] = files["shop/cbv.py"].replace("""
            def helper(self):
                return 1
""", f"""
            def helper(self):
                {helper}
""").replace('''
        class Mixed(View):''', '''
        class Counted(Base):
            def get(self, request):
                return JsonResponse({"n": super().helper()})


        class Mixed(View):''')
    files["shop/urls.py"] = files["shop/urls.py"].replace("from .cbv import ItemApi,", "from .cbv import Counted, ItemApi,") \
        .replace("urlpatterns = [", "urlpatterns = [\n            path(\"counted/\", Counted.as_view()),")
    root = make_project(tmp_path, files)
    assert plan_of(root)["Counted"] == expected
    if expected[0] == "wrap":
        code = (root / "shop" / "cbv.py").read_text()
        clear_cache()
        [result] = [f for f in run([root / "shop" / "cbv.py"], Options(), frozenset(all_codemods()), jobs=1).files]
        assert 'return JsonResponse({"n": await sync_to_async(super().helper)()})' in result.new, result.new
        assert code == (root / "shop" / "cbv.py").read_text()


WHO_AM_I = '''
    from django.http import HttpResponse

    def whoami(request):
        return HttpResponse(request.user.username)
'''


@pytest.mark.parametrize("settings,says", [
    # A MIDDLEWARE list without AuthenticationMiddleware: no request.auser() to await.
    ('ROOT_URLCONF = "proj.urls"\nMIDDLEWARE = ["django.contrib.sessions.middleware.SessionMiddleware"]\n',
     "request.user, but MIDDLEWARE in proj.settings has no AuthenticationMiddleware (request.auser())"),
    # Settings built at run time (a settings class, as readthedocs.org has): the tool cannot tell.
    ('ROOT_URLCONF = "proj.urls"\n\nclass Settings:\n    @property\n    def MIDDLEWARE(self):\n'
     '        return ["django.contrib.auth.middleware.AuthenticationMiddleware"]\n',
     "request.user, but proj.settings sets no MIDDLEWARE list the tool can read (e.g. a settings class): "
     "it cannot tell that AuthenticationMiddleware gives request.auser()"),
])
def test_request_user_without_readable_auth_middleware_stays_sync_and_says_which(tmp_path, settings, says):
    root = make_project(tmp_path, {
        "manage.py": FILES["manage.py"], "proj/__init__.py": "", "proj/settings.py": settings,
        "proj/urls.py": "from django.urls import path\n\nfrom . import views\n\nurlpatterns = [path('', views.whoami)]\n",
        "proj/views.py": WHO_AM_I,
    })
    assert plan_of(root)["whoami"] == ("sync", f"line 4: {says}")


CURSOR_VIEWS = '''
    from django.db import connection
    from django.http import JsonResponse

    def rows_as_dicts(cursor):
        columns = [column[0] for column in cursor.description]
        return [dict(zip(columns, row)) for row in cursor.fetchall()]

    def rows(request):
        cursor = connection.cursor()
        cursor.execute("SELECT 1")
        return JsonResponse({"rows": rows_as_dicts(cursor)})

    def listed(request):
        cursor = connection.cursor()
        cursor.execute("SELECT 1")
        return JsonResponse({"rows": list(cursor)})
'''


def test_a_cursor_runs_in_hops_and_so_does_a_helper_given_it(tmp_path):
    """Every cursor call is a hop (thread-sensitive hops of a request share one thread, the
    cursor's); a helper that receives the cursor fetches with it."""
    root = make_project(tmp_path, {
        "manage.py": FILES["manage.py"], "proj/__init__.py": "", "proj/settings.py": 'ROOT_URLCONF = "proj.urls"\n',
        "proj/urls.py": "from django.urls import path\n\nfrom . import views\n\n"
                        "urlpatterns = [path('a/', views.rows), path('b/', views.listed)]\n",
        "proj/views.py": CURSOR_VIEWS,
    })
    clear_cache()
    views = {v["view"]: v for v in run([root], Options(), frozenset(all_codemods()), jobs=1).views}
    assert sorted(p["message"] for p in views["rows"]["points"]) == [
        "2 wrapped calls on 2 neighbouring lines -> one hop _sync_steps()", "folded into the group above",
        "helper rows_as_dicts() (receives a database cursor)"]
    assert views["listed"]["decision"] == "sync"
    assert views["listed"]["reason"] == "line 16: list() over a database cursor (rows are fetched as it goes)"


@pytest.mark.parametrize("imports, bases, reason", [
    ("from django.contrib.auth.mixins import LoginRequiredMixin", "LoginRequiredMixin, View",
     "django.contrib.auth.mixins.LoginRequiredMixin overrides dispatch(), which Django calls on the event loop: "
     "it would have to become async too"),
    ("from rest_framework.views import APIView", "APIView",
     "derives from rest_framework.views.APIView, from outside the project and Django: "
     "its dispatch() may not run async handlers"),
    ("from braces.views import CsrfExemptMixin", "Base",   # through a project base class
     "derives from braces.views.CsrfExemptMixin, from outside the project and Django: "
     "its dispatch() may not run async handlers"),
    ("import abc", "abc.ABC, View", ""),
])
def test_bases_whose_dispatch_is_sync_keep_a_view_sync(tmp_path, imports, bases, reason):
    """Django calls dispatch() on the event loop: LoginRequiredMixin's reads request.user there."""
    base_of_base = "CsrfExemptMixin, View" if "braces" in imports else "View"
    root = make_project(tmp_path, {
        "manage.py": FILES["manage.py"], "proj/__init__.py": "", "proj/settings.py": 'ROOT_URLCONF = "proj.urls"\n',
        "proj/urls.py": "from django.urls import path\n\nfrom . import views\n\n"
                        "urlpatterns = [path('', views.Hello.as_view())]\n",
        "proj/views.py": f'''
            from django.http import HttpResponse
            from django.views import View
            {imports}

            class Base({base_of_base}):
                pass

            class Hello({bases}):
                def get(self, request):
                    return HttpResponse("hello")
        ''',
    })
    assert plan_of(root)["Hello"] == (("sync", reason) if reason else ("convert", "no I/O in the body"))


@pytest.mark.parametrize("backend, expected", [
    ("class EmailBackend:\n    def get_user(self, user_id):\n        return None\n",
     ("sync", "@login_required awaits request.auser(), which calls proj.backends.EmailBackend.aget_user(): "
              "it has none")),
    ("from django.contrib.auth.backends import ModelBackend\n\nclass EmailBackend(ModelBackend):\n    pass\n",
     ("convert", "no I/O in the body")),
])
def test_login_required_needs_backends_with_async_methods_from_52(tmp_path, backend, expected):
    """healthchecks.io's EmailBackend derives from no Django backend: @login_required on an async
    view fails with AttributeError: 'EmailBackend' object has no attribute 'aget_user'."""
    root = make_project(tmp_path, {
        "manage.py": FILES["manage.py"], "proj/__init__.py": "", "proj/backends.py": backend,
        "proj/settings.py": 'ROOT_URLCONF = "proj.urls"\nAUTHENTICATION_BACKENDS = ["proj.backends.EmailBackend"]\n',
        "proj/urls.py": "from django.urls import path\n\nfrom . import views\n\nurlpatterns = [path('', views.hello)]\n",
        "proj/views.py": '''
            from django.contrib.auth.decorators import login_required
            from django.http import HttpResponse

            @login_required
            def hello(request):
                return HttpResponse("hello")
        ''',
    })
    assert plan_of(root, target=(5, 2))["hello"] == expected
    assert plan_of(root, target=(5, 1))["hello"] == ("convert", "no I/O in the body")   # aget_user wrapped get_user


def test_routes_added_under_an_if_or_try_are_routes(tmp_path):
    """django-helpdesk adds nearly every route under ``if helpdesk_settings.HELPDESK_UI_ENABLED:``."""
    root = make_project(tmp_path, {
        "manage.py": FILES["manage.py"], "proj/__init__.py": "", "proj/settings.py": 'ROOT_URLCONF = "proj.urls"\n',
        "proj/urls.py": '''
            from django.conf import settings
            from django.urls import path

            urlpatterns = []
            if settings.DEBUG:
                from proj import views
                urlpatterns += [path("a/", views.a)]
            else:
                try:
                    from proj.views import b
                except ImportError:
                    pass
                else:
                    urlpatterns.append(path("b/", b))
        ''',
        "proj/views.py": '''
            from django.http import HttpResponse

            def a(request):
                return HttpResponse("a")

            def b(request):
                return HttpResponse("b")
        ''',
    })
    plan = plan_of(root)
    assert plan["a"] == plan["b"] == ("convert", "no I/O in the body")


def test_class_and_static_methods_of_project_classes_are_read(tmp_path):
    """pretalx's GenericLoginView.get_next_url_or_fallback() read as 'outside the project'."""
    root = make_project(tmp_path, {
        "manage.py": FILES["manage.py"], "proj/__init__.py": "", "proj/settings.py": 'ROOT_URLCONF = "proj.urls"\n',
        "proj/urls.py": "from django.urls import path\n\nfrom . import views\n\nurlpatterns = [path('', views.hello)]\n",
        "proj/models.py": "from django.db import models\n\nclass Item(models.Model):\n    name = models.TextField()\n",
        "proj/helpers.py": '''
            from .models import Item

            class Helper:
                @classmethod
                def double(cls, x):
                    return x * 2

                @staticmethod
                def count():
                    return Item.objects.count()
        ''',
        "proj/views.py": '''
            from django.http import JsonResponse
            from .helpers import Helper

            def hello(request):
                return JsonResponse({"n": Helper.double(2), "c": Helper.count()})
        ''',
    })
    clear_cache()
    [view] = run([root], Options(), frozenset(all_codemods()), jobs=1).views
    assert view["decision"] == "wrap"
    assert [p["message"] for p in view["points"]] == ["Helper.count() (helpers.py:10 reads .objects)"]


def test_a_decorator_spelled_as_an_assignment_is_not_a_direct_call(tmp_path):
    """``view = decorator(view)`` (django-helpdesk's ``dashboard = staff_member_required(dashboard)``)
    decorates the view: the decorator decides, as if written with ``@``."""
    files = dict(FILES)
    files["shop/urls.py"] = FILES["shop/urls.py"].replace("urlpatterns = [", '''urlpatterns = [
            path("plain/", v.wrapped_plain),
            path("factory/", v.wrapped_by_factory),
            path("aliased/", v.aliased),''')
    files["shop/views.py"] = FILES["shop/views.py"] + '''

        def wrapped_plain(request):
            return JsonResponse({"n": Item.objects.count()})


        wrapped_plain = login_required(wrapped_plain)


        def wrapped_by_factory(request):
            return JsonResponse({"n": Item.objects.count()})


        wrapped_by_factory = cached(timeout=5)(wrapped_by_factory)


        def aliased(request):
            return JsonResponse({"n": Item.objects.count()})


        other_name = login_required(aliased)
    '''
    files["shop/elsewhere.py"] = '''
        from mylib import cached
        from .views import count

        count = cached(count)   # rebinds this module's name: a use of the view, not its decorator
    '''
    plan = plan_of(make_project(tmp_path, files), target=(5, 2))
    assert plan["wrapped_plain"] == ("convert", "1 native async point")
    assert plan["wrapped_by_factory"] == (
        "sync", "decorator mylib.cached may not support async views (list it in async-safe-decorators if it does)")
    assert plan["aliased"][0] == "sync" and plan["aliased"][1].startswith("called directly by shop/views.py:")
    assert plan["count"][0] == "sync" and plan["count"][1].startswith("called directly by shop/elsewhere.py:4")


def test_raw_querysets_are_iterated_async_and_nothing_else(tmp_path):
    """``Manager.raw()``: ``async for`` from 4.1, but no acount()/aexists()/afirst(); a column the
    SQL does not select is a deferred field (read with a hop)."""
    files = dict(FILES)
    files["shop/urls.py"] = FILES["shop/urls.py"].replace("urlpatterns = [", '''urlpatterns = [
            path("r1/", v.raw_all),
            path("r2/", v.raw_listed),
            path("r3/", v.raw_some_columns),
            path("r4/", v.raw_tested),
            path("r5/", v.raw_len),
            path("r6/", v.raw_indexed),
            path("r7/", v.raw_method),''')
    files["shop/views.py"] = FILES["shop/views.py"] + '''

        def raw_all(request):
            return JsonResponse({"n": [i.name for i in Item.objects.raw("SELECT * FROM shop_item")]})


        def raw_listed(request):
            return JsonResponse({"n": len(list(Item.objects.raw("select i.id, i.name as name from shop_item i")))})


        def raw_some_columns(request):
            return JsonResponse({"n": [i.name for i in Item.objects.raw("SELECT id FROM shop_item")]})


        def raw_tested(request):
            return JsonResponse({"any": "y" if Item.objects.raw("SELECT * FROM shop_item") else "n"})


        def raw_len(request):
            return JsonResponse({"n": len(Item.objects.raw("SELECT * FROM shop_item"))})


        def raw_indexed(request):
            return JsonResponse({"n": Item.objects.raw("SELECT * FROM shop_item")[0].name})


        def raw_method(request):
            return JsonResponse({"n": [i.name for i in Item.objects.raw("SELECT * FROM shop_item").iterator()]})
    '''
    plan = plan_of(make_project(tmp_path, files), target=(5, 2))
    assert plan["raw_all"][0] == plan["raw_listed"][0] == "convert"
    assert plan["raw_some_columns"][0] == "wrap"
    assert plan["raw_tested"] == ("sync", "line 71: truth test of a raw queryset (it has no aexists())")
    assert plan["raw_len"][1].endswith("len() of a raw queryset (it has no acount()/aexists())")
    assert plan["raw_indexed"][1].endswith("raw queryset indexing (it has no async form)")
    assert plan["raw_method"][0] == "sync"   # raw().iterator(): no aiterator()


def test_django_model_methods_that_query_are_wrapped(tmp_path):
    files = dict(FILES)
    files["shop/models.py"] = '''
        from django.db import models

        class Item(models.Model):
            name = models.CharField(max_length=10)
            added = models.DateField()
            kind = models.CharField(max_length=1, choices=[("a", "A")])
    '''
    files["shop/urls.py"] = FILES["shop/urls.py"].replace("urlpatterns = [", '''urlpatterns = [
            path("n1/", v.later),
            path("n2/", v.shown),''')
    files["shop/views.py"] = FILES["shop/views.py"] + '''

        def later(request):
            item = Item.objects.get(pk=1)
            return JsonResponse({"n": [item.get_next_by_added().name, item.get_previous_by_added().name]})


        def shown(request):
            return JsonResponse({"n": Item.objects.get(pk=1).get_kind_display()})
    '''
    plan = plan_of(make_project(tmp_path, files), target=(5, 2))
    assert plan["later"] == ("wrap", "1 native async point, 2 sync_to_async hops")
    assert plan["shown"] == ("convert", "1 native async point")


def test_the_user_model_however_it_is_named_and_password_hashing(tmp_path):
    files = dict(FILES)
    files["shop/urls.py"] = FILES["shop/urls.py"].replace("urlpatterns = [", '''urlpatterns = [
            path("u1/", v.inline),
            path("u2/", v.aliased_model),
            path("u3/", v.hashed),
            path("u4/", v.checked),''')
    files["shop/views.py"] = FILES["shop/views.py"] + '''

        from django.contrib import auth
        from django.contrib.auth import get_user_model
        from django.contrib.auth.hashers import check_password, make_password

        UserModel = auth.get_user_model()


        def inline(request):
            return HttpResponse(get_user_model().objects.get(pk=1).username)


        def aliased_model(request):
            user = UserModel.objects.get(pk=1)
            user.set_password(request.POST["p"])
            user.save()
            return HttpResponse(user.check_password("x"))


        def hashed(request):
            return HttpResponse(make_password("x"))


        def checked(request):
            return HttpResponse(check_password("x", request.POST["h"]))
    '''
    plan = plan_of(make_project(tmp_path, files), target=(5, 2))
    assert plan["inline"] == ("convert", "1 native async point")
    assert plan["aliased_model"] == ("wrap", "3 native async points, 1 sync_to_async hop")
    assert plan["hashed"] == ("wrap", "1 sync_to_async hop")
    assert plan["checked"] == ("convert", "1 native async point")


def test_routes_in_module_level_lists_are_routes(tmp_path):
    """wger's urls: ``include((patterns_user, "user"), namespace="user")`` of a list defined above,
    or imported from another module; Django's docs show both (105 of wger's views were missed)."""
    root = make_project(tmp_path, {
        "manage.py": FILES["manage.py"], "proj/__init__.py": "", "proj/settings.py": 'ROOT_URLCONF = "proj.urls"\n',
        "proj/urls.py": '''
            from django.urls import include, path

            from proj import api_urls, views
            from proj.more_urls import more_patterns

            patterns_user = [path("a/", views.a)]
            patterns_user += [path("b/", views.b)]
            looping = [path("self/", include(looping))]
            urlpatterns = [
                path("user/", include((patterns_user, "user"), namespace="user")),
                path("api/", include(api_urls.api_patterns)),
                path("loop/", include(looping)),
            ] + more_patterns
        ''',
        "proj/api_urls.py": '''
            from django.urls import path
            from proj import views

            api_patterns = [path("c/", views.c)]
        ''',
        "proj/more_urls.py": '''
            from django.urls import path
            from proj.views import d

            more_patterns = []
            more_patterns.append(path("d/", d))
        ''',
        "proj/views.py": "from django.http import HttpResponse\n\n" + "".join(
            f"def {name}(request):\n    return HttpResponse('{name}')\n\n\n" for name in "abcde"),
    })
    plan = plan_of(root)
    assert {name: plan[name][0] for name in "abcde"} == {
        "a": "convert", "b": "convert", "c": "convert", "d": "convert", "e": "not routed"}


def test_djangos_own_models_have_the_queryset_api(tmp_path):
    """Group, Permission, ContentType, Site... were unknown names: their views stayed sync."""
    files = {
        "manage.py": FILES["manage.py"], "proj/__init__.py": "", "proj/settings.py": FILES["proj/settings.py"],
        "proj/urls.py": '''
            from django.urls import path
            from proj import views

            urlpatterns = [path("g/", views.groups), path("s/", views.site), path("o/", views.objects)]
        ''',
        "proj/views.py": '''
            from django.contrib.auth.models import Group
            from django.contrib.contenttypes.models import ContentType
            from django.contrib.sites.models import Site
            from django.contrib.sites.shortcuts import get_current_site
            from django.http import JsonResponse

            def groups(request):
                return JsonResponse({"n": Group.objects.filter(name__startswith="a").count()})

            def site(request):
                return JsonResponse({"a": Site.objects.get_current().domain, "b": get_current_site(request).domain})

            def objects(request):
                kind = ContentType.objects.get(pk=1)
                return JsonResponse({"names": [str(o) for o in kind.get_all_objects_for_this_type()]})
        ''',
    }
    plan = plan_of(make_project(tmp_path / "contrib", files))
    assert plan["groups"] == ("convert", "1 native async point")
    assert plan["site"][0] == "wrap"
    assert plan["objects"][0] == "sync"   # a wrapped call's lazy queryset: iterating it would query
    # A project model of the same short name is the project's: Django's Site is then not assumed.
    files["proj/models.py"] = '''
        from django.db import models

        class Site(models.Model):
            host = models.CharField(max_length=50)
    '''
    plan = plan_of(make_project(tmp_path / "own", files))
    assert plan["site"][0] == "sync" and "has no known async behaviour" in plan["site"][1]


def test_models_of_a_src_layout_and_a_models_package_are_known(tmp_path):
    """pretalx: ``from pretalx.person.models import User``, the model defined in
    src/pretalx/person/models/user.py and re-exported by the package: 'outside the project'."""
    root = make_project(tmp_path, {
        "manage.py": FILES["manage.py"].replace("proj.settings", "shop.settings"),
        "src/shop/__init__.py": "", "src/shop/settings.py": 'ROOT_URLCONF = "shop.urls"\n',
        "src/shop/urls.py": '''
            from django.urls import path
            from shop import views

            urlpatterns = [path("", views.count)]
        ''',
        "src/shop/catalog/__init__.py": "",
        "src/shop/catalog/models/__init__.py": "from .item import Item\n",
        "src/shop/catalog/models/item.py": '''
            from django.db import models

            class Item(models.Model):
                name = models.CharField(max_length=10)
        ''',
        "src/shop/views.py": '''
            from django.http import JsonResponse
            from shop.catalog.models import Item

            def count(request):
                return JsonResponse({"n": Item.objects.count()})
        ''',
    })
    assert plan_of(root)["count"] == ("convert", "1 native async point")


def test_an_instance_of_an_unknown_model_is_read_with_care(tmp_path):
    """``get_object_or_404(Thing)`` of a model the index cannot see (a third-party app's): its
    methods were pure and its attributes plain, so a relation read ran on the event loop."""
    views = '''
        from django.http import JsonResponse
        from django.shortcuts import get_object_or_404
        from vendor.models import Thing

        def method(request, pk):
            thing = get_object_or_404(Thing, pk=pk)
            return JsonResponse({"image": thing.get_image(request), "pk": thing.pk})

        def field(request, pk):
            return JsonResponse({"owner": get_object_or_404(Thing, pk=pk).owner})
    '''
    root = make_project(tmp_path, {
        "manage.py": FILES["manage.py"], "proj/__init__.py": "", "proj/settings.py": 'ROOT_URLCONF = "proj.urls"\n',
        "proj/urls.py": '''
            from django.urls import path
            from proj import views

            urlpatterns = [path("m/", views.method), path("f/", views.field)]
        ''',
        "proj/views.py": views,
    })
    plan = plan_of(root)
    assert plan["method"] == ("wrap", "1 native async point, 1 sync_to_async hop")
    assert plan["field"] == ("sync", "line 10: .owner of an instance of a model the analysis does not know "
                                     "may be a lazy relation")
