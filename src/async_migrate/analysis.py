"""Classify every I/O point in a view body.

The analysis walks one function (a function view, or a handler of a class-based view) of a
LibCST tree and produces *points*: places that would block or touch the database inside
``async def``, each with the codemod that can rewrite it and whether the rewrite uses
Django's native async API or a ``sync_to_async`` hop.  Anything it cannot make safe becomes
a *blocker*, which keeps the view sync with that reason.  It never edits anything.

Value inference lives in inference.py, the rules for calls in call_rules.py; this module
holds the walk itself: scopes, bindings, loops, conditions, attributes and subscripts.
"""

from __future__ import annotations

import libcst as cst

from . import django_api as api
from . import values as v
from .call_rules import CallRules
from .cst_shapes import chain_methods, index_of, is_slice, method, streamed_generator
from .effects import BLOCKING, is_property, library_effect
from .fast_visit import walk
from .inference import MAPPING, ValueInference
from .points import AUTH, IO, ORM, WRAP, Analysis, Context, Point  # noqa: F401 (re-exported)
from .regions import describe_region
from .values import Value

STREAMING_ASYNC_MIN = (4, 2)   # StreamingHttpResponse accepts async iterators
SAFE_CONTEXT_MANAGERS = ("contextlib.suppress", "io.StringIO", "io.BytesIO", "django.utils.translation.override")


def analyse_function(func: cst.FunctionDef, ctx: Context, cls: cst.ClassDef | None = None) -> Analysis:
    analyser = BodyAnalyser(ctx, func, cls)
    walk(func.body, analyser, ctx.lines)
    result = analyser.result
    user_reads = [p for p in result.points if p.kind == "request_user"]
    if user_reads:
        # login()/logout() replace request.user: the bound user must follow.
        for statement, line in analyser.user_changes:
            result.points.append(Point(statement, "rebind_user", AUTH, True, line,
                                       "request.user changes here: the bound user follows",
                                       {"request": user_reads[0].node.value}))
    return result


