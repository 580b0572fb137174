"""What calling a function can do: nothing risky, touch the database, or block.

Known library functions are listed by qualified name; the project's own functions are read
with ``ast`` and followed through the calls they make (any module of the tree), so a view
that calls ``services.place_order()`` learns that it hits the database.  The verdict leans
to the safe side: a helper we are not sure about is reported as touching the database,
which makes it *wrapped* in ``sync_to_async`` (correct, one thread hop), never left bare.
"""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass

from .django_api import INSTANCE_METHODS, QUERYSET_CHAIN, QUERYSET_TERMINAL, RELATED_MANAGER_METHODS
from .project import Module, Project

PURE, DB, BLOCKING, UNKNOWN = "pure", "db", "blocking", "unknown"

PURE_PREFIXES = (
    "json.", "datetime.", "decimal.", "math.", "re.", "uuid.", "hashlib.", "hmac.", "base64.",
    "itertools.", "functools.", "collections.", "string.", "random.", "statistics.", "operator.",
    "typing.", "dataclasses.", "enum.", "logging.", "urllib.parse.", "html.", "textwrap.",
    "csv.", "io.StringIO", "io.BytesIO", "copy.", "fractions.", "secrets.", "zoneinfo.",
    "time.time", "time.monotonic", "time.perf_counter", "time.process_time", "time.gmtime", "time.localtime",
    "time.strftime", "time.mktime",   # clocks and conversions (time.sleep blocks: BLOCKING_CALLS)
    "django.http.", "django.urls.", "django.utils.", "django.core.exceptions.",
    "django.core.signing.", "django.core.validators.", "django.conf.settings",
    "django.template.response.", "django.shortcuts.redirect", "django.shortcuts.resolve_url",
    "django.contrib.messages.", "django.db.models.F", "django.db.models.Q",
    "django.db.models.Value", "django.db.models.functions.", "django.db.models.Count",
    "django.db.models.Sum", "django.db.models.Avg", "django.db.models.Min", "django.db.models.Max",
    "django.db.models.Exists", "django.db.models.OuterRef", "django.db.models.Subquery",
    "django.db.models.Case", "django.db.models.When", "django.db.models.Prefetch",
    "django.forms.", "django.views.decorators.", "django.contrib.auth.views.redirect_to_login",
    "django.middleware.csrf.get_token",   # reads and marks request.META only
)
# ``contrib.messages``: adding a message only appends to the storage's queue
# (django/contrib/messages/storage/base.py, BaseStorage.add); reading happens when the
# template renders, which TemplateResponse does in a worker thread.
PURE_BUILTINS = frozenset(name for name in dir(builtins) if not name.startswith("_")) - {
    "open", "input", "print", "exec", "eval", "compile", "__import__", "breakpoint", "help",
}
BLOCKING_CALLS = {
    "time.sleep": "time.sleep", "urllib.request.urlopen": "urllib.request.urlopen",
    "subprocess.run": "subprocess", "subprocess.call": "subprocess",
    "subprocess.check_call": "subprocess", "subprocess.check_output": "subprocess",
    "subprocess.Popen": "subprocess", "open": "open", "socket.create_connection": "socket",
    "django.core.mail.send_mail": "send_mail", "django.core.mail.send_mass_mail": "send_mail",
    "django.core.mail.mail_admins": "send_mail",
    "django.contrib.auth.hashers.make_password": "password hashing",   # CPU-heavy: off the event loop
}
BLOCKING_PREFIXES = ("requests.", "httpx.", "urllib3.", "smtplib.", "ftplib.", "shutil.")
DB_CALLS = {
    "django.shortcuts.get_object_or_404", "django.shortcuts.get_list_or_404",
    "django.shortcuts.render", "django.template.loader.render_to_string",
    "django.contrib.auth.login", "django.contrib.auth.logout", "django.contrib.auth.authenticate",
    "django.contrib.auth.get_user", "django.contrib.auth.update_session_auth_hash",
    "django.db.connection.cursor", "django.contrib.sites.shortcuts.get_current_site",
}
DB_PREFIXES = ("django.db.transaction.", "django.db.connection", "django.core.serializers.")
# Method names that mean database work whatever the receiver; names that are also common on
# dicts, lists and sets (get, update, count, add, ...) are left out: the model and relation
# checks catch those calls.
DB_METHOD_NAMES = (set(QUERYSET_TERMINAL) | set(INSTANCE_METHODS) | set(RELATED_MANAGER_METHODS)
                   | {"iterator", "full_clean", "is_valid", "validate_unique"}) - {
    "get", "update", "count", "add", "remove", "clear", "set", "delete", "contains"} | {"delete"}
PLAIN_REQUEST_ATTRS = {"GET", "POST", "META", "COOKIES", "headers", "FILES", "body", "method", "path"}


@dataclass(frozen=True)
class Effect:
    kind: str            # PURE, DB, BLOCKING or UNKNOWN
    reason: str = ""     # what was seen, with a line number

    @property
    def is_pure(self) -> bool:
        return self.kind == PURE


