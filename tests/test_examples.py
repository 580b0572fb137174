"""The bundled example projects: migrated, their own (unchanged) suites still pass.

Each suite drives every view through Django's ``Client`` and ``AsyncClient``; a sync ORM
call left in an async view raises ``SynchronousOnlyOperation`` and fails it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import run_suite

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "examples"))
import regenerate  # noqa: E402

PROJECTS = regenerate.PROJECTS
DJANGO42 = os.environ.get("ASYNC_MIGRATE_DJANGO42_PYTHON")



def assert_passed(result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 0, result.stderr[-4000:]
    assert "\nOK" in result.stderr


def report(path: Path, *extra: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "async_migrate", "diff", "--json", *extra, str(path)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


@pytest.mark.parametrize("name", PROJECTS)
def test_after_is_what_apply_produces(name):
    assert subprocess.run([sys.executable, str(ROOT / "examples" / "regenerate.py"), "--check"],
                          capture_output=True, text=True).returncode == 0


@pytest.mark.parametrize("name", PROJECTS)
def test_suite_passes_before_and_after_on_django_52(name):
    assert_passed(run_suite(ROOT / "examples" / name / "before"))
    assert_passed(run_suite(ROOT / "examples" / name / "after"))


@pytest.mark.parametrize("name", PROJECTS)
def test_after_has_async_views(name):
    views = report(ROOT / "examples" / name / "before")["views"]
    converted = [v for v in views if v["decision"] in ("convert", "wrap")]
    assert converted, "the example must exercise converted views"
    after_views = report(ROOT / "examples" / name / "after")["views"]
    assert {v["view"] for v in converted} <= {v["view"] for v in after_views if v["decision"] == "already async"}


@pytest.mark.skipif(not DJANGO42, reason="set ASYNC_MIGRATE_DJANGO42_PYTHON (make test does) to run under Django 4.2")
@pytest.mark.parametrize("name", PROJECTS)
def test_migrated_for_42_passes_on_django_42(name, tmp_path):
    target = tmp_path / name
    regenerate.migrate_copy(ROOT / "examples" / name / "before", target, target="4.2")
    code = "\n".join(p.read_text() for p in target.rglob("views.py"))
    for later_api in ("auser(", "aget_object_or_404", "alogin(", "session.aget(", "ahas_perm("):
        assert later_api not in code, f"{later_api} does not exist in Django 4.2"
    assert "async def" in code
    assert_passed(run_suite(target, DJANGO42))
