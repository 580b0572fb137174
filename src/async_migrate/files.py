"""Finding, reading and safely rewriting Python source files.

Decoding and re-encoding unchanged text gives back the identical bytes
(same codec, BOM and newlines), so untouched files never show a diff.
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import fnmatch
import os
import re
import stat
import tempfile
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, NamedTuple, Sequence, Union

MAX_FILE_BYTES = 5 * 1024 * 1024
SKIP_DIRS = frozenset({
    ".git", ".hg", ".svn", ".tox", ".nox", ".venv", "venv", "env", ".env",
    "node_modules", "__pycache__", "migrations", "build", "dist", ".eggs",
    "site-packages", ".mypy_cache", ".pytest_cache", ".ruff_cache",
})
_BOM = codecs.BOM_UTF8


class FileProblem(Exception):
    """A file we cannot handle; str(exc) is a short one-line reason (no traceback, no path)."""


@dataclass(frozen=True)
class FileError:
    """A path the walk could not handle; reported instead of aborting the walk."""

    path: Path
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: error: {self.reason}"


@dataclass(frozen=True)
class SourceText:
    """Decoded source plus what is needed to write it back byte for byte."""

    text: str
    encoding: str
    bom: bool
    newline: str


def _reason(exc: OSError) -> str:
    """A one-line, path-free description of an OS error."""
    if exc.errno == errno.ELOOP:
        return "symlink loop"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    return (exc.strerror or type(exc).__name__).splitlines()[0].lower()


def _stat(path: Path) -> tuple[str, tuple[int, int]]:
    """"dir", "file" or "other" (what ``path`` leads to), or a problem like "broken symlink";
    and the (st_dev, st_ino) it leads to ((0, 0) for a problem)."""
    try:
        st = os.stat(path)
    except OSError as exc:
        broken = exc.errno == errno.ENOENT and os.path.islink(path)
        return ("broken symlink" if broken else _reason(exc)), (0, 0)
    kind = "dir" if stat.S_ISDIR(st.st_mode) else "file" if stat.S_ISREG(st.st_mode) else "other"
    return kind, (st.st_dev, st.st_ino)


class _Rule(NamedTuple):
    """One .gitignore pattern; ``base`` is its directory relative to the walk root."""

    base: str
    pattern: str
    dir_only: bool
    anchored: bool

    def regex(self) -> str:
        """Matches what this pattern ignores: the bare name, or (anchored) the root-relative
        posix path (fnmatch semantics)."""
        prefix = re.escape(self.base + "/") if self.anchored and self.base else ""
        return prefix + fnmatch.translate(self.pattern)


class _Ignored(NamedTuple):
    """A directory's .gitignore rules (its own and its parents'), compiled into four regexes."""

    names: re.Pattern | None        # any entry, by name
    dir_names: re.Pattern | None    # directories only, by name
    paths: re.Pattern | None        # any entry, by root-relative path
    dir_paths: re.Pattern | None    # directories only, by root-relative path

    @classmethod
    def compile(cls, rules: tuple[_Rule, ...]) -> "_Ignored":
        def one(anchored: bool, dir_only: bool) -> re.Pattern | None:
            chosen = [r.regex() for r in rules if r.anchored == anchored and r.dir_only == dir_only]
            return re.compile("|".join(chosen)) if chosen else None

        return cls(one(False, False), one(False, True), one(True, False), one(True, True))

    def __call__(self, rel: str, name: str, is_dir: bool) -> bool:
        checks = ((self.names, name), (self.paths, rel)) + (
            ((self.dir_names, name), (self.dir_paths, rel)) if is_dir else ())
        return any(pattern is not None and pattern.match(text) for pattern, text in checks)


def _read_gitignore(directory: Path, base: str) -> tuple[_Rule, ...]:
    """Parse ``directory/.gitignore`` with simple fnmatch semantics."""
    try:
        lines = (directory / ".gitignore").read_text("utf-8", "replace").splitlines()
    except OSError:
        return ()
    rules = []
    for line in map(str.strip, lines):
        # Negations ("!pat") are deliberately ignored: git's re-inclusion
        # rules are subtle and excluding a little too much is the safe side.
        if not line or line.startswith(("#", "!")):
            continue
        pattern = line.rstrip("/").removeprefix("**/")
        if pattern:
            rules.append(_Rule(base, pattern.lstrip("/"), line.endswith("/"), "/" in pattern))
    return tuple(rules)


class _Dir(NamedTuple):
    """A directory waiting to be walked."""

    path: Path
    rel: str  # posix path relative to the walk root ("" for the root)
    rules: tuple[_Rule, ...]
    ignored: _Ignored
    ancestors: frozenset[tuple[int, int]]  # (st_dev, st_ino) of enclosing dirs


class _File(NamedTuple):
    """A file to yield; ``key`` (st_dev, st_ino) yields a file reached twice (symlinks) once."""

    path: Path
    key: tuple[int, int]


_Item = Union[_Dir, _File, FileError]  # what the walk keeps on its stack


def iter_python_files(
    paths: Sequence[Path], exclude: Sequence[str] = ()
) -> Iterator[Path | FileError]:
    """Yield ``.py`` files under ``paths`` (depth-first, names sorted), or FileErrors.

    Explicitly given files are always yielded. Inside walked directories we
    skip SKIP_DIRS, hidden directories, virtualenvs (``pyvenv.cfg``),
    ``exclude`` globs (matched against the root-relative posix path and the
    bare name) and simple ``.gitignore`` patterns. Directory symlinks are
    followed; one leading back to an enclosing directory is reported once as
    "symlink loop". Dangling or looping symlinks are reported when named
    ``*.py`` and skipped otherwise. Every file is yielded at most once.
    """
    patterns = [p.rstrip("/") for p in exclude]
    seen_files: set[tuple[int, int]] = set()
    seen_dirs: set[tuple[int, int]] = set()
    for root in map(Path, paths):
        kind, key = _stat(root)
        if kind not in ("dir", "file", "other"):
            yield FileError(root, kind)
            continue
        # Files and errors wait on the stack next to directories, keeping the sorted order.
        stack: list[_Item] = [_Dir(root, "", (), _Ignored.compile(()), frozenset()) if kind == "dir" else _File(root, key)]
        while stack:
            item = stack.pop()
            if isinstance(item, FileError):
                yield item
            elif isinstance(item, _File):
                if item.key not in seen_files:
                    seen_files.add(item.key)
                    yield item.path
            else:
                stack.extend(reversed(_children(item, patterns, seen_dirs)))


def _children(item: _Dir, patterns: Sequence[str], seen_dirs: set[tuple[int, int]]) -> list[_Item]:
    """The wanted entries of directory ``item``, sorted; or a FileError for the directory."""
    try:
        st = os.stat(item.path)
        key = (st.st_dev, st.st_ino)
        if key in item.ancestors:
            return [FileError(item.path, "symlink loop")]
        if key in seen_dirs:
            return []  # already walked by another route
        seen_dirs.add(key)
        with os.scandir(item.path) as it:
            # Only directories and *.py names can yield anything: everything else (templates,
            # static files, ...) is dropped here, before any stat or .gitignore match.
            names = sorted(entry.name for entry in it if entry.name.endswith(".py") or _is_dir(entry))
    except OSError as exc:
        return [FileError(item.path, _reason(exc))]
    own = _read_gitignore(item.path, item.rel)
    rules, ignored = (item.rules + own, _Ignored.compile(item.rules + own)) if own else (item.rules, item.ignored)
    children: list[_Item] = []
    for name in names:
        path, rel = item.path / name, f"{item.rel}/{name}".lstrip("/")
        kind, entry_key = _stat(path)
        if any(fnmatch.fnmatchcase(rel, p) or fnmatch.fnmatchcase(name, p) for p in patterns) or ignored(
            rel, name, kind == "dir"
        ):
            continue
        if kind == "dir":
            venv = os.path.exists(path / "pyvenv.cfg")
            if not (name in SKIP_DIRS or name.startswith(".") or venv):
                children.append(_Dir(path, rel, rules, ignored, item.ancestors | {key}))
        elif name.endswith(".py") and kind != "other":
            children.append(_File(path, entry_key) if kind == "file" else FileError(path, kind))
    return children


def _is_dir(entry: os.DirEntry) -> bool:
    """A directory, or a symlink to one (``DirEntry.is_dir`` follows symlinks; a broken or
    looping one is no directory)."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def decode_source(data: bytes) -> SourceText:
    """Decode raw file bytes, keeping what is needed to re-encode them exactly."""
    if len(data) > MAX_FILE_BYTES:
        raise FileProblem(f"file too large ({len(data)} bytes)")
    if b"\0" in data:
        raise FileProblem("binary file (NUL byte)")
    if not data:
        return SourceText("", "utf-8", False, "\n")
    bom = data.startswith(_BOM)
    body = data[len(_BOM):] if bom else data
    lines = iter(data.splitlines(keepends=True))  # \r counts as a line end, as for Python
    try:
        encoding = tokenize.detect_encoding(lambda: next(lines, b""))[0].removesuffix("-sig")
    except SyntaxError as exc:
        if not str(exc.msg).startswith("invalid or missing"):
            raise FileProblem(str(exc.msg)) from None
        encoding = "utf-8"  # no cookie and not UTF-8: the decode below says where
    if encoding not in ("utf-8", "iso-8859-1"):
        encoding = _checked_codec(encoding)
    try:
        text = body.decode(encoding)
        same = text.encode(encoding) == body
    except UnicodeDecodeError as exc:
        at = exc.start + (len(_BOM) if bom else 0)
        raise FileProblem(f"cannot decode as {encoding}: {exc.reason} at byte {at}") from None
    except (LookupError, UnicodeError, ValueError):
        same = False
    if not same:  # this check is what guarantees that encode_source round-trips
        raise FileProblem(f"unsupported encoding: {encoding} does not round-trip")
    return SourceText(text, encoding, bom, _dominant_newline(text))


