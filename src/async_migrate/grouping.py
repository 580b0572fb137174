"""Merge neighbouring wrapped statements into one ``sync_to_async`` hop.

Two statements in a row whose only I/O is wrapped (``book = form.save()`` then
``services.notify(book)``) would cost two thread hops; moved together into one nested sync
function (the same mechanism as a transaction block) they cost one.
"""

from __future__ import annotations

import libcst as cst

from .analysis import WRAP, Point
from .fast_visit import walk
from .positions import ModuleLines
from .regions import Region, describe_statements

GROUPABLE = {"wrap_call", "wrap_method", "getattr"}
SIMPLE = (cst.Assign, cst.AnnAssign, cst.AugAssign, cst.Expr)


def group_wraps(function: cst.FunctionDef, points: list[Point], lines: ModuleLines | None = None) -> list[Point]:
    """Return ``points`` with each run of two or more wrap-only statements replaced by one
    ``group`` point (and ``drop`` points for the statements folded into it).  ``lines``: the
    module's line pass, to walk its nodes without rebuilding them (``fast_visit``)."""
    if sum(1 for p in points if p.kind in GROUPABLE) < 2:
        return points   # nothing to merge
    inside = {id(p.node): p for p in points}
    result = list(points)
    count = 0
    for block in _blocks(function.body, lines):
        run: list[tuple[cst.SimpleStatementLine, list[Point]]] = []
        for statement in [*block.body, None]:
            found = _wrap_only(statement, inside, lines) if statement is not None else None
            if found:
                run.append((statement, found))
                continue
            if len(run) >= 2:
                count += 1
                name = "_sync_steps" if count == 1 else f"_sync_steps_{count}"
                region = describe_statements(function, [s for s, _ in run], name)
                if isinstance(region, Region):
                    result = _fold(result, run, region)
            run = []
    return result


def _fold(points: list[Point], run, region: Region) -> list[Point]:
    folded = {id(p) for _, found in run for p in found}
    kept = [p for p in points if id(p) not in folded]
    first, first_points = run[0]
    statements = [s for s, _ in run]
    kept.append(Point(first, "group", WRAP, False, first_points[0].line,
                      f"{len(folded)} wrapped calls on {len(run)} neighbouring lines -> one hop "
                      f"{region.function_name}()", {"region": region, "statements": statements}))
    for statement, found in run[1:]:
        kept.append(Point(statement, "drop", WRAP, False, found[0].line, "folded into the group above"))
    return kept


def _wrap_only(statement: cst.BaseStatement, points: dict[int, Point], lines: ModuleLines | None) -> list[Point] | None:
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1 \
            or not isinstance(statement.body[0], SIMPLE):
        return None
    scan = _Scan(points)
    walk(statement, scan, lines)
    return scan.found if scan.ok and scan.found else None


class _Scan(cst.CSTVisitor):
    """The wrap points under a statement; ``ok`` False once another kind of point is met.
    (A class of its own, not one per call: ``fast_visit`` keeps its hooks by class.)"""

    def __init__(self, points: dict[int, Point]):
        super().__init__()
        self.points, self.found, self.ok = points, [], True

    def on_visit(self, node: cst.CSTNode) -> bool:
        point = self.points.get(id(node))
        if point is not None:
            if point.kind in GROUPABLE and point.codemod == WRAP:
                self.found.append(point)
            else:
                self.ok = False
        return self.ok


def _blocks(body: cst.BaseSuite, lines: ModuleLines | None) -> list[cst.IndentedBlock]:
    """Every indented block of the function, not looking into nested defs or classes."""
    collect = _Blocks()
    walk(body, collect, lines)
    return collect.blocks


class _Blocks(cst.CSTVisitor):
    def __init__(self):
        super().__init__()
        self.blocks: list[cst.IndentedBlock] = []

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self.blocks.append(node)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False
