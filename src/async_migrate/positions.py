"""Start lines and parents of a module's nodes, and its regenerated code, from one lean codegen pass.

LibCST's ``PositionProvider`` records a full ``CodeRange`` (line and column, start and end)
for every node through a generator-based context manager, and ``MetadataWrapper.resolve``
then walks the whole tree once more for batchable providers even when there are none.  The
reports only need start lines, so this pass tracks just the line: a token bumps it by the
newlines it holds.  The numbers are the ones ``PositionProvider`` gives (``start.line``): a
node's syntactic start where its codegen records one, else where its own code starts.

Nodes are keyed by ``id``: the map holds the tree, so no id is reused while it lives.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
    statements: dict[int, tuple[int, int]]   # top-level statement -> slice of ``code`` it generated

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
        """``result.code`` for a rewrite of this tree: a top-level statement the rewrite kept (the
        same node object) is copied from ``code``, the others are generated.  A statement's code
        does not depend on its neighbours (no indent at the top level; the module's indent and
        newline are the ones it was generated with), so the text is the one LibCST would give."""
        if (not result.has_trailing_newline or not self.tree.has_trailing_newline
                or (result.default_indent, result.default_newline)
                != (self.tree.default_indent, self.tree.default_newline)):
            return result.code   # the last newline is popped: leave that to LibCST
        state = CodegenState(default_indent=result.default_indent, default_newline=result.default_newline)
        for line in result.header:
            line._codegen(state)
        for statement in result.body:
            where = self.statements.get(id(statement))
            if where is not None:
                state.add_token(self.code[where[0]:where[1]])
            else:
                statement._codegen(state)
        for line in result.footer:
            line._codegen(state)
        if not state.tokens:
            state.add_token(result.default_newline)   # an empty module keeps its newline
        return "".join(state.tokens)


def module_lines(tree: cst.Module) -> ModuleLines:
    state = _LineState(default_indent=tree.default_indent, default_newline=tree.default_newline)
    state.module = tree
    tree._codegen(state)
    tokens = state.tokens
    statements: dict[int, tuple[int, int]] = {}
    offset, done = 0, 0
    for node, first, last in state.top:   # token ranges, in order, to character ranges
        offset += sum(map(len, tokens[done:first]))
        start = offset
        offset += sum(map(len, tokens[first:last]))
        done = last
        statements[id(node)] = (start, offset)
    return ModuleLines(tree, state.lines, state.parents, state.nodes, state.spans, "".join(tokens), statements)


def _newlines(token: str) -> int:
    """Line breaks in ``token``, counting ``\\r\\n``, ``\\r`` and ``\\n`` once each (as LibCST does)."""
    return token.count("\n") + token.count("\r") - token.count("\r\n")


@dataclass
class _LineState(CodegenState):
    line: int = 1
    lines: dict[int, int] = field(default_factory=dict)
    parents: dict[int, cst.CSTNode | None] = field(default_factory=dict)
    starts: list[int] = field(default_factory=list)
    open: list[cst.CSTNode | None] = field(default_factory=lambda: [None])   # the nodes being generated
    nodes: list[cst.CSTNode] = field(default_factory=list)
    spans: dict[int, tuple[int, int]] = field(default_factory=dict)
    firsts: list[int] = field(default_factory=list)
    module: cst.Module | None = None
    top_first: int = 0
    top: list[tuple[cst.CSTNode, int, int]] = field(default_factory=list)   # statement, first token, end

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        if "\n" in value or "\r" in value:
            self.line += _newlines(value)

    def before_codegen(self, node: cst.CSTNode) -> None:
        parent = self.parents[id(node)] = self.open[-1]
        if parent is self.module and parent is not None:
            self.top_first = len(self.tokens)
        self.firsts.append(len(self.nodes))
        self.nodes.append(node)
        self.open.append(node)
        self.starts.append(self.line)

    def after_codegen(self, node: cst.CSTNode) -> None:
        self.open.pop()
        if self.open[-1] is self.module and self.module is not None:
            self.top.append((node, self.top_first, len(self.tokens)))
        self.spans[id(node)] = (self.firsts.pop(), len(self.nodes))
        start = self.starts.pop()
        if id(node) not in self.lines:   # a syntactic start, recorded inside, wins
            self.lines[id(node)] = start

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
