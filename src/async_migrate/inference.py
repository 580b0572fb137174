"""What a value in a view body is: the type half of the analysis (see values.py)."""

from __future__ import annotations

import libcst as cst

from . import django_api as api
from . import values as v
from .cst_names import dotted
from .cst_shapes import index_of, is_slice, literal_args, raw_columns, select_related_args
from .effects import is_property, library_effect, return_kind
from .values import Value

CLEANED_DATA = "form.cleaned_data"   # the source of a form's cleaned_data value
MAPPING = "dict of instances"        # the source of an INSTANCES value that is a dict: in_bulk(), {k: b for b in qs}
ITERATING_BUILTINS = {"list", "tuple", "set", "sorted", "len", "sum", "min", "max", "any", "all",
                      "bool", "dict", "frozenset", "enumerate", "zip", "reversed", "map", "filter", "iter"}

# Library functions and methods of plain values (str, list, set, dict) that iterate their
# positional arguments: a queryset given to one would be fetched on the event loop.
ITERATING_LIBRARY = ("itertools.", "collections.Counter", "collections.deque", "collections.OrderedDict",
                     "statistics.", "heapq.", "random.choice", "random.sample", "functools.reduce")
ITERATING_METHODS = frozenset({"join", "extend", "update", "union", "intersection", "difference",
                               "symmetric_difference", "issubset", "issuperset", "isdisjoint", "fromkeys",
                               "writelines", "writerows", "intersection_update", "difference_update",
                               "symmetric_difference_update"})

CACHES = "django.core.cache.caches"   # ``caches[alias]`` is a cache
CACHE_NAMES = {"django.core.cache.cache": Value(v.CACHE), CACHES: Value(v.PLAIN, source=CACHES)}


def iterated_arguments(short: str, node: cst.Call) -> list[tuple[int, cst.BaseExpression]]:
    """The positional arguments (with their index) the builtin ``short`` iterates: every one of
    ``zip()``, all but the function of ``map()``, the second of ``filter()``, the only one of
    ``min()``/``max()`` (given two or more, they compare them), else the first."""
    positional = [a.value for a in node.args if a.keyword is None and not a.star]
    if short == "zip":
        chosen = range(len(positional))
    elif short == "map":
        chosen = range(1, len(positional))
    elif short == "filter":
        chosen = range(1, min(2, len(positional)))
    elif short in ("min", "max") and len(positional) > 1:
        chosen = range(0)
    else:
        chosen = range(min(1, len(positional)))
    return [(index, positional[index]) for index in chosen]


