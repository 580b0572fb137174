"""Calls in a view body: which are ORM, auth, session, cache, forms, helpers or I/O, and
how each is made safe (native async API, a sync_to_async hop, or keep the view sync)."""

from __future__ import annotations

import libcst as cst

from . import django_api as api
from . import values as v
from .cst_names import dotted
from .effects import BLOCKING, library_effect
from .fast_visit import walk
from .inference import ITERATING_BUILTINS, ITERATING_LIBRARY, ITERATING_METHODS, iterated_arguments
from .points import ASYNC_DEF, AUTH, IO, ORM, TEMPLATE, WRAP

USER_CHANGING = {"django.contrib.auth.login", "django.contrib.auth.logout"}
# A logger's methods format their arguments (str()) when the record is emitted, in the caller.
LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "log"})


class CallRules:
    """Mixin of the body analyser: ``visit_Call`` and the rules behind it."""

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.star == "*" and self.value_of(node.value).is_query:
            self.point(node.value, "materialise", ORM, True, "*queryset unpacks it -> *[x async for x in qs]")

    # -- calls -----------------------------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        self._note_key_lambda(node)
        if isinstance(node.func, cst.Attribute):
            self._called.add(id(node.func))
            self._method_call(node, node.func)
        else:
            self._function_call(node)

    def _method_call(self, node: cst.Call, func: cst.Attribute) -> None:
        base, name = self.value_of(func.value), func.attr.value
        ctx = self.ctx
        if self.opens_cursor(node):
            self.point(node, "wrap_call", WRAP, False, "connection.cursor() opens a database cursor")
            return
        if base.kind == v.CURSOR:   # hops run in one thread per request: the cursor's own
            self.point(node, "wrap_method", WRAP, False, f"cursor.{name}() runs SQL")
            return
        if base.kind == v.RAW:
            self.block(node, f"raw().{name}(): a raw queryset has no async form but iteration")
            return
        if base.kind == v.STORED_FILE:
            if name in api.STORED_FILE_IO:
                self.point(node, "wrap_method", WRAP, False, f"file field .{name}() reads or writes the storage")
            return
        if self.module_function(func, base):
            self._function_call(node)   # ``services.helper()``, ``time.sleep()``: a module's function
            return
        if base.is_query:
            if name in api.QUERYSET_CHAIN or name in ("iterator", "raw") or ctx.facts.models.manager_methods.get(name):
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
            if name == "refresh_from_db" and isinstance(func.value, cst.Name) and \
                    not any(a.keyword and a.keyword.value == "fields" for a in node.args):
                # A full refresh drops cached relations: nothing select_related loaded holds.
                self.env[func.value.value] = base.with_(loaded=frozenset(), origin=None)
            if name in api.INSTANCE_METHODS:
                self._native_or_wrap(node, "method", ctx.supports(api.INSTANCE_MIN), api.INSTANCE_METHODS[name],
                                     f"instance .{name}()")
            elif base.is_user and name in api.USER_METHODS:
                async_name, minimum = api.USER_METHODS[name]
                self._native_or_wrap(node, "method", ctx.supports(minimum), async_name, f"user .{name}()",
                                     codemod=AUTH, backend_bound=name != "check_password")
            elif base.kind == v.INSTANCE and base.model not in ctx.facts.models.models:
                # An instance of a model the index does not know (wger's Ingredient.get_image()
                # read a reverse one-to-one): what its methods do is unknown, so they run in a thread.
                self.point(node, "wrap_method", WRAP, False, f".{name}() of an instance of an unknown model")
            elif self._model_method_touches_db(base.model, name):
                self.point(node, "wrap_method", WRAP, False, f"model method .{name}() uses the database")
            elif name in api.MODEL_QUERYING_METHODS or name.startswith(api.MODEL_QUERYING_PREFIXES):
                self.point(node, "wrap_method", WRAP, False, f"Django's model method .{name}() queries")
            elif name in api.PASSWORD_HASHING_METHODS and base.is_user:
                self.point(node, "wrap_method", WRAP, False, f"user .{name}() hashes a password (CPU-heavy)")
            return
        if base.kind == v.FORM:
            if base.touches_db and name in ("is_valid", "save", "save_m2m", "full_clean", "clean",
                                            "validate_unique", "has_changed"):
                self.point(node, "wrap_method", WRAP, False, f"form.{name}() queries the database", reason="form")
                return
            # The project's own form methods (a custom delete(), a clean_x() that queries).
            checked = [name] if name not in ("is_valid", "full_clean", "errors") else None
            why = self._form_methods_effect(base.source, checked)
            if why:
                self.point(node, "wrap_method", WRAP, False, f"form.{name}() ({why})", reason="form")
            return
        if base.kind == v.SESSION:
            if name in api.SESSION_METHODS:
                native = ctx.supports(api.SESSION_MIN)
                self._native_or_wrap(node, "method", native, api.SESSION_METHODS[name], f"session .{name}()")
            return
        if base.kind == v.CACHE:
            why = self._default_callable_io(node) if name == "get_or_set" else ""
            if why:   # aget_or_set() calls its default in the event loop
                self.point(node, "wrap_method", WRAP, False, f"cache.get_or_set() calls {why}")
                return
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
        if self.cls is not None and isinstance(func.value, cst.Call) and dotted(func.value.func) == "super" \
                and "super" not in self.env:
            self._super_method(node, name)
            return
        if base.kind == v.OPAQUE and base.cls:
            self._object_method(node, base, name)
            return
        if base.kind == v.OPAQUE and base.source.startswith("request."):
            self.unsafe_or_block(node, f"{base.source}.{name}(): {base.source} is set outside Django "
                                       "(a middleware?), the tool cannot tell what it does")
            return
        if base.kind == v.OPAQUE and base.source != v.HOLDS_INSTANCES and (
                name in api.QUERYSET_TERMINAL or name in api.INSTANCE_METHODS
                or name in api.RELATED_MANAGER_METHODS or name == "is_valid"):   # (a dict's update() is not a query)
            self.unsafe_or_block(node, f".{name}() on a value of unknown kind")
            return
        if base.kind == v.PLAIN and name == "format" and isinstance(func.value, (cst.SimpleString, cst.ConcatenatedString)):
            why = next(filter(None, (self.str_queries(self.value_of(a.value)) for a in node.args)), "")
            if why:
                self.point(node, "wrap_call", WRAP, False, f"str.format() calls {why}")
            return
        if name in LOG_METHODS and any(self.str_queries(self.value_of(a.value)) for a in node.args):
            self.point(node, "wrap_method", WRAP, False, f".{name}() formats a value whose str() runs a query")
            return
        if base.kind in (v.PLAIN, v.INSTANCES) and name in ITERATING_METHODS:   # ``", ".join(qs)``, ``titles.extend(qs)``
            self._iterated_arguments(node, name)
        if base.kind in (v.PLAIN, v.INSTANCES) and name in ("append", "insert", "extend") \
                and isinstance(func.value, cst.Name) and func.value.value in self.env:
            self._collected(func.value.value, base, name, node)
        elif base.kind == v.PLAIN and any(self.value_of(a.value).kind in v.FETCHED for a in node.args):
            self.stored_in(func.value)   # ``seen.add(book)``, ``groups.setdefault(key, []).append(book)``
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
                                 f"{qualified.rsplit('.', 1)[1]}()", codemod=codemod,
                                 backend_bound=qualified in api.BACKEND_FUNCTIONS)
            return
        if qualified == "django.shortcuts.render":
            self.point(node, "render", TEMPLATE, True, "render() -> TemplateResponse (rendered in a thread)")
            return
        short = qualified.rsplit(".", 1)[-1]
        if short in ITERATING_BUILTINS and "." not in qualified and node.args:
            for index, argument in iterated_arguments(short, node):
                self._iterated(node, short, argument, whole=index == 0)
            return
        if qualified in ("django.shortcuts.redirect", "django.shortcuts.resolve_url"):
            self._url_of_object(node, short)
            return
        if qualified in ("str", "repr") and len(node.args) == 1 and node.args[0].keyword is None:
            why = self.str_queries(self.value_of(node.args[0].value))
            if why:
                self.point(node, "wrap_call", WRAP, False, f"{qualified}() calls {why}")
            return
        if qualified == "getattr" and len(node.args) >= 2 and isinstance(node.args[1].value, cst.SimpleString):
            attr = node.args[1].value.evaluated_value
            if isinstance(attr, str) and self._lazy_attribute(self.value_of(node.args[0].value), attr):
                self.point(node, "wrap_call", WRAP, False, f"getattr() reads .{attr}, which may run a query")
            return
        effect = library_effect(qualified)
        if effect is not None:
            if not effect.is_pure:
                self._library_call(node, qualified, effect)
            elif qualified.startswith(ITERATING_LIBRARY):
                self._iterated_arguments(node, short)
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
            given = [self.value_of(a.value) for a in node.args]
            lazy_args = [g for g in given if g.is_query or g.kind == v.CURSOR]
            local = ctx.functions.get(short) if qualified == f"{ctx.module_name}.{short}" else None
            if (not inner.is_pure or lazy_args) and local is not None and self._safe_inline(local, node, None):
                return   # with these arguments its body does no I/O (e.g. relations already loaded)
            if not inner.is_pure or lazy_args:
                why = inner.reason if not inner.is_pure else \
                    "receives a database cursor" if lazy_args[0].kind == v.CURSOR else "receives a lazy queryset"
                self.point(node, "wrap_call", WRAP, False, f"helper {short}() ({why})", reason="helper")
            return
        if qualified.startswith("django."):
            self.unsafe_or_block(node, f"{qualified}() has no known async behaviour")
            return
        owner, _, method = qualified.rpartition(".")
        member = ctx.facts.project.class_member(owner, method) if owner else None
        if member is not None:   # ``GenericLoginView.get_next_url()``: a class- or static method
            self._member_call(node, member, owner, f"{owner.rsplit('.', 1)[-1]}.{method}()", "")
            return
        self.unsafe_or_block(node, f"{qualified}() is outside the project")

    def _url_of_object(self, node: cst.Call, short: str) -> None:
        """``redirect(obj)`` calls ``obj.get_absolute_url()``: wrapped when that may query (a
        project model's that does, or an object of a kind the tool cannot tell)."""
        first = node.args[0] if node.args else None
        if first is None or first.keyword is not None or first.star:
            return
        value = self.value_of(first.value)
        model = value.model or ("User" if value.kind == v.USER else None)
        if value.kind in (v.INSTANCE, v.USER) and model in self.ctx.facts.models.models:
            found = self._model_member(model, "get_absolute_url")
            effect = self._member_effect(model, "get_absolute_url", *found) if found else None
            if effect is not None and not effect.is_pure:
                self.point(node, "wrap_call", WRAP, False, f"{short}(obj) calls obj.get_absolute_url() ({effect.reason})")
        elif value.kind in (v.INSTANCE, v.OPAQUE):
            self.point(node, "wrap_call", WRAP, False,
                       f"{short}(obj) calls obj.get_absolute_url() if it has one, which may query")

    def _library_call(self, node: cst.Call, qualified: str, effect) -> None:
        if qualified == "time.sleep":
            self.point(node, "sleep", IO, True, "time.sleep() -> await asyncio.sleep()")
        elif effect.kind == BLOCKING:
            self.point(node, "wrap_call", IO, False, f"{qualified}() blocks -> sync_to_async", reason="blocking I/O")
        else:
            self.point(node, "wrap_call", WRAP, False, f"{qualified}() uses the database")

    def _native_or_wrap(self, node: cst.Call, kind: str, native: bool, async_name: str, what: str,
                        codemod: str = ORM, backend_bound: bool = False) -> None:
        """``backend_bound``: the async form calls the auth backends' own async methods."""
        backend = self.sync_backend() if backend_bound and native else ""
        if native and not backend:
            self.point(node, kind, codemod, True, f"{what} -> await {async_name}()", async_name=async_name)
            return
        why = f"{backend} has no {async_name.rsplit('.', 1)[-1]}()" if backend else \
            f"no async form in Django {api.format_version(self.ctx.options.target)}"
        self.point(node, "wrap_method" if kind == "method" else "wrap_call", WRAP, False, f"{what}: {why}")

    def sync_backend(self) -> str:
        """An AUTHENTICATION_BACKENDS entry without the async methods Django's async auth calls
        from 5.2 (``request.auser()``, ``aauthenticate()``, ``ahas_perm()``...); "" when none."""
        if not self.ctx.supports(api.BACKEND_ASYNC_MIN):
            return ""
        return self.ctx.facts.settings.sync_backend or ""

    def _self_method(self, node: cst.Call, name: str) -> None:
        if name in api.HTTP_HANDLERS and any(isinstance(s, cst.FunctionDef) and s.name.value == name
                                             for s in self.cls.body.body):
            # The class's handlers convert together: this one is a coroutine function too.
            self.point(node, "await_handler", ASYNC_DEF, True, f"self.{name}() -> await self.{name}() "
                       "(a handler of this view, async too)")
            return
        method = self._class_method(name)
        if method is None:
            if name in ("http_method_not_allowed", "options", *api.HTTP_HANDLERS):
                self.block(node, f"calls self.{name}(), which becomes a coroutine")
            else:
                self.unsafe_or_block(node, f"self.{name}() comes from a Django base class")
            return
        module, func = method
        effect = self.ctx.facts.effects.of_node(f"{module.name}.{name}@{func.lineno}", module, func, self._view_class)
        if effect.is_pure:
            return
        local = self._cst_method(name)
        if local is not None and self._safe_inline(local, node, self.cls):
            return   # with these arguments its body does no I/O (e.g. relations already loaded)
        self.point(node, "wrap_method", WRAP, False, f"self.{name}() ({effect.reason})", reason="helper")

    def _object_method(self, node: cst.Call, base: v.Value, name: str) -> None:
        """A method of an instance of a project class (``HelpdeskUser(user).allowed()``)."""
        short = base.cls.rsplit(".", 1)[-1]
        self._member_call(node, self.ctx.facts.project.class_member(base.cls, name), base.cls,
                          f"{short}.{name}()", f"{short}.{name}() is not defined in the project")

    def _super_method(self, node: cst.Call, name: str) -> None:
        """``super().name()``: a project base class's method is read like ``self.name()``;
        Django's own (``super().get()`` of a generic view runs its whole sync machinery) keeps
        the view sync, or is wrapped with --unsafe."""
        self._member_call(node, self._class_method(name, inherited=True), self._view_class,
                          f"super().{name}()", f"super().{name}() runs Django's sync code")

    def _member_call(self, node: cst.Call, found, owner: str | None, label: str, missing: str) -> None:
        """A call of the project method ``found`` (``self`` being an ``owner``): wrapped when its
        body queries; when the project defines none (``found`` None), ``missing`` keeps the
        view sync (--unsafe wraps it)."""
        if found is None:
            self.unsafe_or_block(node, missing)
            return
        module, func = found
        effect = self.ctx.facts.effects.of_node(f"{module.name}.{func.name}@{func.lineno}", module, func, owner)
        if not effect.is_pure:
            self.point(node, "wrap_method", WRAP, False, f"{label} ({effect.reason})", reason="helper")

    def _safe_inline(self, function: cst.FunctionDef, call: cst.Call, cls) -> bool:
        """Analyse a same-module helper's body with the values this call passes in: True when
        nothing in it would block or query (so calling it on the event loop is fine), or when
        all it needs is ``select_related`` on a query of this view, which is then added."""
        if self.depth >= 2 or function.asynchronous is not None:
            return False
        from .analysis import BodyAnalyser   # the walker; imported here to avoid a cycle

        inner = BodyAnalyser(self.ctx, function, cls, depth=self.depth + 1)
        params = [p.name.value for p in function.params.params]
        if cls is not None:
            params = params[1:]
        for name in params + [p.name.value for p in function.params.kwonly_params]:
            inner.env[name] = v.PLAIN_VALUE
        positional = [a for a in call.args if not a.keyword and not a.star]
        if any(a.star for a in call.args):
            return False
        for name, arg in zip(params, positional):
            inner.env[name] = self.value_of(arg.value)
        for arg in call.args:
            if arg.keyword is not None:
                inner.env[arg.keyword.value] = self.value_of(arg.value)
        walk(function.body, inner, self.ctx.lines)
        if inner.result.blockers or any(p.kind != "select_related" for p in inner.result.points):
            return False
        # Only relations of objects this view fetched: load them in the view's own query.
        self.result.points.extend(inner.result.points)
        return True

    def _cst_method(self, name: str) -> cst.FunctionDef | None:
        """Method ``name`` of the view class or of a base class defined in the same module."""
        queue, seen = [self.cls], set()
        while queue:
            cls = queue.pop(0)
            if cls is None or cls.name.value in seen:
                continue
            seen.add(cls.name.value)
            for item in cls.body.body:
                if isinstance(item, cst.FunctionDef) and item.name.value == name:
                    return item
            for base in cls.bases:
                if isinstance(base.value, cst.Name):
                    queue.append(self.ctx.classes.get(base.value.value))
        return None

    @property
    def _view_class(self) -> str | None:
        """The qualified name of the class view being analysed."""
        return f"{self.ctx.module_name}.{self.cls.name.value}" if self.cls is not None else None

    def _class_method(self, name: str, inherited: bool = False):
        """(module, ast) of method ``name`` on the view class or its project bases (``inherited``:
        only those, as ``super().name`` reaches)."""
        if self.cls is None:
            return None
        return self.ctx.facts.project.class_member(self._view_class, name, inherited)

    def _form_methods_effect(self, form: str, names: list[str] | None) -> str:
        """Why calling ``names`` (None: validation, i.e. every clean*) of project form class
        ``form`` is not pure; "" when it is."""
        found = self.ctx.facts.project.lookup(form) if form else None
        if not found or found[1] not in found[0].classes:
            return ""
        module, cls_name = found
        for item in module.classes[cls_name].body:
            name = getattr(item, "name", None)
            if not hasattr(item, "args") or (names is not None and name not in names) \
                    or (names is None and not name.startswith("clean")):
                continue
            effect = self.ctx.facts.effects.of_node(f"{form}.{name}", module, item, form)
            if not effect.is_pure:
                return effect.reason or "uses the database"
        return ""

    def _default_callable_io(self, node: cst.Call) -> str:
        """The I/O of the function ``cache.get_or_set(key, default)`` is given as its default
        (a name or dotted name of a project or library function), or ""."""
        default = next((a.value for a in node.args if a.keyword is not None and a.keyword.value == "default"),
                       node.args[1].value if len(node.args) > 1 and node.args[1].keyword is None else None)
        if not isinstance(default, (cst.Name, cst.Attribute)) or (isinstance(default, cst.Name)
                                                                  and default.value in self.env):
            return ""
        qualified = self.ctx.qualify(default) or ""
        effect = self.ctx.facts.effects.of_function(qualified) or library_effect(qualified)
        return f"{qualified.rsplit('.', 1)[-1]}() ({effect.reason})" if effect and not effect.is_pure else ""

    def stored_in(self, container: cst.BaseExpression) -> None:
        """An instance went into ``container`` (or into what it holds): a plain container is of
        unknown kind from then on, so what is read from it is read with care."""
        while isinstance(container, (cst.Attribute, cst.Call, cst.Subscript)):
            container = container.func if isinstance(container, cst.Call) else container.value
        if isinstance(container, cst.Name) and container.value in self.env \
                and self.env[container.value].kind == v.PLAIN:
            self.env[container.value] = v.Value(v.OPAQUE, source=v.HOLDS_INSTANCES)

    def _collected(self, holder: str, base: v.Value, name: str, node: cst.Call) -> None:
        """``picked.append(book)``, ``picked.extend(books)``: a list given fetched instances holds
        them (a relation read on one is a select_related on their query)."""
        given = [a.value for a in node.args if a.keyword is None and not a.star]
        if not given:
            return
        items = self._fetched(self.value_of(given[-1])) if name == "extend" else self.value_of(given[-1])
        if items.kind not in (v.INSTANCE, v.INSTANCES):
            return
        items = items.with_(kind=v.INSTANCES)
        if base.kind == v.INSTANCES and (base.model, base.only, base.deferred) != (items.model, items.only, items.deferred):
            self.env[holder] = v.Value(v.OPAQUE, source=v.HOLDS_INSTANCES)   # instances of two kinds
        elif base.kind == v.INSTANCES:
            self.env[holder] = base.with_(origin=base.origin if base.origin is items.origin else None,
                                          loaded=base.loaded & items.loaded)
        else:
            self.env[holder] = items

    def _iterated_arguments(self, node: cst.Call, name: str) -> None:
        """A queryset among the positional arguments of a call that iterates them is fetched first."""
        for argument in (a.value for a in node.args if a.keyword is None and not a.star):
            if id(argument) not in self._handled:
                self._iterated(node, name, argument, whole=False)

    def _iterated(self, node: cst.Call, short: str, argument: cst.BaseExpression, whole: bool) -> None:
        """``argument`` is iterated by ``short``; ``whole``: it is the first argument of the
        builtin ``short``, whose call as a whole may have an async form (``list``, ``len``, ``bool``)."""
        value = self.value_of(argument)
        if value.kind == v.CURSOR:
            self.block(node, f"{short}() over a database cursor (rows are fetched as it goes)")
            return
        if value.kind == v.RAW and short in ("len", "bool"):
            self.block(node, f"{short}() of a raw queryset (it has no acount()/aexists())")
            return
        if not value.is_rows:
            return
        if whole and short == "len" and isinstance(argument, cst.Call) and value.is_query:
            self.point(node, "len", ORM, True, "len(queryset) -> await qs.acount()")
        elif whole and short == "list":
            self.point(node, "list", ORM, True, "list(queryset) -> [x async for x in qs]")
        elif whole and short == "bool":
            self.point(node, "bool", ORM, True, "bool(queryset) -> await qs.aexists()")
        else:
            self.point(argument, "materialise", ORM, True, f"{short}(queryset) -> {short}([x async for x in qs])")
        self._handled.add(id(argument))

    def _note_key_lambda(self, node: cst.Call) -> None:
        """``sorted(items, key=lambda b: ...)``, ``items.sort(key=...)``, ``min``/``max``, and
        ``map(lambda b: ..., items)``, ``filter(lambda b: ..., items)``: the lambda's parameter is
        an item of ``items`` (an instance, when a query gave them)."""
        key = next((a.value for a in node.args if a.keyword is not None and a.keyword.value == "key"), None)
        positional = [a.value for a in node.args if a.keyword is None and not a.star]
        if isinstance(node.func, cst.Name) and node.func.value in ("map", "filter") and len(positional) == 2 \
                and len(node.args) == 2:
            key, items = positional
        elif isinstance(node.func, cst.Attribute) and node.func.attr.value == "sort":
            items = node.func.value
        elif isinstance(node.func, cst.Name) and node.func.value in ("sorted", "min", "max") and node.args \
                and node.args[0].keyword is None:
            items = node.args[0].value
        else:
            return
        if not isinstance(key, cst.Lambda) or len(key.params.params) != 1:
            return
        source = self.value_of(items)
        if source.gives_instances:
            self.key_lambdas[id(key)] = (key.params.params[0].name.value, source.item())

    def _lazy_attribute(self, value: v.Value, attr: str) -> bool:
        """May reading ``attr`` of ``value`` run a query (``getattr(book, "author")``)?"""
        if value.kind == v.OPAQUE:
            return attr in self.ctx.facts.models.relation_names
        if value.kind not in (v.INSTANCE, v.USER):
            return False
        info = self.ctx.facts.models.models.get(value.model or ("User" if value.kind == v.USER else ""))
        if info is None:
            return False
        relation = info.relations.get(attr)
        if relation is not None:
            path = f"{value.prefix}__{attr}" if value.prefix else attr
            return not relation.is_manager and path not in value.loaded
        return attr in info.fields and value.defers(attr)

    def _model_method_touches_db(self, model: str | None, name: str) -> bool:
        found = self._model_member(model, name) if model else None
        if found is None:
            contrib = self.ctx.facts.models.contrib(model)
            return contrib is not None and name in contrib.querying
        module, item = found
        if self._returned(module, item, owner=model).kind == v.QUERYSET:
            return False   # only builds a lazy queryset (typed as one by the inference)
        return not self._member_effect(model, name, module, item).is_pure
