"""A/B of the tool's source trees on one project tree, with django-upgrade timed in the same turns.

Each turn runs django-upgrade (on a copy: it rewrites files), then for every source tree given a
cold ``diff`` (the index cache removed) and a warm one, all as subprocesses taking turns, so a
burst of load on a shared machine moves them alike.  Prints the median and minimum wall time of
each and its ratio to django-upgrade's median.

    git archive OLD src | tar -x -C /tmp/old       # the version to compare against
    python benchmarks/ab_diff.py /tmp/djangoproject --runs 9 /tmp/old/src src
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_tree import find_django_upgrade, tool_files  # noqa: E402


def timed(cmd: list[str], cwd: Path | None = None, env: dict | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tree", type=Path)
    parser.add_argument("sources", nargs="+", help="src folders to put first on PYTHONPATH, in turn")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--django-upgrade", default=None)
    args = parser.parse_args()
    tree = args.tree.resolve()
    du = find_django_upgrade(args.django_upgrade)
    times: dict[str, list[float]] = {"django-upgrade": []} if du else {}
    with tempfile.TemporaryDirectory() as work:
        copy = Path(work) / "copy"
        shutil.copytree(tree, copy, symlinks=True)
        files = [str(p.relative_to(tree)) for p in tool_files(tree)]
        for _ in range(args.runs):
            if du:
                times["django-upgrade"].append(timed([du, "--target-version", "5.2", *files], cwd=copy))
            for source in args.sources:
                env = {**os.environ, "PYTHONPATH": str(Path(source).resolve())}
                cmd = [sys.executable, "-m", "async_migrate", "diff", "--quiet", "--json", "--jobs", str(args.jobs),
                       str(tree)]
                shutil.rmtree(tree / ".async_migrate_cache", ignore_errors=True)
                times.setdefault(f"{source} cold", []).append(timed(cmd, env=env))
                times.setdefault(f"{source} warm", []).append(timed(cmd, env=env))
    base = statistics.median(times["django-upgrade"]) if du else None
    for name, runs in times.items():
        median = statistics.median(runs)
        ratio = f"  {median / base:.2f}x django-upgrade" if base else ""
        print(f"{name:40} median {median:.3f} s  min {min(runs):.3f} s{ratio}")


if __name__ == "__main__":
    main()
