"""The repository is a pre-commit hook repository: `async-migrate diff --check` on staged files.

Runs ``pre-commit try-repo`` for real (it builds the hook's virtualenv, which needs PyPI, as
CI has) against a throwaway checkout of this working tree and a tiny Django project.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

pytest.importorskip("pre_commit", reason="pre-commit is not installed (it is in the test extras)")
pytest.importorskip("yaml", reason="pre-commit needs PyYAML")

VIEWS = textwrap.dedent('''\
    from django.http import JsonResponse

    from .models import Item


    def count(request):
        return JsonResponse({"n": Item.objects.count()})
''')
MODELS = "from django.db import models\n\n\nclass Item(models.Model):\n    name = models.CharField(max_length=20)\n"
URLS = "from django.urls import path\n\nfrom . import views\n\nurlpatterns = [path('count/', views.count)]\n"


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false",
                    *args], cwd=cwd, check=True, capture_output=True)


def hook_checkout(tmp_path: Path) -> Path:
    """A git repository holding this working tree's package and hook manifest, committed."""
    checkout = tmp_path / "hook-repo"
    checkout.mkdir()
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy(REPO / name, checkout / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in ("src", "codemods"):
        shutil.copytree(REPO / name, checkout / name, ignore=ignore)
    git("init", "-q", cwd=checkout)
    git("add", "-A", cwd=checkout)
    git("commit", "-qm", "hook", cwd=checkout)
    return checkout


def django_project(tmp_path: Path) -> Path:
    project = tmp_path / "site"
    app = project / "shop"
    app.mkdir(parents=True)
    (project / "manage.py").write_text("")
    (app / "__init__.py").write_text("")
    (app / "models.py").write_text(MODELS)
    (app / "views.py").write_text(VIEWS)
    (app / "urls.py").write_text(URLS)
    git("init", "-q", cwd=project)
    git("add", "-A", cwd=project)
    git("commit", "-qm", "site", cwd=project)
    return project


def try_repo(checkout: Path, project: Path, home: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRE_COMMIT", "GIT_"))}
    env.update(PRE_COMMIT_HOME=str(home), PRE_COMMIT_COLOR="never", NO_COLOR="1")
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(checkout), "async-migrate",
                           "--all-files", "--color", "never"],
                          cwd=project, env=env, capture_output=True, text=True, timeout=240)


def test_manifest_declares_the_check_hook():
    import yaml

    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "async-migrate" and hook["language"] == "python"
    assert hook["entry"] == "async-migrate diff --check"
    assert hook["types"] == ["python"] and hook["require_serial"] is True


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_try_repo_checks_a_django_project_and_writes_nothing(tmp_path):
    """One hook install (about 30-60 s); `diff --check` passing after `apply` is tested in test_cli."""
    checkout, project = hook_checkout(tmp_path), django_project(tmp_path)
    views = project / "shop" / "views.py"

    result = try_repo(checkout, project, tmp_path / "cache")
    output = result.stdout + result.stderr
    assert "An unexpected error has occurred" not in output, output
    assert result.returncode == 1, output
    assert "async-migrate" in output and "Failed" in output
    assert "exit code: 1" in output                 # --check, not an error (2)
    assert "+async def count(request):" in output   # the hook shows the diff ...
    assert "+    return JsonResponse({\"n\": await Item.objects.acount()})" in output
    assert "1 file would be rewritten" in output    # ... and the summary
    assert views.read_text() == VIEWS                # check mode writes nothing
