"""What the analysis produces: I/O points, the per-function result, the per-module context."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import libcst as cst

from . import django_api as api
from .cst_names import dotted
from .facts import Options, ProjectFacts
from .positions import ModuleLines

# Codemod names (each is one module in codemods/).
ORM, AUTH, WRAP, IO, TEMPLATE = "orm_async", "auth_async", "wrap_sync", "blocking_io", "template_response"
ASYNC_DEF = "async_def"


@dataclass
class Point:
    node: cst.CSTNode          # node the codemod rewrites (original tree)
    kind: str
    codemod: str
    native: bool               # Django's async API (no thread hop)
    line: int
    message: str
    data: dict = field(default_factory=dict)
    order: int = 1             # rewrite order on the same node (select_related first)

    @property
    def hop(self) -> bool:
        return not self.native and self.kind not in ("sleep", "drop")


@dataclass
class Analysis:
    points: list[Point] = field(default_factory=list)
    blockers: list[tuple[int, str]] = field(default_factory=list)
    async_functions: list[cst.FunctionDef] = field(default_factory=list)  # nested defs that become async

    @property
    def codemods(self) -> set[str]:
        return {p.codemod for p in self.points}


class Context:
    """Per-module knowledge the analysis needs, shared by every view of a file."""

    def __init__(self, facts: ProjectFacts, options: Options, module_name: str, imports: dict[str, str],
                 local_defs: set[str], line_of: Callable[[cst.CSTNode], int], classes: dict[str, cst.ClassDef]):
        self.facts, self.options, self.module_name = facts, options, module_name
        self.imports, self.local_defs, self.line_of, self.classes = imports, local_defs, line_of, classes
        self.functions: dict[str, cst.FunctionDef] = {}   # module-level defs, for inline checks
        self.lines: ModuleLines | None = None   # the module's line pass: fast walks of its nodes

    def qualify(self, node: cst.BaseExpression) -> str | None:
        name = dotted(node)
        if name is None:
            return None
        head, _, rest = name.partition(".")
        if head in self.imports:
            head = self.imports[head]
        elif head in self.local_defs:
            head = f"{self.module_name}.{head}"
        return f"{head}.{rest}" if rest else head

    def supports(self, version: api.Version) -> bool:
        return self.options.target >= version
