"""Whole-tree benchmark: ``async-migrate diff`` against two baselines timed in the same run.

For each tree it times, each as a subprocess of this script:

* ``libcst``          every .py file of the tree parsed sequentially with ``libcst.parse_module``
                      (one process, the same Python as the tool);
* ``django-upgrade``  ``django-upgrade --target-version 5.2 FILES`` on a throw-away copy of the tree
                      (it rewrites files; the tree the tool sees never changes);
* ``diff``            ``python -m async_migrate diff --quiet --json --jobs N TREE``, twice: first
                      cold (the tree's ``.async_migrate_cache`` removed), then again on the
                      unchanged tree, which reads the index cache the first run wrote (it must be
                      no slower than the first).

``--repeat N`` runs django-upgrade, the diff and the diff again N times, taking turns, and keeps the
run of median wall time of each: on a shared machine a burst of load then moves them alike.

Baselines get the files the tool itself walks (``async_migrate.files.iter_python_files``: it skips
``migrations/``, virtualenvs, ...), so all three do the same files.  For every subprocess it records
wall seconds, CPU seconds (user+sys of the process and its reaped workers, from ``os.wait4``), the
peak RSS of the largest single process (``ru_maxrss`` from ``wait4``) and the peak of the summed
PSS of the whole process tree (``/proc/PID/smaps_rollup`` polled every 20 ms; PSS counts the
copy-on-write pages a forked worker shares with its parent once, RSS would count them per process).

Trees (``--trees``, comma-separated; default ``django,views,real``):

  django    Django's installed package directory (the one this Python imports), copied to the work dir
  project   gen_tree.py project: ``--project-files`` files (default 5000), 5% views modules
  views     gen_tree.py views: ``--views-files`` views modules (default 500), all of them change
  real      a real Django project: ``--real-tree PATH`` (or $BENCH_REAL_TREE), copied to the work dir
  mem       gen_tree.py project with ``--mem-files`` files (default 10000): peak-memory goal
  all       every tree above

``--profile TREE`` also runs ``engine.run`` in-process (jobs=1, so every file is profiled) under
cProfile and prints the top functions; the .prof file is left in the work dir.

django-upgrade is found via ``--django-upgrade PATH``, then $DJANGO_UPGRADE, then ``PATH``; install it
in a separate virtualenv, e.g. ``python3 -m venv /tmp/benchvenv && /tmp/benchvenv/bin/pip install
django-upgrade``.  When it cannot be found its row says "skipped: django-upgrade not installed".

    .venv/bin/python benchmarks/bench_tree.py --django-upgrade /tmp/benchvenv/bin/django-upgrade \\
        --real-tree /tmp/djangoproject --trees all
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import gen_tree  # noqa: E402

ALL_TREES = ("django", "project", "views", "real", "mem")
DEFAULT_TREES = ("django", "views", "real")
WHOLE_TREE_GOAL = 0.2      # diff / libcst on whole trees
ALL_VIEWS_GOAL = 1.5       # diff / libcst on the all-views tree
MEMORY_GOAL_MB = 400.0     # at 10,000 files
SECOND_RUN_SLACK = 1.05    # "no slower": within 5% or SECOND_RUN_NOISE_S (timing noise)
SECOND_RUN_NOISE_S = 0.1   # a process start varies this much on a sub-second run

LIBCST_BASELINE = r"""
import sys, libcst
errors = 0
for line in open(sys.argv[1], encoding="utf-8"):
    path = line.rstrip("\n")
    try:
        with open(path, encoding="utf-8") as handle:
            libcst.parse_module(handle.read())
    except Exception:
        errors += 1
