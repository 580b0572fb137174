"""CPU ratio of ``engine.process_file`` on the changing views modules of a generated project
against ``libcst.parse_module`` of the same modules, in one process (robust to a busy machine).

    .venv/bin/python benchmarks/gen_tree.py project /tmp/p5k --files 5000 --views-fraction 0.05
    .venv/bin/python benchmarks/bench_views_project_cpu.py /tmp/p5k --repeat 3 [--profile]

The project facts are built once before timing, so the ratio is the per-file pipeline's.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
from pathlib import Path

import libcst

from async_migrate import engine
from async_migrate.facts import Options, facts_for
from async_migrate.project import find_root
from async_migrate.registry import codemod_names
import async_migrate.transform  # noqa: F401  (imported before timing)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_views_cpu import compare  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one tool run")
    args = parser.parse_args()
    root = args.root.resolve()
    project = find_root(root)
    facts_for(root, project, 1, unrouted_callers=False)
    tasks = sorted(root.rglob("views.py"))
    texts = [p.read_text() for p in tasks]
    enabled = frozenset(codemod_names())

    def tool():
        for p in tasks:
            engine.process_file(p, Options(), enabled, find_root(root))

    parse = lambda: [libcst.parse_module(t) for t in texts]  # noqa: E731
    tool()   # warm-up
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(tool)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
        pstats.Stats(profile).sort_stats("tottime").print_stats(25)
    print(f"{len(tasks)} views modules")
    compare(parse, tool, args.repeat, "engine.process_file")


if __name__ == "__main__":
    main()