class BodyAnalyser(ValueInference, CallRules, cst.CSTVisitor):
    def __init__(self, ctx: Context, func: cst.FunctionDef, cls: cst.ClassDef | None, depth: int = 0):
        self.ctx, self.func, self.cls, self.depth = ctx, func, cls, depth
        self.result = Analysis()
        self.env: dict[str, Value] = {}
        self.nested = 0          # depth inside lambdas / nested defs / classes
        self.genexp = 0          # depth inside generator expressions (no await possible)
        self._handled: set[int] = set()
        self._called: set[int] = set()   # attributes that are a call's function (``obj.method``)
        self._stores: dict[int, bool] = {}   # attribute or subscript assigned to -> augmented (``x.a += 1``)
        self.regions = 0
        self._regions: frozenset[int] | None = None
        self.loops = 0           # depth inside for/while loops and comprehensions
        self.streaming: list[cst.FunctionDef] = []
        self.local_functions: set[str] = set()
        self.statement: cst.SimpleStatementLine | None = None
        self.user_changes: list[tuple[cst.SimpleStatementLine, int]] = []
        self.for_iters: set[int] = set()
        self.key_lambdas: dict[int, tuple[str, Value]] = {}   # a key= lambda's id -> (its parameter, an item)
        self.shadowed: list[tuple[str, Value | None]] = []     # what those parameters hide, to restore
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
        # select_related goes on the query (outside): a lambda or a generator expression reading
        # the relation then finds it loaded
        if (self.nested and kind != "select_related") or (self.genexp and kind not in ("materialise", "select_related")):
            where = "a lambda or nested function" if self.nested else "a generator expression"
            self.block(line_node or node, f"{message} inside {where} (cannot be awaited there)")
            return
        if self.loops and not native:
            data = {**data, "in_loop": True}
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

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self.statement = node

    # -- scopes ----------------------------------------------------------------------------
    def visit_Lambda(self, node: cst.Lambda) -> None:
        self.nested += 1
        bound = self.key_lambdas.get(id(node))
        if bound is not None:   # ``sorted(books, key=lambda b: ...)``: b is one of the books
            name, item = bound
            self.shadowed.append((name, self.env.get(name)))
            self.env[name] = item

    def leave_Lambda(self, node: cst.Lambda) -> None:
        self.nested -= 1
        if self.key_lambdas.pop(id(node), None) is not None:
            name, previous = self.shadowed.pop()
            if previous is None:
                self.env.pop(name, None)
            else:
                self.env[name] = previous

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.local_functions.add(node.name.value)
        if not self.nested and self.ctx.supports(STREAMING_ASYNC_MIN) and streamed_generator(self.func, node):
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
        if value.is_rows and any(isinstance(t.target, (cst.Tuple, cst.List)) for t in node.targets) \
                and id(node.value) not in self._handled:   # ``first, second = qs[:2]`` iterates it
            self.point(node.value, "materialise", ORM, True, "unpacking a queryset -> [x async for x in qs]")
            self._handled.add(id(node.value))
            value = self._fetched(value)
        # ``first, last = books[0], books[-1]``: each element's value, all read before any is bound (a, b = b, a)
        parts = [self.value_of(e.value) for e in node.value.elements] if _unstarred(node.value) else None
        for target in node.targets:
            if not self._bind_each(target.target, parts):
                self._bind(target.target, value)

    def leave_NamedExpr(self, node: cst.NamedExpr) -> None:   # ``if (book := qs.first()):``
        self._bind(node.target, self.value_of(node.value))

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
                        else value.item() if value.kind == v.INSTANCES \
                        else (v.OPAQUE_VALUE if value.kind == v.OPAQUE else v.PLAIN_VALUE)
                    self.env[element.value.value] = inner
        elif isinstance(target, cst.Attribute) and self.value_of(target.value).kind == v.REQUEST \
                and target.attr.value == "user":
            self.block(target, "assigns request.user")
        elif isinstance(target, cst.Subscript) and value.kind in v.FETCHED:   # ``by_title[title] = book``
            self.stored_in(target.value)

    def visit_With(self, node: cst.With) -> bool:
        for item in node.items:
            call = item.item
            qualified = self.ctx.qualify(call.func) if isinstance(call, cst.Call) else self.ctx.qualify(call)
            qualified = qualified or ""
            if qualified.startswith("django.db.transaction."):
                self._region(node, WRAP, "_in_transaction", "transaction.atomic block")
                return False
            if self.opens_cursor(call):
                self._region(node, WRAP, "_with_cursor", "connection.cursor() block")
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

    @property
    def region_candidates(self) -> frozenset[int]:
        """Every ``with`` block of the view that moves into a nested function."""
        if self._regions is None:
            found = set()
            analyser = self

            class Find(cst.CSTVisitor):
                def visit_With(self, node: cst.With) -> None:
                    if analyser._region_kind(node):
                        found.add(id(node))

            walk(self.func.body, Find(), self.ctx.lines)
            self._regions = frozenset(found)
        return self._regions

    def _region_kind(self, node: cst.With) -> str | None:
        for item in node.items:
            call = item.item
            qualified = (self.ctx.qualify(call.func) if isinstance(call, cst.Call) else self.ctx.qualify(call)) or ""
            if qualified.startswith("django.db.transaction."):
                return "transaction"
            if self.opens_cursor(call):
                return "cursor"
            effect = library_effect(qualified)
            if effect is not None and effect.kind == BLOCKING:
                return "blocking"
        return None

    def _region(self, node: cst.With, codemod: str, base_name: str, what: str) -> None:
        self.regions += 1
        name = base_name if self.regions == 1 else f"{base_name}_{self.regions}"
        region = describe_region(self.func, node, name, self.region_candidates)
        if isinstance(region, str):
            self.block(node, f"{what} cannot move into a sync function: {region}")
        else:
            self.point(node, "region", codemod, False, f"{what} moved into a sync function {name}()",
                       region=region)

    def visit_For_body(self, node: cst.For) -> None:
        self.loops += 1

    def leave_For_body(self, node: cst.For) -> None:
        self.loops -= 1

    def visit_While_body(self, node: cst.While) -> None:
        self.loops += 1

    def leave_While_body(self, node: cst.While) -> None:
        self.loops -= 1

    def _enter_loop(self, node: cst.CSTNode) -> None:
        self.loops += 1

    def _leave_loop(self, node: cst.CSTNode) -> None:
        self.loops -= 1

    # A comprehension's element (and its conditions) run once per item.
    visit_ListComp_elt = visit_SetComp_elt = visit_GeneratorExp_elt = _enter_loop
    leave_ListComp_elt = leave_SetComp_elt = leave_GeneratorExp_elt = _leave_loop
    visit_DictComp_key = visit_DictComp_value = _enter_loop
    leave_DictComp_key = leave_DictComp_value = _leave_loop

    def visit_For(self, node: cst.For) -> None:
        self.for_iters.add(id(node.iter))
        source = self.value_of(node.iter)
        if source.is_query and method(node.iter) == "iterator" and not self.ctx.supports((5, 0)) \
                and "prefetch_related" in chain_methods(node.iter):
            self.block(node, "aiterator() after prefetch_related() needs Django 5.0")
        elif source.kind == v.RAW and not self.ctx.supports(api.QUERYSET_MIN):
            self.block(node, f"async for over a raw queryset needs Django {api.format_version(api.QUERYSET_MIN)}")
        elif source.is_rows and not (isinstance(node.iter, cst.Call) and method(node.iter) in api.QUERYSET_TERMINAL):
            self.point(node, "for", ORM, True, "for over a queryset -> async for",
                       iterator=isinstance(node.iter, cst.Call) and method(node.iter) == "iterator")
            self._bind_loop(node.target, source, node.iter)
        elif source.kind == v.OPAQUE:
            self.unsafe_or_block(node.iter, "iterates a value of unknown kind") if isinstance(node.iter, cst.Call) \
                else self.block(node, "iterates a value of unknown kind")
        elif source.kind == v.PAGINATOR:
            self.block(node, "iterates a Paginator page (evaluated lazily)")
        elif source.kind == v.CURSOR:
            self.block(node, "iterates a database cursor (rows are fetched as it goes)")
        else:   # a list the query already fetched keeps its instances' type
            self._bind_loop(node.target, source if source.kind == v.INSTANCES else v.PLAIN_VALUE, node.iter)

    def _bind_loop(self, target: cst.BaseExpression, source: Value, iterated: cst.BaseExpression | None = None) -> None:
        if isinstance(target, cst.Name):
            self.env[target.value] = source.item() if source.gives_instances else v.PLAIN_VALUE
            return
        if not self._bind_each(target, self._zipped(iterated)):   # ``for i, book in enumerate(books)``
            self._bind(target, v.PLAIN_VALUE)

    def _bind_each(self, target: cst.BaseExpression, parts: list[Value] | None) -> bool:
        """Bind each element of the tuple ``target`` to its own value of ``parts``, if they match."""
        if parts is None or not _unstarred(target) or len(target.elements) != len(parts):
            return False
        for element, part in zip(target.elements, parts):
            self._bind(element.value, part)
        return True

    def _zipped(self, iterated: cst.BaseExpression | None) -> list[Value] | None:
        """The value of each element of the tuples ``enumerate(items)`` or ``zip(a, b, ...)``
        give: an instance where a query gave the items."""
        if isinstance(iterated, cst.Call) and isinstance(iterated.func, cst.Attribute) \
                and iterated.func.attr.value == "items" and not iterated.args:
            mapping = self.value_of(iterated.func.value)   # ``for pk, book in books.items()``
            return [v.PLAIN_VALUE, mapping.item()] if mapping.source == MAPPING else None
        builtin = self.ctx.qualify(iterated.func) if isinstance(iterated, cst.Call) else None
        if builtin not in ("enumerate", "zip"):
            return None
        positional = [a.value for a in iterated.args if a.keyword is None and not a.star]
        if len(positional) != len(iterated.args) or not positional:
            return None
        items = [self.value_of(e) for e in positional]
        items = [value.item() if value.gives_instances else v.PLAIN_VALUE for value in items]
        return [v.PLAIN_VALUE, items[0]] if builtin == "enumerate" else items

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
            if source.is_rows:
                if generator and first:
                    self.point(for_in.iter, "materialise", ORM, True, "queryset in a generator -> list built with async for")
                elif generator:
                    self.block(for_in, "queryset iterated inside a generator expression")
                else:
                    self.point(for_in, "compfor", ORM, True, "comprehension over a queryset -> async for")
            elif source.kind == v.OPAQUE:
                self.block(for_in, "comprehension over a value of unknown kind")
            elif source.kind == v.CURSOR:
                self.block(for_in, "comprehension over a database cursor (rows are fetched as it goes)")
            self._bind_loop(for_in.target, source, for_in.iter)
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
        if self.value_of(node.left).kind in (v.QUERYSET, v.RAW):
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
        elif self.value_of(test).kind == v.RAW:
            self.block(test, "truth test of a raw queryset (it has no aexists())")

    def visit_Comparison(self, node: cst.Comparison) -> None:
        for target in node.comparisons:
            if isinstance(target.operator, (cst.In, cst.NotIn)):
                container = self.value_of(target.comparator)
                if container.kind == v.RAW:
                    self.point(target.comparator, "materialise", ORM, True,
                               "`x in raw` -> x in [row async for row in raw]")
                elif container.kind == v.QUERYSET:
                    left = self.value_of(node.left)
                    if len(node.comparisons) == 1 and left.kind == v.INSTANCE and not container.rows_plain:
                        self.point(node, "qs_in", ORM, True, "`obj in qs` -> await qs.acontains(obj)")
                    else:   # exact: `in` evaluates the queryset and tests its rows
                        self.point(target.comparator, "materialise", ORM, True,
                                   "`x in qs` -> x in [row async for row in qs]")
                elif container.kind == v.SESSION and len(node.comparisons) == 1:
                    native = self.ctx.supports(api.SESSION_MIN)
                    self.point(node, "session_in", ORM if native else WRAP, native,
                               "`k in request.session` -> await request.session.ahas_key(k)" if native
                               else "`k in request.session` loads the session: wrapped")
                elif container.kind == v.SESSION:
                    self.block(node, "chained comparison with `in request.session`")

    # -- attribute access ------------------------------------------------------------------
    def visit_Attribute(self, node: cst.Attribute) -> None:
        base, attr = self.value_of(node.value), node.attr.value
        if base.kind == v.REQUEST and attr == "user" and id(node) not in self._handled:
            self._handled.add(id(node))
            if not self.ctx.facts.settings.has_auth_middleware:
                self.block(node, self.ctx.facts.settings.no_auth_middleware_reason())
            else:
                backend = self.sync_backend()
                native = self.ctx.supports(api.AUSER_MIN) and not backend
                self.point(node, "request_user", AUTH, native,
                           "request.user -> user bound once with await request.auser()" if native
                           else "request.user -> user bound once with sync_to_async(get_user)"
                           + (f" ({backend} has no aget_user())" if backend else ""))
            return
        store = self._stores.get(id(node))
        if store is False:
            return   # ``obj.rel = x`` sets the relation (and its cache); ``obj.prop = x`` runs a setter
        if base.kind == v.STORED_FILE and attr in api.STORED_FILE_ATTRS:
            self.point(node, "getattr", WRAP, False, f"file field .{attr} asks the storage (or opens the file)",
                       attr=attr)
            return
        if base.kind not in (v.INSTANCE, v.USER):
            if base.kind == v.OPAQUE and base.cls and self._object_property(node, base.cls, attr, store):
                return
            if base.kind == v.OPAQUE and attr in self.ctx.facts.models.relation_names:
                self.block(node, f".{attr} on a value of unknown kind may be a lazy relation")
            return
        model = base.model or ("User" if base.kind == v.USER else "")
        info = self.ctx.facts.models.models.get(model)
        if info is None and attr not in ("pk", "id") and store is None and id(node) not in self._called:
            # A model the index does not know (a third-party one): any field may be a relation.
            self.block(node, f".{attr} of an instance of a model the analysis does not know may be a lazy relation")
            return
        relation = info.relations.get(attr) if info else None
        if relation is None:
            if info is not None and attr not in info.fields:
                self._property_read(node, model, attr, store)
            elif info is not None and base.defers(attr):
                self._deferred_read(node, attr, store)
            return
        if relation.is_manager:
            return
        path = f"{base.prefix}__{attr}" if base.prefix else attr
        if path in base.loaded:
            return
        if relation.kind == "gfk":   # select_related() cannot follow it
            if store:
                self.block(node, f"augmented assignment to .{attr}, a GenericForeignKey")
            else:
                self.point(node, "getattr", WRAP, False, f".{attr} is a GenericForeignKey: reading it loads "
                           "its object with a query", attr=attr)
        elif base.defers(attr):   # select_related() on a deferred field raises FieldError
            self._deferred_read(node, attr, store)
        elif base.origin is not None:
            self.point(base.origin, "select_related", ORM, True,
                       f".{attr} is a lazy relation -> select_related({path!r}) on its query",
                       line_node=node, order=0, field=path)
        elif store:
            self.block(node, f"augmented assignment to .{attr}, a lazy relation")
        else:
            self.point(node, "getattr", WRAP, False, f".{attr} is a lazy relation of an object of unknown query",
                       attr=attr)

    def _deferred_read(self, node: cst.Attribute, attr: str, augmented: bool | None) -> None:
        if augmented:
            self.block(node, f"augmented assignment to .{attr}, a field only()/defer() left out")
        else:
            self.point(node, "getattr", WRAP, False, f".{attr} was left out by only()/defer(): reading it "
                       "runs a query", attr=attr)

    def _object_property(self, node: cst.Attribute, cls: str, attr: str, augmented: bool | None) -> bool:
        """``obj.attr``, a property of the project class ``cls``: wrapped when it queries.  True
        when ``attr`` is one (its body says all there is to say)."""
        found = self.ctx.facts.project.class_member(cls, attr)
        if found is None or not is_property(found[1]):
            return False
        effect = self.ctx.facts.effects.of_node(f"{found[0].name}.{attr}@{found[1].lineno}", *found, cls)
        self._querying_property(node, attr, effect, augmented)
        return True

    def _property_read(self, node: cst.Attribute, model: str, attr: str, augmented: bool | None) -> None:
        """``obj.attr`` where ``attr`` is a ``@property``/``@cached_property`` of the project's model
        that queries: wrapped.  One that only builds a queryset is typed as one by the inference."""
        found = self._model_member(model, attr)
        if found is None or not is_property(found[1]):
            return
        module, func = found
        if self._returned(module, func, owner=model).kind == v.QUERYSET:
            return
        self._querying_property(node, attr, self._member_effect(model, attr, module, func), augmented)

    def _querying_property(self, node: cst.Attribute, attr: str, effect, augmented: bool | None) -> None:
        """Reading ``node``, a property whose body has ``effect``: wrapped when that is I/O."""
        if effect.is_pure:
            return
        if augmented:
            self.block(node, f"augmented assignment to .{attr}, a property that uses the database")
        else:
            self.point(node, "getattr", WRAP, False, f".{attr} is a property that uses the database "
                       f"({effect.reason})", attr=attr)

    # -- formatting ------------------------------------------------------------------------
    def visit_FormattedStringExpression(self, node: cst.FormattedStringExpression) -> None:
        why = self.str_queries(self.value_of(node.expression))
        if why and node.conversion == "r":
            self.block(node.expression, f"!r in an f-string calls {why}")
        elif why:
            self.point(node.expression, "wrap_str", WRAP, False, f"formatting it calls {why}")

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        if not isinstance(node.operator, cst.Modulo) or \
                not isinstance(node.left, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
            return
        operands = [e.value for e in node.right.elements] if isinstance(node.right, cst.Tuple) else [node.right]
        for operand in operands:
            why = self.str_queries(self.value_of(operand))
            if why:
                self.point(operand, "wrap_str", WRAP, False, f"formatting it calls {why}")

    # -- subscripts ------------------------------------------------------------------------
    def visit_Subscript(self, node: cst.Subscript) -> None:
        if id(node) in self._handled:
            return
        base = self.value_of(node.value)
        if id(node) in self._stores:   # ``a, request.session["k"] = ...``: no await can stand there
            if base.kind in (v.SESSION, v.QUERYSET):
                self.block(node, "assigns to a subscript of request.session or a queryset inside a larger target")
            return
        if base.kind == v.RAW:
            self.block(node, "raw queryset indexing (it has no async form)")
        elif base.kind == v.QUERYSET and not is_slice(node):
            if index_of(node) == 0:
                self.point(node, "index0", ORM, True, "qs[0] -> [x async for x in qs[:1]][0]")
            else:
                self.point(node, "getitem", WRAP, False, "queryset indexing")
        elif base.kind == v.SESSION:
            self.point(node, "getitem", WRAP, False, "request.session[...] loads the session")

    def _note_stores(self, target: cst.BaseExpression, augmented: bool = False) -> None:
        if isinstance(target, (cst.Attribute, cst.Subscript)):
            self._stores[id(target)] = augmented
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._note_stores(element.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._note_stores(node.target)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._note_stores(target.target)
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
        self._note_stores(node.target, augmented=True)
        if isinstance(node.target, cst.Subscript) and self.value_of(node.target.value).kind == v.SESSION:
            self._handled.add(id(node.target))
            self.block(node, "augmented assignment to request.session[...]")

    def _is_for_iter(self, node: cst.Call) -> bool:
        return id(node) in self.for_iters


def _unstarred(node: cst.BaseExpression) -> bool:
    """A tuple or list display with no ``*starred`` element."""
    return isinstance(node, (cst.Tuple, cst.List)) and not any(isinstance(e, cst.StarredElement) for e in node.elements)