def _checked_codec(name: str) -> str:
    """Canonical name of a cookie codec; FileProblem unless it is an ASCII-compatible text codec."""
    probe = "# coding\r\n\t"
    try:
        codec = codecs.lookup(name).name
        if probe.encode("ascii").decode(codec) == probe:
            return codec
    except (LookupError, UnicodeError, ValueError):  # e.g. bytes-to-bytes codecs like "hex"
        pass
    raise FileProblem(f"unsupported encoding: {name}")


def _dominant_newline(text: str) -> str:
    """The most frequent line ending; ties prefer "\\n", then "\\r\\n"."""
    crlf = text.count("\r\n")
    counts = {"\n": text.count("\n") - crlf, "\r\n": crlf, "\r": text.count("\r") - crlf}
    best = max(counts, key=counts.__getitem__)  # max() keeps the first of equal counts
    return best if counts[best] else "\n"


def read_source(path: Path) -> SourceText:
    """Read and decode ``path``; the size is checked before anything is read."""
    try:
        st = os.stat(path)
        if stat.S_ISDIR(st.st_mode):
            raise FileProblem("is a directory")
        if not stat.S_ISREG(st.st_mode):
            raise FileProblem("not a regular file")
        if st.st_size > MAX_FILE_BYTES:
            raise FileProblem(f"file too large ({st.st_size} bytes)")
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)  # it may have grown since the stat
    except OSError as exc:
        raise FileProblem(_reason(exc)) from exc
    return decode_source(data)


