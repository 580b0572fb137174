"""``apply --interactive``: review the rewrite hunk by hunk, like ``git add -p``.

Each file's change is cut into unified-diff hunks (3 lines of context, as git shows them).
A hunk is put to the user with the views whose lines it touches, their decision and reasons;
the answer is y (apply), n (skip), a (apply this and every remaining hunk), q (quit: skip this
and every remaining hunk) or ? (help).  Hunks that touch no view (the imports a rewrite adds
or drops) are not asked about: they follow the views, applied when any hunk of their file is.
The accepted hunks are then patched onto the original text (difflib opcodes), so a file is
written with exactly the accepted changes and nothing else.
"""

from __future__ import annotations

import ast
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from rich.console import Console
from rich.text import Text

from .engine import FileResult, RunResult
from .report import DECISION_STYLE, display_path, split_lines

HELP = ("y - apply this hunk\nn - do not apply this hunk\na - apply this hunk and all remaining hunks\n"
        "q - quit: do not apply this hunk or any remaining ones\n? - print help")
_TOP_LEVEL = re.compile(r"[A-Za-z_@]")


@dataclass
class Hunk:
    path: Path
    index: int                  # within its file
    opcodes: list[tuple[str, int, int, int, int]]
    views: list[dict] = field(default_factory=list)
    view_ops: set[int] = field(default_factory=set)   # indexes in opcodes of the changes inside a view
    accepted: bool = False

    @property
    def changes(self) -> list[tuple[str, int, int, int, int]]:
        return [op for op in self.opcodes if op[0] != "equal"]

    @property
    def module_level(self) -> bool:
        """Some change outside every view (imports): it follows the views."""
        return any(op[0] != "equal" and k not in self.view_ops for k, op in enumerate(self.opcodes))


@dataclass
class FileReview:
    result: FileResult
    old: list[str]
    new: list[str]
    hunks: list[Hunk]

    @property
    def asked(self) -> list[Hunk]:
        return [h for h in self.hunks if h.views]

    def patched(self) -> str:
        """The original text with the accepted view changes applied.

        Changes outside the views (the imports the rewrite adds or drops) follow the views:
        all of them when every view hunk of the file was accepted; when some were declined,
        only additions (a declined view may still use an import the full rewrite dropped).
        """
        asked = self.asked
        every = all(h.accepted for h in asked)
        some = any(h.accepted for h in asked)
        out: list[str] = []
        position = 0
        for hunk in self.hunks:
            for k, (tag, i1, i2, j1, j2) in enumerate(hunk.opcodes):
                if tag == "equal":
                    continue
                out.extend(self.old[position:i1])
                position = i2
                old, new = self.old[i1:i2], self.new[j1:j2]
                if k in hunk.view_ops:
                    out.extend(new if hunk.accepted else old)
                elif every:
                    out.extend(new)
                elif some:
                    out.extend(old + [line for line in new if line not in old])
                else:
                    out.extend(old)
        out.extend(self.old[position:])
        return "".join(out)


def _view_spans(result: FileResult, old: list[str]) -> list[tuple[int, int, dict]]:
    """0-based half-open line ranges of each view: its decorators/comments above, down to the
    next top-level statement or view."""
    views = sorted((v for v in result.views if v.get("line")), key=lambda v: v["line"])
    starts = []
    for view in views:
        start = view["line"] - 1
        while start > 0 and old[start - 1].lstrip().startswith(("@", "#")):
            start -= 1
        starts.append(start)
    spans = []
    for k, (view, start) in enumerate(zip(views, starts)):
        limit = starts[k + 1] if k + 1 < len(starts) else len(old)
        end = view["line"]
        while end < limit and not (_TOP_LEVEL.match(old[end]) and not old[end].startswith("@")):
            end += 1
        spans.append((start, max(end, view["line"]), view))
    return spans


def review_file(result: FileResult, context: int = 3) -> FileReview:
    old, new = split_lines(result.old or ""), split_lines(result.new or "")
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    spans = _view_spans(result, old)
    hunks = []
    for index, group in enumerate(matcher.get_grouped_opcodes(context)):
        hunk = Hunk(result.path, index, [tuple(op) for op in group])
        for k, (tag, i1, i2, _, _) in enumerate(hunk.opcodes):
            if tag == "equal":
                continue
            lines = range(i1, i2) if i2 > i1 else range(i1, i1 + 1)
            for start, end, view in spans:
                if any(start <= line < end for line in lines):
                    hunk.view_ops.add(k)
                    if view not in hunk.views:
                        hunk.views.append(view)
        hunks.append(hunk)
    return FileReview(result, old, new, hunks)


