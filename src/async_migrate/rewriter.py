"""Apply a module plan: make the planned views ``async def`` and hand each point to the
codemod that owns it.  One pass over the tree, whatever the number of codemods."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType

import libcst as cst

from .analysis import Point
from .builders import parenthesize
from .plan import ModulePlan, ViewPlan


@dataclass
class RewriteState:
    """What the codemods ask for while rewriting; turned into import edits afterwards."""

    target: tuple[int, int]
    imports: set[tuple[str, str | None]] = field(default_factory=set)
    maybe_unused: set[tuple[str, str | None]] = field(default_factory=set)
    view: ViewPlan | None = None

    def need(self, module: str, name: str | None = None) -> None:
        self.imports.add((module, name))

    def may_drop(self, module: str, name: str | None = None) -> None:
        self.maybe_unused.add((module, name))


class Rewriter(cst.CSTTransformer):
    def __init__(self, plan: ModulePlan, codemods: dict[str, ModuleType], state: RewriteState):
        super().__init__()
        self.codemods, self.state = codemods, state
        self.points: dict[int, list[Point]] = {}
        self.functions: dict[int, ViewPlan] = {}
        for view in plan.converting:
            for point in view.points:
                self.points.setdefault(id(point.node), []).append(point)
            for function in view.functions:
                self.functions[id(function)] = view
        for points in self.points.values():
            points.sort(key=lambda p: p.order)
        targets = [p.node for v in plan.converting for p in v.points] + [f for v in plan.converting for f in v.functions]
        # Only nodes above a point or a converted function can change: the rest is not walked.
        self.needed = plan.lines.ancestors(targets) if plan.lines is not None else None

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self.needed is not None and id(node) not in self.needed:
            return False
        return super().on_visit(node)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        if id(node) in self.functions:
            self.state.view = self.functions[id(node)]
        return True

    def on_leave(self, original: cst.CSTNode, updated: cst.CSTNode):
        result = super().on_leave(original, updated)
        points = self.points.get(id(original))
        if points:
            for point in points:
                result = self.codemods[point.codemod].rewrite(point, result, self.state)
        if id(original) in self.functions and isinstance(result, cst.FunctionDef):
            view = self.functions[id(original)]
            result = result.with_changes(asynchronous=cst.Asynchronous())
            for codemod in self.codemods.values():
                finish = getattr(codemod, "finish_function", None)
                if finish is not None:
                    result = finish(view, original, result, self.state)
        return result

    # ``await`` binds looser than attribute access, calls and subscripts: parenthesize.
    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.Attribute:
        if isinstance(updated.value, cst.Await):
            return updated.with_changes(value=parenthesize(updated.value))
        return updated

    def leave_Subscript(self, original: cst.Subscript, updated: cst.Subscript) -> cst.Subscript:
        if isinstance(updated.value, cst.Await):
            return updated.with_changes(value=parenthesize(updated.value))
        return updated


def rewrite_module(tree: cst.Module, plan: ModulePlan, codemods: dict[str, ModuleType],
                   state: RewriteState) -> cst.Module:
    if not plan.converting:
        return tree
    return tree.visit(Rewriter(plan, codemods, state))
