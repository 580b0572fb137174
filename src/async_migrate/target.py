"""Choose the target Django version: flag, else the project's pins, else installed Django."""

from __future__ import annotations

import re
from pathlib import Path

from .django_api import DEFAULT_TARGET, SUPPORTED_TARGETS, Version, format_version, parse_version

# ``django==5.2.1``, ``Django>=4.2,<5``, ``django~=5.0`` -- the lower bound is what the
# project must still run on, so it is the version to target.
_PIN = re.compile(r"""(?ix) (?<![\w.-]) django \s* (?:\[[^\]]*\])? \s* (==|~=|>=|===) \s* (\d+)\.(\d+)""")
PIN_FILES = ("pyproject.toml", "setup.cfg", "setup.py")


def _pin_in(text: str) -> Version | None:
    match = _PIN.search(text)
    return (int(match.group(2)), int(match.group(3))) if match else None


def detect_target(root: Path) -> tuple[Version, str]:
    """Return the target version and a sentence saying where it came from."""
    candidates = sorted(root.glob("requirements*.txt")) + sorted(root.glob("requirements/*.txt"))
    candidates += [root / name for name in PIN_FILES]
    for path in candidates:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        version = _pin_in(text)
        if version:
            return clamp(version), f"from the Django pin in {path.name}"
    from importlib import metadata   # only here: 12 ms of every run's start otherwise

    try:
        version = parse_version(metadata.version("django"))
        return clamp(version), "from the installed Django"
    except (metadata.PackageNotFoundError, ValueError):
        return DEFAULT_TARGET, "default (no Django pin or installed Django found)"


def clamp(version: Version) -> Version:
    """Newer than we know: use the newest table.  Older than 4.1: refuse (no async ORM)."""
    lowest, highest = SUPPORTED_TARGETS[0], SUPPORTED_TARGETS[-1]
    if version < lowest:
        raise ValueError(
            f"the project uses Django {format_version(version)}; async-migrate needs 4.1 or newer "
            "(the first release with the async ORM): upgrade Django first")
    return min(highest, version)


def check_target(text: str) -> Version:
    """Parse a ``--target-version`` value; raise ValueError naming the supported range."""
    version = parse_version(text)
    if version not in SUPPORTED_TARGETS:
        supported = ", ".join(format_version(v) for v in SUPPORTED_TARGETS)
        raise ValueError(f"unsupported target version {text} (supported: {supported})")
    return version
