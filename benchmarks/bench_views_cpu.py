"""CPU ratio of the per-file pipeline on the all-views tree: ``engine.run(jobs=1)`` against
``libcst.parse_module`` of the same files, timed in the same process (robust to a busy machine).

    .venv/bin/python benchmarks/bench_views_cpu.py --files 500 --repeat 3

Each repeat times the parse baseline, then the tool, with ``time.process_time``; the ratio of
the best of each is printed.  The project index is cached after the warm-up run, so the ratio is
the per-file pipeline's; ``--with-index`` clears the cache before every run (as a fresh ``diff``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import libcst

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import gen_tree  # noqa: E402

from async_migrate import engine  # noqa: E402
from async_migrate.facts import Options, clear_cache  # noqa: E402
from async_migrate.files import iter_python_files, read_source  # noqa: E402
from async_migrate.registry import all_codemods  # noqa: E402


def _cpu(function) -> float:
    started = time.process_time()
    function()
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--with-index", action="store_true", help="rebuild the project index every run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        tree = Path(work) / "views"
        gen_tree.main(["views", str(tree), "--files", str(args.files)])
        files = [p for p in iter_python_files([tree], ()) if isinstance(p, Path)]
        texts = [read_source(p).text for p in files]
        enabled = frozenset(all_codemods())
        parse = lambda: [libcst.parse_module(t) for t in texts]  # noqa: E731

        def tool():
            if args.with_index:
                clear_cache()
            engine.run([tree], Options(), enabled, jobs=1)

        changed = len(engine.run([tree], Options(), enabled, jobs=1).changed)   # warm-up
        print(f"{len(files)} files, {changed} changed")
        compare(parse, tool, args.repeat, "engine.run jobs=1")


def compare(parse, tool, repeat: int, label: str) -> None:
    """Best CPU seconds of each over ``repeat`` interleaved runs, and their ratio."""
    parse_times, tool_times = [], []
    for _ in range(repeat):
        parse_times.append(_cpu(parse))
        tool_times.append(_cpu(tool))
    print(f"{'libcst.parse_module':<21} CPU {min(parse_times):.2f}s")
    print(f"{label:<21} CPU {min(tool_times):.2f}s")
    print(f"{'ratio':<21} {min(tool_times) / min(parse_times):.2f}x")


if __name__ == "__main__":
    main()
