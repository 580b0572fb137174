"""Reviewing like people do: `apply --interactive` hunk by hunk, and `--html FILE`."""

from __future__ import annotations

import ast
import shutil
import textwrap
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from async_migrate.cli import app
from async_migrate.facts import clear_cache

VIEWS = textwrap.dedent('''\
    import time

    from django.http import JsonResponse

    from .models import Item


    def count(request):
        return JsonResponse({"n": Item.objects.count()})


    def helper(value):
        return value * 2


    def other_helper(value):
        return value * 3


    def nap(request):
        time.sleep(1)
        return JsonResponse({})


    def third_helper(value):
        return value * 4


    def total(request):
        return JsonResponse({"n": Item.objects.filter(name="x").exists()})
''')
MODELS = "from django.db import models\n\n\nclass Item(models.Model):\n    name = models.CharField(max_length=20)\n"
URLS = ("from django.urls import path\n\nfrom . import views\n\n"
        "urlpatterns = [path('c/', views.count), path('n/', views.nap), path('t/', views.total)]\n")
COUNT_OLD = 'def count(request):\n    return JsonResponse({"n": Item.objects.count()})'
COUNT_NEW = 'async def count(request):\n    return JsonResponse({"n": await Item.objects.acount()})'
NAP_OLD = "def nap(request):\n    time.sleep(1)"
NAP_NEW = "async def nap(request):\n    await asyncio.sleep(1)"
TOTAL_OLD = 'def total(request):\n    return JsonResponse({"n": Item.objects.filter(name="x").exists()})'


@pytest.fixture(autouse=True)
def _fresh_facts():
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    root = tmp_path / "site"
    monkeypatch.chdir(tmp_path)   # short relative paths in the output
    app_dir = root / "app"
    app_dir.mkdir(parents=True)
    (root / "manage.py").write_text("")
    (app_dir / "__init__.py").write_text("")
    (app_dir / "models.py").write_text(MODELS)
    (app_dir / "views.py").write_text(VIEWS)
    (app_dir / "urls.py").write_text(URLS)
    return root


def interactive(project: Path, answers: str, *extra: str):
    return CliRunner().invoke(app, ["apply", "--interactive", "--no-color", "--target-version", "5.2", *extra,
                                    str(project)], input=answers, catch_exceptions=False)


def views_text(project: Path) -> str:
    return (project / "app" / "views.py").read_text()


def test_each_view_hunk_is_shown_with_its_decision_reasons_and_diff(project):
    result = interactive(project, "n\nn\nn\n")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.count("Apply this hunk [y,n,a,q,?]?") == 3
    assert "(hunk 1/3)" in out and "(hunk 3/3)" in out
    assert "count (line 8): convert - 1 native async point" in out
    assert "nap (line 20): convert" in out and "time.sleep() -> await asyncio.sleep()" in out
    assert "+async def count(request):" in out and "-def count(request):" in out
    assert "+import asyncio" in out   # the imports are shown with the view hunk they sit next to
    assert views_text(project) == VIEWS   # all declined: nothing written
    assert "0 files rewritten" in result.stderr


def test_accepting_some_views_writes_only_those(project):
    result = interactive(project, "n\ny\nn\n")
    assert result.exit_code == 0, result.output
    text = views_text(project)
    assert NAP_NEW in text and COUNT_OLD in text and TOTAL_OLD in text
    assert "import asyncio" in text          # the import an accepted view needs follows it
    assert "import time" in text              # never dropped while a declined view may use it
    ast.parse(text)
    assert "declined in interactive review" in result.stdout    # the table says why count stayed sync
    assert "1 file rewritten" in result.stderr


def test_accepting_every_hunk_writes_exactly_what_apply_writes(project, tmp_path):
    plain = tmp_path / "plain"
    shutil.copytree(project, plain)
    assert CliRunner().invoke(app, ["apply", "-q", "--target-version", "5.2", str(plain)]).exit_code == 0
    clear_cache()
    result = interactive(project, "y\ny\ny\n")
    assert result.exit_code == 0, result.output
    assert views_text(project) == views_text(plain)


