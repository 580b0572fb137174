"""The wording of `check` findings: which AM code an analysis point is, and its message."""

from __future__ import annotations

import libcst as cst

from . import django_api as api
from .analysis import Context, Point

AUTH_FUNCTIONS = {"login", "logout", "authenticate", "get_user", "update_session_auth_hash"}
WRAP_KINDS = {"wrap_call", "wrap_method", "getattr", "getitem", "session_set", "session_del", "session_in",
              "region"}
FIX_KINDS = {"method", "function", "for", "compfor", "list", "len", "bool", "exists", "materialise",
             "index0", "select_related", "session_set", "session_del", "sleep", "request_user"}
AM102_TEXT = {
    "for": "for loop over a queryset evaluates it on the event loop: use async for",
    "compfor": "comprehension over a queryset evaluates it: use async for in the comprehension",
    "list": "list(queryset) evaluates it: use [x async for x in qs]",
    "len": "len(queryset) evaluates it: use await qs.acount()",
    "bool": "bool(queryset) evaluates it: use await qs.aexists()",
    "exists": "truth test of a queryset evaluates it: use await qs.aexists()",
    "materialise": "this evaluates a queryset: build a list with [x async for x in qs] first",
    "index0": "qs[0] evaluates the queryset: use [x async for x in qs[:1]][0] (or await qs.afirst())",
    "getitem": "indexing a queryset evaluates it: slice it and iterate with async for",
    "paginator": "a Paginator page evaluates its queryset: paginate in sync_to_async (or AsyncPaginator, 6.0+)",
    "genexp_for": "queryset iterated inside a generator expression: build a list with async for first",
}



def _short(node: cst.BaseExpression, depth: int = 0) -> str:
    """``Book.objects.filter(...).order_by(...)``: a call chain with the arguments elided."""
    if depth > 8:
        return "..."
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_short(node.value, depth + 1)}.{node.attr.value}"
    if isinstance(node, cst.Call):
        return f"{_short(node.func, depth + 1)}({'...' if node.args else ''})"
    if isinstance(node, cst.Subscript):
        return f"{_short(node.value, depth + 1)}[...]"
    code = cst.Module([]).code_for_node(node)
    return code if len(code) <= 30 else "(...)"


def describe(point: Point, ctx: Context, tree: cst.Module) -> tuple[str | None, str, bool]:
    """(code, message, fixable) for one analysis point."""
    kind, node, data = point.kind, point.node, point.data
    fixable = point.native and kind in FIX_KINDS and not data.get("_genexp")
    # A sync_to_async wrap (or a block moved into a sync function) is a fix the codemods make
    # too: one thread hop, the same behaviour.  Never inside a generator expression.
    wrap_fixable = not point.native and kind in WRAP_KINDS and not data.get("_genexp")
    target = api.format_version(ctx.options.target)
    if kind == "render":
        return None, "", False
    if kind == "request_user":
        if point.native:
            return "AM105", "request.user in async code: use user = await request.auser()", fixable
        return "AM105", (f"request.user in async code (no request.auser() in Django {target}): load the user "
                         "with await sync_to_async(get_user)(request)"), False
    if kind == "sleep":
        return "AM103", "time.sleep() blocks the event loop: use await asyncio.sleep()", fixable
    if kind == "region":
        what = point.message.split(" moved", 1)[0]
        if point.codemod == "wrap_sync":
            return "AM104", (f"{what} in async code raises SynchronousOnlyOperation: move the whole block into a "
                             "sync function and await sync_to_async(fn)()"), wrap_fixable
        return "AM103", (f"{what} blocks the event loop: move the block into a sync function and "
                         "await sync_to_async(fn)()"), wrap_fixable
    if kind == "wrap_call" and point.codemod == "blocking_io":
        what = point.message.split("()", 1)[0]
        return "AM103", (f"{what}() blocks the event loop: use an async client or await sync_to_async({what})(...)"), \
            wrap_fixable
    if kind in ("method", "function") and isinstance(node, cst.Call):
        name = _short(node.func)
        async_name = data["async_name"].rsplit(".", 1)[-1]
        if isinstance(node.func, cst.Attribute):
            receiver = _short(node.func.value) + (".all()" if data.get("needs_all") else "")
            suggestion = f"await {receiver}.{async_name}()"
        else:
            suggestion = f"await {async_name}()"
        code = "AM105" if point.codemod == "auth_async" else "AM101"
        return code, f"{name}() in async code: use {suggestion}", fixable
    if kind in ("session_set", "session_del", "session_aug") or (kind == "getitem" and "session" in point.message):
        return "AM101", (f"{point.message.split(' ->')[0].split(' wrapped')[0]} loads the session synchronously: "
                         f"use the async session API (await request.session.aget/aset/apop, Django 5.1+)"), fixable
    if kind in AM102_TEXT:
        return "AM102", AM102_TEXT[kind], fixable
    if kind in ("select_related", "getattr"):
        attr = data.get("field") or data.get("attr") or ""
        at = data.get("_at")
        where = _short(at) if isinstance(at, cst.Attribute) else f".{attr}"
        fix = (f"add select_related({attr!r}) to the query that loaded it" if kind == "select_related"
               else "load it with select_related() or fetch it with await Model.objects.aget()")
        return "AM102", f"{where} is a lazy relation not covered by select_related(): {fix}", fixable
    if kind in ("wrap_call", "wrap_method"):
        message = point.message
        if data.get("reason") == "helper":
            text = message[len("helper "):] if message.startswith("helper ") else message
            helper, _, why = text.partition("() (")
            why = why[:-1] if why.endswith(")") else why
            if isinstance(node, cst.Call) and not helper.startswith("self."):
                helper = _short(node.func)
            return "AM106", (f"{helper}() is a sync project helper ({why}): call it through "
                             f"await sync_to_async({helper})(...)"), wrap_fixable
        if data.get("reason") == "form" or "model method" in message or "custom manager" in message:
            return "AM106", f"{message}: call it through await sync_to_async(...)", wrap_fixable
        if "no async form" in message:
            what = message.split(":", 1)[0]
            code = "AM105" if any(f"{n}()" in what for n in AUTH_FUNCTIONS) or what.startswith("user .") \
                else "AM101"
            return code, f"{what} in async code has no async form in Django {target}: use await sync_to_async(...)", wrap_fixable
        if "transaction" in message:
            return "AM104", f"{message} in async code: move it into a sync function behind sync_to_async", wrap_fixable
        if "uses the database" in message:
            return "AM101", f"{message} (sync): call it through await sync_to_async(...)", wrap_fixable
        return "AM101", f"{message} in async code: call it through await sync_to_async(...)", wrap_fixable
    return None, "", False
