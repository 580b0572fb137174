"""`diff` output is a patch: `git apply` turns the "before" tree into exactly what `apply` writes."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from async_migrate.engine import FileResult
from async_migrate.report import patch_bytes, split_lines, unified_diff

REPO = Path(__file__).resolve().parents[1]
SHOP = REPO / "examples" / "shop" / "before"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

EDGE_FILES = {
    "crlf.py": b"from django.http import JsonResponse\r\n\r\n\r\ndef crlf(request):\r\n    return JsonResponse({})\r\n",
    "nonl.py": b"from django.http import JsonResponse\n\n\ndef nonl(request):\n    return JsonResponse({})",
    # BOM, a form feed and a Unicode line separator inside a string: not line ends for git
    "bom.py": ("\ufeffimport time\nfrom django.http import JsonResponse\n\n\ndef bom(request):\n"
               "    time.sleep(1)\n    return JsonResponse({'a': '\x0c\u2028'})\n").encode(),
    "lat.py": ("# -*- coding: latin-1 -*-\nfrom django.http import JsonResponse\n\n\n"
               "def lat(request):\n    return JsonResponse({'a': '\xe9'})\n").encode("latin-1"),
    "mixed.py": b"from django.http import JsonResponse\r\n\n\ndef mixed(request):\r\n    return JsonResponse({})\n",
}
EDGE_URLS = ("from django.urls import path\n\nfrom . import bom, crlf, lat, mixed, nonl\n\n"
             "urlpatterns = [path('a/', crlf.crlf), path('b/', nonl.nonl), path('c/', bom.bom),\n"
             "               path('d/', lat.lat), path('e/', mixed.mixed)]\n")


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "async_migrate", *args], cwd=cwd, capture_output=True)


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts and ".async_migrate_cache" not in p.parts}


def edge_project(root: Path) -> Path:
    app = root / "app"
    app.mkdir(parents=True)
    (root / "manage.py").write_text("")
    (app / "__init__.py").write_text("")
    (app / "urls.py").write_text(EDGE_URLS)
    for name, data in EDGE_FILES.items():
        (app / name).write_bytes(data)
    return root


def check_patch_round_trip(original: Path, tmp_path: Path, expect_changed: int | None = None) -> None:
    shown, patched, applied = (tmp_path / n for n in ("shown", "patched", "applied"))
    for copy in (shown, patched, applied):
        shutil.copytree(original, copy)
    diff = cli("diff", "--no-color", ".", cwd=shown)
    assert diff.returncode == 0, diff.stderr
    changed = int(re.search(rb"(\d+) files? would be rewritten", diff.stderr).group(1))
    assert changed >= 1 and (expect_changed is None or changed == expect_changed)
    assert diff.stdout.count(b"\n--- a/") + diff.stdout.startswith(b"--- a/") == changed
    assert b"Views" not in diff.stdout and b"Views" in diff.stderr   # stdout is a pure patch
    patch = tmp_path / "changes.patch"
    patch.write_bytes(diff.stdout)
    check = subprocess.run(["git", "apply", "--check", str(patch)], cwd=patched, capture_output=True)
    assert check.returncode == 0, check.stderr
    subprocess.run(["git", "apply", str(patch)], cwd=patched, check=True, capture_output=True)
    done = cli("apply", "--quiet", ".", cwd=applied)
    assert done.returncode == 0, done.stderr
    assert tree(patched) == tree(applied)
    assert tree(patched) != tree(original)
    assert tree(shown) == tree(original)     # diff wrote nothing


def test_shop_example_patch_applies_to_exactly_what_apply_writes(tmp_path):
    check_patch_round_trip(SHOP, tmp_path)


def test_crlf_bom_latin1_and_no_trailing_newline_files(tmp_path):
    original = edge_project(tmp_path / "original")
    check_patch_round_trip(original, tmp_path, expect_changed=len(EDGE_FILES))
    applied = tmp_path / "applied" / "app"
    assert (applied / "crlf.py").read_bytes().count(b"\r\n") == 5
    assert (applied / "nonl.py").read_bytes().endswith(b"return JsonResponse({})")
    assert (applied / "bom.py").read_bytes().startswith(b"\xef\xbb\xbf")
    assert b"'\xe9'" in (applied / "lat.py").read_bytes()


def test_split_lines_splits_where_git_does():
    assert split_lines("a\r\nb\x0cc\u2028d\re\n") == ["a\r\n", "b\x0cc\u2028d\re\n"]
    assert split_lines("a\nb") == ["a\n", "b"]
    assert split_lines("") == []


def test_no_newline_marker_and_headers(tmp_path):
    path = tmp_path / "x.py"
    path.write_bytes(b"def f():\n    return 1")
    result = FileResult(path, old="def f():\n    return 1", new="async def f():\n    return 1")
    text = unified_diff(result)
    assert text.splitlines()[:2] == [f"--- a/{text.splitlines()[0][6:]}", f"+++ b/{text.splitlines()[0][6:]}"]
    assert text.endswith(" return 1\n\\ No newline at end of file\n")
    assert patch_bytes(result) == text.encode()


def test_a_removed_line_that_looks_like_a_header_is_not_one(tmp_path):
    path = tmp_path / "y.py"
    old = "x = 1\n-- a/y\n"
    path.write_text(old)
    data = patch_bytes(FileResult(path, old=old, new="x = 1\n"))
    assert data.splitlines()[-1] == b"--- a/y"
