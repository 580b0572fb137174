"""What the project's settings say that matters to async views, read statically."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from .project import Module, Project, flat_statements, resolve_relative

AUTH_MIDDLEWARE = "django.contrib.auth.middleware.AuthenticationMiddleware"
DJANGO_BACKENDS = "django.contrib.auth.backends."   # BaseBackend and its subclasses: async methods from 5.2
UNKNOWN = object()   # a setting whose value is not a literal (``int(os.environ[...])``)


@dataclass
class Settings:
    modules: list[str] = field(default_factory=list)
    root_urlconf: str | None = None
    middleware: list[str] = field(default_factory=list)
    middleware_read: bool = False   # MIDDLEWARE is a literal list or tuple in the settings modules
    atomic_requests: bool = False
    auth_user_model: str | None = None
    sync_backend: str | None = None   # an AUTHENTICATION_BACKENDS entry without Django's async methods
    values: dict[str, object] = field(default_factory=dict)
    every: dict[str, list[object]] = field(default_factory=dict)   # each branch's value

    @property
    def has_auth_middleware(self) -> bool:
        # No settings found: assume the default project template (which has it).
        return not self.modules or AUTH_MIDDLEWARE in self.middleware

    def no_auth_middleware_reason(self) -> str:
        """Why ``request.user`` keeps a view sync, when ``has_auth_middleware`` is false."""
        where = ", ".join(self.modules)
        if self.middleware_read:
            return f"request.user, but MIDDLEWARE in {where} has no AuthenticationMiddleware (request.auser())"
        return (f"request.user, but {where} sets no MIDDLEWARE list the tool can read (e.g. a settings class): "
                "it cannot tell that AuthenticationMiddleware gives request.auser()")


def read_settings(project: Project) -> Settings:
    settings = Settings()
    for name in project.settings_module_names:
        module = project.find_module(name)
        if module is None:
            continue
        settings.modules.append(module.name)
        _collect(project, module, settings.values, set(), settings.every)
    values = settings.values
    settings.root_urlconf = values.get("ROOT_URLCONF") if isinstance(values.get("ROOT_URLCONF"), str) else None
    middleware = values.get("MIDDLEWARE")
    settings.middleware_read = isinstance(middleware, (list, tuple))
    settings.middleware = [m for m in middleware if isinstance(m, str)] if settings.middleware_read else []
    for databases in settings.every.get("DATABASES", []):   # any branch that turns it on counts
        if isinstance(databases, dict) and any(
                isinstance(db, dict) and db.get("ATOMIC_REQUESTS") is True for db in databases.values()):
            settings.atomic_requests = True
    if values.get("ATOMIC_REQUESTS_ANY") is True:
        settings.atomic_requests = True
    user_model = values.get("AUTH_USER_MODEL")
    settings.auth_user_model = user_model if isinstance(user_model, str) else None
    settings.sync_backend = _sync_backend(project, settings.every.get("AUTHENTICATION_BACKENDS", []))
    return settings


def _sync_backend(project: Project, branches: list[object]) -> str | None:
    """The first backend of any branch's AUTHENTICATION_BACKENDS that has no ``aget_user`` /
    ``aauthenticate``: a class with no Django backend among its bases that does not define
    them (the project's, or one the tool cannot read)."""
    for value in branches:
        if not isinstance(value, (list, tuple)) or not all(isinstance(path, str) for path in value):
            return "AUTHENTICATION_BACKENDS (a value the tool cannot read)"
        for path in value:
            if not _has_async_methods(project, path):
                return path
    return None


def _has_async_methods(project: Project, qualified: str, depth: int = 0) -> bool:
    if qualified.startswith(DJANGO_BACKENDS):
        return True
    found = project.lookup(qualified)
    if depth > 10 or found is None or found[1] not in found[0].class_info:
        return False
    cls = found[0].class_info[found[1]]
    if {"aget_user", "aauthenticate"} <= set(cls.methods):
        return True
    return any(_has_async_methods(project, base, depth + 1) for base in cls.bases)


def _collect(project: Project, module: Module, values: dict[str, object], seen: set[str],
             every: dict[str, list[object]]) -> None:
    """Module-level UPPER_CASE assignments, following ``from x import *`` inside the tree and
    into ``if``/``try`` branches (``every`` keeps each branch's value; ``values`` the last)."""
    if module.name in seen:
        return
    seen.add(module.name)
    package = module.name.rsplit(".", 1)[0] if "." in module.name else ""
    for node in flat_statements(module.tree.body):
        if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
            target = project.find_module(resolve_relative(package, node.module, node.level))
            if target is not None:
                _collect(project, target, values, seen, every)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and target.id.isupper():
                    values[target.id] = _literal(node.value)
                    every.setdefault(target.id, []).append(values[target.id])
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            current, extra = values.get(node.target.id), _literal(node.value)
            if isinstance(current, list) and isinstance(extra, (list, tuple)):
                values[node.target.id] = [*current, *extra]
    # ``DATABASES["default"]["ATOMIC_REQUESTS"] = True`` written as a subscript assignment.
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Subscript) and isinstance(t.slice, ast.Constant)
            and t.slice.value == "ATOMIC_REQUESTS" for t in node.targets
        ) and isinstance(node.value, ast.Constant) and node.value.value is True:
            values["ATOMIC_REQUESTS_ANY"] = True


def _literal(node: ast.expr) -> object:
    try:
        return ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError, RecursionError):
        if isinstance(node, (ast.List, ast.Tuple)):
            return [_literal(e) for e in node.elts]
        if isinstance(node, ast.Dict):
            return {_literal(k) if k else None: _literal(v) for k, v in zip(node.keys, node.values)}
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
            return {kw.arg: _literal(kw.value) for kw in node.keywords if kw.arg}
        return UNKNOWN
