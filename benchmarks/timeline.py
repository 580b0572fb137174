"""When each phase of one ``diff`` run starts and ends, in the parent and in each worker.

    python benchmarks/timeline.py TREE [--jobs 2] [--cold]

Prints ``milliseconds [pid] > phase`` / ``< phase`` lines on stderr (the report goes to
/dev/null): the CLI's imports, the index (``load``, with LibCST's import overlapped in
``_load_libcst``), the whole-project passes (settings, models, routes, views and their callers)
and each file's LibCST pass (``process_file``, in the worker that ran it).  What stands on the
critical path shows as the gaps between them.  ``--cold`` removes the index cache first.
"""

from __future__ import annotations

import os
import shutil
import sys
import time

T0 = time.perf_counter()


def log(message: str) -> None:
    sys.stderr.write(f"{(time.perf_counter() - T0) * 1000:8.1f} ms [{os.getpid()}] {message}\n")


def traced(owner, name: str) -> None:
    function = getattr(owner, name)

    def wrapper(*args, **kwargs):
        log(f"> {name}")
        try:
            return function(*args, **kwargs)
        finally:
            log(f"< {name}")

    setattr(owner, name, wrapper)


def main() -> None:
    args = sys.argv[1:]
    cold = "--cold" in args
    args = [a for a in args if a != "--cold"]
    if not args:
        sys.exit(__doc__)
    tree, rest = args[0], args[1:]
    if cold:
        shutil.rmtree(os.path.join(tree, ".async_migrate_cache"), ignore_errors=True)
    log("start")
    from async_migrate import cli, discovery, engine, facts, models_index, project, settings_facts, urlconf
    log("CLI imported")
    for owner, name in [(engine, "_run"), (engine, "_load_libcst"), (engine, "process_file"),
                        (facts.ProjectFacts, "build"), (project.Project, "load"),
                        (discovery, "_find_callers")]:
        traced(owner, name)
    # The passes, as ``facts`` imported them.
    for module, name in [(settings_facts, "read_settings"), (models_index, "build_model_index"),
                         (urlconf, "collect_routes"), (discovery, "find_views")]:
        traced(module, name)
        setattr(facts, name, getattr(module, name))
    sys.argv = ["async-migrate", "diff", "--quiet", "--json", *(rest or ["--jobs", "2"]), tree]
    sys.stdout = open(os.devnull, "w")
    try:
        cli.main()
    finally:
        log("end")


if __name__ == "__main__":
    main()
