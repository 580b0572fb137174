"""3.12 f-strings (PEP 701: quotes reused inside, backslashes, comments) for an older ``ast``,
without LibCST: every string literal, or implicit concatenation, that holds an f-string becomes
the parenthesized tuple of the expressions it formats (``f"{a!r:>{w}}" "x"`` -> ``(a, w, )``).
Each expression stays on its line and the tuple spans the lines the string did, so every line
keeps its number.  A scan of the text, many times cheaper than LibCST's parse and codegen,
which ``downlevel`` still uses when what this gives does not parse."""

from __future__ import annotations

import re

_PREFIX = r"(?<!\w)[rRbBuUfF]{1,2}(?=['\"])"
# What a scan of code stops at: a comment, a string (its prefix or quote), a bracket; inside a
# replacement field also what may end its expression at bracket depth 0 (the two-character
# operators are matched first, to be passed over).
_COMMON = rf"(?P<comment>#)|(?P<string>{_PREFIX}|['\"])|(?P<bracket>[()\[\]{{}}])"
_CODE = re.compile(_COMMON)
_FIELD = re.compile(rf"{_COMMON}|(?P<operator>==|!=|<=|>=)|(?P<end>[!:=])")
_QUOTE = re.compile(r"'''|\"\"\"|'|\"")
_STRING_START = re.compile(rf"{_PREFIX}|['\"]")
# Between two literals of one implicit concatenation: newlines and comments only in brackets.
_GAP = re.compile(r"(?:[ \t\f]|\\\r?\n|\\\r)*")
_GAP_BRACKETED = re.compile(r"(?:[ \t\f\r\n]|\\\r?\n|\\\r|#[^\r\n]*)*")
_LINE_END = re.compile(r"[\r\n]|\Z")
_SPACE = re.compile(r"\s*")
_SELF_DOCUMENTING = re.compile(r"=\s*")
_CONVERSION = re.compile(r"!\s*\w+\s*")
_OPEN, _CLOSE = "([{", ")]}"


class _Unreadable(Exception):
    """Not what this scanner understands: left to LibCST."""


def f_strings_as_tuples(text: str) -> str | None:
    """``text`` with its f-strings as tuples, or None when the scan cannot make sense of it."""
    try:
        return _Scan(text).code(nested=False)
    except (_Unreadable, IndexError, RecursionError):
        return None


def _newlines(code: str) -> int:
    return code.count("\n") + code.count("\r") - code.count("\r\n")


