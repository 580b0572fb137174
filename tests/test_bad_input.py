"""Bad input through the CLI (a subprocess): one ``PATH: error: REASON`` line per bad file, no
traceback, exit 2, the bad file byte-identical, every other file still processed, and nothing
half-written or left behind."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from async_migrate import files

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
needs_non_root = pytest.mark.skipif(
    IS_ROOT, reason="running as root: permission bits do not stop root, so there is nothing to test")

VIEWS = b'from django.http import HttpResponse\n\n\ndef ok(request):\n    return HttpResponse("x")\n'
URLS = b"from django.urls import path\n\nfrom . import views\n\nurlpatterns = [path('', views.ok)]\n"


def cli(*args: str, cwd: Path, stdin: bytes | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "async_migrate", *args], cwd=cwd, input=stdin,
                          capture_output=True, timeout=timeout)


def error_lines(result: subprocess.CompletedProcess) -> list[str]:
    stderr = result.stderr.decode()
    assert "Traceback" not in stderr, stderr
    return [line for line in stderr.splitlines() if ": error: " in line]


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file but the tool's index cache (``index_cache``), which a run writes."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not p.is_symlink() and ".async_migrate_cache" not in p.parts}


def no_leftovers(root: Path) -> None:
    names = [p.name for p in root.rglob("*")]
    assert [n for n in names if n.endswith(".tmp")] == []


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "manage.py").write_bytes(b"")
    app = tmp_path / "app"
    app.mkdir()
    (app / "__init__.py").write_bytes(b"")
    (app / "views.py").write_bytes(VIEWS)
    (app / "urls.py").write_bytes(URLS)
    return tmp_path


def converted(project: Path) -> bool:
    return b"async def ok(request):" in (project / "app" / "views.py").read_bytes()


BAD_FILES = {
    "syntax.py": (b"def broken(:\n", "syntax error at line"),
    "undecodable.py": (b'x = "\xff\xfe"\n', "cannot decode as utf-8"),
    "binary.py": (bytes(range(256)) * 8, "binary file"),
    "nul.py": (b"x = 1\0\n", "binary file (NUL byte)"),
    "cookie.py": (b"# -*- coding: no-such-codec -*-\nx = 1\n", "encoding"),
    "nested.py": (b"x = " + b"[" * 3000 + b"]" * 3000 + b"\n", "too deeply nested to parse"),
}
DEEP_UNARY = b"x = " + b"-" * 20000 + b"1\n"   # CPython's ast.parse raises MemoryError on it


@pytest.mark.parametrize("command", ["apply", "diff"])
def test_each_bad_file_gets_one_line_and_the_rest_is_processed(project, command):
    """Several bad files in one run (eight or more files also exercises the worker processes)."""
    for name, (data, _) in BAD_FILES.items():
        (project / "app" / name).write_bytes(data)
    before = snapshot(project)
    result = cli(command, "--no-color", "--quiet", ".", cwd=project)
    assert result.returncode == 2
    lines = error_lines(result)
    assert len(lines) == len(BAD_FILES), lines
    for name, (data, reason) in BAD_FILES.items():
        (line,) = [line for line in lines if line.startswith(f"app/{name}: error: ")]
        assert reason in line, line
        assert (project / "app" / name).read_bytes() == data
    assert converted(project) == (command == "apply")
    after = snapshot(project)
    assert {k: v for k, v in after.items() if k != "app/views.py"} == {
        k: v for k, v in before.items() if k != "app/views.py"}
    no_leftovers(project)


def test_a_file_too_deep_for_cpython_does_not_poison_the_project(project):
    (project / "app" / "unary.py").write_bytes(DEEP_UNARY)
    result = cli("apply", "--no-color", "--quiet", ".", cwd=project)
    assert result.returncode == 2
    assert error_lines(result) == ["app/unary.py: error: too deeply nested to parse"]
    assert converted(project)


def test_empty_file_is_fine(project):
    (project / "app" / "empty.py").write_bytes(b"")
    result = cli("apply", "--no-color", "--quiet", ".", cwd=project)
    assert result.returncode == 0 and error_lines(result) == []
    assert (project / "app" / "empty.py").read_bytes() == b""
    assert converted(project)


def test_missing_path(project):
    result = cli("apply", "--no-color", "--quiet", ".", "nowhere.py", cwd=project)
    assert result.returncode == 2
    assert error_lines(result) == ["nowhere.py: error: no such file or directory"]
    assert converted(project)


def test_directory_symlink_loop_terminates(project):
    loop = project / "app" / "loop"
    loop.mkdir()
    (loop / "back").symlink_to("..", target_is_directory=True)
    (project / "app" / "self.py").symlink_to("self.py")
    started = time.monotonic()
    result = cli("apply", "--no-color", "--quiet", ".", cwd=project, timeout=60)
    assert time.monotonic() - started < 30
    assert result.returncode == 2
    assert sorted(error_lines(result)) == ["app/loop/back: error: symlink loop", "app/self.py: error: symlink loop"]
    assert converted(project)
    assert (loop / "back").is_symlink()


def test_fifo_named_on_the_command_line_does_not_hang(project):
    os.mkfifo(project / "pipe.py")
    result = cli("apply", "--no-color", "--quiet", ".", "pipe.py", cwd=project, timeout=60)
    assert result.returncode == 2
    assert error_lines(result) == ["pipe.py: error: not a regular file"]
    assert converted(project)


def test_file_just_over_the_size_limit(project):
    line = b'x = "' + b"a" * 94 + b'"\n'   # 100 bytes
    data = VIEWS + line * (files.MAX_FILE_BYTES // len(line) + 1)
    assert files.MAX_FILE_BYTES < len(data) < files.MAX_FILE_BYTES + 200
    (project / "app" / "huge.py").write_bytes(data)
    result = cli("apply", "--no-color", "--quiet", ".", cwd=project)
    assert result.returncode == 2
    assert error_lines(result) == [f"app/huge.py: error: file too large ({len(data)} bytes)"]
    assert (project / "app" / "huge.py").read_bytes() == data
    assert converted(project)


def test_form_feed_that_libcst_cannot_round_trip_is_refused(project):
    """transform_source: a file LibCST would silently alter is reported, never written."""
    data = VIEWS.replace(b"\n\n\ndef ok", b"\n\n\n\x0cdef ok")
    (project / "app" / "views.py").write_bytes(data)
    result = cli("apply", "--no-color", "--quiet", ".", cwd=project)
    assert result.returncode == 2
    assert error_lines(result) == ["app/views.py: error: LibCST cannot reproduce this file byte for byte; "
                                   "not rewritten"]
    assert (project / "app" / "views.py").read_bytes() == data


def test_stdin_bad_input(project):
    result = cli("diff", "-", cwd=project, stdin=b"x = 1\0\n")
    assert result.returncode == 2
    assert error_lines(result) == ["-: error: binary file (NUL byte)"]
    for deep in (b"x = " + b"(" * 5000 + b")" * 5000 + b"\n", DEEP_UNARY):   # LibCST would segfault
        result = cli("diff", "-", cwd=project, stdin=deep)
        assert result.returncode == 2
        assert error_lines(result) == ["-: error: too deeply nested to parse"]


def test_three_thousand_views_in_one_file(project):
    count = 3000
    views = [b"from django.db import models\nfrom django.http import JsonResponse\n\n\n"
             b"class Item(models.Model):\n    name = models.CharField(max_length=50)\n"]
    views += [f'\n\ndef view_{i}(request):\n    item = Item.objects.get(pk={i})\n'
              f'    return JsonResponse({{"name": item.name}})\n'.encode() for i in range(count)]
    routes = "".join(f"    path('v{i}/', views.view_{i}),\n" for i in range(count))
    (project / "app" / "views.py").write_bytes(b"".join(views))
    (project / "app" / "urls.py").write_text(
        f"from django.urls import path\n\nfrom . import views\n\nurlpatterns = [\n{routes}]\n")
    result = cli("apply", "--no-color", "--quiet", ".", cwd=project, timeout=600)
    assert result.returncode == 0, result.stderr.decode()
    assert error_lines(result) == []
    text = (project / "app" / "views.py").read_text()
    assert text.count("\nasync def view_") == count
    assert text.count("await Item.objects.aget(pk=") == count
    compile(text, "views.py", "exec")
    no_leftovers(project)


@needs_non_root
def test_unreadable_file(project):
    bad = project / "app" / "secret.py"
    bad.write_bytes(b"x = 1\n")
    bad.chmod(0)
    try:
        result = cli("apply", "--no-color", "--quiet", ".", cwd=project)
    finally:
        bad.chmod(0o644)
    assert result.returncode == 2
    assert error_lines(result) == ["app/secret.py: error: permission denied"]
    assert converted(project)


@needs_non_root
def test_read_only_file_is_not_written(project):
    views = project / "app" / "views.py"
    views.chmod(0o444)
    (project / "app").chmod(0o555)   # the temp file cannot be created either
    try:
        result = cli("apply", "--no-color", "--quiet", ".", cwd=project)
    finally:
        (project / "app").chmod(0o755)
        views.chmod(0o644)
    assert result.returncode == 2
    assert error_lines(result) == ["app/views.py: error: permission denied"]
    assert views.read_bytes() == VIEWS
    no_leftovers(project)


@needs_non_root
def test_read_only_directory(project):
    (project / "app").chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        result = cli("apply", "--no-color", "--quiet", ".", cwd=project)
    finally:
        (project / "app").chmod(0o755)
    assert result.returncode == 2
    assert error_lines(result) == ["app/views.py: error: permission denied"]
    assert (project / "app" / "views.py").read_bytes() == VIEWS
    no_leftovers(project)
