"""Show a run: unified diffs, the per-view table, the summary, or the JSON report."""

from __future__ import annotations

import difflib
import os
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from . import __version__
from .engine import FileResult, RunResult

JSON_SCHEMA_VERSION = 1
DECISION_STYLE = {"convert": "green", "wrap": "yellow", "sync": "red", "already async": "dim",
                  "not routed": "dim", "suppressed": "dim"}


def display_path(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def unified_diff(result: FileResult) -> str:
    """A diff ``git apply`` accepts (a/ b/ prefixes, no-newline markers)."""
    name = display_path(result.path).replace(os.sep, "/")
    old = (result.old or "").splitlines(keepends=True)
    new = (result.new or "").splitlines(keepends=True)
    lines = []
    for line in difflib.unified_diff(old, new, f"a/{name}", f"b/{name}"):
        if line.startswith(("---", "+++")):
            lines.append(line.rstrip("\r\n") + "\n")
            continue
        if not line.endswith(("\n", "\r")):
            line += "\n\\ No newline at end of file\n"
        lines.append(line)
    return "".join(lines)


def print_diffs(console: Console, run: RunResult) -> None:
    for result in run.changed:
        diff = unified_diff(result)
        if console.no_color or not console.is_terminal:
            console.file.write(diff)
            continue
        for line in diff.splitlines():
            style = ("bold" if line.startswith(("---", "+++")) else "green" if line.startswith("+")
                     else "red" if line.startswith("-") else "cyan" if line.startswith("@@") else "")
            console.print(Text(line, style=style), soft_wrap=True, highlight=False)


def views_table(run: RunResult) -> Table:
    table = Table(title="Views", show_lines=False, expand=False)
    table.add_column("where", no_wrap=True)
    table.add_column("view")
    table.add_column("decision")
    table.add_column("why")
    for view in sorted(run.views, key=lambda v: (v["path"] or "", v["line"])):
        where = f"{display_path(Path(view['path'])) if view['path'] else '-'}:{view['line']}"
        style = DECISION_STYLE.get(view["decision"], "")
        why = view["reason"]
        if view["decision"] in ("convert", "wrap") and view["thread_hops"]:
            why += f" ({view['thread_hops']} thread hop{'s' if view['thread_hops'] != 1 else ''})"
        table.add_row(where, view["view"], Text(view["decision"], style=style), why)
    return table


def summary_line(run: RunResult, write: bool) -> str:
    counts = Counter(v["decision"] for v in run.views)
    changed = len(run.changed)
    verb = "rewritten" if write else "would be rewritten"
    parts = [f"{changed} file{'s' if changed != 1 else ''} {verb}",
             f"{len(run.files)} checked"]
    views = ", ".join(f"{counts[k]} {k}" for k in ("convert", "wrap", "sync", "already async", "not routed",
                                                    "suppressed") if counts[k])
    if views:
        parts.append(f"views: {views}")
    if run.errors:
        parts.append(f"{len(run.errors)} error{'s' if len(run.errors) != 1 else ''}")
    return "; ".join(parts) + "."


def print_errors(console: Console, run: RunResult) -> None:
    for result in run.errors:
        console.print(f"{display_path(result.path)}: error: {result.error}", markup=False, highlight=False, soft_wrap=True)


def to_json(run: RunResult, target: str, target_reason: str, write: bool) -> dict:
    counts = Counter(v["decision"] for v in run.views)
    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "tool": {"name": "async-migrate", "version": __version__},
        "target_version": target,
        "target_reason": target_reason,
        "mode": "apply" if write else "diff",
        "files": [{"path": str(f.path), "changed": f.changed, "error": f.error, "seconds": round(f.seconds, 6)}
                  for f in run.files],
        "views": run.views,
        "errors": [{"path": str(f.path), "message": f.error} for f in run.errors],
        "summary": {"files": len(run.files), "changed": len(run.changed), "errors": len(run.errors),
                    "views": dict(counts),
                    "thread_hops": sum(v["thread_hops"] for v in run.views if v["decision"] in ("convert", "wrap"))},
        "timings": {"total_seconds": round(run.seconds, 6)},
    }
