"""The per-function analysis of `check`: the view analysis (analysis.py), adapted to code
that is *already* ``async def``.

``analysis.BodyAnalyser`` classifies every I/O point of a sync view that is about to be
converted.  Here the function is already async, so the subclass

* skips what is already awaited (``await qs.aget()``, ``async for``, ``async with``) and
  types awaited values (``await Book.objects.aget()`` is a Book, so ``book.author`` is a
  lazy relation),
* keeps points inside generator expressions (the base turns them into blockers) but never
  inside lambdas / nested ``def`` (``sync_to_async(lambda: ...)`` runs in a thread),
* reports ``with transaction.atomic()`` / ``with open()`` instead of planning a region,
* ignores calls of the project's own ``async def`` functions (checked on their own), and
  helpers whose only problem is a call outside the project (too noisy for a linter),
* records AM107 (``thread_sensitive=False`` around ORM work, ``async_to_sync``) and
  ``in queryset``.
"""

from __future__ import annotations

import ast

import libcst as cst

from . import django_api as api
from . import values as v
from .analysis import Point, BodyAnalyser
from .effects import BLOCKING, DB, UNKNOWN, library_effect
from .values import Value

ASYNC_TO_SYNC = ("asgiref.sync.async_to_sync", "asgiref.sync.AsyncToSync")
SYNC_TO_ASYNC = ("asgiref.sync.sync_to_async", "asgiref.sync.SyncToAsync")
# async name -> sync name, for typing ``await x.aget()`` like ``x.get()``.
_SYNC_OF = {a: s for s, a in {**api.QUERYSET_TERMINAL, **api.INSTANCE_METHODS}.items()}
_SYNC_OF.update({a: s for s, (a, _) in api.RELATED_MANAGER_METHODS.items()})
REQUEST_NAMES = ("request", "req", "r")


class Extra:
    """A finding the base analysis has no point kind for."""

    def __init__(self, node: cst.CSTNode, code: str, message: str):
        self.node, self.code, self.message = node, code, message


