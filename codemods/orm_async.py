"""Rewrite ORM access in converted views to Django's native async API.

What it does
    ``Book.objects.get(...)`` -> ``await Book.objects.aget(...)`` and likewise every
    terminal QuerySet/Manager method (``count``, ``exists``, ``first``, ``create``,
    ``update``, ``delete``, ``aggregate``, ...), instance ``save``/``delete``/
    ``refresh_from_db``, related managers' ``add``/``remove``/``clear``/``set``/``create``,
    ``for x in qs`` -> ``async for``, comprehensions -> ``async for``, ``list(qs)`` ->
    ``[x async for x in qs]``, ``qs[0]``, truth tests (``aexists``), ``get_object_or_404``
    -> ``aget_object_or_404`` (5.0+), session (5.1+) and cache methods, and adds
    ``select_related`` to the query that fetched an object whose relation the view reads.

Why
    Inside ``async def`` every sync query raises ``SynchronousOnlyOperation``; the native
    API runs them without the view giving up the event loop.

Example
    def detail(request, pk):
        book = Book.objects.get(pk=pk)
        return JsonResponse({"author": book.author.name})

Use instead
    async def detail(request, pk):
        book = await Book.objects.select_related("author").aget(pk=pk)
        return JsonResponse({"author": book.author.name})

Fix safety
    Each method is used only from the Django version that has it (``asave`` 4.2,
    ``aget_object_or_404`` 5.0, session ``aget`` 5.1); below that the wrap_sync codemod
    wraps the call.  ``Model.objects.delete()`` does not exist, so a manager ``delete`` is
    written ``.all().adelete()``.  ``aggregate``/``annotate``/``all`` stay as they are:
    despite the leading ``a`` they are ordinary sync methods.

References
    https://docs.djangoproject.com/en/stable/topics/db/queries/#asynchronous-queries (4.1)
"""

from __future__ import annotations

import libcst as cst

from async_migrate import builders as b
from async_migrate.codemods._lazy import lazy_command

NAME = "orm_async"
DESCRIPTION = "ORM calls, iteration, shortcuts, session and cache to Django's async API"
MIN_DJANGO = (4, 1)

MODELS = "from django.db import models\nfrom django.http import JsonResponse\n\nclass Author(models.Model):\n    name = models.CharField(max_length=50)\n\nclass Book(models.Model):\n    title = models.CharField(max_length=50)\n    author = models.ForeignKey(Author, on_delete=models.CASCADE)\n\n"
VALID = [
    # A dict's .get() is not a query.
    "import json\n\ndef body(request):\n    data = json.loads(request.body)\n    return JsonResponse({'x': data.get('x')})\n",
    # ORM inside a helper that no URL routes: not a view, untouched.
    MODELS + "def count_books(author):\n    return Book.objects.filter(author=author).count()\n",
]
INVALID = [
    (MODELS + "def detail(request, pk):\n    book = Book.objects.get(pk=pk)\n    return JsonResponse({'a': book.author.name})\n",
     MODELS + "async def detail(request, pk):\n    book = await Book.objects.select_related(\"author\").aget(pk=pk)\n    return JsonResponse({'a': book.author.name})\n"),
    (MODELS + "def titles(request):\n    return JsonResponse({'t': [b.title for b in Book.objects.all()]})\n",
     MODELS + "async def titles(request):\n    return JsonResponse({'t': [b.title async for b in Book.objects.all()]})\n"),
]

SHORTCUTS = {"aget_object_or_404": "django.shortcuts", "aget_list_or_404": "django.shortcuts",
             "aprefetch_related_objects": "django.db.models"}


