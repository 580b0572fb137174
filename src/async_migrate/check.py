"""`async-migrate check`: sync-only operations inside ``async def`` (migrated or hand-written).

Each ``async def`` of a module (functions, methods, nested coroutines) is analysed with
``check_analysis.AsyncBodyChecker``; its points become AM1xx findings here.  Points that
Django's native async API can fix are marked ``fixable`` (see check_fix.py).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from .analysis import Context, Point
from .check_analysis import SYNC_TO_ASYNC, AsyncBodyChecker, source_uses_db
from .check_messages import describe
from .check_rules import Finding, suppressed
from .cst_names import import_table
from .facts import Options, ProjectFacts, facts_for
from .files import FileError, FileProblem, iter_python_files, read_source

@dataclass
class FunctionFindings:
    func: cst.FunctionDef
    points: list[Point] = field(default_factory=list)


@dataclass
class ModuleCheck:
    findings: list[Finding] = field(default_factory=list)
    functions: list[FunctionFindings] = field(default_factory=list)   # fixable points per function
    tree: cst.Module | None = None


def check_source(text: str, path: Path | None, facts: ProjectFacts, options: Options,
                 display: str | None = None) -> ModuleCheck:
    """Findings of one module; raises cst.ParserSyntaxError for unparseable code."""
    tree = cst.parse_module(text)
    wrapper = MetadataWrapper(tree, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    line_of = lambda node: positions[node].start.line if node in positions else 0  # noqa: E731
    module = facts.project.module_for_path(path) if path is not None and not facts.single_source else None
    module_name = module.name if module else (path.stem if path is not None and not facts.single_source else "views")
    defs = {s.name.value: s for s in tree.body if isinstance(s, (cst.FunctionDef, cst.ClassDef))}
    imports = import_table(tree, module_name, is_package=bool(path and path.name == "__init__.py"))
    ctx = Context(facts, options, module_name, imports, set(defs), line_of,
                  {k: d for k, d in defs.items() if isinstance(d, cst.ClassDef)})
    name = display or (str(path) if path else "-")
    lines = text.splitlines()
    result = ModuleCheck(tree=tree)
    raw: list[tuple[cst.CSTNode, str, str, bool]] = []
    for func, cls in _async_functions(tree):
        checker = AsyncBodyChecker(ctx, func, cls)
        func.body.visit(checker)
        fixable = FunctionFindings(func)
        for point in checker.result.points:
            code, message, can_fix = describe(point, ctx, tree)
            if code is None:
                continue
            raw.append((point.data.get("_at", point.node), code, message, can_fix))
            if can_fix:
                fixable.points.append(point)
        for extra in checker.extras:
            raw.append((extra.node, extra.code, extra.message, False))
        for decorator in func.decorators:
            raw.extend(_decorator_findings(decorator, ctx))
        if fixable.points:
            result.functions.append(fixable)
    for func in _sync_functions(tree):
        for decorator in func.decorators:
            if _sync_to_async_insensitive(decorator, ctx) and source_uses_db(ctx, tree.code_for_node(func)):
                raw.append((decorator, "AM107", "@sync_to_async(thread_sensitive=False) on a function that uses "
                                                "the ORM: database connections are per thread"))
    seen: set[tuple[int, int, str]] = set()
    for node, code, message, *rest in raw:
        position = positions.get(node)
        line, col = (position.start.line, position.start.column + 1) if position else (0, 1)
        key = (line, col, code)
        if key in seen or (0 < line <= len(lines) and suppressed(lines[line - 1], code)):
            if key not in seen and rest and rest[0]:
                _drop_point(result, node)
            continue
        seen.add(key)
        result.findings.append(Finding(name, line, col, code, message, bool(rest and rest[0])))
    result.findings.sort(key=lambda f: (f.line, f.col, f.code))
    return result


def _drop_point(result: ModuleCheck, node: cst.CSTNode) -> None:
    """A ``# noqa``-suppressed finding must not be fixed either."""
    for function in result.functions:
        function.points = [p for p in function.points if p.data.get("_at", p.node) is not node]
    result.functions = [f for f in result.functions if f.points]