class ValueInference:
    """Mixin of the body analyser: ``value_of(expr)`` from the names bound so far (``self.env``)."""

    @property
    def chain_methods(self) -> frozenset[str]:
        """QuerySet methods that return a queryset, the project's custom ones included."""
        custom = {name for name, chain in self.ctx.facts.models.manager_methods.items() if chain}
        return frozenset(api.QUERYSET_CHAIN) | custom

    def value_of(self, node: cst.BaseExpression) -> Value:
        if isinstance(node, cst.Name):
            if node.value in self.env:
                return self.env[node.value]
            return self._global_value(node)
        if isinstance(node, cst.Attribute):
            return self._attribute_value(node)
        if isinstance(node, cst.Call):
            return self._call_value(node)
        if isinstance(node, cst.ListComp):
            return self._fetched(self.value_of(node.for_in.iter)) if _bare_loop(node) else v.PLAIN_VALUE
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, (cst.BitOr, cst.BitAnd, cst.BitXor)):
            return _combined(self.value_of(node.left), self.value_of(node.right), v.PLAIN_VALUE)
        if isinstance(node, cst.IfExp):   # ``Book.objects.get(pk=pk) if pk else None``
            body, orelse = self.value_of(node.body), self.value_of(node.orelse)
            if _is_none(node.orelse) or _is_none(node.body):
                return orelse if _is_none(node.body) else body
            return _combined(body, orelse, body)
        if isinstance(node, cst.NamedExpr):
            return self.value_of(node.value)
        if isinstance(node, cst.BooleanOperation):   # ``qs.first() or default``: one of the two
            left, right = self.value_of(node.left), self.value_of(node.right)
            return right if _is_none(node.left) else left if _is_none(node.right) else _combined(left, right, left)
        if isinstance(node, cst.DictComp):   # ``{b.pk: b for b in qs}``: its values are the instances
            fetched = self._fetched(self.value_of(node.for_in.iter)) if _bare_loop(node) else v.PLAIN_VALUE
            return fetched.with_(source=MAPPING) if fetched.kind == v.INSTANCES else fetched
        if isinstance(node, cst.Subscript):
            base = self.value_of(node.value)
            if base.source == CACHES:   # ``caches["default"]``: a cache like ``cache``
                return Value(v.CACHE)
            if base.kind == v.QUERYSET and is_slice(node):
                return base.with_(origin=node)
            if base.kind == v.QUERYSET and not base.rows_plain:
                return Value(v.INSTANCE, base.model, origin=None, only=base.only, deferred=base.deferred)
            if base.kind == v.INSTANCES and not is_slice(node):
                return base.item()
            if base.kind == v.INSTANCES:
                return base
            if base.source == CLEANED_DATA:
                return self._cleaned_value(base, node.slice[0].slice.value if len(node.slice) == 1
                                           and isinstance(node.slice[0].slice, cst.Index) else None)
            if base.kind == v.PAIR and index_of(node) == 0:
                return Value(v.INSTANCE, base.model, origin=base.origin, loaded=base.loaded,
                             only=base.only, deferred=base.deferred)
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
        if qualified in CACHE_NAMES:
            return CACHE_NAMES[qualified]
        form = self.ctx.facts.models.forms.get(qualified)
        if form is not None:
            return Value(v.PLAIN, source="form class")
        return v.PLAIN_VALUE

    def _attribute_value(self, node: cst.Attribute) -> Value:
        head = node.value
        while isinstance(head, cst.Attribute):
            head = head.value
        if isinstance(head, cst.Name) and head.value not in self.env:   # ``cache_module.cache``
            known = CACHE_NAMES.get(self.ctx.qualify(node) or "")
            if known is not None:
                return known
        base, attr = self.value_of(node.value), node.attr.value
        models = self.ctx.facts.models
        if base.kind == v.MODEL:
            info = models.models.get(base.model or "")
            if info and attr in info.managers:
                return Value(v.MANAGER, base.model, origin=node)
            return v.PLAIN_VALUE
        if base.kind == v.REQUEST:
            if attr not in api.REQUEST_ATTRS:
                return Value(v.OPAQUE, source=f"request.{attr}")   # set by a project middleware
            return {"session": Value(v.SESSION), "user": Value(v.USER, "User")}.get(attr, v.PLAIN_VALUE)
        if base.kind == v.SELF:
            return Value(v.REQUEST) if attr == "request" else v.PLAIN_VALUE
        if base.kind in (v.INSTANCE, v.USER):
            info = models.models.get(base.model or "User" if base.kind == v.USER else base.model or "")
            if info is None:
                return v.OPAQUE_VALUE   # an instance of a model we do not know
            relation = info.relations.get(attr)
            if attr in info.file_fields:
                return Value(v.STORED_FILE, source=f".{attr}")
            if relation is None:
                member = None if attr in info.fields else self._model_member(base.model or "User", attr)
                if member is not None and is_property(member[1]):
                    return self._returned(*member, owner=base.model or "User")
                return v.PLAIN_VALUE
            path = f"{base.prefix}__{attr}" if base.prefix else attr
            if relation.is_manager:
                return Value(v.RELATED, relation.target, origin=node)
            if relation.kind == "gfk":
                return v.OPAQUE_VALUE   # an object of any model
            return Value(v.INSTANCE, relation.target, origin=base.origin, prefix=path, loaded=base.loaded)
        if base.kind == v.PAGINATOR and attr == "object_list":
            return Value(v.QUERYSET, base.model)
        if base.kind == v.FORM and attr == "cleaned_data":
            return Value(v.PLAIN, base.model, touches_db=base.touches_db, source=CLEANED_DATA)
        return v.OPAQUE_VALUE if base.kind == v.OPAQUE else v.PLAIN_VALUE

    def _call_value(self, node: cst.Call) -> Value:
        func = node.func
        if self.opens_cursor(node):
            return Value(v.CURSOR)
        base = self.value_of(func.value) if isinstance(func, cst.Attribute) else None
        if base is not None and not self.module_function(func, base):
            name = func.attr.value
            if base.is_query:
                # select_related goes on the root of the chain (``Book.objects``), which every
                # branch that refines the queryset shares.
                origin = base.origin or node
                loaded = base.loaded | select_related_args(node) if name == "select_related" else base.loaded
                if name == "raw" and base.kind == v.MANAGER:
                    columns = raw_columns(node)   # a foreign key's column loads its field
                    only = None if columns is None else columns | {c[:-3] for c in columns if c.endswith("_id")}
                    return Value(v.RAW, base.model, only=only)
                if name in api.QUERYSET_CHAIN or self.ctx.facts.models.manager_methods.get(name):
                    rows_plain = base.rows_plain or name in ("values", "values_list")
                    only, deferred = v.deferral(name, literal_args(node), base)
                    return Value(v.QUERYSET, base.model, origin=origin, loaded=loaded, rows_plain=rows_plain,
                                 only=only, deferred=deferred)
                # create()/get_or_create() may build the object without a query: no
                # select_related can cover its relations.
                created = name in ("create", "get_or_create", "update_or_create")
                if name == "create":   # create(author=obj) caches obj as the relation
                    info = self.ctx.facts.models.models.get(base.model or "")
                    given = {a.keyword.value for a in node.args if a.keyword is not None}
                    loaded = loaded | frozenset(given & set(info.relations)) if info else loaded
                if name in api.RETURNS_INSTANCE:
                    return Value(v.INSTANCE, base.model, origin=None if created else origin, loaded=loaded,
                                 only=base.only, deferred=base.deferred)
                if name in api.RETURNS_PAIR:
                    return Value(v.PAIR, base.model, origin=None, loaded=loaded, only=base.only, deferred=base.deferred)
                if name == "iterator":
                    return base.with_(kind=v.QUERYSET, origin=origin)
                if name == "in_bulk" and not base.rows_plain:   # {pk: instance}
                    return base.with_(kind=v.INSTANCES, origin=origin, source=MAPPING)
                return v.PLAIN_VALUE if name in api.QUERYSET_TERMINAL else v.OPAQUE_VALUE
            if base.kind == v.INSTANCES and base.source == MAPPING:   # a dict of fetched instances
                if name in ("values", "copy"):
                    return base
                if name in ("get", "pop", "setdefault"):
                    return base.item()
                return v.PLAIN_VALUE   # keys(), items() (a loop over items() reads them: _zipped)
            if base.kind == v.FORM and name == "save":
                return Value(v.INSTANCE, base.model)
            if base.source == CLEANED_DATA and name == "get" and node.args:
                return self._cleaned_value(base, node.args[0].value)
            if base.kind == v.PAGINATOR and name in ("page", "get_page"):
                return Value(v.PAGINATOR, base.model, source="page")
            if base.kind in (v.PLAIN, v.REQUEST, v.SESSION, v.CACHE, v.USER):
                return v.PLAIN_VALUE
            if base.kind == v.SELF:
                method = self._class_method(name)
                return self._returned(*method, node) if method else v.OPAQUE_VALUE
            if base.kind == v.INSTANCE and base.model:
                method = self._model_member(base.model, name)
                if method is not None:
                    return self._returned(*method, node, owner=base.model)
            if base.kind == v.OPAQUE and base.cls:
                method = self.ctx.facts.project.class_member(base.cls, name)
                if method is not None:
                    return self._returned(*method, node)
            return v.OPAQUE_VALUE
        qualified = self.ctx.qualify(func) or ""
        short = qualified.rsplit(".", 1)[-1]
        models = self.ctx.facts.models
        if qualified in ("django.shortcuts.get_object_or_404", "django.shortcuts.get_list_or_404") and node.args:
            first = self.value_of(node.args[0].value)
            return Value(v.INSTANCE if short == "get_object_or_404" else v.INSTANCES, first.model, origin=node,
                         loaded=first.loaded, only=first.only, deferred=first.deferred)
        if qualified == "django.contrib.auth.authenticate":
            return Value(v.USER, "User")
        if qualified.startswith("django.core.paginator.") and node.args:
            return Value(v.PAGINATOR, self.value_of(node.args[0].value).model)
        if qualified == "django.contrib.auth.get_user_model":
            return Value(v.MODEL, models.models["User"].name)   # the class, not an instance
        model = models.model_for(qualified) or (models.models.get(short) if short in self.ctx.local_defs else None)
        if model is not None:
            return Value(v.INSTANCE, model.name)
        form = models.forms.get(qualified)
        if form is not None:
            return Value(v.FORM, form.model, touches_db=form.touches_db, source=qualified)
        if short in ("list", "tuple", "sorted", "reversed") and "." not in qualified and node.args:
            return self._fetched(self.value_of(node.args[0].value))
        if short == "filter" and "." not in qualified and len(node.args) == 2:   # the same items, fewer
            return self._fetched(self.value_of(node.args[1].value))
        if short == "next" and "." not in qualified and node.args:   # ``next(iter(books))``, ``next(b for b in qs)``
            items = _iterated_source(node.args[0].value)
            source = self._fetched(self.value_of(items)) if items is not None else v.PLAIN_VALUE
            return source.item() if source.gives_instances else v.PLAIN_VALUE
        if qualified.startswith(ITERATING_LIBRARY) and any(self.value_of(a.value).gives_instances for a in node.args):
            return v.OPAQUE_VALUE   # ``itertools.chain(qs, more)``: what it gives is not typed
        if short in ITERATING_BUILTINS or library_effect(qualified) is not None:
            return v.PLAIN_VALUE
        found = self.ctx.facts.project.lookup(qualified)
        if found and found[1] in found[0].functions:
            return self._returned(found[0], found[0].functions[found[1]], node)
        if found and found[1] in found[0].classes:
            return Value(v.OPAQUE, source=f"{short} instance", cls=f"{found[0].name}.{found[1]}")
        return v.OPAQUE_VALUE

    def module_function(self, func: cst.Attribute, base: Value) -> bool:
        """``services.open_orders`` (``base``: the value of ``services``): a function reached
        through an imported module (typed like one imported by name), not a method of a value."""
        head = (dotted(func.value) or "").split(".")[0]
        return base.kind == v.PLAIN and bool(head) and head in self.ctx.imports and head not in self.env

    def opens_cursor(self, node: cst.BaseExpression) -> bool:
        """``connection.cursor()``, ``connections["legacy"].cursor()`` (``django.db``'s)."""
        if not (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "cursor"):
            return False
        receiver = node.func.value
        while isinstance(receiver, cst.Subscript):
            receiver = receiver.value
        return self.ctx.qualify(receiver) in ("django.db.connection", "django.db.connections")

    def _returned(self, module, func, call: cst.Call | None = None, owner: str | None = None) -> Value:
        """The value a project function or method (of project model ``owner``) returns, as far
        as its source says."""
        info = self.ctx.facts.models.models.get(owner or "")
        own = {name: r.target for name, r in info.relations.items() if r.is_manager} if info else None
        kind, model = return_kind(module, func, frozenset(self.ctx.facts.models.models), self.chain_methods, own)
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
        if kind == "new" and model is not None:
            made = self.ctx.facts.models.model_for(model)
            found = self.ctx.facts.project.lookup(model)
            if made is not None:
                return Value(v.INSTANCE, made.name)
            if found and found[1] in found[0].classes:
                return Value(v.OPAQUE, source=f"{found[1]} instance", cls=f"{found[0].name}.{found[1]}")
        effect = self.ctx.facts.effects.of_node(f"{module.name}.{func.name}@{func.lineno}", module, func)
        return v.PLAIN_VALUE if effect.is_pure else v.OPAQUE_VALUE

    def _model_member(self, model: str, name: str):
        """(module, ast) of the function ``name`` of project model ``model``, or of a project
        class it derives from (an abstract model, a mixin); None when the project defines none."""
        for qualified in self.ctx.facts.models.qualnames.get(model, ()):
            found = self.ctx.facts.project.class_member(qualified, name)
            if found is not None:
                return found
        return None

    def _fetched(self, source: Value) -> Value:
        """What ``list(source)`` (or ``[x for x in source]``) holds: the instances of a query,
        which keep its origin (a relation read on one is a select_related on it)."""
        if source.gives_instances:
            return source.with_(kind=v.INSTANCES)
        return v.PLAIN_VALUE

    def _cleaned_value(self, data: Value, key: cst.BaseExpression | None) -> Value:
        """``form.cleaned_data[key]``: a ModelForm's foreign key field gives an instance, a
        many-to-many one a queryset; a form with other database-backed fields, anything."""
        info = self.ctx.facts.models.models.get(data.model or "")
        name = key.evaluated_value if isinstance(key, cst.SimpleString) else None
        if info is not None and isinstance(name, str):
            relation = info.relations.get(name)
            if relation is None:
                return v.PLAIN_VALUE if name in info.fields else v.OPAQUE_VALUE
            if relation.kind in ("fk", "o2o"):
                return Value(v.INSTANCE, relation.target)
            return Value(v.QUERYSET, relation.target) if relation.kind == "m2m" else v.OPAQUE_VALUE
        return v.OPAQUE_VALUE if data.touches_db else v.PLAIN_VALUE

    def str_queries(self, value: Value) -> str:
        """What makes ``str(value)`` query, for an instance of a project model whose ``__str__``
        does (``f"{book}"`` with ``return f"{self.title} by {self.author}"``), or for a queryset
        (its repr() fetches up to 21 rows); "" otherwise."""
        if value.kind == v.QUERYSET:
            return "QuerySet.__repr__(), which runs its query"
        model = value.model or ("User" if value.kind == v.USER else None)
        if value.kind not in (v.INSTANCE, v.USER) or model is None:
            return ""
        contrib = self.ctx.facts.models.contrib(model)
        if contrib is not None:
            read = f"{value.prefix}__{contrib.str_reads}" if value.prefix else contrib.str_reads
            return f"{model}.__str__() reads {contrib.str_reads}" if contrib.str_reads and read not in value.loaded else ""
        found = self._model_member(model, "__str__")
        effect = self._member_effect(model, "__str__", *found) if found else None
        return f"{model}.__str__() ({effect.reason})" if effect is not None and not effect.is_pure else ""

    def _member_effect(self, model: str, name: str, module, func):
        """Effect of running model ``model``'s member ``func`` (``self`` is a ``model``)."""
        owner = next(iter(self.ctx.facts.models.qualnames.get(model, ())), None)
        return self.ctx.facts.effects.of_node(f"{module.name}.{model}.{name}@{func.lineno}", module, func, owner)