def library_effect(qualified: str) -> Effect | None:
    """Effect of a call to a library function, or None when the name is not a library we know."""
    if qualified in BLOCKING_CALLS or qualified.startswith(BLOCKING_PREFIXES):
        return Effect(BLOCKING, f"{qualified}() blocks")
    if qualified in DB_CALLS or qualified.startswith(DB_PREFIXES):
        return Effect(DB, f"{qualified}() uses the database")
    if "." not in qualified and qualified in PURE_BUILTINS:
        return Effect(PURE)
    if qualified.startswith(PURE_PREFIXES):
        return Effect(PURE)
    return None


class EffectIndex:
    """Memoised effects of the project's functions and methods (by qualified name)."""

    def __init__(self, project: Project, model_names: frozenset[str], relation_names: frozenset[str]):
        self.project = project
        self.model_names = model_names
        self.relation_names = relation_names
        self._memo: dict[str, Effect] = {}

    def of_function(self, qualified: str) -> Effect | None:
        """Effect of a project function ``pkg.mod.func``; None if it is not in the tree."""
        found = self.project.lookup(qualified)
        if found is None:
            return None
        module, name = found
        func = module.functions.get(name)
        if func is None and name in module.classes:
            # Instantiating a project class runs its __init__ (none: nothing to run).
            init = next((item for item in module.classes[name].body
                         if isinstance(item, ast.FunctionDef) and item.name == "__init__"), None)
            return self.of_node(f"{module.name}.{name}.__init__", module, init) if init else Effect(PURE)
        if func is None:
            return None
        return self.of_node(f"{module.name}.{name}", module, func)

    def of_node(self, key: str, module: Module, func: ast.AST, owner: str | None = None) -> Effect:
        """Effect of running ``func``; ``owner``: the qualified project class ``self`` is an
        instance of, to follow ``self.method()`` and ``self.property`` into their bodies."""
        key = f"{key} of {owner}" if owner else key
        if key in self._memo:
            return self._memo[key]
        self._memo[key] = Effect(DB, "recursive call")  # cycle guard: assume the worst
        effect = self._scan(module, func, owner)
        self._memo[key] = effect
        return effect

    def _of_member(self, owner: str, name: str, call: bool) -> Effect | None:
        """Effect of ``self.name()`` (``call``) or of reading ``self.name`` (a property)."""
        found = self.project.class_member(owner, name)
        if found is None or (not call and not is_property(found[1])):
            return None
        return self.of_node(f"{owner}:{name}@{found[1].lineno}", found[0], found[1], owner)

    def _scan(self, module: Module, func: ast.AST, owner: str | None = None) -> Effect:
        where = f"{module.path.name}:"
        # ``Task.Status.values``, ``Book.DoesNotExist``: naming a model's nested class or
        # exception is not a query.
        harmless = {id(n.value) for n in ast.walk(func) if isinstance(n, ast.Attribute)
                    and isinstance(n.value, ast.Name) and (n.attr[:1].isupper() or n.attr == "_meta")}
        called = {id(n.func) for n in ast.walk(func) if isinstance(n, ast.Call)}
        for node in ast.walk(func):
            if isinstance(node, ast.Attribute) and not isinstance(node.ctx, ast.Load):
                continue   # ``self.user = user`` stores; it reads nothing
            if isinstance(node, ast.Attribute):
                if node.attr in ("objects", "user", "session") or node.attr in self.relation_names:
                    return Effect(DB, f"{where}{node.lineno} reads .{node.attr}")
                if owner and isinstance(node.value, ast.Name) and node.value.id == "self":
                    inner = self._of_member(owner, node.attr, id(node) in called)
                    if inner is not None and not inner.is_pure:
                        what = f"calls self.{node.attr}()" if id(node) in called else f"reads .{node.attr}"
                        return Effect(inner.kind, f"{where}{node.lineno} {what} ({inner.reason})")
            elif isinstance(node, ast.Name) and node.id in self.model_names \
                    and isinstance(node.ctx, ast.Load) and id(node) not in harmless:
                return Effect(DB, f"{where}{node.lineno} uses model {node.id}")
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                for item in node.items:
                    name = module.qualify(item.context_expr.func) if isinstance(item.context_expr, ast.Call) else None
                    if name and "transaction" in name:
                        return Effect(DB, f"{where}{node.lineno} opens a transaction")
            if not isinstance(node, ast.Call):
                continue
            effect = self._call_effect(module, node, where)
            if not effect.is_pure:
                return effect
        return Effect(PURE)

    def _call_effect(self, module: Module, call: ast.Call, where: str) -> Effect:
        func = call.func
        if isinstance(func, ast.Attribute):
            if isinstance(func.value, ast.Attribute) and func.value.attr in PLAIN_REQUEST_ATTRS:
                return Effect(PURE)
            if func.attr in DB_METHOD_NAMES:
                return Effect(DB, f"{where}{call.lineno} calls .{func.attr}()")
            if func.attr in QUERYSET_CHAIN:
                return Effect(PURE)
        qualified = module.qualify(func)
        if qualified is None:
            return Effect(PURE) if isinstance(func, ast.Attribute) else Effect(UNKNOWN, f"{where}{call.lineno} dynamic call")
        known = library_effect(qualified)
        if known is not None:
            return Effect(known.kind, f"{where}{call.lineno} {known.reason}" if known.reason else "")
        inner = self.of_function(qualified)
        if inner is not None:
            return inner if inner.is_pure else Effect(inner.kind, f"{where}{call.lineno} calls {qualified.rsplit('.', 1)[-1]}() ({inner.reason})")
        if isinstance(func, ast.Attribute):
            return Effect(PURE)  # a method of a local value we could not type; ORM names caught above
        return Effect(UNKNOWN, f"{where}{call.lineno} calls {qualified}() (outside the project)")


