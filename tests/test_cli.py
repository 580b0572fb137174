"""The command line end to end: dry run by default, apply, --check, --json, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

VIEWS = textwrap.dedent('''\
    from django.http import JsonResponse


    def ping(request):
        return JsonResponse({"ok": True})


    def helper(value):
        return value * 2
''')
URLS = "from django.urls import path\n\nfrom . import views\n\nurlpatterns = [path('ping/', views.ping)]\n"


def cli(*args: str, cwd: Path | None = None, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "async_migrate", *args], cwd=cwd, input=stdin,
                          capture_output=True)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "manage.py").write_text("")
    app = tmp_path / "app"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "views.py").write_text(VIEWS)
    (app / "urls.py").write_text(URLS)
    return tmp_path


def test_diff_shows_changes_and_writes_nothing(project):
    before = (project / "app" / "views.py").read_bytes()
    result = cli("diff", "--no-color", str(project))
    assert result.returncode == 0
    assert b"+async def ping(request):" in result.stdout
    assert b"1 file would be rewritten" in result.stderr
    assert (project / "app" / "views.py").read_bytes() == before


def test_views_report_off_a_terminal_is_one_line_per_view(project):
    """Piped (a log, CI): ``path:line: view: decision: why`` lines, not a table; on stderr, so
    stdout stays a pure patch."""
    result = cli("diff", str(project), cwd=project)
    lines = result.stderr.decode().splitlines()
    assert "Views:" in lines
    assert "app/views.py:4: ping: convert: no I/O in the body" in lines, lines
    assert b"Views" not in result.stdout


def test_views_report_on_a_terminal_is_a_table():
    from io import StringIO

    from rich.console import Console

    from async_migrate.engine import FileResult, RunResult
    from async_migrate.report import print_views

    view = {"view": "ping", "path": "app/views.py", "line": 4, "decision": "convert", "reason": "no I/O in the body"}
    screen = StringIO()
    print_views(Console(file=screen, force_terminal=True, width=100), RunResult([FileResult(Path("x"), views=[view])]))
    assert "┏━" in screen.getvalue() and "│ ping │" in screen.getvalue()


def test_check_exits_1_when_something_would_change(project):
    assert cli("diff", "--check", "--quiet", str(project)).returncode == 1


def test_apply_then_second_apply_changes_nothing(project):
    assert cli("apply", "--quiet", str(project)).returncode == 0
    after = (project / "app" / "views.py").read_text()
    assert "async def ping(request):" in after and "def helper(value):" in after
    assert "async def helper" not in after
    again = cli("diff", "--check", str(project))
    assert again.returncode == 0
    assert (project / "app" / "views.py").read_text() == after


def test_json_report(project):
    result = cli("diff", "--json", str(project))
    data = json.loads(result.stdout)
    assert data["schema_version"] == 1
    assert data["summary"]["changed"] == 1
    (view,) = data["views"]
    assert view["view"] == "ping" and view["decision"] == "convert" and view["line"] == 4


def test_bad_file_gets_one_line_and_exit_2_others_still_processed(project):
    (project / "app" / "broken.py").write_text("def broken(:\n")
    result = cli("apply", "--quiet", str(project))
    assert result.returncode == 2
    errors = [line for line in result.stderr.decode().splitlines() if ": error: " in line]
    assert len(errors) == 1 and "broken.py: error: syntax error" in errors[0]
    assert "async def ping" in (project / "app" / "views.py").read_text()
    assert (project / "app" / "broken.py").read_text() == "def broken(:\n"


def test_missing_path_is_an_error(tmp_path):
    result = cli("diff", str(tmp_path / "nope"))
    assert result.returncode == 2
    assert b"no such file or directory" in result.stderr


def test_run_one_codemod_and_list(project):
    listing = cli("codemods").stdout.decode()
    assert "orm_async" in listing and "async_def" in listing
    assert cli("run", "nope", str(project)).returncode == 2
    assert cli("run", "async_def", str(project), "--apply", "--quiet").returncode == 0
    assert "async def ping" in (project / "app" / "views.py").read_text()


def test_target_version_is_announced_and_validated(project):
    (project / "requirements.txt").write_text("Django>=4.2,<5.0\n")
    result = cli("diff", "--quiet", str(project))
    assert b"Targeting Django 4.2 (from the Django pin in requirements.txt)" in result.stderr
    assert cli("diff", "--target-version", "3.2", str(project)).returncode == 2


def test_stdin_is_a_views_module(project):
    result = cli("diff", "-", stdin=VIEWS.encode())
    assert result.returncode == 0
    assert b"async def ping(request):" in result.stdout


def test_version_flag():
    assert cli("--version").stdout.startswith(b"async-migrate ")


def test_syntax_newer_than_this_python_is_processed_not_an_error(project):
    # 3.12 type aliases and generics, 3.14 `except A, B:`: LibCST parses them anywhere, and
    # the stdlib-ast index reads a down-levelled copy.
    views = project / "app" / "views.py"
    views.write_text(VIEWS.replace("def helper(value):", "type Alias = int\n\n\ndef helper[T](value: T) -> T:"))
    (project / "app" / "compat.py").write_text("try:\n    pass\nexcept ValueError, TypeError:\n    pass\n")
    result = cli("apply", "--quiet", str(project))
    assert result.returncode == 0, result.stderr
    text = views.read_text()
    assert "async def ping(request):" in text and "type Alias = int" in text and "def helper[T]" in text


def test_output_is_the_same_whatever_the_number_of_workers(tmp_path):
    # Enough view modules for the process pool to start (engine.PARALLEL_THRESHOLD).
    (tmp_path / "manage.py").write_text("")
    routes = []
    for index in range(12):
        app = tmp_path / f"app{index}"
        app.mkdir()
        (app / "__init__.py").write_text("")
        (app / "views.py").write_text(VIEWS)
        routes.append(f"from app{index} import views as v{index}")
    (tmp_path / "urls.py").write_text("from django.urls import path\n" + "\n".join(routes) + "\n\nurlpatterns = [\n"
                                      + "".join(f"    path('p{i}/', v{i}.ping),\n" for i in range(12)) + "]\n")
    runs = []
    for jobs in ("1", "2"):
        result = cli("diff", "--no-color", "--jobs", jobs, str(tmp_path))
        assert result.returncode == 0, result.stderr
        report = json.loads(cli("diff", "--json", "--jobs", jobs, str(tmp_path)).stdout)
        for item in report["files"]:
            item.pop("seconds")
        report.pop("timings")
        runs.append((result.stdout, report))
    assert runs[0] == runs[1]
    assert runs[0][1]["summary"]["changed"] == 12
