"""Build the small pieces of code the codemods insert: awaits, sync_to_async calls,
async comprehensions.  Every builder takes and returns LibCST nodes."""

from __future__ import annotations

import libcst as cst

from .cst_names import dotted, names_under

SYNC_TO_ASYNC = ("asgiref.sync", "sync_to_async")


def await_(expr: cst.BaseExpression) -> cst.Await:
    return cst.Await(expr)


def wrap_call(call: cst.Call) -> cst.Await:
    """``f(a, b)`` -> ``await sync_to_async(f)(a, b)`` (works for bound methods too)."""
    wrapper = cst.Call(cst.Name("sync_to_async"), [cst.Arg(_strip_parens(call.func))])
    return cst.Await(call.with_changes(func=wrapper))


def wrap_getattr(node: cst.Attribute) -> cst.Await:
    """``obj.rel`` -> ``await sync_to_async(getattr)(obj, "rel")``."""
    call = cst.Call(cst.Call(cst.Name("sync_to_async"), [cst.Arg(cst.Name("getattr"))]),
                    [cst.Arg(node.value), cst.Arg(cst.SimpleString(f'"{node.attr.value}"'))])
    return cst.Await(call)


def wrap_dunder(value: cst.BaseExpression, dunder: str, args: list[cst.BaseExpression]) -> cst.Await:
    """``await sync_to_async(value.__dunder__)(*args)`` (subscripts of a session, a queryset)."""
    func = cst.Attribute(value, cst.Name(dunder))
    call = cst.Call(cst.Call(cst.Name("sync_to_async"), [cst.Arg(func)]), [cst.Arg(a) for a in args])
    return cst.Await(call)


def rename_method(call: cst.Call, new_name: str) -> cst.Call:
    assert isinstance(call.func, cst.Attribute)
    return call.with_changes(func=call.func.with_changes(attr=cst.Name(new_name)))


def async_list(expr: cst.BaseExpression) -> cst.ListComp:
    """``qs`` -> ``[x async for x in qs]`` with a loop name the expression does not use."""
    name = fresh_name(expr, ("obj", "item", "row", "element"))
    return cst.ListComp(
        elt=cst.Name(name),
        for_in=cst.CompFor(target=cst.Name(name), iter=_strip_parens(expr), asynchronous=cst.Asynchronous()))


def fresh_name(node: cst.CSTNode, candidates: tuple[str, ...]) -> str:
    used = names_under(node)
    for candidate in candidates:
        if candidate not in used:
            return candidate
    index = 1
    while f"{candidates[0]}{index}" in used:
        index += 1
    return f"{candidates[0]}{index}"


def parenthesize(expr: cst.BaseExpression) -> cst.BaseExpression:
    if expr.lpar:
        return expr
    return expr.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def _strip_parens(expr: cst.BaseExpression) -> cst.BaseExpression:
    return expr.with_changes(lpar=[], rpar=[]) if isinstance(expr, (cst.Name, cst.Attribute)) else expr


def method_on(expr: cst.BaseExpression, method: str, args: list[cst.Arg] | None = None) -> cst.Call:
    """``expr.method(args)``; ``expr`` gets parentheses when it needs them."""
    if isinstance(expr, (cst.Await, cst.BinaryOperation, cst.BooleanOperation, cst.UnaryOperation,
                         cst.Comparison, cst.IfExp, cst.Lambda)):
        expr = parenthesize(expr)
    return cst.Call(cst.Attribute(expr, cst.Name(method)), args or [])


def string_args(values: list[str]) -> list[cst.Arg]:
    return [cst.Arg(cst.SimpleString(f'"{v}"')) for v in values]


def call_name(call: cst.Call) -> str | None:
    return dotted(call.func)


def is_docstring(statement: cst.BaseStatement) -> bool:
    """A function's or module's first statement when it is a bare string."""
    return isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1 \
        and isinstance(statement.body[0], cst.Expr) \
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))


def negate_if(expr: cst.BaseExpression, comparison: cst.ComparisonTarget, original: cst.Comparison):
    """``k not in s`` -> ``not <expr>``; keeps the comparison's own parentheses."""
    if isinstance(comparison.operator, cst.NotIn):
        expr = cst.UnaryOperation(cst.Not(), expr)
    return expr.with_changes(lpar=original.lpar, rpar=original.rpar) if original.lpar else expr
