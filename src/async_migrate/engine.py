"""Run the codemods over files: never raises for a bad file, returns one result per file."""

from __future__ import annotations

import ast
import gc
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from .facts import Options, ProjectFacts, facts_for
from .project import find_root, is_views_module
from .files import FileError, FileProblem, SourceText, decode_source, encode_source, iter_python_files, read_source
from .decisions import SKIP_MARK, ViewPlan
from .index_plan import plan_from_index, plans_from_index

PARALLEL_THRESHOLD = 8   # fewer files than this are not worth starting worker processes,
PARALLEL_BYTES = 32_000  # unless they weigh this much (LibCST: about 0.15 s of work, forking 0.03 s)


@dataclass
class FileResult:
    path: Path
    old: str | None = None
    new: str | None = None
    error: str | None = None
    views: list[dict] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return self.error is None and self.new is not None and self.new != self.old


@dataclass
class RunResult:
    files: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def changed(self) -> list[FileResult]:
        return [f for f in self.files if f.changed]

    @property
    def errors(self) -> list[FileResult]:
        return [f for f in self.files if f.error]

    @property
    def views(self) -> list[dict]:
        return [v for f in self.files for v in f.views]


def process_file(path: Path, options: Options, enabled: frozenset[str], root: Path | None = None) -> FileResult:
    """The full LibCST pass over one file (``run`` first settles what the index can)."""
    from . import transform   # LibCST is loaded only once a file needs it

    started = time.perf_counter()
    result = FileResult(path)
    try:
        source = read_source(path)
        facts = facts_for(path, root, unrouted_callers=options.include_unrouted)
        result.old = source.text
        known = facts.project.module_for_path(path)
        checked = known is not None and known.text == source.text   # the index parsed this text
        settled, tree = _settled(path, facts, options) if checked else ({}, None)
        result.new, plan = transform.transform_source(source.text, path, facts, options, enabled, checked,
                                                      settled, tree)
        result.views = [v.to_json() for v in plan.views]
        if result.new != source.text:
            encode_source(source, result.new)   # fail now, not when writing
    except FileProblem as exc:
        result.error = str(exc)
    except transform.ParserSyntaxError as exc:
        result.error = f"syntax error at line {exc.raw_line}, column {exc.raw_column}: {exc.message}"
    except (RecursionError, MemoryError):   # CPython's parser gives up on deep nesting with MemoryError
        result.error = "too deeply nested to parse"
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop the run
        result.error = f"internal error: {type(exc).__name__}: {exc}"
    result.seconds = time.perf_counter() - started
    return result


def _settled(path: Path, facts: ProjectFacts, options: Options) -> tuple[dict[str, ViewPlan], ast.Module | None]:
    """The plans the index makes of the views of ``path`` (by name), and the module's ``ast``
    tree, so that LibCST parses only what the other views need."""
    module = facts.project.module_for_path(path)
    if module is None or SKIP_MARK in module.text:
        return {}, None
    views = facts.views_in(module.path, resolved=True)
    plans = plans_from_index(facts, views, options)
    settled = {plan.name: plan for plan in plans if plan is not None}
    open_views = {view.name for view in views} - settled.keys()
    if not (module.function_info.keys() | module.class_info.keys()) - open_views:
        return settled, None   # every def is an open view: all of it is parsed (no tree needed)
    return settled, module.tree


def _decided_by_index(path: Path, facts: ProjectFacts | None, options: Options) -> FileResult | None:
    """The result of a file the index alone settles: no view in it, or views that all stay."""
    module = facts.project.module_for_path(path) if facts is not None else None
    if module is None:
        return None
    views = facts.views_in(module.path, resolved=True)
    plans = plan_from_index(facts, views, options) if views else []
    if plans is None:
        return None
    return FileResult(path, views=[plan.to_json() for plan in plans])


def _may_need_libcst(root: Path, files: list[Path]) -> bool:
    """Some view may need the LibCST pass after the index: a Django project (a ``manage.py`` at
    its root: a library such as Django's own source routes none of its views) with a urls or
    views module among the files (the walk of a tree, or the files a pre-commit hook names)."""
    return (root / "manage.py").is_file() and any(
        path.name == "urls.py" or is_views_module(path.stem) or path.parent.name in ("urls", "views")
        for path in files)


def _load_libcst() -> None:
    """Import the LibCST side while the index workers parse (0.2 s the parent would wait idle).
    A failure here must not cost the index: the import is tried again where it is needed."""
    try:
        from . import transform  # noqa: F401
    except Exception:  # noqa: BLE001
        pass


def _size(task: tuple[Path, ...]) -> int:
    try:
        return os.stat(task[0]).st_size
    except OSError:
        return 0


def _process_batch(batch: list[tuple[Path, Options, frozenset[str], Path | None]]) -> list[FileResult]:
    return [process_file(*task) for task in batch]