def encode_source(source: SourceText, text: str) -> bytes:
    """Encode ``text`` the way ``source`` was stored: same codec, BOM if it had one."""
    try:
        data = text.encode(source.encoding)
    except UnicodeEncodeError as exc:
        before = text[: exc.start]
        line = 1 + before.count("\n") + before.count("\r") - before.count("\r\n")
        bad = text[exc.start]
        raise FileProblem(f"cannot encode {bad!r} (line {line}) as {source.encoding}") from None
    return _BOM + data if source.bom else data


def write_atomic(path: Path, data: bytes) -> None:
    """Replace the file at ``path`` (a symlink's target, keeping the link) with ``data``.

    Writes a temp file next to the target, fsyncs it, copies the original's
    permission bits (and owner, when allowed) and renames it into place. On
    failure the temp file is removed and the original is left untouched.
    """
    target = Path(os.path.realpath(path))
    try:
        try:
            st: os.stat_result | None = os.stat(target)
        except FileNotFoundError:
            st = None  # a new file: plain rw-r--r--
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise FileProblem(_reason(exc)) from exc
    try:
        with open(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, stat.S_IMODE(st.st_mode) if st else 0o644)
        if st and hasattr(os, "chown") and (st.st_uid, st.st_gid) != (os.getuid(), os.getgid()):
            with contextlib.suppress(OSError):  # keep the owner when allowed (e.g. as root)
                os.chown(tmp, st.st_uid, st.st_gid)
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise FileProblem(_reason(exc)) from exc
        raise
