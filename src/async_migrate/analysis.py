"""Classify every I/O point in a view body.

The analysis walks one function (a function view, or a handler of a class-based view) of a
LibCST tree and produces *points*: places that would block or touch the database inside
``async def``, each with the codemod that can rewrite it and whether the rewrite uses
Django's native async API or a ``sync_to_async`` hop.  Anything it cannot make safe becomes
a *blocker*, which keeps the view sync with that reason.  It never edits anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import libcst as cst

from . import django_api as api
from . import values as v
from .cst_names import dotted
from .effects import BLOCKING, library_effect, return_kind
from .facts import Options, ProjectFacts
from .regions import describe_region
from .values import Value

# Codemod names (each is one module in codemods/).
ORM, AUTH, WRAP, IO, TEMPLATE = "orm_async", "auth_async", "wrap_sync", "blocking_io", "template_response"

ITERATING_BUILTINS = {"list", "tuple", "set", "sorted", "len", "sum", "min", "max", "any", "all",
                      "bool", "dict", "frozenset", "enumerate", "zip", "reversed", "map", "filter"}
RESPONSE_OK = {"django.http", "django.template.response"}
USER_CHANGING = {"django.contrib.auth.login", "django.contrib.auth.logout"}
STREAMING_ASYNC_MIN = (4, 2)   # StreamingHttpResponse accepts async iterators
SAFE_CONTEXT_MANAGERS = ("contextlib.suppress", "io.StringIO", "io.BytesIO", "django.utils.translation.override")


@dataclass
class Point:
    node: cst.CSTNode          # node the codemod rewrites (original tree)
    kind: str
    codemod: str
    native: bool               # Django's async API (no thread hop)
    line: int
    message: str
    data: dict = field(default_factory=dict)
    order: int = 1             # rewrite order on the same node (select_related first)

    @property
    def hop(self) -> bool:
        return not self.native and self.kind not in ("sleep", "drop")


@dataclass
class Analysis:
    points: list[Point] = field(default_factory=list)
    blockers: list[tuple[int, str]] = field(default_factory=list)
    async_functions: list[cst.FunctionDef] = field(default_factory=list)  # nested defs that become async

    @property
    def codemods(self) -> set[str]:
        return {p.codemod for p in self.points}


class Context:
    """Per-module knowledge the analysis needs, shared by every view of a file."""

    def __init__(self, facts: ProjectFacts, options: Options, module_name: str, imports: dict[str, str],
                 local_defs: set[str], line_of: Callable[[cst.CSTNode], int], classes: dict[str, cst.ClassDef]):
        self.facts, self.options, self.module_name = facts, options, module_name
        self.imports, self.local_defs, self.line_of, self.classes = imports, local_defs, line_of, classes

    def qualify(self, node: cst.BaseExpression) -> str | None:
        name = dotted(node)
        if name is None:
            return None
        head, _, rest = name.partition(".")
        if head in self.imports:
            head = self.imports[head]
        elif head in self.local_defs:
            head = f"{self.module_name}.{head}"
        return f"{head}.{rest}" if rest else head

    def supports(self, version: api.Version) -> bool:
        return self.options.target >= version


def analyse_function(func: cst.FunctionDef, ctx: Context, cls: cst.ClassDef | None = None) -> Analysis:
    analyser = _BodyAnalyser(ctx, func, cls)
    func.body.visit(analyser)
    result = analyser.result
    user_reads = [p for p in result.points if p.kind == "request_user"]
    if user_reads:
        # login()/logout() replace request.user: the bound user must follow.
        for statement, line in analyser.user_changes:
            result.points.append(Point(statement, "rebind_user", AUTH, True, line,
                                       "request.user changes here: the bound user follows",
                                       {"request": user_reads[0].node.value}))
    return result


class _BodyAnalyser(cst.CSTVisitor):
    def __init__(self, ctx: Context, func: cst.FunctionDef, cls: cst.ClassDef | None):
        self.ctx, self.func, self.cls = ctx, func, cls
        self.result = Analysis()
        self.env: dict[str, Value] = {}
        self.nested = 0          # depth inside lambdas / nested defs / classes
        self.genexp = 0          # depth inside generator expressions (no await possible)
        self._handled: set[int] = set()
        self.regions = 0
        self.streaming: list[cst.FunctionDef] = []
        self.local_functions: set[str] = set()
        self.statement: cst.SimpleStatementLine | None = None
        self.user_changes: list[tuple[cst.SimpleStatementLine, int]] = []
        self.for_iters: set[int] = set()
        params = [p.name.value for p in func.params.params]
        if cls is not None and params:
            self.env[params[0]] = Value(v.SELF)
            params = params[1:]
        if params:
            self.env[params[0]] = Value(v.REQUEST)
        for name in params[1:] + [p.name.value for p in func.params.kwonly_params]:
            self.env[name] = v.PLAIN_VALUE

    # -- recording -------------------------------------------------------------------------
    def point(self, node: cst.CSTNode, kind: str, codemod: str, native: bool, message: str,
              line_node: cst.CSTNode | None = None, order: int = 1, **data) -> None:
        line = self.ctx.line_of(line_node or node)
        if self.nested or (self.genexp and kind not in ("materialise",)):
            where = "a lambda or nested function" if self.nested else "a generator expression"
            self.block(line_node or node, f"{message} inside {where} (cannot be awaited there)")
            return
        self.result.points.append(Point(node, kind, codemod, native, line, message, data, order))

    def block(self, node: cst.CSTNode, reason: str) -> None:
        self.result.blockers.append((self.ctx.line_of(node), reason))

    def unsafe_or_block(self, node: cst.Call, reason: str) -> None:
        """Something we cannot see into: wrap it with --unsafe, else keep the view sync."""
        if self.ctx.options.unsafe:
            self.point(node, "wrap_call", WRAP, False, f"{reason}: wrapped (--unsafe)")
        else:
            self.block(node, f"{reason} (--unsafe would wrap it in sync_to_async)")

    # -- types -----------------------------------------------------------------------------
    def value_of(self, node: cst.BaseExpression) -> Value:
        if isinstance(node, cst.Name):
            if node.value in self.env:
                return self.env[node.value]
            return self._global_value(node)
        if isinstance(node, cst.Attribute):
            return self._attribute_value(node)
        if isinstance(node, cst.Call):
            return self._call_value(node)
        if isinstance(node, cst.Subscript):
            base = self.value_of(node.value)
            if base.kind == v.QUERYSET and _is_slice(node):
                return base.with_(origin=node)
            if base.kind == v.QUERYSET and not base.rows_plain:
                return Value(v.INSTANCE, base.model, origin=None)
            if base.kind == v.PAIR and _index_of(node) == 0:
                return Value(v.INSTANCE, base.model, origin=base.origin, loaded=base.loaded)
            return v.PLAIN_VALUE if base.kind in (v.PLAIN, v.REQUEST, v.FORM, v.USER, v.INSTANCE) else v.OPAQUE_VALUE
        return v.PLAIN_VALUE

    def _global_value(self, node: cst.Name) -> Value:
        qualified = self.ctx.qualify(node) or node.value
        model = self.ctx.facts.models.model_for(qualified)
        if model is None and node.value in self.ctx.facts.models.models and node.value in self.ctx.local_defs:
            model = self.ctx.facts.models.models[node.value]
        if model is None and qualified.endswith(".User") and qualified.startswith("django.contrib.auth"):
            model = self.ctx.facts.models.models.get("User")
        if model is not None:
            return Value(v.MODEL, model.name)
        if qualified in ("django.core.cache.cache",):
            return Value(v.CACHE)
        form = self.ctx.facts.models.forms.get(qualified)
        if form is not None:
            return Value(v.PLAIN, source="form class")
        return v.PLAIN_VALUE

    def _attribute_value(self, node: cst.Attribute) -> Value:
        base, attr = self.value_of(node.value), node.attr.value
        models = self.ctx.facts.models
        if base.kind == v.MODEL:
            info = models.models.get(base.model or "")
            if info and attr in info.managers:
                return Value(v.MANAGER, base.model, origin=node)
            return v.PLAIN_VALUE
        if base.kind == v.REQUEST:
            return {"session": Value(v.SESSION), "user": Value(v.USER, "User")}.get(attr, v.PLAIN_VALUE)
        if base.kind == v.SELF:
            return Value(v.REQUEST) if attr == "request" else v.PLAIN_VALUE
        if base.kind in (v.INSTANCE, v.USER):
            info = models.models.get(base.model or "User" if base.kind == v.USER else base.model or "")
            if info is None:
                return v.OPAQUE_VALUE   # an instance of a model we do not know
            relation = info.relations.get(attr)
            if relation is None:
                return v.PLAIN_VALUE
            path = f"{base.prefix}__{attr}" if base.prefix else attr
            if relation.is_manager:
                return Value(v.RELATED, relation.target, origin=node)
            return Value(v.INSTANCE, relation.target, origin=base.origin, prefix=path, loaded=base.loaded)
        if base.kind == v.PAGINATOR and attr == "object_list":
            return Value(v.QUERYSET, base.model)
        return v.OPAQUE_VALUE if base.kind == v.OPAQUE else v.PLAIN_VALUE

    def _call_value(self, node: cst.Call) -> Value:
        func = node.func
        if isinstance(func, cst.Attribute):
            base, name = self.value_of(func.value), func.attr.value
            if base.is_query:
                # select_related goes on the root of the chain (``Book.objects``), which every
                # branch that refines the queryset shares.
                origin = base.origin or node
                loaded = base.loaded | _select_related_args(node) if name == "select_related" else base.loaded
                if name in api.QUERYSET_CHAIN or self.ctx.facts.models.manager_methods.get(name):
                    rows_plain = base.rows_plain or name in ("values", "values_list")
                    return Value(v.QUERYSET, base.model, origin=origin, loaded=loaded, rows_plain=rows_plain)
                # create()/get_or_create() may build the object without a query: no
                # select_related can cover its relations.
                created = name in ("create", "get_or_create", "update_or_create")
                if name in api.RETURNS_INSTANCE:
                    return Value(v.INSTANCE, base.model, origin=None if created else origin, loaded=loaded)
                if name in api.RETURNS_PAIR:
                    return Value(v.PAIR, base.model, origin=None, loaded=loaded)
                if name == "iterator":
                    return base.with_(kind=v.QUERYSET, origin=origin)
                return v.PLAIN_VALUE if name in api.QUERYSET_TERMINAL else v.OPAQUE_VALUE
            if base.kind == v.FORM and name == "save":
                return Value(v.INSTANCE, base.model)
            if base.kind == v.PAGINATOR and name in ("page", "get_page"):
                return Value(v.PAGINATOR, base.model, source="page")
            if base.kind in (v.PLAIN, v.REQUEST, v.SESSION, v.CACHE, v.USER):
                return v.PLAIN_VALUE
            if base.kind == v.SELF:
                method = self._class_method(name)
                return self._returned(*method, node) if method else v.OPAQUE_VALUE
            return v.OPAQUE_VALUE
        qualified = self.ctx.qualify(func) or ""
        short = qualified.rsplit(".", 1)[-1]
        models = self.ctx.facts.models
        if qualified in ("django.shortcuts.get_object_or_404",) and node.args:
            first = self.value_of(node.args[0].value)
            return Value(v.INSTANCE, first.model, origin=node, loaded=first.loaded)
        if qualified == "django.contrib.auth.authenticate":
            return Value(v.USER, "User")
        if qualified.startswith("django.core.paginator.") and node.args:
            return Value(v.PAGINATOR, self.value_of(node.args[0].value).model)
        model = models.model_for(qualified) or (models.models.get(short) if short in self.ctx.local_defs else None)
        if model is not None:
            return Value(v.INSTANCE, model.name)
        form = models.forms.get(qualified)
        if form is not None:
            return Value(v.FORM, form.model, touches_db=form.touches_db)
        if short in ITERATING_BUILTINS or library_effect(qualified) is not None:
            return v.PLAIN_VALUE
        found = self.ctx.facts.project.lookup(qualified)
        if found and found[1] in found[0].functions:
            return self._returned(found[0], found[0].functions[found[1]], node)
        if found and found[1] in found[0].classes:
            return Value(v.OPAQUE, source=f"{short} instance")
        return v.OPAQUE_VALUE

    def _returned(self, module, func, call: cst.Call | None = None) -> Value:
        """The value a project function or method returns, as far as its source says."""
        kind, model = return_kind(module, func, frozenset(self.ctx.facts.models.models))
        if kind == "argument" and call is not None and model is not None:
            args = [a for a in call.args if not a.keyword and not a.star]
            index = int(model)
            return self.value_of(args[index].value).with_(origin=None) if index < len(args) else v.OPAQUE_VALUE
        if kind == "instance":
            return Value(v.INSTANCE, model)
        if kind == "queryset":
            return Value(v.QUERYSET, model)
        if kind == "plain":
            return v.PLAIN_VALUE
        effect = self.ctx.facts.effects.of_node(f"{module.name}.{func.name}@{func.lineno}", module, func)
        return v.PLAIN_VALUE if effect.is_pure else v.OPAQUE_VALUE

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self.statement = node

    # -- scopes ----------------------------------------------------------------------------
    def visit_Lambda(self, node: cst.Lambda) -> None:
        self.nested += 1

    def leave_Lambda(self, node: cst.Lambda) -> None:
        self.nested -= 1

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.local_functions.add(node.name.value)
        if not self.nested and self.ctx.supports(STREAMING_ASYNC_MIN) and _streamed_generator(self.func, node):
            # Only ever handed to StreamingHttpResponse: it can become an async generator,
            # which Django streams under ASGI (sync ones are buffered in a thread).
            self.result.async_functions.append(node)
            self.streaming.append(node)
            return
        self.nested += 1

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        if self.streaming and self.streaming[-1] is node:
            self.streaming.pop()
            return
        self.nested -= 1

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.nested += 1

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self.nested -= 1

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> bool:
        # The first ``for``'s iterable is evaluated right away, in the view's own scope.
        self._comprehension_source(node.for_in, node, generator=True)
        self.genexp += 1
        return True

    def leave_GeneratorExp(self, node: cst.GeneratorExp) -> None:
        self.genexp -= 1

    def visit_Yield(self, node: cst.Yield) -> None:
        if not self.streaming and not self.nested:
            self.block(node, "the function is a generator")

    # -- bindings --------------------------------------------------------------------------
    def leave_Assign(self, node: cst.Assign) -> None:
        value = self.value_of(node.value)
        for target in node.targets:
            self._bind(target.target, value)

    def leave_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._bind(node.target, self.value_of(node.value))

    def _bind(self, target: cst.BaseExpression, value: Value) -> None:
        if isinstance(target, cst.Name):
            self.env[target.value] = value
        elif isinstance(target, (cst.Tuple, cst.List)):
            for index, element in enumerate(target.elements):
                if isinstance(element.value, cst.Name):
                    inner = Value(v.INSTANCE, value.model, origin=value.origin) if value.kind == v.PAIR and index == 0 \
                        else (v.OPAQUE_VALUE if value.kind == v.OPAQUE else v.PLAIN_VALUE)
                    self.env[element.value.value] = inner
        elif isinstance(target, cst.Attribute) and self.value_of(target.value).kind == v.REQUEST \
                and target.attr.value == "user":
            self.block(target, "assigns request.user")

    def visit_With(self, node: cst.With) -> bool:
        for item in node.items:
            call = item.item
            qualified = self.ctx.qualify(call.func) if isinstance(call, cst.Call) else self.ctx.qualify(call)
            qualified = qualified or ""
            if qualified.startswith("django.db.transaction."):
                self._region(node, WRAP, "_in_transaction", "transaction.atomic block")
                return False
            effect = library_effect(qualified)
            if effect is not None and effect.kind == BLOCKING:
                self._region(node, IO, "_blocking_io", f"{qualified}() block")
                return False
            if qualified.startswith(SAFE_CONTEXT_MANAGERS):
                continue
            self.block(node, f"context manager {qualified or 'expression'} may block")
            return False
        return True

    def _region(self, node: cst.With, codemod: str, base_name: str, what: str) -> None:
        self.regions += 1
        name = base_name if self.regions == 1 else f"{base_name}_{self.regions}"
        region = describe_region(self.func, node, name)
        if isinstance(region, str):
            self.block(node, f"{what} cannot move into a sync function: {region}")
        else:
            self.point(node, "region", codemod, False, f"{what} moved into a sync function {name}()",
                       region=region)

    def visit_For(self, node: cst.For) -> None:
        self.for_iters.add(id(node.iter))
        source = self.value_of(node.iter)
        if source.is_query and _method(node.iter) == "iterator" and not self.ctx.supports((5, 0)) \
                and "prefetch_related" in _chain_methods(node.iter):
            self.block(node, "aiterator() after prefetch_related() needs Django 5.0")
        elif source.is_query and not (isinstance(node.iter, cst.Call) and _method(node.iter) in api.QUERYSET_TERMINAL):
            self.point(node, "for", ORM, True, "for over a queryset -> async for",
                       iterator=isinstance(node.iter, cst.Call) and _method(node.iter) == "iterator")
            self._bind_loop(node.target, source)
        elif source.kind == v.OPAQUE:
            self.unsafe_or_block(node.iter, "iterates a value of unknown kind") if isinstance(node.iter, cst.Call) \
                else self.block(node, "iterates a value of unknown kind")
        elif source.kind == v.PAGINATOR:
            self.block(node, "iterates a Paginator page (evaluated lazily)")
        else:
            self._bind_loop(node.target, v.PLAIN_VALUE)

    def _bind_loop(self, target: cst.BaseExpression, source: Value) -> None:
        if isinstance(target, cst.Name):
            if source.is_query and not source.rows_plain:
                self.env[target.value] = Value(v.INSTANCE, source.model, origin=source.origin, loaded=source.loaded)
            else:
                self.env[target.value] = v.PLAIN_VALUE
        else:
            self._bind(target, v.PLAIN_VALUE)

    def visit_ListComp(self, node: cst.ListComp) -> None:
        self._comprehension_source(node.for_in, node)

    def visit_SetComp(self, node: cst.SetComp) -> None:
        self._comprehension_source(node.for_in, node)

    def visit_DictComp(self, node: cst.DictComp) -> None:
        self._comprehension_source(node.for_in, node)

    def _comprehension_source(self, for_in: cst.CompFor, comp: cst.CSTNode, generator: bool = False) -> None:
        first = True
        while for_in is not None:
            source = self.value_of(for_in.iter)
            if source.is_query:
                if generator and first:
                    self.point(for_in.iter, "materialise", ORM, True, "queryset in a generator -> list built with async for")
                elif generator:
                    self.block(for_in, "queryset iterated inside a generator expression")
                else:
                    self.point(for_in, "compfor", ORM, True, "comprehension over a queryset -> async for")
            elif source.kind == v.OPAQUE:
                self.block(for_in, "comprehension over a value of unknown kind")
            self._bind_loop(for_in.target, source)
            first = False
            for_in = for_in.inner_for_in

    # -- conditions ------------------------------------------------------------------------
    def visit_If(self, node: cst.If) -> None:
        self._truth_test(node.test)

    def visit_While(self, node: cst.While) -> None:
        self._truth_test(node.test)

    def visit_IfExp(self, node: cst.IfExp) -> None:
        self._truth_test(node.test)

    def visit_BooleanOperation(self, node: cst.BooleanOperation) -> None:
        if id(node) in self._handled:
            return   # a condition: its operands were checked as truth tests
        # ``qs or fallback`` as a value: bool(qs) runs a query and the result is the queryset.
        if self.value_of(node.left).kind == v.QUERYSET:
            self.block(node, "queryset as an operand of and/or (evaluated to test it)")

    def visit_UnaryOperation(self, node: cst.UnaryOperation) -> None:
        if isinstance(node.operator, cst.Not):
            self._truth_test(node.expression)

    def _truth_test(self, test: cst.BaseExpression) -> None:
        if id(test) in self._handled:
            return
        self._handled.add(id(test))
        if isinstance(test, cst.BooleanOperation):
            self._truth_test(test.left)
            self._truth_test(test.right)
            return
        if self.value_of(test).kind == v.QUERYSET:
            self.point(test, "exists", ORM, True, "truth test of a queryset -> await qs.aexists()")

    def visit_Comparison(self, node: cst.Comparison) -> None:
        for target in node.comparisons:
            if isinstance(target.operator, (cst.In, cst.NotIn)):
                container = self.value_of(target.comparator)
                if container.kind == v.QUERYSET:
                    self.block(node, "`in` on a queryset")
                elif container.kind == v.SESSION:
                    self.block(node, "`in request.session` loads the session")

    # -- attribute access ------------------------------------------------------------------
    def visit_Attribute(self, node: cst.Attribute) -> None:
        base, attr = self.value_of(node.value), node.attr.value
        if base.kind == v.REQUEST and attr == "user" and id(node) not in self._handled:
            self._handled.add(id(node))
            if not self.ctx.facts.settings.has_auth_middleware:
                self.block(node, "request.user without AuthenticationMiddleware in settings")
            else:
                native = self.ctx.supports(api.AUSER_MIN)
                self.point(node, "request_user", AUTH, native,
                           "request.user -> user bound once with await request.auser()" if native
                           else "request.user -> user bound once with sync_to_async(get_user)")
            return
        if base.kind not in (v.INSTANCE, v.USER):
            if base.kind == v.OPAQUE and attr in self.ctx.facts.models.relation_names:
                self.block(node, f".{attr} on a value of unknown kind may be a lazy relation")
            return
        info = self.ctx.facts.models.models.get(base.model or ("User" if base.kind == v.USER else ""))
        relation = info.relations.get(attr) if info else None
        if relation is None or relation.is_manager:
            return
        path = f"{base.prefix}__{attr}" if base.prefix else attr
        if path in base.loaded:
            return
        if base.origin is not None:
            self.point(base.origin, "select_related", ORM, True,
                       f".{attr} is a lazy relation -> select_related({path!r}) on its query",
                       line_node=node, order=0, field=path)
        else:
            self.point(node, "getattr", WRAP, False, f".{attr} is a lazy relation of an object of unknown query",
                       attr=attr)

    # -- subscripts ------------------------------------------------------------------------
    def visit_Subscript(self, node: cst.Subscript) -> None:
        if id(node) in self._handled:
            return
        base = self.value_of(node.value)
        if base.kind == v.QUERYSET and not _is_slice(node):
            if _index_of(node) == 0:
                self.point(node, "index0", ORM, True, "qs[0] -> [x async for x in qs[:1]][0]")
            else:
                self.point(node, "getitem", WRAP, False, "queryset indexing")
        elif base.kind == v.SESSION:
            self.point(node, "getitem", WRAP, False, "request.session[...] loads the session")

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            subscript = target.target
            if isinstance(subscript, cst.Subscript) and self.value_of(subscript.value).kind == v.SESSION:
                self._handled.add(id(subscript))
                if len(node.targets) > 1:
                    self.block(node, "chained assignment to request.session[...]")
                    continue
                native = self.ctx.supports(api.SESSION_MIN)
                self.point(node, "session_set", ORM if native else WRAP, native,
                           "request.session[k] = v -> await request.session.aset(k, v)" if native
                           else "request.session[k] = v wrapped")

    def visit_Del(self, node: cst.Del) -> None:
        target = node.target
        if isinstance(target, cst.Subscript) and self.value_of(target.value).kind == v.SESSION:
            self._handled.add(id(target))
            native = self.ctx.supports(api.SESSION_MIN)
            self.point(node, "session_del", ORM if native else WRAP, native, "del request.session[k]")

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if isinstance(node.target, cst.Subscript) and self.value_of(node.target.value).kind == v.SESSION:
            self._handled.add(id(node.target))
            self.block(node, "augmented assignment to request.session[...]")

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.star == "*" and self.value_of(node.value).is_query:
            self.point(node.value, "materialise", ORM, True, "*queryset unpacks it -> *[x async for x in qs]")

    # -- calls -----------------------------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Attribute):
            self._method_call(node, node.func)
        else:
            self._function_call(node)

    def _method_call(self, node: cst.Call, func: cst.Attribute) -> None:
        base, name = self.value_of(func.value), func.attr.value
        ctx = self.ctx
        head = dotted(func.value)
        if base.kind == v.PLAIN and head and head.split(".")[0] in ctx.imports \
                and head.split(".")[0] not in self.env:
            self._function_call(node)   # ``services.helper()``, ``time.sleep()``: a module's function
            return
        if base.is_query:
            if name in api.QUERYSET_CHAIN or name == "iterator" or ctx.facts.models.manager_methods.get(name):
                if name == "iterator" and not self._is_for_iter(node):
                    self.block(node, ".iterator() outside a for loop")
                return
            if base.kind == v.RELATED and name in api.RELATED_MANAGER_METHODS:
                async_name, minimum = api.RELATED_MANAGER_METHODS[name]
                self._native_or_wrap(node, "method", ctx.supports(minimum), async_name,
                                     f"related manager .{name}()")
                return
            if name in api.QUERYSET_TERMINAL:
                needs_all = base.kind == v.MANAGER and name in api.MANAGER_MISSING
                self.point(node, "method", ORM, True, f".{name}() -> await .{api.QUERYSET_TERMINAL[name]}()",
                           async_name=api.QUERYSET_TERMINAL[name], needs_all=needs_all)
                return
            if name in ctx.facts.models.manager_methods:
                self.point(node, "wrap_method", WRAP, False, f"custom manager method .{name}()")
                return
            self.block(node, f"unknown queryset method .{name}()")
            return
        if base.kind in (v.INSTANCE, v.USER):
            if name in api.INSTANCE_METHODS:
                self._native_or_wrap(node, "method", ctx.supports(api.INSTANCE_MIN), api.INSTANCE_METHODS[name],
                                     f"instance .{name}()")
            elif base.kind == v.USER and name in api.USER_METHODS:
                async_name, minimum = api.USER_METHODS[name]
                self._native_or_wrap(node, "method", ctx.supports(minimum), async_name, f"user .{name}()",
                                     codemod=AUTH)
            elif self._model_method_touches_db(base.model, name):
                self.point(node, "wrap_method", WRAP, False, f"model method .{name}() uses the database")
            return
        if base.kind == v.FORM:
            if base.touches_db and name in ("is_valid", "save", "save_m2m", "full_clean", "clean",
                                            "validate_unique", "has_changed"):
                self.point(node, "wrap_method", WRAP, False, f"form.{name}() queries the database", reason="form")
            return
        if base.kind == v.SESSION:
            if name in api.SESSION_METHODS:
                native = ctx.supports(api.SESSION_MIN)
                self._native_or_wrap(node, "method", native, api.SESSION_METHODS[name], f"session .{name}()")
            return
        if base.kind == v.CACHE:
            if name in api.CACHE_METHODS:
                self.point(node, "method", ORM, True, f"cache.{name}() -> await cache.{api.CACHE_METHODS[name]}()",
                           async_name=api.CACHE_METHODS[name])
            return
        if base.kind == v.PAGINATOR:
            if name in ("page", "get_page", "validate_number"):
                self.point(node, "wrap_method", WRAP, False, f"Paginator.{name}() counts and slices the queryset")
            return
        if base.kind == v.SELF:
            self._self_method(node, name)
            return
        if base.kind == v.OPAQUE and (name in api.QUERYSET_TERMINAL or name in api.INSTANCE_METHODS
                                      or name in api.RELATED_MANAGER_METHODS or name == "is_valid"):
            self.unsafe_or_block(node, f".{name}() on a value of unknown kind")
            return
        if base.kind == v.PLAIN and isinstance(func.value, (cst.Name, cst.Attribute)):
            qualified = ctx.qualify(func) or ""
            effect = library_effect(qualified)
            if effect is not None and not effect.is_pure:
                self._library_call(node, qualified, effect)

    def _function_call(self, node: cst.Call) -> None:
        ctx = self.ctx
        qualified = ctx.qualify(node.func)
        if qualified is None:
            self.unsafe_or_block(node, "dynamic call")
            return
        if qualified in self.local_functions:
            return   # a def of this view: its own body was analysed where it stands
        if qualified in self.env:
            if self.env[qualified].kind != v.PLAIN:
                self.unsafe_or_block(node, f"call of local {qualified}")
            return
        if qualified in api.FUNCTIONS:
            async_name, minimum = api.FUNCTIONS[qualified]
            if qualified in USER_CHANGING and self.statement is not None:
                self.user_changes.append((self.statement, self.ctx.line_of(node)))
            codemod = AUTH if ".auth." in qualified else ORM
            self._native_or_wrap(node, "function", ctx.supports(minimum), async_name,
                                 f"{qualified.rsplit('.', 1)[1]}()", codemod=codemod)
            return
        if qualified == "django.shortcuts.render":
            self.point(node, "render", TEMPLATE, True, "render() -> TemplateResponse (rendered in a thread)")
            return
        short = qualified.rsplit(".", 1)[-1]
        if short in ITERATING_BUILTINS and "." not in qualified and node.args:
            first = self.value_of(node.args[0].value)
            if first.is_query:
                if short == "len" and isinstance(node.args[0].value, cst.Call):
                    self.point(node, "len", ORM, True, "len(queryset) -> await qs.acount()")
                elif short == "list":
                    self.point(node, "list", ORM, True, "list(queryset) -> [x async for x in qs]")
                elif short == "bool":
                    self.point(node, "bool", ORM, True, "bool(queryset) -> await qs.aexists()")
                else:
                    self.point(node.args[0].value, "materialise", ORM, True,
                               f"{short}(queryset) -> {short}([x async for x in qs])")
                self._handled.add(id(node.args[0].value))
            return
        effect = library_effect(qualified)
        if effect is not None:
            if not effect.is_pure:
                self._library_call(node, qualified, effect)
            return
        form = ctx.facts.models.forms.get(qualified)
        if form is not None and form.model_form and any(a.keyword and a.keyword.value == "instance" for a in node.args):
            self.point(node, "wrap_call", WRAP, False, f"{short}(instance=...) reads the instance's many-to-many values",
                       reason="form")
            return
        if ctx.facts.models.model_for(qualified) or form is not None:
            return
        if short in ctx.facts.models.models and short in ctx.local_defs:
            return
        found = ctx.facts.project.lookup(qualified)
        if found and found[1] in found[0].classes:
            init = next((f for f in found[0].classes[found[1]].body
                         if getattr(f, "name", None) == "__init__"), None)
            effect = ctx.facts.effects.of_node(f"{qualified}.__init__", found[0], init) if init else None
            if effect is not None and not effect.is_pure:
                self.point(node, "wrap_call", WRAP, False, f"{short}() ({effect.reason})", reason="helper")
            return
        inner = ctx.facts.effects.of_function(qualified)
        if inner is not None:
            lazy_args = [a for a in node.args if self.value_of(a.value).is_query]
            if not inner.is_pure or lazy_args:
                why = inner.reason if not inner.is_pure else "receives a lazy queryset"
                self.point(node, "wrap_call", WRAP, False, f"helper {short}() ({why})", reason="helper")
            return
        if qualified.startswith("django."):
            self.unsafe_or_block(node, f"{qualified}() has no known async behaviour")
            return
        self.unsafe_or_block(node, f"{qualified}() is outside the project")

    def _library_call(self, node: cst.Call, qualified: str, effect) -> None:
        if qualified == "time.sleep":
            self.point(node, "sleep", IO, True, "time.sleep() -> await asyncio.sleep()")
        elif effect.kind == BLOCKING:
            self.point(node, "wrap_call", IO, False, f"{qualified}() blocks -> sync_to_async", reason="blocking I/O")
        else:
            self.point(node, "wrap_call", WRAP, False, f"{qualified}() uses the database")

    def _native_or_wrap(self, node: cst.Call, kind: str, native: bool, async_name: str, what: str,
                        codemod: str = ORM) -> None:
        if native:
            self.point(node, kind, codemod, True, f"{what} -> await {async_name}()", async_name=async_name)
        else:
            wrap_kind = "wrap_method" if kind == "method" else "wrap_call"
            self.point(node, wrap_kind, WRAP, False,
                       f"{what}: no async form in Django {api.format_version(self.ctx.options.target)}")

    def _self_method(self, node: cst.Call, name: str) -> None:
        method = self._class_method(name)
        if method is None:
            if name in ("http_method_not_allowed", "options", *api.HTTP_HANDLERS):
                self.block(node, f"calls self.{name}(), which becomes a coroutine")
            else:
                self.unsafe_or_block(node, f"self.{name}() comes from a Django base class")
            return
        module, func = method
        effect = self.ctx.facts.effects.of_node(f"{module.name}.{name}@{func.lineno}", module, func)
        if not effect.is_pure:
            self.point(node, "wrap_method", WRAP, False, f"self.{name}() ({effect.reason})", reason="helper")

    def _class_method(self, name: str):
        """The ast of method ``name`` on the view class or its project bases."""
        if self.cls is None:
            return None
        project = self.ctx.facts.project
        module = project.find_module(self.ctx.module_name)
        if module is None:
            return None
        queue = [(module, module.classes.get(self.cls.name.value))]
        seen = 0
        while queue and seen < 20:
            seen += 1
            mod, cls = queue.pop(0)
            if cls is None:
                continue
            for item in cls.body:
                if getattr(item, "name", None) == name and hasattr(item, "args"):
                    return mod, item
            for base in cls.bases:
                found = project.lookup(mod.qualify(base) or "")
                if found and found[1] in found[0].classes:
                    queue.append((found[0], found[0].classes[found[1]]))
        return None

    def _model_method_touches_db(self, model: str | None, name: str) -> bool:
        if model is None:
            return False
        project = self.ctx.facts.project
        for qualified, short in self.ctx.facts.models.model_qualnames.items():
            if short != model:
                continue
            found = project.lookup(qualified)
            if not found:
                continue
            module, cls_name = found
            for item in module.classes[cls_name].body:
                if getattr(item, "name", None) == name and hasattr(item, "args"):
                    effect = self.ctx.facts.effects.of_node(f"{qualified}.{name}", module, item)
                    return not effect.is_pure
        return False

    def _is_for_iter(self, node: cst.Call) -> bool:
        return id(node) in self.for_iters


def _streamed_generator(view: cst.FunctionDef, nested: cst.FunctionDef) -> bool:
    """``nested`` yields, and the view only ever passes ``nested(...)`` to StreamingHttpResponse."""
    name = nested.name.value
    yields, uses, streamed = [], [], []

    class Scan(cst.CSTVisitor):
        def visit_Yield(self, node: cst.Yield) -> None:
            yields.append(node)

        def visit_Name(self, node: cst.Name) -> None:
            if node.value == name:
                uses.append(node)

        def visit_Call(self, node: cst.Call) -> None:
            if (dotted(node.func) or "").endswith("StreamingHttpResponse") and node.args:
                first = node.args[0].value
                if isinstance(first, cst.Call) and isinstance(first.func, cst.Name) and first.func.value == name:
                    streamed.append(first.func)

    nested.body.visit(Scan())
    if not yields:
        return False
    yields.clear()
    view.body.visit(Scan())
    uses = [u for u in uses if u is not nested.name]
    return bool(streamed) and len(uses) == len(streamed)


def _chain_methods(node: cst.BaseExpression) -> str:
    """Space-separated method names of a call chain (``a.filter().iterator()`` -> "filter iterator")."""
    names = []
    while isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        names.append(node.func.attr.value)
        node = node.func.value
    return " " + " ".join(reversed(names))


def _method(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        return node.func.attr.value
    return None


def _is_slice(node: cst.Subscript) -> bool:
    return any(isinstance(e.slice, cst.Slice) for e in node.slice)


def _index_of(node: cst.Subscript) -> int | None:
    if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        value = node.slice[0].slice.value
        if isinstance(value, cst.Integer):
            return int(value.value)
    return None


def _select_related_args(node: cst.Call) -> frozenset[str]:
    names = set()
    for arg in node.args:
        if isinstance(arg.value, cst.SimpleString):
            names.add(arg.value.evaluated_value)
    return frozenset(names)
