"""What the plan decides for each view, and the plan of a module: plain data, no LibCST at
run time, so the engine can report views the index settles without loading LibCST."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import libcst as cst

    from .analysis import Point
    from .positions import ModuleLines

CONVERT, WRAP, SYNC = "convert", "wrap", "sync"
ALREADY_ASYNC, NOT_ROUTED, SUPPRESSED = "already async", "not routed", "suppressed"
SKIP_COMMENT = re.compile(r"#\s*async-migrate:\s*skip\b")
SKIP_MARK = "async-migrate"   # every SKIP_COMMENT match holds it


@dataclass
class ViewPlan:
    name: str
    path: Path | None
    line: int
    decision: str
    reason: str = ""
    points: list[Point] = field(default_factory=list)
    functions: list[cst.FunctionDef] = field(default_factory=list)   # defs that become async
    user_name: str = "user"
    non_atomic: bool = False        # add @transaction.non_atomic_requests (ATOMIC_REQUESTS + --unsafe)

    @property
    def converts(self) -> bool:
        return self.decision in (CONVERT, WRAP)

    @property
    def native_points(self) -> int:
        return sum(1 for p in self.points if p.native)

    @property
    def hops(self) -> int:
        return sum(1 for p in self.points if p.hop)

    def to_json(self) -> dict:
        return {
            "view": self.name, "path": str(self.path) if self.path else None, "line": self.line,
            "decision": self.decision, "reason": self.reason, "thread_hops": self.hops,
            "native_points": self.native_points,
            "thread_hops_in_loops": sum(1 for p in self.points if p.hop and p.data.get("in_loop")),
            "points": [{"line": p.line, "kind": p.kind, "codemod": p.codemod, "native": p.native,
                        "message": p.message} for p in self.points],
        }


@dataclass
class ModulePlan:
    views: list[ViewPlan] = field(default_factory=list)
    lines: ModuleLines | None = None   # line numbers, parents and regenerated code of the planned tree

    @property
    def converting(self) -> list[ViewPlan]:
        return [v for v in self.views if v.converts]
