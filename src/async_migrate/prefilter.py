"""What the index must parse, and checking that a module parses without building its tree.

Most modules of a big project define no view, model or form: the whole-project passes never
read their summaries, so the index only checks that they parse (a syntax error is still
reported) and summarises them if something asks (``Module``'s lazy summary).
"""

from __future__ import annotations

import re
import symtable
from pathlib import Path

from .downlevel import parse_any

_BASES_FOLLOW = re.compile(r"\b[^:]*\(")   # after ``class``: a name, then bases


def needs_summary(text: str, words: frozenset[str]) -> bool:
    """May the module define a view (a ``def`` taking ``request``), a model, a form or a view
    class (a class with bases)?  Only then do the whole-project passes read its summary."""
    return "request" in words or has_class_with_bases(text)


def has_class_with_bases(text: str) -> bool:
    """``class Name(`` first on a line: every top-level class with bases (and some nested
    ones, or a docstring's line: a false match only costs a parse).  Found from each
    ``class`` in the text, 30x faster than one regex that tries every line start."""
    at = text.find("class")
    while at != -1:
        line_start = max(text.rfind("\n", 0, at), text.rfind("\r", 0, at)) + 1
        if not text[line_start:at].strip(" \t\f") and _BASES_FOLLOW.match(text, at + 5):
            return True
        at = text.find("class", at + 5)
    return False


def symtable_parses(text: str, path: Path) -> bool:
    """Does ``text`` parse?  CPython's symbol table parses it in 0.6x the time of ``ast.parse``,
    which builds a Python object per node.  False also for syntax this Python lacks, which
    ``parse_any`` may still index."""
    try:
        symtable.symtable(text, str(path), "exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def parses(text: str, path: Path) -> bool:
    """Does the module parse (``ast.parse``, or ``parse_any`` for syntax this Python lacks)?"""
    if symtable_parses(text, path):
        return True
    try:
        parse_any(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True