class AsyncBodyChecker(BodyAnalyser):
    def __init__(self, ctx, func: cst.FunctionDef, cls: cst.ClassDef | None):
        super().__init__(ctx, func, cls)
        self.awaited: set[int] = set()
        self.extras: list[Extra] = []
        params = [p for p in func.params.params]
        if cls is not None and params:
            params = params[1:]
        if params and params[0].name.value not in REQUEST_NAMES and not _annotated_request(params[0]):
            self.env[params[0].name.value] = v.PLAIN_VALUE
        for param in [*params, *func.params.kwonly_params]:
            model = self._annotation_model(param)
            if model is not None:
                self.env[param.name.value] = Value(v.INSTANCE, model)

    def _annotation_model(self, param: cst.Param) -> str | None:
        if param.annotation is None:
            return None
        qualified = self.ctx.qualify(param.annotation.annotation)
        model = self.ctx.facts.models.model_for(qualified) if qualified else None
        if model is None and isinstance(param.annotation.annotation, cst.Name) \
                and param.annotation.annotation.value in self.ctx.local_defs:
            model = self.ctx.facts.models.models.get(param.annotation.annotation.value)
        return model.name if model else None

    # -- recording -------------------------------------------------------------------------
    def point(self, node, kind, codemod, native, message, line_node=None, order=1, **data) -> None:
        if self.nested:
            return
        data["_at"] = line_node or node
        data["_genexp"] = bool(self.genexp) and kind != "materialise"
        self.result.points.append(Point(node, kind, codemod, native, self.ctx.line_of(line_node or node),
                                        message, data, order))

    def extra(self, node: cst.CSTNode, code: str, message: str) -> None:
        if not self.nested:
            self.extras.append(Extra(node, code, message))

    # -- awaited values --------------------------------------------------------------------
    def value_of(self, node: cst.BaseExpression) -> Value:
        if isinstance(node, cst.Await):
            return self._awaited_value(node.expression)
        return super().value_of(node)

    def _awaited_value(self, inner: cst.BaseExpression) -> Value:
        if not isinstance(inner, cst.Call):
            return v.PLAIN_VALUE
        func = inner.func
        if isinstance(func, cst.Attribute):
            name = func.attr.value
            if name == "auser" and self.value_of(func.value).kind == v.REQUEST:
                return Value(v.USER, "User")
            if name in _SYNC_OF:
                return self._call_value(inner.with_changes(func=func.with_changes(attr=cst.Name(_SYNC_OF[name]))))
            return v.PLAIN_VALUE
        qualified = self.ctx.qualify(func) or ""
        if qualified == "django.shortcuts.aget_object_or_404" and inner.args:
            first = self.value_of(inner.args[0].value)
            return Value(v.INSTANCE, first.model, origin=inner, loaded=first.loaded, only=first.only,
                         deferred=first.deferred)
        if qualified in ("django.contrib.auth.aauthenticate", "django.contrib.auth.aget_user"):
            return Value(v.USER, "User")
        return v.PLAIN_VALUE

    def visit_Await(self, node: cst.Await) -> None:
        self.awaited.add(id(node.expression))

    # -- calls -----------------------------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        qualified = self.ctx.qualify(node.func) or ""
        if qualified in ASYNC_TO_SYNC:
            self.extra(node, "AM107", "async_to_sync() called in async code blocks the event loop: await the "
                                      "coroutine directly")
            return
        if qualified in SYNC_TO_ASYNC:
            self._thread_sensitive(node)
            return
        if id(node) in self.awaited:
            return
        super().visit_Call(node)

    def _thread_sensitive(self, node: cst.Call) -> None:
        if not _thread_insensitive(node) or not node.args or node.args[0].keyword is not None:
            return
        target = node.args[0].value
        if self._orm_work(target):
            self.extra(node, "AM107", "sync_to_async(..., thread_sensitive=False) around ORM work: database "
                                      "connections are per thread, drop thread_sensitive=False")

    def _orm_work(self, target: cst.BaseExpression) -> bool:
        """Does the callable ``target`` (a name, a bound method or a lambda) use the database?"""
        if isinstance(target, cst.Attribute):
            base = self.value_of(target.value)
            if base.is_query or base.kind in (v.INSTANCE, v.MODEL, v.USER, v.SESSION):
                return True
        if isinstance(target, (cst.Name, cst.Attribute)):
            qualified = self.ctx.qualify(target) or ""
            effect = self.ctx.facts.effects.of_function(qualified)
            if effect is not None:
                return effect.kind == DB
            known = library_effect(qualified)
            return known is not None and known.kind == DB
        if isinstance(target, cst.Lambda):
            return source_uses_db(self.ctx, cst.Module([]).code_for_node(target.body))
        return False

    def _function_call(self, node: cst.Call) -> None:
        qualified = self.ctx.qualify(node.func)
        if qualified and qualified not in self.env:
            found = self.ctx.facts.project.lookup(qualified)
            if found and isinstance(found[0].functions.get(found[1]), ast.AsyncFunctionDef):
                return   # a coroutine function of the project: checked on its own
            inner = self.ctx.facts.effects.of_function(qualified)
            if inner is not None and inner.kind == UNKNOWN \
                    and not any(self.value_of(a.value).is_query for a in node.args):
                return
        super()._function_call(node)

    def _self_method(self, node: cst.Call, name: str) -> None:
        method = self._class_method(name)
        if method is None:
            return   # a Django base class method: not ours to judge
        module, func = method
        if isinstance(func, ast.AsyncFunctionDef):
            return
        effect = self.ctx.facts.effects.of_node(f"{module.name}.{name}@{func.lineno}", module, func)
        if effect.kind in (DB, BLOCKING):
            super()._self_method(node, name)   # the base knows when the arguments make it safe

    def _super_method(self, node: cst.Call, name: str) -> None:
        method = self._class_method(name, inherited=True)
        if method is None or isinstance(method[1], ast.AsyncFunctionDef):
            return   # Django's own, or a coroutine function of the project: not ours to judge
        super()._super_method(node, name)

    # -- statements ------------------------------------------------------------------------
    def visit_For(self, node: cst.For) -> None:
        if node.asynchronous is not None:
            self.for_iters.add(id(node.iter))
            source = self.value_of(node.iter)
            if isinstance(node.iter, cst.Call) and isinstance(node.iter.func, cst.Attribute) \
                    and node.iter.func.attr.value == "aiterator":
                source = self.value_of(node.iter.func.value)
            self._bind_loop(node.target, source if source.is_rows else v.PLAIN_VALUE)
            return
        if self.value_of(node.iter).kind == v.PAGINATOR:
            self.point(node, "paginator", "wrap_sync", False, "iterating a Paginator page evaluates its queryset")
            return
        super().visit_For(node)

    def _comprehension_source(self, for_in: cst.CompFor, comp: cst.CSTNode, generator: bool = False) -> None:
        first = True
        while for_in is not None:
            source = self.value_of(for_in.iter)
            if isinstance(for_in.iter, cst.Call) and isinstance(for_in.iter.func, cst.Attribute) \
                    and for_in.iter.func.attr.value == "aiterator":
                source = self.value_of(for_in.iter.func.value)
            if for_in.asynchronous is None and source.is_rows:
                if generator and first:
                    self.point(for_in.iter, "materialise", "orm_async", True,
                               "queryset in a generator -> list built with async for")
                elif generator:
                    self.point(for_in, "genexp_for", "wrap_sync", False, "queryset iterated in a generator")
                else:
                    self.point(for_in, "compfor", "orm_async", True, "comprehension over a queryset -> async for")
            self._bind_loop(for_in.target, source)
            first = False
            for_in = for_in.inner_for_in

    def visit_With(self, node: cst.With) -> bool:
        if node.asynchronous is not None:
            return True
        for item in node.items:
            expr = item.item
            qualified = (self.ctx.qualify(expr.func) if isinstance(expr, cst.Call) else self.ctx.qualify(expr)) or ""
            if qualified.startswith("django.db.transaction.") or (
                    library_effect(qualified) is not None and library_effect(qualified).kind == BLOCKING):
                # The view analysis plans the block as a region: reported as AM104/AM103, and
                # --fix moves it into a nested sync function like the wrap_sync codemod does.
                return super().visit_With(node)
        return True

    def visit_Comparison(self, node: cst.Comparison) -> None:
        for target in node.comparisons:
            if isinstance(target.operator, (cst.In, cst.NotIn)):
                container = self.value_of(target.comparator)
                if container.kind == v.QUERYSET:
                    self.extra(node, "AM102", "`in` on a queryset evaluates it: use await qs.acontains(obj)")
                elif container.kind == v.SESSION:
                    self.extra(node, "AM101", "`in request.session` loads the session: use "
                                              "await request.session.ahas_key(k)")

    def visit_Attribute(self, node: cst.Attribute) -> None:
        base = self.value_of(node.value)
        if base.kind == v.REQUEST and node.attr.value == "user" and id(node) not in self._handled:
            self._handled.add(id(node))
            native = self.ctx.supports(api.AUSER_MIN) and not self.sync_backend()
            self.point(node, "request_user", "auth_async", native, "request.user")
            return
        if base.kind == v.OPAQUE:
            return   # the base blocks ``x.rel`` on unknown values: too noisy for a linter
        super().visit_Attribute(node)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if isinstance(node.target, cst.Subscript) and self.value_of(node.target.value).kind == v.SESSION:
            self._handled.add(id(node.target))
            self.point(node, "session_aug", "wrap_sync", False, "request.session[k] += ...")

    def visit_Yield(self, node: cst.Yield) -> None:
        return None   # async generators are fine

    def block(self, node, reason) -> None:
        self.result.blockers.append((self.ctx.line_of(node), reason))


def _thread_insensitive(call: cst.Call) -> bool:
    return any(a.keyword is not None and a.keyword.value == "thread_sensitive"
               and isinstance(a.value, cst.Name) and a.value.value == "False" for a in call.args)


def _annotated_request(param: cst.Param) -> bool:
    if param.annotation is None:
        return False
    return "Request" in cst.Module([]).code_for_node(param.annotation.annotation)


def source_uses_db(ctx, code: str) -> bool:
    """Does this snippet (a lambda body or a function) touch the ORM, by the effects rules?"""
    try:
        tree = ast.parse(code.strip() if not code.startswith((" ", "\t")) else code)
    except SyntaxError:
        return False
    module = ctx.facts.project.find_module(ctx.module_name)
    if module is None:
        from .project import Module
        from pathlib import Path

        module = Module.from_text(ctx.module_name, Path(f"<{ctx.module_name}>"), "")
        module.imports = dict(ctx.imports)
    effect = ctx.facts.effects.of_node(f"<check>{id(tree)}:{code}", module, tree)
    return effect.kind == DB
