"""Show a run: unified diffs, the per-view table, the summary, or the JSON report."""

from __future__ import annotations

import difflib
import os
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .engine import FileResult, RunResult
from .files import FileProblem, SourceText, read_source

if TYPE_CHECKING:   # rich is imported where a run prints for people, not for --json
    from rich.console import Console
    from rich.table import Table

JSON_SCHEMA_VERSION = 1
DECISION_STYLE = {"convert": "green", "wrap": "yellow", "sync": "red", "already async": "dim",
                  "not routed": "dim", "suppressed": "dim"}


def display_path(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def split_lines(text: str) -> list[str]:
    """Lines as git sees them: split after ``\\n`` only (``\\r\\n`` stays one line end; form
    feeds, ``\\r`` alone and Unicode line separators inside a line do not split it)."""
    lines = text.split("\n")
    last = lines.pop()
    return [line + "\n" for line in lines] + ([last] if last else [])


def _diff_lines(old: str, new: str, name: str, context: int = 3) -> list[str]:
    """Unified diff lines: the two headers, then hunk lines ending in one ``\\n`` each (the
    content may end in ``\\r``), a missing last newline marked the way git marks it."""
    lines = []
    for index, line in enumerate(difflib.unified_diff(split_lines(old), split_lines(new),
                                                      f"a/{name}", f"b/{name}", n=context)):
        if index >= 2 and not line.endswith("\n"):
            line += "\n\\ No newline at end of file\n"
        lines.append(line)
    return lines


def diff_name(result: FileResult) -> str:
    return display_path(result.path).replace(os.sep, "/")


def unified_diff(result: FileResult, context: int = 3) -> str:
    """The diff as text, for showing: ``a/`` ``b/`` prefixes, no-newline markers."""
    return "".join(_diff_lines(result.old or "", result.new or "", diff_name(result), context))


def _stored_as(result: FileResult) -> SourceText | None:
    """How the file is stored on disk (codec, BOM), when it still holds ``result.old``."""
    try:
        source = read_source(result.path)
    except FileProblem:
        return None
    return source if source.text == result.old else None


def patch_bytes(result: FileResult) -> bytes:
    """The diff as bytes ``git apply`` turns into exactly what ``apply`` writes.

    Lines split where git splits them, the body encoded in the file's own codec (a latin-1
    file gets a latin-1 hunk) and a UTF-8 BOM kept on the first line.
    """
    source = _stored_as(result)
    encoding = source.encoding if source else "utf-8"
    bom = "\ufeff" if source and source.bom else ""
    old, new = result.old or "", result.new or ""
    lines = _diff_lines(bom + old if old else old, bom + new if new else new, diff_name(result))
    out = []
    for index, line in enumerate(lines):
        if index < 2:
            out.append(os.fsencode(line))
        else:
            try:
                out.append(line.encode(encoding))
            except UnicodeEncodeError:
                out.append(line.encode("utf-8", "surrogateescape"))
    return b"".join(out)


def print_diffs(console: Console, run: RunResult) -> None:
    """Coloured diffs on a terminal; otherwise the patch bytes, ready for ``git apply``."""
    from rich.text import Text

    for result in run.changed:
        if console.no_color or not console.is_terminal:
            buffer = getattr(console.file, "buffer", None)
            if buffer is None:
                console.file.write(unified_diff(result))
            else:
                console.file.flush()
                buffer.write(patch_bytes(result))
                buffer.flush()
            continue
        for line in unified_diff(result).split("\n")[:-1]:
            line = line.rstrip("\r")
            style = ("bold" if line.startswith(("---", "+++")) else "green" if line.startswith("+")
                     else "red" if line.startswith("-") else "cyan" if line.startswith("@@") else "")
            console.print(Text(line, style=style), soft_wrap=True, highlight=False)


def _view_rows(run: RunResult) -> list[tuple[str, str, str, str]]:
    """(where, view, decision, why) per view, by file and line; ``why`` already says how many
    sync_to_async hops the view makes."""
    return [(f"{display_path(Path(view['path'])) if view['path'] else '-'}:{view['line']}",
             view["view"], view["decision"], view["reason"])
            for view in sorted(run.views, key=lambda v: (v["path"] or "", v["line"]))]


def views_table(run: RunResult) -> Table:
    from rich.table import Table
    from rich.text import Text

    table = Table(title="Views", show_lines=False, expand=False)
    table.add_column("where", no_wrap=True)
    table.add_column("view")
    table.add_column("decision")
    table.add_column("why")
    for where, view, decision, why in _view_rows(run):
        table.add_row(Text(where), Text(view), Text(decision, style=DECISION_STYLE.get(decision, "")), Text(why))
    return table


def views_lines(run: RunResult) -> str:
    """The views report off a terminal (a log, a pipe, CI): one line per view, ``path:line:``
    first, the way linters print, so it greps and scrolls (and a 2,000-row table would take
    rich longer to lay out than the whole LibCST pass of a big tree)."""
    return "".join(f"{where}: {view}: {decision}: {why}\n" for where, view, decision, why in _view_rows(run))


def print_views(console: Console, run: RunResult) -> None:
    """The table on a terminal, else ``views_lines``."""
    if console.is_terminal:
        console.print(views_table(run))
    else:
        console.file.write("Views:\n" + views_lines(run))


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


_HTML_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #1f2328; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 2em; }
table { border-collapse: collapse; } th, td { border: 1px solid #d0d7de; padding: .3em .6em; text-align: left;
  vertical-align: top; }
th { background: #f6f8fa; } td.where { font-family: monospace; white-space: nowrap; }
.convert { color: #1a7f37; font-weight: 600; } .wrap { color: #9a6700; font-weight: 600; }
.sync { color: #cf222e; font-weight: 600; } .dim { color: #656d76; }
ul.points { margin: .2em 0 0 1em; padding: 0; font-size: .9em; color: #656d76; }
pre.diff { background: #f6f8fa; border: 1px solid #d0d7de; padding: .5em; overflow-x: auto; line-height: 1.35; }
pre.diff span { display: block; white-space: pre; }
.add { background: #dafbe1; color: #116329; } .del { background: #ffebe9; color: #82071e; }
.hunk { color: #0550ae; } .head { font-weight: 700; } .error { color: #cf222e; }
"""


def html_report(run: RunResult, target: str, target_reason: str, write: bool) -> str:
    """The whole report as one self-contained HTML page: summary, views, reasons, diffs."""
    from html import escape

    def decision_class(decision: str) -> str:
        return decision if decision in ("convert", "wrap", "sync") else "dim"

    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>async-migrate report (Django {escape(target)})</title>",
             f"<style>{_HTML_STYLE}</style></head><body>",
             f"<h1>async-migrate {escape(__version__)}: {'applied' if write else 'proposed'} changes</h1>",
             f'<p id="target">Targeting Django {escape(target)} ({escape(target_reason)}).</p>',
             f'<p id="summary">{escape(summary_line(run, write))}</p>']
    if run.errors:
        parts.append('<h2>Errors</h2><ul id="errors">')
        parts.extend(f'<li class="error">{escape(display_path(r.path))}: error: {escape(r.error or "")}</li>'
                     for r in run.errors)
        parts.append("</ul>")
    parts.append('<h2>Views</h2><table id="views"><thead><tr><th>where</th><th>view</th><th>decision</th>'
                 "<th>why</th></tr></thead><tbody>")
    for view in sorted(run.views, key=lambda v: (v["path"] or "", v["line"])):
        where = f"{display_path(Path(view['path'])) if view['path'] else '-'}:{view['line']}"
        why = escape(view["reason"])
        points = "".join(f"<li>line {p['line']}: {escape(p['message'])}{'' if p['native'] else ' (thread hop)'}"
                         f"</li>" for p in view.get("points", []))
        if points:
            why += f'<ul class="points">{points}</ul>'
        parts.append(f'<tr class="view"><td class="where">{escape(where)}</td><td>{escape(view["view"])}</td>'
                     f'<td class="{decision_class(view["decision"])}">{escape(view["decision"])}</td>'
                     f"<td>{why}</td></tr>")
    parts.append("</tbody></table>")
    parts.append("<h2>Diffs</h2>" if run.changed else "<h2>Diffs</h2><p>No file changes.</p>")
    for result in run.changed:
        spans = []
        for index, line in enumerate(unified_diff(result).split("\n")[:-1]):
            line = line.rstrip("\r")
            css = ("head" if index < 2 else "hunk" if line.startswith("@@") else "add" if line.startswith("+")
                   else "del" if line.startswith("-") else "ctx")
            spans.append(f'<span class="{css}">{escape(line) or " "}</span>')
        parts.append(f'<h3 class="file">{escape(display_path(result.path))}</h3>'
                     f'<pre class="diff">{"".join(spans)}</pre>')
    parts.append("</body></html>\n")
    return "\n".join(parts)
