"""Wrap what has no async form in ``sync_to_async``, keeping the rest of the view native.

What it does
    Project helpers that hit the database, ``ModelForm.is_valid()``/``save()``, model
    methods that query, lazy relations of objects whose query the view does not show, and
    ORM calls whose async twin the target Django lacks become
    ``await sync_to_async(f)(args)``.  A ``with transaction.atomic():`` block moves, whole,
    into a nested sync function that the view awaits, so the transaction still holds every
    statement it held and rolls back on the same errors.

Why
    These run sync code that queries the database; inside ``async def`` they raise
    ``SynchronousOnlyOperation``.  ``sync_to_async`` (thread-sensitive, the default) runs
    them in the request's single sync thread.

Example
    def place(request, pk):
        with transaction.atomic():
            book = Book.objects.select_for_update().get(pk=pk)
            book.stock -= 1
            book.save()
        return JsonResponse({"stock": book.stock})

Use instead
    async def place(request, pk):
        def _in_transaction():
            with transaction.atomic():
                book = Book.objects.select_for_update().get(pk=pk)
                book.stock -= 1
                book.save()
            return book
        book = await sync_to_async(_in_transaction)()
        return JsonResponse({"stock": book.stock})

Fix safety
    Every wrap is one thread hop, counted per view in the report.  A block that returns on
    some paths only, or that ``break``s/``continue``s out of itself, is not moved: the
    view stays sync with that reason.

References
    https://docs.djangoproject.com/en/stable/topics/async/#sync-to-async
"""

from __future__ import annotations

import libcst as cst

from async_migrate import builders as b
from async_migrate.codemods._lazy import lazy_command
from async_migrate.regions import build_region

NAME = "wrap_sync"
DESCRIPTION = "sync-only calls, forms and transaction blocks into sync_to_async"
MIN_DJANGO = (3, 1)

VALID = [
    "from django.db import transaction\n\ndef not_a_view(order):\n    with transaction.atomic():\n        order.save()\n",
]
INVALID = [
    ("from django.db import transaction\nfrom django.http import JsonResponse\n\ndef touch(request):\n    with transaction.atomic():\n        n = 1\n    return JsonResponse({'n': n})\n",
     "from django.db import transaction\nfrom django.http import JsonResponse\nfrom asgiref.sync import sync_to_async\n\nasync def touch(request):\n    def _in_transaction():\n        with transaction.atomic():\n            n = 1\n        return n\n    n = await sync_to_async(_in_transaction)()\n    return JsonResponse({'n': n})\n"),
]


def rewrite(point, node, state):
    state.need("asgiref.sync", "sync_to_async")
    kind = point.kind
    if kind in ("wrap_call", "wrap_method"):
        return b.wrap_call(node)
    if kind == "getattr":
        return b.wrap_getattr(node)
    if kind == "wrap_str":   # f"{obj}", "%s" % obj: the object's __str__ queries
        return b.wrap_call(cst.Call(cst.Name("str"), [cst.Arg(node)]))
    if kind == "getitem":
        return b.wrap_dunder(node.value, "__getitem__", [node.slice[0].slice.value])
    if kind == "session_set":
        target = node.targets[0].target
        return cst.Expr(b.wrap_dunder(target.value, "__setitem__", [target.slice[0].slice.value, node.value]))
    if kind == "session_in":
        comparison = node.comparisons[0]
        call = b.wrap_dunder(comparison.comparator, "__contains__", [node.left])
        return b.negate_if(call, comparison, node)
    if kind == "session_del":
        return cst.Expr(b.wrap_dunder(node.target.value, "__delitem__", [node.target.slice[0].slice.value]))
    if kind == "region":
        return cst.FlattenSentinel(build_region(node, point.data["region"], cst.Name("sync_to_async")))
    if kind == "group":
        return cst.FlattenSentinel(build_region(point.data["statements"], point.data["region"],
                                                cst.Name("sync_to_async")))
    if kind == "drop":
        return cst.RemovalSentinel.REMOVE
    if kind == "atomic_view":
        return _atomic_view(node, point.data["decorator"])
    raise ValueError(f"wrap_sync cannot rewrite {kind}")


def _atomic_view(function: cst.FunctionDef, index: int) -> cst.FunctionDef:
    """``@transaction.atomic`` on the view -> the same decorator on a nested function holding
    the whole body, which the (now async) view awaits through sync_to_async."""
    body = list(function.body.body)
    docstring = body[:1] if body and b.is_docstring(body[0]) else []
    inner = cst.FunctionDef(
        name=cst.Name("_in_transaction"), params=cst.Parameters(),
        body=function.body.with_changes(body=body[len(docstring):]),
        decorators=[function.decorators[index].with_changes(leading_lines=())])
    call = cst.Await(cst.Call(cst.Call(cst.Name("sync_to_async"), [cst.Arg(cst.Name("_in_transaction"))])))
    outer = [*docstring, inner, cst.SimpleStatementLine([cst.Return(call)])]
    decorators = [d for i, d in enumerate(function.decorators) if i != index]
    if decorators and index == 0:
        decorators[0] = decorators[0].with_changes(leading_lines=function.decorators[0].leading_lines)
    return function.with_changes(decorators=decorators, body=function.body.with_changes(body=outer))



def finish_function(view, original: cst.FunctionDef, updated: cst.FunctionDef, state) -> cst.FunctionDef:
    """Under ATOMIC_REQUESTS with --unsafe, opt the converted view out of the request transaction."""
    if not view.non_atomic or original is not view.functions[0]:
        return updated
    state.need("django.db", "transaction")
    decorator = cst.Decorator(cst.Attribute(cst.Name("transaction"), cst.Name("non_atomic_requests")))
    return updated.with_changes(decorators=[*updated.decorators, decorator])


# python -m libcst.tool codemod wrap_sync.WrapSyncCommand PATH
__getattr__, __dir__ = lazy_command(globals(), "WrapSyncCommand")