def _async_functions(tree: cst.Module):
    """Every ``async def`` with the class it is a method of (if any)."""
    found: list[tuple[cst.FunctionDef, cst.ClassDef | None]] = []

    class Walk(cst.CSTVisitor):
        def __init__(self):
            self.classes: list[cst.ClassDef | None] = [None]

        def visit_ClassDef(self, node):
            self.classes.append(node)

        def leave_ClassDef(self, node):
            self.classes.pop()

        def visit_FunctionDef(self, node):
            if node.asynchronous is not None:
                found.append((node, self.classes[-1]))
            self.classes.append(None)

        def leave_FunctionDef(self, node):
            self.classes.pop()

    tree.visit(Walk())
    return found


def _sync_functions(tree: cst.Module):
    found: list[cst.FunctionDef] = []

    class Walk(cst.CSTVisitor):
        def visit_FunctionDef(self, node):
            if node.asynchronous is None and node.decorators:
                found.append(node)

    tree.visit(Walk())
    return found


def _sync_to_async_insensitive(decorator: cst.Decorator, ctx: Context) -> bool:
    expr = decorator.decorator
    return isinstance(expr, cst.Call) and (ctx.qualify(expr.func) or "") in SYNC_TO_ASYNC and any(
        a.keyword is not None and a.keyword.value == "thread_sensitive"
        and isinstance(a.value, cst.Name) and a.value.value == "False" for a in expr.args)


def _decorator_findings(decorator: cst.Decorator, ctx: Context):
    expr = decorator.decorator
    name = ctx.qualify(expr.func if isinstance(expr, cst.Call) else expr) or ""
    if name in ("django.db.transaction.atomic",):
        yield (decorator, "AM104", "@transaction.atomic on an async def does not make it one transaction (the "
                                   "a* ORM calls each run in their own thread hop): move the transaction into a "
                                   "sync function and await sync_to_async(fn)()", False)


# -- files ---------------------------------------------------------------------------------
@dataclass
class CheckRun:
    findings: list[Finding] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    fixed: list[str] = field(default_factory=list)


def display_path(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def nothing_to_check(text: str, path: Path, facts: ProjectFacts) -> bool:
    """No ``async`` in the text (no ``async def``, no ``sync_to_async``: no rule can fire) of a
    module the index parsed (no syntax error to report): no LibCST parse needed."""
    module = facts.project.module_for_path(path)
    return "async" not in text and module is not None and module.text == text


def facts_of(path: Path) -> ProjectFacts:
    """The facts of ``path``'s project: built once, by worker processes on big trees."""
    return facts_for(path, jobs=os.cpu_count() or 1)


def check_file(path: Path, options: Options) -> ModuleCheck:
    source = read_source(path)
    facts = facts_of(path)
    if nothing_to_check(source.text, path, facts):
        return ModuleCheck()
    return check_source(source.text, path, facts, options, display_path(path))


def check_paths(paths: list[Path], options: Options, exclude: tuple[str, ...] = (), fix: bool = False) -> CheckRun:
    run = CheckRun()
    for item in iter_python_files(list(paths), exclude):
        if isinstance(item, FileError):
            run.errors.append((display_path(item.path), item.reason))
            continue
        try:
            if fix:
                from .check_fix import fix_file

                if fix_file(item, options):
                    run.fixed.append(display_path(item))
            run.findings.extend(check_file(item, options).findings)
        except FileProblem as exc:
            run.errors.append((display_path(item), str(exc)))
        except cst.ParserSyntaxError as exc:
            run.errors.append((display_path(item), f"syntax error at line {exc.raw_line}, column "
                                                   f"{exc.raw_column}: {exc.message}"))
        except RecursionError:
            run.errors.append((display_path(item), "too deeply nested to parse"))
        except Exception as exc:  # noqa: BLE001 - one bad file must not stop the run
            run.errors.append((display_path(item), f"internal error: {type(exc).__name__}: {exc}"))
    return run


def check_text(text: str, options: Options) -> ModuleCheck:
    """One module of no project (stdin, tests)."""
    return check_source(text, None, ProjectFacts.for_source(text), options, "-")



