"""Start lines and parents of a module's nodes, and its regenerated code, from one lean codegen pass.

LibCST's ``PositionProvider`` records a full ``CodeRange`` (line and column, start and end)
for every node through a generator-based context manager, and ``MetadataWrapper.resolve``
then walks the whole tree once more for batchable providers even when there are none.  The
reports only need start lines, so this pass tracks just the line: a token bumps it by the
newlines it holds.  The numbers are the ones ``PositionProvider`` gives (``start.line``): a
node's syntactic start where its codegen records one, else where its own code starts.
The pass also notes where each statement of a body starts and ends in the code, so the
rewritten module's code can copy the statements the rewrite kept (``ModuleLines.code_of``).

Nodes are keyed by ``id``: the map holds the tree, so no id is reused while it lives.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import accumulate

import libcst as cst
from libcst._nodes.internal import CodegenState


@dataclass
class ModuleLines:
    """``line_of(node)`` for the nodes of one tree (0 for a node not in it), their parents, and its code."""

    tree: cst.Module
    lines: dict[int, int]
    parents: dict[int, cst.CSTNode | None]
    nodes: list[cst.CSTNode]   # every node, in source order (each before the nodes under it)
    spans: dict[int, tuple[int, int]]   # node -> slice of ``nodes``: itself and every node under it
    code: str
    pieces: dict[int, tuple[int, int, tuple[str, ...]]]   # statement of a body -> its slice of ``code``, indent

    @property
    def shared(self) -> bool:
        """Some node object stands at two places of the tree: it has no one parent."""
        return len(self.nodes) != len(self.parents)

    def holds(self, node: cst.CSTNode) -> bool:
        """``node`` is a node of this tree (not one built since)."""
        return id(node) in self.parents

    def line_of(self, node: cst.CSTNode) -> int:
        return self.lines.get(id(node), 0)

    def ancestors(self, nodes) -> set[int] | None:
        """Ids of ``nodes`` and of every node above them; None when one is not in the tree."""
        if self.shared:
            return None
        found: set[int] = set()
        for node in nodes:
            while node is not None and id(node) not in found:
                if id(node) not in self.parents:
                    return None
                found.add(id(node))
                node = self.parents[id(node)]
        return found

    def code_of(self, result: cst.Module) -> str:
        """``result.code`` for a rewrite of this tree, copying from ``code`` each statement the
        rewrite kept (the same node object in a module's or a block's body).  A statement's code
        depends only on the indent it is generated at and the module's indent and newline, so
        it is copied only where those are the ones it had; the text is the one LibCST gives."""
        if (not result.has_trailing_newline or not self.tree.has_trailing_newline
                or (result.default_indent, result.default_newline)
                != (self.tree.default_indent, self.tree.default_newline)):
            return result.code   # LibCST pops the file's last newline: leave that to it
        return self._with_kept(result).code

    def _with_kept(self, node: cst.CSTNode) -> cst.CSTNode:
        """``node`` with every kept statement under it standing as a ``_Kept`` of its code.  Only
        the nodes that can hold statements are looked into (the rest is generated as it is)."""
        changes = {}
        for name in node.__dataclass_fields__:
            value = getattr(node, name)
            if isinstance(value, (tuple, list)):
                statements = name == "body" and isinstance(node, _BODIES)
                new = [self._kept(child) if statements and id(child) in self.pieces else self._look(child)
                       for child in value]
                if any(a is not b for a, b in zip(new, value)):
                    changes[name] = new
            elif isinstance(value, cst.CSTNode):
                new = self._look(value)
                if new is not value:
                    changes[name] = new
        return node.with_changes(**changes) if changes else node

    def _look(self, node):
        """``_with_kept(node)`` for a new node that can hold statements, else ``node``."""
        if isinstance(node, _BLOCKS) and id(node) not in self.parents:
            return self._with_kept(node)
        return node

    def _kept(self, statement: cst.BaseStatement) -> _Kept:
        start, end, indent = self.pieces[id(statement)]
        return _Kept(statement, self.code[start:end], indent)


@dataclass(frozen=True, eq=False)
class _Kept(cst.BaseStatement):
    """A kept statement in a tree only generated: its code as it was, where the indent is the same."""

    statement: cst.BaseStatement
    text: str
    indent: tuple[str, ...]

    def _visit_and_replace_children(self, visitor):
        return self

    def _codegen_impl(self, state: CodegenState) -> None:
        if tuple(state.indent_tokens) == self.indent:
            state.add_token(self.text)
        else:
            self.statement._codegen(state)


def module_lines(tree: cst.Module) -> ModuleLines:
    state = _LineState(default_indent=tree.default_indent, default_newline=tree.default_newline)
    tree._codegen(state)
    pieces = {}
    if tree.has_trailing_newline:   # else the last token went: code_of does not copy then
        ends = list(accumulate(map(len, state.tokens), initial=0))   # token index -> character offset
        pieces = {key: (ends[first], ends[last], indent) for key, first, last, indent in state.pieces}
    return ModuleLines(tree, state.lines, state.parents, state.nodes, state.spans, "".join(state.tokens), pieces)


def _newlines(token: str) -> int:
    """Line breaks in ``token``, counting ``\\r\\n``, ``\\r`` and ``\\n`` once each (as LibCST does)."""
    return token.count("\n") + token.count("\r") - token.count("\r\n")


_BODIES = (cst.Module, cst.IndentedBlock)
_BLOCKS = (cst.BaseCompoundStatement, cst.IndentedBlock, cst.Else, cst.ExceptHandler, cst.ExceptStarHandler,
           cst.Finally, cst.MatchCase)   # the nodes statements can stand under


@dataclass
class _LineState(CodegenState):
    line: int = 1
    lines: dict[int, int] = field(default_factory=dict)
    parents: dict[int, cst.CSTNode | None] = field(default_factory=dict)
    nodes: list[cst.CSTNode] = field(default_factory=list)
    spans: dict[int, tuple[int, int]] = field(default_factory=dict)
    # the nodes being generated, each with its index in ``nodes``, its line and its first token
    stack: list[tuple[cst.CSTNode | None, int, int, int]] = field(default_factory=lambda: [(None, 0, 0, 0)])
    pieces: list[tuple[int, int, int, tuple[str, ...]]] = field(default_factory=list)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        if "\n" in value or "\r" in value:
            self.line += _newlines(value)

    def before_codegen(self, node: cst.CSTNode) -> None:
        stack = self.stack
        self.parents[id(node)] = stack[-1][0]
        stack.append((node, len(self.nodes), self.line, len(self.tokens)))
        self.nodes.append(node)

    def after_codegen(self, node: cst.CSTNode) -> None:
        stack = self.stack
        _, first, start, token = stack.pop()
        key = id(node)
        self.spans[key] = (first, len(self.nodes))
        self.lines.setdefault(key, start)   # a syntactic start, recorded inside, wins
        if type(stack[-1][0]) in _BODIES and isinstance(node, cst.BaseStatement):
            self.pieces.append((id(node), token, len(self.tokens), tuple(self.indent_tokens)))

    def record_syntactic_position(self, node: cst.CSTNode, *, start_node: cst.CSTNode | None = None,
                                  end_node: cst.CSTNode | None = None) -> _Record:
        return _Record(self, node, start_node)


class _Record:
    """The context manager ``record_syntactic_position`` returns: the line where it was entered
    (or where ``start_node`` starts) becomes the node's line when it exits."""

    __slots__ = ("state", "node", "start_node", "line")

    def __init__(self, state: _LineState, node: cst.CSTNode, start_node: cst.CSTNode | None):
        self.state, self.node, self.start_node = state, node, start_node

    def __enter__(self) -> None:
        self.line = self.state.line

    def __exit__(self, *exc) -> None:
        lines = self.state.lines
        lines[id(self.node)] = lines[id(self.start_node)] if self.start_node is not None else self.line