class _Scan:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0

    def code(self, nested: bool) -> str:
        """Copy code from ``pos`` with its string groups rewritten: to the end of the text, or
        (``nested``: a replacement field's expression) to what ends it at bracket depth 0, left
        at ``pos``.  Comments are dropped inside a field (the tuple goes on after them)."""
        text, out, depth = self.text, [], 0
        pattern = _FIELD if nested else _CODE
        while True:
            match = pattern.search(text, self.pos)
            if match is None:
                if nested:
                    raise _Unreadable("unterminated replacement field")
                out.append(text[self.pos:])
                self.pos = len(text)
                return "".join(out)
            token, start, kind = match[0], match.start(), match.lastgroup
            out.append(text[self.pos:start])
            self.pos = start
            if kind == "comment":
                end = _LINE_END.search(text, start).start()
                if not nested:
                    out.append(text[start:end])
                self.pos = end
            elif kind == "string":
                out.append(self.string_group(bracketed=nested or depth > 0))
            elif nested and depth == 0 and (kind == "end" or token == "}"):
                return "".join(out)   # what ends the expression: its field's }, =, !, :
            else:
                if token in _OPEN:
                    depth += 1
                elif token in _CLOSE:
                    if depth == 0:
                        raise _Unreadable("unbalanced brackets")
                    depth -= 1
                out.append(token)
                self.pos += len(token)

    def string_group(self, bracketed: bool) -> str:
        """The literal, or implicit concatenation, at ``pos``: copied when no part of it is an
        f-string, else the tuple of what its f-strings format."""
        text, start = self.text, self.pos
        expressions: list[tuple[int, str]] = []   # (where it starts in the text, its code)
        holds_f_string = False
        gap = _GAP_BRACKETED if bracketed else _GAP
        while True:
            holds_f_string |= self.literal(expressions)
            end = self.pos
            after = gap.match(text, end).end()
            if not _STRING_START.match(text, after):
                break
            self.pos = after
        self.pos = end
        if not holds_f_string:
            return text[start:end]
        parts, line = ["("], 0   # line: the newlines written so far
        for where, code in expressions:
            wanted = _newlines(text[start:where])   # the expression's line, from the group's
            if wanted > line:
                parts.append("\n" * (wanted - line))
                line = wanted
            parts.append(f"{code}, ")
            line += _newlines(code)
        parts.append("\n" * max(0, _newlines(text[start:end]) - line) + ")")
        return "".join(parts)

    def literal(self, expressions: list[tuple[int, str]]) -> bool:
        """Pass over the literal at ``pos``, adding its fields' expressions; is it an f-string?"""
        text = self.text
        quote_at = self.pos
        while text[quote_at] not in "'\"":
            quote_at += 1
        prefix = text[self.pos:quote_at].lower()
        quote = _QUOTE.match(text, quote_at)[0]
        self.pos = quote_at + len(quote)
        if "f" not in prefix:
            self.plain_body(quote)
            return False
        self.f_body(quote, "r" in prefix, expressions, in_spec=False)
        return True

    def plain_body(self, quote: str) -> None:
        text, pos = self.text, self.pos
        while True:
            char = text[pos]
            if char == "\\":
                pos += 3 if text.startswith("\r\n", pos + 1) else 2   # an escape, or a line continued
            elif text.startswith(quote, pos):
                self.pos = pos + len(quote)
                return
            elif char in "\r\n" and len(quote) == 1:
                raise _Unreadable("unterminated string")
            else:
                pos += 1

    def f_body(self, quote: str, raw: bool, expressions: list[tuple[int, str]], in_spec: bool) -> None:
        """An f-string's body from ``pos`` to past its closing quote (``in_spec``: a format
        spec's, to the ``}`` that closes its field, left at ``pos``)."""
        text = self.text
        while True:
            char = text[self.pos]
            if char == "\\":
                if not raw and text.startswith("N{", self.pos + 1):   # \N{NAME}: no field
                    self.pos = text.index("}", self.pos) + 1
                elif text[self.pos + 1] in "{}":
                    self.pos += 1   # not an escape: the brace still opens or closes a field
                else:
                    self.pos += 3 if text.startswith("\r\n", self.pos + 1) else 2
            elif in_spec and char == "}":
                return
            elif not in_spec and text.startswith(quote, self.pos):
                self.pos += len(quote)
                return
            elif not in_spec and (text.startswith("{{", self.pos) or text.startswith("}}", self.pos)):
                self.pos += 2
            elif char == "{":
                self.pos += 1
                self.field(quote, raw, expressions)
            elif char in "\r\n" and len(quote) == 1 and not in_spec:
                raise _Unreadable("unterminated f-string")
            else:
                self.pos += 1

    def field(self, quote: str, raw: bool, expressions: list[tuple[int, str]]) -> None:
        """A replacement field after its ``{``: its expression, ``=``, ``!conversion``, ``:spec``.
        The expression comes before those its spec nests."""
        text = self.text
        leading = _SPACE.match(text, self.pos).end()
        slot = len(expressions)
        expressions.append((leading, ""))
        code = self.code(nested=True).strip()
        if not code:
            raise _Unreadable("empty replacement field")
        expressions[slot] = (leading, code)
        if text[self.pos] == "=":
            self.pos = _SELF_DOCUMENTING.match(text, self.pos).end()
        if text[self.pos] == "!":
            match = _CONVERSION.match(text, self.pos)
            if match is None:
                raise _Unreadable("a conversion without its letter")
            self.pos = match.end()
        if text[self.pos] == ":":
            self.pos += 1
            self.f_body(quote, raw, expressions, in_spec=True)
        if text[self.pos] != "}":
            raise _Unreadable("a replacement field not closed")
        self.pos += 1
