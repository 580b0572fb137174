"""Move a ``with`` block (a transaction, a blocking resource) into a nested sync function.

The block keeps every statement it had, in order, inside the same ``with``, so a
transaction still holds all of them and rolls back as before.  What flows in and out:

- names the block assigns that the view also binds elsewhere become ``nonlocal``;
- names only the block assigns, but that code after it reads, are returned and rebound;
- a block whose every path ends in ``return`` is called as ``return await ...``.

The same holds for a run of neighbouring statements merged into one hop (grouping.py).
Blocks that cannot move safely (``return`` on some paths only, ``break``/``continue`` that
leave the block, ``yield``, ``await``) are refused with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst


@dataclass(frozen=True)
class Region:
    function_name: str
    nonlocals: tuple[str, ...]
    returns: tuple[str, ...]
    always_returns: bool


class _Names(cst.CSTVisitor):
    """Names bound and read in a subtree, not looking into nested scopes' own bindings."""

    def __init__(self) -> None:
        self.bound: set[str] = set()
        self.read: set[str] = set()
        self.returns = 0
        self.escapes: list[str] = []
        self._loops = 0
        self._scopes = 0

    def visit_Name(self, node: cst.Name) -> None:
        self.read.add(node.value)

    def _bind(self, target: cst.BaseExpression | None) -> None:
        if isinstance(target, cst.Name) and not self._scopes:
            self.bound.add(target.value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind(element.value)
        elif isinstance(target, cst.StarredElement):
            self._bind(target.value)

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._bind(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._bind(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._bind(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._bind(node.target)
        self._loops += 1

    def leave_For(self, node: cst.For) -> None:
        self._loops -= 1

    def visit_While(self, node: cst.While) -> None:
        self._loops += 1

    def leave_While(self, node: cst.While) -> None:
        self._loops -= 1

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._bind(node.asname.name)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self._bind(node.name.name)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind(node.target)

    def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
        name = node.asname.name if node.asname else node.name
        if isinstance(name, cst.Name):
            self._bind(name)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._bind(node.name)
        self._scopes += 1

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._scopes -= 1

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self._scopes += 1

    def leave_Lambda(self, node: cst.Lambda) -> None:
        self._scopes -= 1

    def visit_Return(self, node: cst.Return) -> None:
        if not self._scopes:
            self.returns += 1

    def visit_Break(self, node: cst.Break) -> None:
        if not self._loops and not self._scopes:
            self.escapes.append("break")

    def visit_Continue(self, node: cst.Continue) -> None:
        if not self._loops and not self._scopes:
            self.escapes.append("continue")

    def visit_Yield(self, node: cst.Yield) -> None:
        self.escapes.append("yield")

    def visit_Await(self, node: cst.Await) -> None:
        self.escapes.append("await")


def _names(node: cst.CSTNode) -> _Names:
    visitor = _Names()
    node.visit(visitor)
    return visitor


def always_returns(body: cst.BaseSuite | cst.BaseStatement) -> bool:
    """Every path through ``body`` ends in ``return`` or ``raise``."""
    statements = body.body if isinstance(body, (cst.IndentedBlock, cst.SimpleStatementSuite)) else [body]
    if not statements:
        return False
    last = statements[-1]
    if isinstance(last, cst.SimpleStatementLine):
        return any(isinstance(s, (cst.Return, cst.Raise)) for s in last.body)
    if isinstance(last, cst.If):
        return last.orelse is not None and always_returns(last.body) and always_returns(
            last.orelse if isinstance(last.orelse, cst.If) else last.orelse.body)
    if isinstance(last, (cst.With, cst.Try)):
        inner = always_returns(last.body)
        if isinstance(last, cst.Try):
            inner = inner and all(always_returns(h.body) for h in last.handlers)
        return inner
    return False


def describe_region(func: cst.FunctionDef, block: cst.With, name: str,
                    others: frozenset[int] = frozenset()) -> Region | str:
    """How ``block`` (a statement of ``func``) moves out; a string says why it cannot."""
    return describe_statements(func, [block], name, others)


def describe_statements(func: cst.FunctionDef, statements: list[cst.BaseStatement], name: str,
                        others: frozenset[int] = frozenset()) -> Region | str:
    """How consecutive ``statements`` of ``func`` move into one nested sync function.

    ``others`` are ids of statements that move into nested functions of their own: what they
    bind is not bound in the view any more (what they read still counts as read)."""
    inside = _Names()
    for statement in statements:
        statement.visit(inside)
    if inside.escapes:
        return f"{inside.escapes[0]} inside the block"
    last = statements[-1]
    returns_all = always_returns(last.body) if isinstance(last, cst.With) else always_returns(last)
    if inside.returns and not returns_all:
        return "the block returns on some paths only"
    params = {p.name.value for p in (*func.params.params, *func.params.kwonly_params, *func.params.posonly_params)}
    for star in (func.params.star_arg, func.params.star_kwarg):
        if isinstance(star, cst.Param):
            params.add(star.name.value)
    outside = _OutsideNames(statements, others)
    func.body.visit(outside)
    bound_outside = outside.bound | params
    nonlocals = sorted(inside.bound & bound_outside)
    returns = () if returns_all else tuple(sorted((inside.bound - bound_outside) & outside.read_after))
    return Region(name, tuple(nonlocals), returns, returns_all)


class _OutsideNames(_Names):
    """Names bound outside the moved statements and names read after them."""

    def __init__(self, statements: list[cst.BaseStatement], others: frozenset[int] = frozenset()):
        super().__init__()
        self.skip = {id(s) for s in statements}
        self.others = others
        self.in_other = 0
        self.after = False
        self.read_after: set[str] = set()

    def on_visit(self, node: cst.CSTNode) -> bool:
        if id(node) in self.skip:
            self.after = True
            return False
        if id(node) in self.others:
            self.in_other += 1
        return super().on_visit(node)

    def on_leave(self, node: cst.CSTNode) -> None:
        if id(node) in self.others and id(node) not in self.skip:
            self.in_other -= 1
        super().on_leave(node)

    def _bind(self, target: cst.BaseExpression | None) -> None:
        if not self.in_other:
            super()._bind(target)

    def visit_Name(self, node: cst.Name) -> None:
        if self.after:
            self.read_after.add(node.value)


def build_region(block: cst.BaseStatement | list[cst.BaseStatement], region: Region,
                 call_prefix: cst.BaseExpression) -> list[cst.BaseStatement]:
    """The nested function and the statement that awaits it.

    ``call_prefix`` is ``sync_to_async`` (a Name) so the call reads
    ``await sync_to_async(_fn)()``.
    """
    statements = block if isinstance(block, list) else [block]
    block = statements[0]
    body: list[cst.BaseStatement] = []
    if region.nonlocals:
        body.append(cst.SimpleStatementLine([cst.Nonlocal([cst.NameItem(cst.Name(n)) for n in region.nonlocals])]))
    body.append(block.with_changes(leading_lines=()))
    body.extend(statements[1:])
    if region.returns:
        body.append(cst.SimpleStatementLine([cst.Return(_names_expr(region.returns))]))
    function = cst.FunctionDef(
        name=cst.Name(region.function_name), params=cst.Parameters(),
        body=cst.IndentedBlock(body), leading_lines=block.leading_lines)
    call = cst.Await(cst.Call(cst.Call(call_prefix, [cst.Arg(cst.Name(region.function_name))])))
    if region.always_returns:
        statement: cst.BaseSmallStatement = cst.Return(call)
    elif region.returns:
        statement = cst.Assign([cst.AssignTarget(_names_expr(region.returns))], call)
    else:
        statement = cst.Expr(call)
    return [function, cst.SimpleStatementLine([statement])]


def _names_expr(names: tuple[str, ...]) -> cst.BaseExpression:
    if len(names) == 1:
        return cst.Name(names[0])
    return cst.Tuple([cst.Element(cst.Name(n)) for n in names], lpar=(), rpar=())