def _combined(first: Value, second: Value, plain: Value | None) -> Value:
    """The value of ``first | second``, ``first if ... else second`` or ``first or second``: a
    queryset when both are (with no origin: select_related cannot go on one side alone), one
    of two instances alike, ``plain`` when neither is from the database, else of unknown kind
    (reading it is then done with care)."""
    if first.is_query and second.is_query:
        return Value(v.QUERYSET, first.model if first.model == second.model else None,
                     rows_plain=first.rows_plain or second.rows_plain)
    if plain is not None and first.kind == second.kind == v.PLAIN:
        return plain
    if plain is not None and first.kind == second.kind and first.kind in (v.INSTANCE, v.INSTANCES) \
            and (first.model, first.only, first.deferred) == (second.model, second.only, second.deferred):
        return first.with_(origin=None, loaded=first.loaded & second.loaded)   # one of two fetched instances
    return v.OPAQUE_VALUE


def _iterated_source(node: cst.BaseExpression) -> cst.BaseExpression | None:
    """What ``iter(items)`` or ``(b for b in items if ...)`` gives the items of."""
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "iter" \
            and len(node.args) == 1:
        return node.args[0].value
    if isinstance(node, cst.GeneratorExp) and _bare_loop(node):
        return node.for_in.iter
    return None


def _is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def _bare_loop(node: cst.ListComp | cst.GeneratorExp | cst.DictComp) -> bool:
    """``[b for b in source]``, ``(b for b in source)``, ``{key: b for b in source}`` (with
    conditions at most): the source's own items."""
    element = node.value if isinstance(node, cst.DictComp) else node.elt
    return (isinstance(element, cst.Name) and isinstance(node.for_in.target, cst.Name)
            and element.value == node.for_in.target.value and node.for_in.inner_for_in is None)