def return_kind(module: Module, func: ast.AST, model_names: frozenset[str],
                chain: frozenset[str] = frozenset(QUERYSET_CHAIN),
                own_managers: dict[str, str] | None = None) -> tuple[str, str | None]:
    """What a project function returns: ("instance"|"queryset"|"plain"|"opaque", model), or
    ("argument", "N") when it returns its N-th argument refined (sliced or filtered), or
    ("new", qualified name) when it returns a call of a capitalised name (an instance?).

    Only shapes that say so plainly are recognised: ``get_object_or_404(Model, ...)``,
    ``Model.objects.<chain>`` (ending in ``get``/``first``/... for an instance), for a model's
    method ``self.<related manager>.<chain>`` (``own_managers``: name -> model), and literals.
    """
    params = [a.arg for a in func.args.posonlyargs + func.args.args]  # type: ignore[attr-defined]
    if params and params[0] == "self":
        params = params[1:]
    kinds = set()
    for node in ast.walk(func):
        if isinstance(node, ast.Return) and node.value is not None:
            value = node.value
            if isinstance(value, ast.Name):   # ``lines = []; ...; return lines``
                assigned = _assigned_values(func, value.id)
                kinds.add(("plain", None) if assigned and all(isinstance(a, PLAIN_LITERALS) for a in assigned)
                          else ("opaque", None))
            else:
                kinds.add(_expr_kind(module, value, model_names, params, chain, own_managers or {}))
    return kinds.pop() if len(kinds) == 1 else ("opaque", None)


def is_property(func: ast.AST) -> bool:
    """``@property``, ``@cached_property`` (functools' or Django's): read as an attribute."""
    for decorator in getattr(func, "decorator_list", ()):
        name = decorator.id if isinstance(decorator, ast.Name) else \
            decorator.attr if isinstance(decorator, ast.Attribute) else None
        if name in ("property", "cached_property"):
            return True
    return False


PLAIN_LITERALS = (ast.Dict, ast.List, ast.Tuple, ast.Set, ast.Constant, ast.JoinedStr,
                  ast.DictComp, ast.ListComp, ast.SetComp)


def _assigned_values(func: ast.AST, name: str) -> list[ast.expr]:
    values = []
    for node in ast.walk(func):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            values.append(node.value)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.For, ast.With, ast.NamedExpr)):
            target = getattr(node, "target", None)
            if isinstance(target, ast.Name) and target.id == name:
                return []
    return values


def _expr_kind(module: Module, expr: ast.expr, model_names: frozenset[str], params: list[str],
               chain: frozenset[str], own_managers: dict[str, str]) -> tuple[str, str | None]:
    # ``return queryset[a:b]`` / ``return queryset.filter(...)``: the argument, refined.
    inner = expr
    while isinstance(inner, ast.Subscript) and isinstance(inner.slice, ast.Slice) or (
            isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute)
            and inner.func.attr in chain):
        inner = inner.value if isinstance(inner, ast.Subscript) else inner.func.value
    if isinstance(inner, ast.Name) and inner.id in params and inner is not expr:
        return ("argument", str(params.index(inner.id)))
    if isinstance(expr, PLAIN_LITERALS):
        return ("plain", None)
    if not isinstance(expr, ast.Call):
        return ("opaque", None)
    name = module.qualify(expr.func) or ""
    if name.endswith("get_object_or_404") and expr.args:
        first = expr.args[0]
        while isinstance(first, ast.Call) and isinstance(first.func, ast.Attribute) \
                and first.func.attr in chain:
            first = first.func.value
        if isinstance(first, ast.Attribute) and first.attr == "objects":
            first = first.value
        if isinstance(first, ast.Name) and first.id in model_names:
            return ("instance", first.id)
    if name.startswith(("django.http.", "json.")):
        return ("plain", None)
    methods: list[str] = []
    node: ast.expr = expr
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        methods.append(node.func.attr)
        node = node.func.value
    model = None
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and methods:
        if node.attr == "objects" and node.value.id in model_names:
            model = node.value.id
        elif node.value.id == "self":
            model = own_managers.get(node.attr)
    if model is not None:
        if all(m in chain for m in methods):
            return ("queryset", model)
        if methods[0] in ("get", "first", "last", "latest", "earliest", "create") and \
                all(m in chain for m in methods[1:]):
            return ("instance", model)
    if name and name[:1] != "." and name.rsplit(".", 1)[-1][:1].isupper():
        return ("new", name)   # ``return HelpdeskUser(request.user)``: the caller sees which class
    return ("opaque", None)
