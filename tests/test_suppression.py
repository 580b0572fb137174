"""`# async-migrate: skip` on a view's def line, decorator line or the line above leaves it alone."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

VIEWS = textwrap.dedent('''\
    from django.http import JsonResponse
    from django.views import View
    from django.views.decorators.http import require_GET

    from .models import Item


    def on_def(request):  # async-migrate: skip
        return JsonResponse({"n": Item.objects.count()})


    @require_GET  # async-migrate: skip (needs the sync ORM for now)
    def on_decorator(request):
        return JsonResponse({"n": Item.objects.count()})


    # async-migrate: skip
    def above(request):
        return JsonResponse({"n": Item.objects.count()})


    #async-migrate:skip
    class AboveClass(View):
        def get(self, request):
            return JsonResponse({"n": Item.objects.count()})


    # a comment that mentions async-migrate but does not skip
    def neighbour(request):
        return JsonResponse({"n": Item.objects.count()})
''')
MODELS = "from django.db import models\n\n\nclass Item(models.Model):\n    name = models.CharField(max_length=20)\n"
URLS = textwrap.dedent('''\
    from django.urls import path

    from . import views

    urlpatterns = [
        path("a/", views.on_def),
        path("b/", views.on_decorator),
        path("c/", views.above),
        path("d/", views.AboveClass.as_view()),
        path("e/", views.neighbour),
    ]
''')
SUPPRESSED = ["on_def", "on_decorator", "above", "AboveClass"]


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "async_migrate", *args], capture_output=True, text=True)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "manage.py").write_text("")
    app = tmp_path / "app"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "models.py").write_text(MODELS)
    (app / "views.py").write_text(VIEWS)
    (app / "urls.py").write_text(URLS)
    return tmp_path


def test_json_lists_every_placement_as_suppressed(project):
    result = cli("diff", "--json", str(project))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    views = {v["view"]: v for v in data["views"]}
    for name in SUPPRESSED:
        assert views[name]["decision"] == "suppressed", name
        assert views[name]["reason"] == "# async-migrate: skip"
        assert views[name]["points"] == [] and views[name]["thread_hops"] == 0
    assert views["neighbour"]["decision"] == "convert"
    assert data["summary"]["views"]["suppressed"] == len(SUPPRESSED)
    assert data["summary"]["views"]["convert"] == 1


def test_apply_leaves_suppressed_views_byte_for_byte(project):
    result = cli("apply", "--json", str(project))
    assert result.returncode == 0, result.stderr
    after = (project / "app" / "views.py").read_text()
    expected = VIEWS.replace("def neighbour(request):\n    return JsonResponse({\"n\": Item.objects.count()})",
                             "async def neighbour(request):\n    return JsonResponse({\"n\": await Item.objects.acount()})")
    assert after == expected
    # the report and summary say so too
    table = cli("diff", "--no-color", str(project))
    assert "views: " in table.stderr and f"{len(SUPPRESSED)} suppressed" in table.stderr


@pytest.mark.parametrize("placement", ["def", "decorator", "above"])
def test_each_placement_alone_on_stdin(placement):
    header = {
        "def": "def view(request):  # async-migrate: skip\n",
        "decorator": "@require_GET  # async-migrate: skip\ndef view(request):\n",
        "above": "# async-migrate: skip\ndef view(request):\n",
    }[placement]
    source = ("from django.http import JsonResponse\nfrom django.views.decorators.http import require_GET\n\n\n"
              + header + "    return JsonResponse({})\n")
    result = subprocess.run([sys.executable, "-m", "async_migrate", "diff", "--json", "--target-version", "5.2", "-"], input=source,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    (view,) = json.loads(result.stdout)["views"]
    assert view["decision"] == "suppressed"
    unsuppressed = source.replace("  # async-migrate: skip", "").replace("# async-migrate: skip\n", "")
    plain = subprocess.run([sys.executable, "-m", "async_migrate", "diff", "--json", "--target-version", "5.2", "-"], input=unsuppressed,
                           capture_output=True, text=True)
    (view,) = json.loads(plain.stdout)["views"]
    assert view["decision"] == "convert"
