"""Tests for async_migrate.files: walking, decoding and atomic writes."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from async_migrate import files
from async_migrate.files import (
    FileError,
    FileProblem,
    SourceText,
    decode_source,
    encode_source,
    iter_python_files,
    read_source,
    write_atomic,
)

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
needs_non_root = pytest.mark.skipif(
    IS_ROOT, reason="running as root: root can read everything, permission tests are meaningless"
)


def make(root: Path, *names: str) -> None:
    """Create files (and their parent directories) under root."""
    for name in names:
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("x = 1\n")


def walk(*paths: Path, exclude: tuple[str, ...] = ()) -> list[Path | FileError]:
    return list(iter_python_files(list(paths), exclude))


def rel(items: list[Path | FileError], root: Path) -> list[str]:
    """Paths relative to root (posix); FileErrors rendered as 'ERR <rel>: <reason>'."""
    out = []
    for item in items:
        if isinstance(item, FileError):
            out.append(f"ERR {item.path.relative_to(root).as_posix()}: {item.reason}")
        else:
            out.append(item.relative_to(root).as_posix())
    return out


# --------------------------------------------------------------------- walking


def test_walk_order_and_default_skips(tmp_path: Path) -> None:
    make(
        tmp_path,
        "z.py", "a.py", "notes.txt", "stub.pyi",
        "pkg/__init__.py", "pkg/views.py", "pkg/sub/deep.py",
        "pkg/migrations/0001_initial.py",
        "node_modules/lib/x.py",
        ".git/hooks/pre.py",
        ".hidden/h.py",
        "__pycache__/a.py",
        "venv/lib/site.py",
        "custom_env/lib/y.py", "custom_env/pyvenv.cfg",
        "build/lib/b.py", "dist/d.py", ".tox/t.py",
    )
    assert rel(walk(tmp_path), tmp_path) == [
        "a.py", "pkg/__init__.py", "pkg/sub/deep.py", "pkg/views.py", "z.py",
    ]


def test_order_is_stable_across_runs(tmp_path: Path) -> None:
    make(tmp_path, *(f"m{i}/f{j}.py" for i in range(5) for j in range(5)))
    first = [p for p in walk(tmp_path) if isinstance(p, Path)]
    assert first == walk(tmp_path)
    assert len(first) == 25 and first == sorted(first)


def test_explicit_files_always_yielded(tmp_path: Path) -> None:
    make(tmp_path, "migrations/0001.py", "script", "a.py")
    explicit = [tmp_path / "migrations/0001.py", tmp_path / "script"]
    assert walk(*explicit) == explicit


def test_explicit_root_is_walked_even_if_its_name_is_skipped(tmp_path: Path) -> None:
    make(tmp_path, "build/a.py", "build/migrations/m.py")
    assert rel(walk(tmp_path / "build"), tmp_path) == ["build/a.py"]


def test_excludes_match_relative_path_and_name(tmp_path: Path) -> None:
    make(
        tmp_path,
        "app/views.py", "app/test_views.py", "app/legacy/old.py",
        "app/api/old.py", "app/api/new.py", "other/legacy/keep.py",
    )
    got = rel(walk(tmp_path, exclude=("test_*.py", "app/legacy/", "app/*/old.py")), tmp_path)
    assert got == ["app/api/new.py", "app/views.py", "other/legacy/keep.py"]
    assert rel(walk(tmp_path, exclude=("legacy",)), tmp_path) == [
        "app/api/new.py", "app/api/old.py", "app/test_views.py", "app/views.py",
    ]


def test_gitignore_root_and_nested(tmp_path: Path) -> None:
    make(
        tmp_path,
        "top.py", "sub/top.py", "gen/x.py", "api_pb2.py", "keep_pb2.py",
        "pkg/skip.py", "pkg/ok.py", "sub/local.py", "sub/deeper/local.py",
        "sub/anch.py", "sub/deeper/anch.py", "anch.py", "gen.py",
    )
    (tmp_path / ".gitignore").write_text(
        "# generated code\n\n/top.py\ngen/\n*_pb2.py\n!keep_pb2.py\npkg/skip.py\n"
    )
    (tmp_path / "sub" / ".gitignore").write_text("local.py\n/anch.py\n")
    assert rel(walk(tmp_path), tmp_path) == [
        "anch.py",             # /anch.py in sub/.gitignore is anchored to sub/
        "gen.py",              # "gen/" only matches directories
        "pkg/ok.py",
        "sub/deeper/anch.py",
        "sub/top.py",          # "/top.py" is anchored to the root
    ]  # keep_pb2.py stays ignored: negations are deliberately not supported


def test_each_file_once(tmp_path: Path) -> None:
    make(tmp_path, "pkg/a.py", "pkg/b.py")
    os.symlink(tmp_path / "pkg", tmp_path / "alias")
    os.symlink(tmp_path / "pkg" / "a.py", tmp_path / "pkg" / "link_to_a.py")
    got = walk(tmp_path, tmp_path / "pkg", tmp_path / "pkg" / "a.py")
    assert all(isinstance(p, Path) for p in got)
    assert sorted(os.path.realpath(p) for p in got if isinstance(p, Path)) == sorted(
        os.path.realpath(tmp_path / "pkg" / n) for n in ("a.py", "b.py")
    )


def test_directory_symlink_loop_reports_once(tmp_path: Path) -> None:
    make(tmp_path, "a/x.py")
    os.symlink(tmp_path, tmp_path / "a" / "loop")   # a/loop -> root
    os.symlink(".", tmp_path / "a" / "self")        # a/self -> a
    got = rel(walk(tmp_path), tmp_path)
    assert got == ["ERR a/loop: symlink loop", "ERR a/self: symlink loop", "a/x.py"]


def test_file_symlink_problems(tmp_path: Path) -> None:
    make(tmp_path, "ok.py")
    os.symlink(tmp_path / "missing.py", tmp_path / "dead.py")
    os.symlink("me.py", tmp_path / "me.py")
    os.symlink(tmp_path / "missing", tmp_path / "dead_dir")  # not a .py name: skipped
    got = walk(tmp_path)
    assert rel(got, tmp_path) == ["ERR dead.py: broken symlink", "ERR me.py: symlink loop", "ok.py"]
    assert walk(tmp_path / "dead.py") == [FileError(tmp_path / "dead.py", "broken symlink")]
    assert walk(tmp_path / "me.py") == [FileError(tmp_path / "me.py", "symlink loop")]


def test_missing_path_then_continues(tmp_path: Path) -> None:
    make(tmp_path, "a.py")
    got = walk(tmp_path / "nope", tmp_path / "a.py")
    assert got == [FileError(tmp_path / "nope", "no such file or directory"), tmp_path / "a.py"]
    assert str(got[0]) == f"{tmp_path / 'nope'}: error: no such file or directory"


@needs_non_root
def test_unreadable_directory_is_reported_and_walk_goes_on(tmp_path: Path) -> None:
    make(tmp_path, "a.py", "locked/b.py", "z/c.py")
    (tmp_path / "locked").chmod(0)
    try:
        got = rel(walk(tmp_path), tmp_path)
    finally:
        (tmp_path / "locked").chmod(0o755)
    assert got == ["a.py", "ERR locked: permission denied", "z/c.py"]


# -------------------------------------------------------------------- decoding


@pytest.mark.parametrize(
    "data, newline",
    [
        (b"a = 1\r\nb = 2\r\n", "\r\n"),
        (b"a = 1\rb = 2\r", "\r"),
        (b"a = 1\nb = 2\n", "\n"),
        (b"a = 1\r\nb = 2\nc = 3\r\nd\r", "\r\n"),
        (b"a = 1\nb = 2\r\n", "\n"),  # tie: prefer \n
        (b"no newline", "\n"),
    ],
)
def test_newlines_kept_and_dominant_detected(data: bytes, newline: str) -> None:
    s = decode_source(data)
    assert s.text == data.decode("utf-8")  # no universal-newline translation
    assert s.newline == newline
    assert encode_source(s, s.text) == data


def test_bom_kept() -> None:
    data = b"\xef\xbb\xbfx = '\xc3\xa9'\n"
    s = decode_source(data)
    assert s == SourceText("x = 'é'\n", "utf-8", True, "\n")
    assert encode_source(s, s.text) == data
    assert encode_source(s, "y = 2\n") == b"\xef\xbb\xbfy = 2\n"


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
def test_latin1_cookie_kept(newline: bytes) -> None:
    data = newline.join([b"# -*- coding: latin-1 -*-", b"name = '\xe9t\xe9'", b""])
    s = decode_source(data)
    assert s.encoding == "iso-8859-1"
    assert "été" in s.text
    assert encode_source(s, s.text) == data
    with pytest.raises(FileProblem, match=r"cannot encode '€' \(line 2\) as iso-8859-1"):
        encode_source(s, s.text.replace("été", "€"))


def test_other_cookie_is_normalised() -> None:
    s = decode_source(b"# vim: set fileencoding=cp1252 :\nx = '\x80'\n")
    assert s.encoding == "cp1252"
    assert "€" in s.text


def test_tabs_and_trailing_whitespace_kept() -> None:
    data = b"def f():\n\treturn 1  \t\n"
    assert decode_source(data).text == data.decode()


def test_empty_file() -> None:
    assert decode_source(b"") == SourceText("", "utf-8", False, "\n")


def test_nul_byte_is_binary() -> None:
    with pytest.raises(FileProblem, match=r"^binary file \(NUL byte\)$"):
        decode_source(b"x = 1\n\0\n")


@pytest.mark.parametrize(
    "data, offset",
    [(b"x = '\xff'\n", 5), (b"a = 1\nb = '\xc3('\n", 11), (b"\xef\xbb\xbfa\nb\x80\n", 6)],
)
def test_undecodable_utf8_reports_byte_offset(data: bytes, offset: int) -> None:
    with pytest.raises(FileProblem) as info:
        decode_source(data)
    msg = str(info.value)
    assert msg.startswith("cannot decode as utf-8: ")
    assert msg.endswith(f" at byte {offset}")
    assert "\n" not in msg


@pytest.mark.parametrize(
    "cookie",
    [b"bogus-codec", b"rot13", b"hex", b"utf-16", b"utf-32-le", b"unicode_escape"],
)
def test_unusable_cookie_is_a_problem(cookie: bytes) -> None:
    with pytest.raises(FileProblem) as info:
        decode_source(b"# coding: " + cookie + b"\nx = 1\n")
    assert str(info.value).startswith(("unknown encoding: ", "unsupported encoding: "))
    assert "\n" not in str(info.value)


def test_bom_with_conflicting_cookie() -> None:
    with pytest.raises(FileProblem, match="encoding problem"):
        decode_source(b"\xef\xbb\xbf# coding: latin-1\nx = 1\n")


def test_too_large(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 10)
    with pytest.raises(FileProblem, match=r"^file too large \(11 bytes\)$"):
        decode_source(b"x = 1234567")
    assert decode_source(b"x = 123456").text == "x = 123456"

    big = tmp_path / "big.py"
    big.write_bytes(b"#" * 100)

    def no_open(*args: object, **kwargs: object) -> None:
        raise AssertionError("read_source must check the size before reading")

    monkeypatch.setattr(files, "open", no_open, raising=False)
    with pytest.raises(FileProblem, match=r"^file too large \(100 bytes\)$"):
        read_source(big)


def test_read_source(tmp_path: Path) -> None:
    p = tmp_path / "a.py"
    p.write_bytes(b"x = 1\r\n")
    assert read_source(p) == SourceText("x = 1\r\n", "utf-8", False, "\r\n")
    with pytest.raises(FileProblem, match="^no such file or directory$"):
        read_source(tmp_path / "missing.py")
    with pytest.raises(FileProblem, match="^is a directory$"):
        read_source(tmp_path)
    (tmp_path / "bin.py").write_bytes(b"\0\1\2")
    with pytest.raises(FileProblem, match="binary file"):
        read_source(tmp_path / "bin.py")


@needs_non_root
def test_read_source_permission_denied(tmp_path: Path) -> None:
    p = tmp_path / "secret.py"
    p.write_text("x = 1\n")
    p.chmod(0)
    with pytest.raises(FileProblem, match="^permission denied$"):
        read_source(p)


# --------------------------------------------------------------- atomic writes


def leftovers(directory: Path) -> list[str]:
    return [n for n in os.listdir(directory) if n.endswith(".tmp")]


def test_write_atomic_replaces_and_keeps_mode(tmp_path: Path) -> None:
    p = tmp_path / "manage.py"
    p.write_bytes(b"old\n")
    p.chmod(0o755)
    write_atomic(p, b"new\r\n")
    assert p.read_bytes() == b"new\r\n"
    assert stat.S_IMODE(p.stat().st_mode) == 0o755
    assert leftovers(tmp_path) == []


def test_write_atomic_new_file(tmp_path: Path) -> None:
    p = tmp_path / "new.py"
    write_atomic(p, b"x\n")
    assert p.read_bytes() == b"x\n"
    assert stat.S_IMODE(p.stat().st_mode) == 0o644


@pytest.mark.parametrize(
    "error", [OSError(errno.ENOSPC, "No space left on device"), PermissionError(errno.EACCES, "nope")]
)
def test_write_atomic_failure_keeps_original(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: OSError
) -> None:
    p = tmp_path / "a.py"
    p.write_bytes(b"original\n")

    def boom(src: object, dst: object) -> None:
        raise error

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(FileProblem) as info:
        write_atomic(p, b"new\n")
    assert str(info.value) in ("no space left on device", "permission denied")
    assert p.read_bytes() == b"original\n"
    assert leftovers(tmp_path) == []


def test_write_atomic_interrupt_cleans_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = tmp_path / "a.py"
    p.write_bytes(b"original\n")

    def interrupt(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(p, b"new\n")
    assert p.read_bytes() == b"original\n"
    assert leftovers(tmp_path) == []


def test_write_atomic_onto_directory_fails_cleanly(tmp_path: Path) -> None:
    (tmp_path / "d.py").mkdir()
    with pytest.raises(FileProblem, match="is a directory"):
        write_atomic(tmp_path / "d.py", b"x")
    assert leftovers(tmp_path) == []


def test_write_atomic_keeps_symlink(tmp_path: Path) -> None:
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    target = real_dir / "views.py"
    target.write_bytes(b"old\n")
    link = tmp_path / "views.py"
    os.symlink(os.path.relpath(target, tmp_path), link)
    write_atomic(link, b"new\n")
    assert link.is_symlink()
    assert target.read_bytes() == b"new\n"
    assert leftovers(tmp_path) == [] and leftovers(real_dir) == []


@needs_non_root
def test_write_atomic_in_read_only_directory(tmp_path: Path) -> None:
    p = tmp_path / "a.py"
    p.write_bytes(b"original\n")
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(FileProblem, match="^permission denied$"):
            write_atomic(p, b"new\n")
    finally:
        tmp_path.chmod(0o755)
    assert p.read_bytes() == b"original\n"
    assert leftovers(tmp_path) == []


# --------------------------------------------------------------------- properties

NEWLINES = st.sampled_from(["\n", "\r\n", "\r"])
CHARS = st.characters(exclude_categories=["Cs"], exclude_characters="\0")


@st.composite
def encoded_files(draw: st.DrawFn) -> tuple[bytes, str, str, bool]:
    """(file bytes, the text in it, expected encoding, bom)."""
    newline = draw(NEWLINES)
    encoding = draw(st.sampled_from(["utf-8", "iso-8859-1"]))
    if encoding == "utf-8":
        text = newline.join(draw(st.lists(st.text(CHARS))))
        bom = draw(st.booleans())
        data = text.encode("utf-8")
        return (b"\xef\xbb\xbf" + data if bom else data), text, encoding, bom
    latin = st.characters(max_codepoint=255, exclude_characters="\0")  # no surrogates below 256
    text = newline.join(["# -*- coding: latin-1 -*-", *draw(st.lists(st.text(latin)))])
    return text.encode("latin-1"), text, encoding, False


@given(encoded_files())
def test_roundtrip_is_byte_identical(case: tuple[bytes, str, str, bool]) -> None:
    data, text, encoding, bom = case
    s = decode_source(data)
    assert (s.text, s.encoding, s.bom) == (text, encoding, bom)
    assert encode_source(s, s.text) == data


COOKIES = st.sampled_from(
    [b"", b"# coding: latin-1\n", b"# coding: cp1252\r", b"# coding: utf-16\n",
     b"# coding: rot13\n", b"# coding: nope\n", b"\xef\xbb\xbf", b"#!/bin/py\n# coding=ascii\r\n"]
)


@given(COOKIES, st.binary())
def test_decode_arbitrary_bytes_only_raises_fileproblem(prefix: bytes, body: bytes) -> None:
    data = prefix + body
    try:
        s = decode_source(data)
    except FileProblem as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert encode_source(s, s.text) == data