def rewrite(point, node, state):
    kind = point.kind
    if kind == "method":
        call = b.rename_method(node, point.data["async_name"])
        if point.data.get("needs_all"):
            call = call.with_changes(func=call.func.with_changes(value=b.method_on(call.func.value, "all")))
        return b.await_(call)
    if kind == "function":
        return b.await_(async_function(node, point.data["async_name"], state))
    if kind == "for":
        if point.data.get("iterator"):
            node = node.with_changes(iter=b.rename_method(node.iter, "aiterator"))
        return node.with_changes(asynchronous=cst.Asynchronous())
    if kind == "compfor":
        return node.with_changes(asynchronous=cst.Asynchronous())
    if kind == "materialise":
        return b.async_list(node)
    if kind == "list":
        return b.async_list(node.args[0].value)
    if kind == "len":
        return b.await_(b.method_on(node.args[0].value, "acount"))
    if kind in ("exists", "bool"):
        target = node.args[0].value if kind == "bool" else node
        return b.await_(b.method_on(target, "aexists"))
    if kind == "index0":
        sliced = node.with_changes(slice=[cst.SubscriptElement(cst.Slice(lower=None, upper=cst.Integer("1")))])
        return cst.Subscript(b.async_list(sliced), [cst.SubscriptElement(cst.Index(cst.Integer("0")))])
    if kind == "select_related":
        return _select_related(node, point.data["field"])
    if kind == "session_set":
        target = node.targets[0].target
        call = b.method_on(target.value, "aset", [cst.Arg(target.slice[0].slice.value), cst.Arg(node.value)])
        return cst.Expr(b.await_(call))
    if kind == "qs_in":
        comparison = node.comparisons[0]
        call = b.await_(b.method_on(comparison.comparator, "acontains", [cst.Arg(node.left)]))
        return b.negate_if(call, comparison, node)
    if kind == "session_in":
        comparison = node.comparisons[0]
        call = b.await_(b.method_on(comparison.comparator, "ahas_key", [cst.Arg(node.left)]))
        return b.negate_if(call, comparison, node)
    if kind == "session_del":
        target = node.target
        return cst.Expr(b.await_(b.method_on(target.value, "apop", [cst.Arg(target.slice[0].slice.value)])))
    raise ValueError(f"orm_async cannot rewrite {kind}")


def async_function(call: cst.Call, qualified_async: str, state) -> cst.Call:
    """``get_object_or_404(...)`` -> ``aget_object_or_404(...)``, importing the new name."""
    module, name = qualified_async.rsplit(".", 1)
    sync_name = name[1:]
    if isinstance(call.func, cst.Attribute):
        return call.with_changes(func=call.func.with_changes(attr=cst.Name(name)))
    state.need(module, name)
    state.may_drop(module, sync_name)
    return call.with_changes(func=cst.Name(name))


def _select_related(call: cst.Call, field: str) -> cst.Call:
    """Add ``field`` to the query ``call`` (a chain, a terminal method, or get_object_or_404)."""
    if not isinstance(call, cst.Call):   # the root of a chain: ``Book.objects``, ``order.lines``
        return b.method_on(call, "select_related", b.string_args([field]))
    if isinstance(call.func, cst.Attribute) and call.func.attr.value == "select_related":
        existing = [a.value.evaluated_value for a in call.args if isinstance(a.value, cst.SimpleString)]
        if field in existing:
            return call
        return call.with_changes(args=[*call.args, *b.string_args([field])])
    if isinstance(call.func, cst.Attribute):
        name = call.func.attr.value
        if name in ("get", "first", "last", "latest", "earliest", "get_or_create", "update_or_create", "create"):
            receiver = call.func.value
            return call.with_changes(func=call.func.with_changes(
                value=_select_related_on(receiver, field)))
        return b.method_on(call, "select_related", b.string_args([field]))
    # get_object_or_404(Model, ...): the first argument becomes a queryset.
    first = call.args[0].value
    if isinstance(first, cst.Name):
        first = cst.Attribute(first, cst.Name("objects"))
    return call.with_changes(args=[call.args[0].with_changes(value=_select_related_on(first, field)), *call.args[1:]])


def _select_related_on(receiver: cst.BaseExpression, field: str) -> cst.Call:
    if isinstance(receiver, cst.Call) and isinstance(receiver.func, cst.Attribute) \
            and receiver.func.attr.value == "select_related":
        return _select_related(receiver, field)
    return b.method_on(receiver, "select_related", b.string_args([field]))


# python -m libcst.tool codemod orm_async.OrmAsyncCommand PATH
__getattr__, __dir__ = lazy_command(globals(), "OrmAsyncCommand")