print(errors)
"""


# ----------------------------------------------------------------------------- measuring


@dataclass
class Measure:
    wall: float = 0.0
    cpu: float = 0.0
    maxrss_mb: float = 0.0        # largest single process (ru_maxrss via wait4)
    tree_pss_mb: float = 0.0      # peak of the summed PSS of the process tree
    tree_rss_mb: float = 0.0      # peak of the summed RSS of the process tree
    returncode: int = 0
    skipped: str | None = None
    note: str = ""


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as handle:
                kids += [int(k) for k in handle.read().split()]
    except OSError:
        pass
    return kids


def _rollup(pid: int) -> tuple[int, int]:
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except (OSError, ValueError):
        pass
    return rss, pss


class _Poller(threading.Thread):
    def __init__(self, pid: int, interval: float = 0.02):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_rss = self.peak_pss = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            pids, todo = [], [self.pid]
            while todo:
                pid = todo.pop()
                pids.append(pid)
                todo += _children(pid)
            rss = pss = 0
            for pid in pids:
                r, p = _rollup(pid)
                rss, pss = rss + r, pss + p
            self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
            self.stop.wait(self.interval)


def measure(cmd: list[str], cwd: Path, stdout: Path | None = None, stderr: Path | None = None) -> Measure:
    """Run ``cmd`` and measure it: wall, CPU and peak memory of it and its (reaped) children."""
    out = open(stdout, "wb") if stdout else subprocess.DEVNULL
    err = open(stderr, "wb") if stderr else subprocess.DEVNULL
    try:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err)
        poller = _Poller(proc.pid)
        poller.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        poller.stop.set()
        poller.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
    finally:
        for handle in (out, err):
            if handle is not subprocess.DEVNULL:
                handle.close()
    return Measure(wall=wall, cpu=usage.ru_utime + usage.ru_stime, maxrss_mb=usage.ru_maxrss / 1024,
                   tree_pss_mb=poller.peak_pss / 1024, tree_rss_mb=poller.peak_rss / 1024,
                   returncode=proc.returncode)


# ----------------------------------------------------------------------------- trees


@dataclass
class TreeResult:
    name: str
    path: str = ""
    files: int = 0
    lines: int = 0
    libcst: Measure = field(default_factory=Measure)
    django_upgrade: Measure = field(default_factory=Measure)
    diff1: Measure = field(default_factory=Measure)
    diff2: Measure = field(default_factory=Measure)
    changed: int = 0
    errors: int = 0
    views: dict = field(default_factory=dict)
    du_rewritten: int = 0
    skipped: str | None = None


def _ignore(_dir: str, names: list[str]) -> set[str]:
    return {n for n in names if n in ("__pycache__", ".git") or n.endswith(".pyc")}


def prepare(name: str, work: Path, args: argparse.Namespace) -> Path | str:
    """The tree to benchmark, freshly made under ``work``; or a reason to skip it."""
    if name == "django":
        import django

        source = Path(django.__file__).resolve().parent
        target = work / "django-src" / "django"
        shutil.rmtree(target.parent, ignore_errors=True)
        shutil.copytree(source, target, ignore=_ignore)
        return target
    if name == "real":
        if not args.real_tree:
            return "skipped: no --real-tree / $BENCH_REAL_TREE given"
        source = Path(args.real_tree).resolve()
        if not source.is_dir():
            return f"skipped: {source} is not a directory"
        target = work / "real" / source.name
        shutil.rmtree(target.parent, ignore_errors=True)
        shutil.copytree(source, target, ignore=_ignore, symlinks=True)
        return target
    if name == "project":
        target = work / f"project-{args.project_files}"
        gen_tree.generate_project(target, args.project_files, 0.05, force=True)
        return target
    if name == "mem":
        target = work / f"project-{args.mem_files}"
        gen_tree.generate_project(target, args.mem_files, 0.05, force=True)
        return target
    if name == "views":
        target = work / f"views-{args.views_files}"
        gen_tree.generate_views(target, args.views_files, force=True)
        return target
    raise ValueError(name)


def tool_files(tree: Path) -> list[Path]:
    from async_migrate.files import iter_python_files

    return [p for p in iter_python_files([tree]) if isinstance(p, Path)]


def count_lines(files: list[Path]) -> int:
    total = 0
    for path in files:
        with open(path, "rb") as handle:
            total += sum(1 for _ in handle)
    return total


def find_django_upgrade(option: str | None) -> str | None:
    for candidate in (option, os.environ.get("DJANGO_UPGRADE")):
        if candidate:
            return candidate if (shutil.which(candidate) or Path(candidate).is_file()) else None
    return shutil.which("django-upgrade")


def bench_tree(name: str, work: Path, args: argparse.Namespace, du: str | None, log) -> TreeResult:
    result = TreeResult(name)
    prepared = prepare(name, work, args)
    if isinstance(prepared, str):
        result.skipped = prepared
        return result
    tree = prepared
    result.path = str(tree)
    files = tool_files(tree)
    result.files, result.lines = len(files), count_lines(files)
    log(f"[{name}] {tree}: {result.files} files, {result.lines} lines")
    listing = work / f"{name}.files"
    listing.write_text("".join(f"{p}\n" for p in files), encoding="utf-8")

    if args.no_baselines:
        result.libcst.skipped = result.django_upgrade.skipped = "skipped: --no-baselines"
    else:
        log(f"[{name}] libcst baseline ...")
        result.libcst = _libcst_baseline(name, listing, work, args)
        if du is None:
            result.django_upgrade.skipped = "skipped: django-upgrade not installed"
    # django-upgrade, the diff and the diff again take turns, --repeat times: each figure is the
    # run of median wall time, so a burst of load on a shared machine moves them alike.
    du_runs, first_runs, second_runs = [], [], []
    for attempt in range(1, args.repeat + 1):
        of = f" {attempt}/{args.repeat}" if args.repeat > 1 else ""
        if du is not None and not args.no_baselines:
            log(f"[{name}] django-upgrade baseline{of} ...")
            du_runs.append(_django_upgrade(result, name, tree, files, work, du))
        log(f"[{name}] diff (first run{of}) ...")
        _drop_index_cache(tree)   # the first run is a cold one; the second reads what it kept
        first_runs.append(_diff(result, name, tree, work, args, "diff1"))
        if args.runs == 2:
            log(f"[{name}] diff (second run{of}) ...")
            second_runs.append(_diff(result, name, tree, work, args, "diff2"))
    if du_runs:
        result.django_upgrade = _median(du_runs)
    result.diff1 = _median(first_runs)
    if second_runs:
        result.diff2 = _median(second_runs)
    else:
        result.diff2.skipped = "skipped: --runs 1"
    return result


def _drop_index_cache(tree: Path) -> None:
    for folder in list(tree.rglob(".async_migrate_cache")):
        shutil.rmtree(folder, ignore_errors=True)


def _median(runs: list[Measure]) -> Measure:
    return sorted(runs, key=lambda m: m.wall)[len(runs) // 2]


def _diff(result: TreeResult, name: str, tree: Path, work: Path, args: argparse.Namespace, attr: str) -> Measure:
    cmd = [args.python, "-m", "async_migrate", "diff", "--quiet", "--json", "--jobs", str(args.jobs), str(tree)]
    out = work / f"{name}.{attr}.json"
    m = measure(cmd, work, stdout=out, stderr=work / f"{name}.{attr}.err")
    if m.returncode not in (0, 1, 2):
        m.note = f"exit {m.returncode}: " + (work / f"{name}.{attr}.err").read_text(errors="replace")[-300:]
        return m
    report = json.loads(out.read_text())
    summary = report["summary"]
    result.changed, result.errors, result.views = summary["changed"], summary["errors"], summary["views"]
    m.note = f"tool says {report['timings']['total_seconds']:.1f}s"
    return m


def _libcst_baseline(name: str, listing: Path, work: Path, args: argparse.Namespace) -> Measure:
    m = measure([args.python, "-c", LIBCST_BASELINE, str(listing)], work, stdout=work / f"{name}.libcst.out")
    bad = (work / f"{name}.libcst.out").read_text().strip()
    if bad and bad != "0":
        m.note = f"{bad} files failed to parse"
    return m


def _django_upgrade(result: TreeResult, name: str, tree: Path, files: list[Path], work: Path, du: str) -> Measure:
    copy = work / f"{name}-du-copy"   # it rewrites files: never the tree the tool sees
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(tree, copy, symlinks=True)
    rel = [str(p.relative_to(tree)) for p in files]
    m = measure([du, "--target-version", "5.2", *rel], copy, stderr=work / f"{name}.du.err")
    result.du_rewritten = (work / f"{name}.du.err").read_text(errors="replace").count("Rewriting ")
    if m.returncode not in (0, 1):
        m.note = f"exit {m.returncode}"
    shutil.rmtree(copy, ignore_errors=True)
    return m


# ----------------------------------------------------------------------------- profiling


def profile_tree(name: str, work: Path, args: argparse.Namespace, log, top: int = 25) -> str:
    """cProfile ``engine.run`` in-process over tree ``name`` (jobs=1); returns the printed stats."""
    from async_migrate import engine, registry
    from async_migrate.facts import Options, clear_cache

    prepared = prepare(name, work, args)
    if isinstance(prepared, str):
        return f"profile {name}: {prepared}\n"
    log(f"[profile {name}] engine.run in-process, jobs=1 ...")
    clear_cache()
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    result = engine.run([prepared], Options(target=(5, 2)), registry.select(None, None), jobs=1)
    profiler.disable()
    wall = time.perf_counter() - started
    clear_cache()
    dump = work / f"profile-{name}.prof"
    profiler.dump_stats(dump)
    buffer = io.StringIO()
    buffer.write(f"profile of engine.run on {name} ({len(result.files)} files, {len(result.changed)} changed): "
                 f"{wall:.1f}s under cProfile; stats in {dump}\n")
    stats = pstats.Stats(profiler, stream=buffer).strip_dirs()
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return buffer.getvalue()


# ----------------------------------------------------------------------------- report


def _s(m: Measure) -> str:
    return m.skipped or f"{m.wall:.1f} ({m.cpu:.1f})"


def _ratio(a: Measure, b: Measure, cpu: bool = False) -> str:
    if a.skipped or b.skipped or not b.wall or a.returncode not in (0, 1, 2):
        return "n/a"
    return f"{(a.cpu / b.cpu) if cpu else (a.wall / b.wall):.2f}x"


def table(results: list[TreeResult]) -> str:
    head = ("| tree | files | lines | libcst s | django-upgrade s | diff s | diff again s | "
            "diff/libcst | diff/django-upgrade | peak MB diff (PSS tree / max proc) | peak MB libcst / d-u | changed |")
    rows = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in results:
        if r.skipped:
            rows.append(f"| {r.name} | {r.skipped} |" + " |" * 10)
            continue
        du_mem = r.django_upgrade.skipped and "-" or f"{r.django_upgrade.maxrss_mb:.0f}"
        rows.append(
            f"| {r.name} | {r.files} | {r.lines} | {_s(r.libcst)} | {_s(r.django_upgrade)} | {_s(r.diff1)} | "
            f"{_s(r.diff2)} | {_ratio(r.diff1, r.libcst)} ({_ratio(r.diff1, r.libcst, True)}) | "
            f"{_ratio(r.diff1, r.django_upgrade)} ({_ratio(r.diff1, r.django_upgrade, True)}) | "
            f"{max(r.diff1.tree_pss_mb, r.diff2.tree_pss_mb):.0f} / {max(r.diff1.maxrss_mb, r.diff2.maxrss_mb):.0f} | "
            f"{r.libcst.maxrss_mb:.0f} / {du_mem} | {r.changed} |")
    return "\n".join(rows)


def goals(results: list[TreeResult]) -> list[str]:
    by = {r.name: r for r in results if not r.skipped}
    lines = []

    def verdict(ok: bool) -> str:
        return "MET" if ok else "NOT MET"

    for name in ("django", "project", "real", "mem"):
        r = by.get(name)
        if not r or r.diff1.returncode not in (0, 1, 2) or r.libcst.skipped:
            continue
        ratio = r.diff1.wall / r.libcst.wall
        lines.append(f"{name}: diff <= {WHOLE_TREE_GOAL}x libcst: {verdict(ratio <= WHOLE_TREE_GOAL)} "
                     f"({ratio:.2f}x wall, {r.diff1.cpu / r.libcst.cpu:.2f}x CPU)")
        if r.django_upgrade.skipped:
            lines.append(f"{name}: diff no slower than django-upgrade: {r.django_upgrade.skipped}")
        else:
            ratio = r.diff1.wall / r.django_upgrade.wall
            lines.append(f"{name}: diff no slower than django-upgrade: {verdict(ratio <= 1.0)} "
                         f"({ratio:.2f}x wall, {r.diff1.cpu / r.django_upgrade.cpu:.2f}x CPU)")
    r = by.get("views")
    if r and r.diff1.returncode in (0, 1, 2) and not r.libcst.skipped:
        ratio = r.diff1.wall / r.libcst.wall
        lines.append(f"views: diff <= {ALL_VIEWS_GOAL}x libcst: {verdict(ratio <= ALL_VIEWS_GOAL)} "
                     f"({ratio:.2f}x wall, {r.diff1.cpu / r.libcst.cpu:.2f}x CPU; {r.changed}/{r.files} files change)")
    r = by.get("mem")
    if r and r.diff1.returncode in (0, 1, 2):
        peak = max(r.diff1.tree_pss_mb, r.diff2.tree_pss_mb)
        lines.append(f"mem: peak < {MEMORY_GOAL_MB:.0f} MB at {r.files} files: {verdict(peak < MEMORY_GOAL_MB)} "
                     f"(process tree PSS {peak:.0f} MB, tree RSS {max(r.diff1.tree_rss_mb, r.diff2.tree_rss_mb):.0f} MB, "
                     f"largest process {max(r.diff1.maxrss_mb, r.diff2.maxrss_mb):.0f} MB)")
    for r in results:
        if r.skipped or r.diff2.skipped or r.diff2.returncode not in (0, 1, 2):
            continue
        ok = r.diff2.wall <= max(r.diff1.wall * SECOND_RUN_SLACK, r.diff1.wall + SECOND_RUN_NOISE_S)
        lines.append(f"{r.name}: second run no slower: {verdict(ok)} "
                     f"({r.diff1.wall:.2f}s then {r.diff2.wall:.2f}s)")
    return lines


def compile_package(python: str) -> None:
    """Write the bytecode of our packages, as pip does when it installs the wheel: a checkout
    on a machine with PYTHONDONTWRITEBYTECODE (this one) otherwise compiles every module it
    has changed at every run, 30 ms of each diff's time."""
    subprocess.run([python, "-c", "import compileall, os, async_migrate, codemods\n"
                    "for package in (async_migrate, codemods):\n"
                    "    compileall.compile_dir(os.path.dirname(package.__file__), quiet=1)"], check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trees", default=",".join(DEFAULT_TREES),
                        help=f"comma-separated, from {', '.join(ALL_TREES)} or 'all' (default %(default)s)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="diff --jobs (default: CPU count)")
    parser.add_argument("--project-files", type=int, default=5000)
    parser.add_argument("--views-files", type=int, default=500)
    parser.add_argument("--mem-files", type=int, default=10000)
    parser.add_argument("--real-tree", default=os.environ.get("BENCH_REAL_TREE"),
                        help="a Django project checkout to copy and benchmark (default $BENCH_REAL_TREE)")
    parser.add_argument("--django-upgrade", default=None,
                        help="django-upgrade executable (default $DJANGO_UPGRADE, then PATH)")
    parser.add_argument("--python", default=sys.executable, help="Python that has async_migrate and libcst")
    parser.add_argument("--work-dir", type=Path, default=None,
                        help="where trees are made (default: a new temporary directory, removed afterwards)")
    parser.add_argument("--keep", action="store_true", help="keep the work dir")
    parser.add_argument("--runs", type=int, choices=(1, 2), default=2,
                        help="diff runs per tree (default 2: the second checks a re-run is no slower)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run django-upgrade and both diff runs this many times, in turn, and keep the "
                             "median of each (a shared machine's noise); the LibCST baseline runs once")
    parser.add_argument("--no-baselines", action="store_true",
                        help="time diff only (e.g. for the peak-memory tree)")
    parser.add_argument("--profile", default="", help="comma-separated trees to cProfile engine.run on")
    parser.add_argument("--json-out", type=Path, default=None, help="also write every figure as JSON")
    args = parser.parse_args(argv)

    names = list(ALL_TREES) if args.trees == "all" else [t.strip() for t in args.trees.split(",") if t.strip()]
    profiles = [t.strip() for t in args.profile.split(",") if t.strip()]
    for name in names + profiles:
        if name not in ALL_TREES:
            parser.error(f"unknown tree {name!r}")
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="async-migrate-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    du = find_django_upgrade(args.django_upgrade)

    def log(msg: str) -> None:
        print(f"{time.strftime('%H:%M:%S')} {msg}", file=sys.stderr, flush=True)

    compile_package(args.python)
    started = time.perf_counter()
    load_before = os.getloadavg()
    results = []
    try:
        for name in names:
            results.append(bench_tree(name, work, args, du, log))
            log(table(results[-1:]).splitlines()[-1])   # partial result, in case a later tree is cut short
        profile_text = "".join(profile_tree(name, work, args, log) for name in profiles)
    finally:
        if not args.keep and args.work_dir is None:
            shutil.rmtree(work, ignore_errors=True)
    load_after = os.getloadavg()

    du_version = ""
    if du:
        du_version = subprocess.run([du, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"# tree benchmark: {os.cpu_count()} CPUs, diff --jobs {args.jobs}, django-upgrade {du_version or 'missing'}, "
          f"load average {load_before[0]:.1f} before / {load_after[0]:.1f} after, "
          f"{time.perf_counter() - started:.0f}s in all")
    print("# seconds are wall (CPU user+sys of the process and its workers); ratios wall (CPU)"
          + (f"; django-upgrade and diff: the median of {args.repeat} runs in turn" if args.repeat > 1 else "") + "\n")
    print(table(results))
    print()
    for r in results:
        notes = [f"{label}: {m.note}" for label, m in (("libcst", r.libcst), ("django-upgrade", r.django_upgrade),
                                                        ("diff", r.diff1), ("diff again", r.diff2)) if m.note]
        if not r.skipped:
            notes.append(f"views {r.views}, {r.errors} errors; django-upgrade rewrote {r.du_rewritten} files")
            print(f"- {r.name}: " + "; ".join(notes))
    print("\n## goals")
    for line in goals(results):
        print(f"- {line}")
    if profile_text:
        print("\n## profile\n")
        print(profile_text)
    if args.json_out:
        args.json_out.write_text(json.dumps({"results": [asdict(r) for r in results],
                                             "load": [load_before, load_after]}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