def test_all_and_quit(project, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(project, other)
    result = interactive(project, "n\na\n")
    assert result.stdout.count("Apply this hunk") == 2    # "a" answers the rest
    text = views_text(project)
    assert COUNT_OLD in text and NAP_NEW in text and "await Item.objects.filter(name=\"x\").aexists()" in text
    clear_cache()
    quit_result = interactive(other, "y\nq\n")
    assert quit_result.stdout.count("Apply this hunk") == 2
    text = views_text(other)
    assert COUNT_NEW in text and NAP_OLD in text and TOTAL_OLD in text


def test_help_unknown_answers_and_end_of_input(project):
    result = interactive(project, "?\nmaybe\ny\n")     # then input ends: like q
    assert result.exit_code == 0, result.output
    assert result.stdout.count("a - apply this hunk and all remaining hunks") == 2
    text = views_text(project)
    assert COUNT_NEW in text and NAP_OLD in text


def test_interactive_refuses_json(project):
    result = CliRunner().invoke(app, ["apply", "-i", "--json", str(project)])
    assert result.exit_code == 2 and "--interactive" in result.stderr


class _Page(HTMLParser):
    """Collects text per element class and the table rows."""

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, str]] = []
        self.text: dict[str, list[str]] = {}
        self.rows: list[list[str]] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.add(tag)
        self.stack.append((tag, attrs.get("class") or attrs.get("id") or ""))
        if tag == "tr" and attrs.get("class") == "view":
            self.rows.append([])
        if tag in ("script", "link") or (tag == "img" and not (attrs.get("src") or "").startswith("data:")):
            raise AssertionError(f"not self-contained: <{tag}>")

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data):
        for _, name in self.stack:
            if name:
                self.text.setdefault(name, []).append(data)
        if self.stack and self.stack[-1][0] == "td" and self.rows and any(
                t == "tr" and n == "view" for t, n in self.stack):
            self.rows[-1].append(data)


def test_html_report_has_summary_views_reasons_and_coloured_diffs(project, tmp_path):
    page_path = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["diff", "--no-color", "--target-version", "5.2", "--html", str(page_path),
                                      str(project)])
    assert result.exit_code == 0, result.output
    assert views_text(project) == VIEWS          # diff still writes nothing but the page
    page = _Page()
    page.feed(page_path.read_text(encoding="utf-8"))
    assert {"html", "style", "table", "pre"} <= page.tags
    assert "Targeting Django 5.2" in "".join(page.text["target"])
    assert "1 file would be rewritten" in "".join(page.text["summary"])
    rows = {row[1]: row for row in page.rows}
    assert set(rows) == {"count", "nap", "total"}
    assert rows["count"][0] == "site/app/views.py:8" and rows["count"][2] == "convert"
    assert any("native async point" in cell for cell in rows["nap"])
    assert "line 21: time.sleep() -> await asyncio.sleep()" in page.text["points"]
    added, removed = page.text["add"], page.text["del"]
    assert "+async def count(request):" in added and "-def count(request):" in removed
    assert "+import asyncio" in added
    assert page.text["head"] == ["--- a/site/app/views.py", "+++ b/site/app/views.py"]
    assert any(h.startswith("@@ ") for h in page.text["hunk"])


def test_html_after_apply_and_bad_path(project, tmp_path):
    page_path = tmp_path / "applied.html"
    result = CliRunner().invoke(app, ["apply", "-q", "--html", str(page_path), str(project)])
    assert result.exit_code == 0
    assert "applied changes" in page_path.read_text() and "1 file rewritten" in page_path.read_text()
    bad = CliRunner().invoke(app, ["diff", "-q", "--html", str(tmp_path / "no" / "such" / "x.html"), str(project)])
    assert bad.exit_code == 2 and "cannot write the HTML report" in bad.stderr