def hunk_text(review: FileReview, hunk: Hunk) -> str:
    first, last = hunk.opcodes[0], hunk.opcodes[-1]
    lines = [f"@@ -{_range(first[1], last[2])} +{_range(first[3], last[4])} @@\n"]
    for tag, i1, i2, j1, j2 in hunk.opcodes:
        if tag == "equal":
            lines.extend(" " + line for line in review.old[i1:i2])
            continue
        lines.extend("-" + line for line in review.old[i1:i2])
        lines.extend("+" + line for line in review.new[j1:j2])
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def _range(start: int, stop: int) -> str:
    length = stop - start
    beginning = start + 1 if length else start
    return str(beginning) if length == 1 else f"{beginning},{length}"


def show_hunk(console: Console, review: FileReview, hunk: Hunk, number: int, total: int) -> None:
    console.print(Text(f"\n{display_path(review.result.path)}  (hunk {number}/{total})", style="bold"),
                  soft_wrap=True)
    for view in hunk.views:
        line = Text(f"  {view['view']} (line {view['line']}): ")
        line.append(view["decision"], style=DECISION_STYLE.get(view["decision"], ""))
        line.append(f" - {view['reason']}")
        console.print(line, soft_wrap=True, highlight=False)
        for point in view.get("points", []):
            hop = "" if point["native"] else " [thread hop]"
            console.print(Text(f"    line {point['line']}: {point['message']}{hop}", style="dim"),
                          soft_wrap=True, highlight=False)
    if hunk.module_level:
        console.print(Text("  (the import lines in this hunk follow the views of the file)", style="dim"))
    for line in hunk_text(review, hunk).split("\n")[:-1]:
        line = line.rstrip("\r")
        style = ("cyan" if line.startswith("@@") else "green" if line.startswith("+")
                 else "red" if line.startswith("-") else "")
        console.print(Text(line, style=style), soft_wrap=True, highlight=False)


Ask = Callable[[str], str]


def interactive(run: RunResult, console: Console, ask: Ask) -> RunResult:
    """Ask about every view hunk; return the files to write, each with only its accepted hunks."""
    reviews = [review_file(result) for result in run.changed]
    asked = [(review, hunk) for review in reviews for hunk in review.asked]
    answer_all = False
    for number, (review, hunk) in enumerate(asked, 1):
        if answer_all:
            hunk.accepted = True
            continue
        show_hunk(console, review, hunk, number, len(asked))
        answer = _ask(ask, console)
        if answer == "q":
            break
        if answer == "a":
            answer_all = True
        hunk.accepted = answer in ("y", "a")
    chosen = RunResult(seconds=run.seconds)
    for review in reviews:
        declined = {v["view"] for h in review.asked if not h.accepted for v in h.views}
        accepted = {v["view"] for h in review.asked if h.accepted for v in h.views}
        for view in review.result.views:
            if view["view"] in declined - accepted and view["decision"] in ("convert", "wrap"):
                view["decision"], view["reason"] = "sync", "declined in interactive review"
        if any(h.accepted for h in review.asked):
            text = review.patched()
            try:
                ast.parse(text)
            except SyntaxError as exc:   # never write a file the partial patch broke
                review.result.error = f"the accepted hunks do not parse together (line {exc.lineno}); not written"
                review.result.new = review.result.old
                continue
            review.result.new = text
            chosen.files.append(FileResult(review.result.path, old=review.result.old, new=text,
                                           views=review.result.views, seconds=review.result.seconds))
        else:
            review.result.new = review.result.old
    return chosen


def _ask(ask: Ask, console: Console) -> str:
    while True:
        try:
            answer = ask("Apply this hunk [y,n,a,q,?]? ").strip().lower()[:1]
        except (EOFError, KeyboardInterrupt):
            return "q"
        if answer in ("y", "n", "a", "q"):
            return answer
        console.print(HELP, markup=False, highlight=False)
