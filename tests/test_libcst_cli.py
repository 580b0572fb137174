"""Every codemod runs on its own through LibCST's runner, configured by .libcst.codemod.yaml."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from async_migrate.codemods._command import ViewCodemodCommand
from async_migrate.registry import all_codemods

REPO = Path(__file__).resolve().parents[1]
MODELS = "from django.db import models\n\n\nclass Item(models.Model):\n    name = models.CharField(max_length=20)\n"
VIEWS = textwrap.dedent('''\
    from django.http import JsonResponse

    from .models import Item


    def count(request):
        return JsonResponse({"n": Item.objects.count()})


    def ping(request):
        return JsonResponse({})


    def helper(value):
        return value * 2
''')
URLS = "from django.urls import path\n\nfrom . import views\n\nurlpatterns = [path('c/', views.count), path('p/', views.ping)]\n"


def command_name(name: str) -> str:
    """``orm_async`` -> ``orm_async.OrmAsyncCommand``: the class the module defines."""
    module = all_codemods()[name]
    found = [getattr(module, name) for name in dir(module)]   # the command is built on first access
    (cls,) = [v for v in found if isinstance(v, type) and issubclass(v, ViewCodemodCommand) and v is not ViewCodemodCommand]
    return f"{module.__name__.rsplit('.', 1)[-1]}.{cls.__name__}"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A tiny Django project with this repository's .libcst.codemod.yaml at its root."""
    shutil.copy(REPO / ".libcst.codemod.yaml", tmp_path / ".libcst.codemod.yaml")
    (tmp_path / "manage.py").write_text("")
    app = tmp_path / "app"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "models.py").write_text(MODELS)
    (app / "views.py").write_text(VIEWS)
    (app / "urls.py").write_text(URLS)
    return tmp_path


def libcst_tool(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "libcst.tool", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_config_file_lists_the_codemods_package():
    config = yaml.safe_load((REPO / ".libcst.codemod.yaml").read_text())
    assert config["modules"] == ["async_migrate.codemods"]
    assert set(config) == {"generated_code_marker", "formatter", "blacklist_patterns", "modules", "repo_root"}


def test_every_codemod_is_listed(project):
    result = libcst_tool("list", cwd=project)
    assert result.returncode == 0, result.stderr
    for name in all_codemods():
        assert command_name(name) in result.stdout


@pytest.mark.parametrize("name", list(all_codemods()))
def test_each_codemod_runs_alone(project, name):
    views = project / "app" / "views.py"
    result = libcst_tool("codemod", command_name(name), "--no-format", "-j", "1", "--hide-progress",
                         "app/views.py", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "Failed to codemod 0 files" in result.stderr
    text = views.read_text()
    assert "async def ping(request):" in text          # the async def flip every codemod implies
    assert "def helper(value):" in text and "async def helper" not in text
    if name == "orm_async":
        assert text == VIEWS.replace("def count", "async def count").replace(
            "def ping", "async def ping").replace("Item.objects.count()", "await Item.objects.acount()")
    else:   # count needs orm_async: left as it is
        assert "def count(request):" in text and "async def count" not in text


def test_unified_diff_and_configured_formatter(project):
    if shutil.which("cat") is None:
        pytest.skip("the configured identity formatter `cat` is not on PATH")
    views = project / "app" / "views.py"
    result = libcst_tool("codemod", "orm_async.OrmAsyncCommand", "-j", "1", "--hide-progress", "-u", "1",
                         "app/views.py", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "+async def count(request):" in result.stdout
    assert views.read_text() == VIEWS          # -u prints, writes nothing
    formatted = libcst_tool("codemod", "orm_async.OrmAsyncCommand", "-j", "1", "--hide-progress",
                            "app/views.py", cwd=project)
    assert formatted.returncode == 0, formatted.stderr
    assert "await Item.objects.acount()" in views.read_text()


def test_target_version_argument_is_passed_through(project):
    views = project / "app" / "views.py"
    (project / "app" / "views.py").write_text(VIEWS.replace(
        'return JsonResponse({"n": Item.objects.count()})',
        'item = Item.objects.first()\n    item.save()\n    return JsonResponse({})'))
    result = libcst_tool("codemod", "orm_async.OrmAsyncCommand", "--no-format", "-j", "1", "--hide-progress",
                         "app/views.py", "--target-version", "4.1", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "item.asave()" not in views.read_text()   # asave is 4.2+
