"""What the index learnt of each module, kept between runs in ``.async_migrate_cache/`` at the
project root (as ruff and mypy keep theirs), so that a run parses only the modules whose text
changed since the last one.

An entry is found by the module's path and must match its name and a hash of its text, so an
edit, a checkout or a ``touch`` are told apart by the text itself, never by modification times.
There is one file per tool version, Python version (``ast`` differs between Pythons) and
version of the code that makes the summaries.  A cache that cannot be read is ignored and one
that cannot be written is skipped: it only saves time.  ``--no-cache`` (or ``cache = false``)
neither reads nor writes it.  It is a pickle in the project's own folder: whoever can write
there can already change the code it describes.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import __version__

DIR = ".async_migrate_cache"
FORMAT = 1   # bump when an entry's shape changes
_SUMMARY_CODE = ("index_cache.py", "project.py", "prefilter.py", "downlevel.py", "fstring_tuples.py")
_GITIGNORE = "# Made by async-migrate: the index of the last run, safe to delete.\n*\n"


@dataclass(frozen=True)
class Entry:
    name: str               # the module's dotted name (it depends on the project root)
    digest: bytes           # ``digest`` of its text
    summary: tuple | None   # (imports, function_info, class_info); None: not summarised, known to parse
    words: str              # ``Module.words``


def digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


@functools.lru_cache(maxsize=None)
def _code_key() -> str:
    """A hash of the modules that make the summaries: a checkout whose index code changed
    under the same version number does not read the old entries."""
    here = Path(__file__).parent
    blob = b"".join((here / name).read_bytes() for name in _SUMMARY_CODE if (here / name).is_file())
    return hashlib.blake2b(blob, digest_size=6).hexdigest()


def _file(root: Path) -> Path:
    python = f"py{sys.version_info[0]}{sys.version_info[1]}"
    return root / DIR / f"index-{__version__}-{python}-{FORMAT}-{_code_key()}.pickle"


def read(root: Path) -> dict[str, Entry]:
    """Path (as a string) -> entry; empty when there is no cache or it cannot be read."""
    try:
        with open(_file(root), "rb") as handle:
            entries = pickle.load(handle)
    except Exception:  # noqa: BLE001 - missing, truncated, from another version: start afresh
        return {}
    return entries if isinstance(entries, dict) else {}


def write(root: Path, entries: dict[str, Entry]) -> None:
    """Replace the cache with ``entries`` (a temp file renamed into place: readers never see
    half of it); remove the files of other versions."""
    target = _file(root)
    try:
        target.parent.mkdir(exist_ok=True)
        ignore = target.parent / ".gitignore"
        if not ignore.exists():
            ignore.write_text(_GITIGNORE, encoding="utf-8")
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".index-", suffix=".tmp")
        try:
            with open(fd, "wb") as handle:
                pickle.dump(entries, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.chmod(tmp, 0o644)   # mkstemp's 0600 would hide it from a second user of the checkout
            os.replace(tmp, target)
        except BaseException:
            os.unlink(tmp)
            raise
        for other in target.parent.glob("index-*.pickle"):
            if other != target:
                other.unlink()
    except OSError:
        pass   # a read-only checkout: the next run parses again