def _batches(tasks: list, jobs: int) -> list[list]:
    """``tasks`` (biggest file first) dealt into batches of at most 8, as cards are dealt: each
    batch holds one of the biggest files and some small ones, and the batches come biggest
    first.  (Consecutive batches put healthchecks' three 1,000-line views modules on one
    worker while the other did the 31 small ones.)"""
    size = max(1, min(8, len(tasks) // (4 * jobs)))
    count = -(-len(tasks) // size)
    return [tasks[start::count] for start in range(count)]


def run(paths: Iterable[Path], options: Options, enabled: frozenset[str], jobs: int = 0,
        exclude: tuple[str, ...] = (), on_progress: Callable[[int, int], None] | None = None) -> RunResult:
    """Process every Python file under ``paths`` (in a stable order, whatever ``jobs``)."""
    started = time.perf_counter()
    jobs = jobs or os.cpu_count() or 1
    try:
        run_result = _run(paths, options, enabled, jobs, exclude, on_progress)
    finally:
        gc.unfreeze()
    run_result.seconds = time.perf_counter() - started
    return run_result


def _run(paths: Iterable[Path], options: Options, enabled: frozenset[str], jobs: int, exclude: tuple[str, ...],
         on_progress: Callable[[int, int], None] | None) -> RunResult:
    run_result = RunResult()
    tasks = []
    for given in map(Path, paths):
        items = list(iter_python_files([given], exclude))
        files = [item for item in items if isinstance(item, Path)]
        facts = None
        if files:   # never index the folder around a path that holds no Python file
            # One project per path given (not per file: a tree without manage.py or
            # pyproject.toml would otherwise make every folder a project of its own).
            root = find_root(given)
            same_walk = files if not exclude and given.resolve() == root else None
            # The index lives as long as the run: it goes out of the collector's reach before
            # the collector runs again. A collection walks every object of it (0.03 s on
            # healthchecks.io's 457 files, right after the build; 0.3 s at 5,000 files once
            # LibCST's import triggers a full one), and forked workers would copy every page a
            # collection touches.
            gc.disable()
            try:   # built once, before any worker forks
                facts = facts_for(given, root, jobs, options.include_unrouted, same_walk,
                                  _load_libcst if _may_need_libcst(root, files) else None, options.cache)
            except Exception:  # noqa: BLE001 - reported per file below
                pass
            finally:
                gc.freeze()
                gc.enable()
        for item in items:
            if isinstance(item, FileError):
                run_result.files.append(FileResult(item.path, error=item.reason))
                continue
            decided = _decided_by_index(item, facts, options)
            if decided is not None:
                run_result.files.append(decided)
            else:
                tasks.append((item, options, enabled, root))
    results: list[FileResult] = []
    if tasks:
        from . import transform  # noqa: F401 - imported once here, not in every worker
    tasks.sort(key=_size, reverse=True)   # biggest first, in small batches: the run ends when its last worker does
    worth_it = len(tasks) >= PARALLEL_THRESHOLD or (len(tasks) > 1 and sum(map(_size, tasks)) >= PARALLEL_BYTES)
    if jobs > 1 and worth_it and "fork" in multiprocessing.get_all_start_methods():
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            for batch in pool.map(_process_batch, _batches(tasks, jobs)):
                results.extend(batch)
                if on_progress:
                    on_progress(len(results), len(tasks))
    else:
        for done, task in enumerate(tasks, 1):
            results.append(process_file(*task))
            if on_progress:
                on_progress(done, len(tasks))
    run_result.files.extend(results)
    run_result.files.sort(key=lambda r: str(r.path))
    return run_result


def process_stdin(data: bytes, options: Options, enabled: frozenset[str]) -> tuple[FileResult, SourceText | None]:
    """``-``: one module of no project, read from bytes."""
    from . import transform

    result = FileResult(Path("-"))
    try:
        source = decode_source(data)
        facts = ProjectFacts.for_source(source.text)
        result.old = source.text
        result.new, plan = transform.transform_source(source.text, None, facts, options, enabled)
        result.views = [v.to_json() for v in plan.views]
        return result, source
    except FileProblem as exc:
        result.error = str(exc)
    except transform.ParserSyntaxError as exc:
        result.error = f"syntax error at line {exc.raw_line}, column {exc.raw_column}: {exc.message}"
    except (RecursionError, MemoryError):   # e.g. from ast.parse in ProjectFacts.for_source
        result.error = "too deeply nested to parse"
    return result, None


def write_changes(run_result: RunResult) -> None:
    """Write every changed file atomically, keeping its encoding, BOM and newlines."""
    from .files import write_atomic

    for result in run_result.changed:
        try:
            source = read_source(result.path)
            if source.text != result.old:
                result.error = "changed on disk while processing; not written"
                continue
            write_atomic(result.path, encode_source(source, result.new))
        except FileProblem as exc:
            result.error = str(exc)
