"""Regenerate every example's after/ from its before/ with `async-migrate apply`.

    python examples/regenerate.py            # rewrite examples/*/after
    python examples/regenerate.py --check    # exit 1 if an after/ is out of date

after/ is exactly what the tool produces for Django 5.2: a copy of before/ with the tool
applied, nothing edited by hand.
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECTS = ("shop", "api")
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "db.sqlite3", ".async_migrate_cache")


def migrate_copy(before: Path, destination: Path, target: str = "5.2") -> subprocess.CompletedProcess:
    """Copy before/ to destination and run `async-migrate apply` on the copy."""
    if destination.exists():
        shutil.rmtree(destination)
    shutil.copytree(before, destination, ignore=IGNORE)
    return subprocess.run(
        [sys.executable, "-m", "async_migrate", "apply", "--quiet", "--no-color", "--target-version", target,
         str(destination)],
        capture_output=True, text=True, check=True)


def same_tree(left: Path, right: Path) -> bool:
    comparison = filecmp.dircmp(left, right, ignore=["__pycache__", "db.sqlite3", ".async_migrate_cache"])
    if comparison.left_only or comparison.right_only or comparison.diff_files or comparison.funny_files:
        return False
    _, mismatch, errors = filecmp.cmpfiles(left, right, comparison.common_files, shallow=False)
    if mismatch or errors:
        return False
    return all(same_tree(left / d, right / d) for d in comparison.common_dirs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    stale = []
    for name in PROJECTS:
        before, after = HERE / name / "before", HERE / name / "after"
        if args.check:
            with tempfile.TemporaryDirectory() as tmp:
                fresh = Path(tmp) / "after"
                migrate_copy(before, fresh)
                if not after.exists() or not same_tree(fresh, after):
                    stale.append(name)
        else:
            result = migrate_copy(before, after)
            print(f"{name}: {result.stderr.strip().splitlines()[-1]}")
    if stale:
        print(f"out of date: {', '.join(stale)} (run python examples/regenerate.py)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
