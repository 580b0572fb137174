"""Resolve URLconfs statically, the way Django would at import time, to the views they route."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from .project import Module, Project, flat_statements

ROUTE_FUNCS = {"path", "re_path", "url"}
PATTERN_WRAPPERS = {"i18n_patterns", "patterns"}


@dataclass(frozen=True)
class Route:
    module: str                  # defining module of the view
    name: str                    # function or class name
    is_class: bool
    urlconf: str                 # file:line of the route
    wrappers: tuple[str, ...] = ()   # decorators applied in urls.py, e.g. login_required(view)


@dataclass
class UrlconfResult:
    routes: list[Route] = field(default_factory=list)
    urlconfs: list[str] = field(default_factory=list)


def collect_routes(project: Project, root_urlconf: str | None) -> UrlconfResult:
    result = UrlconfResult()
    seen: set[str] = set()
    starts = [root_urlconf] if root_urlconf and project.find_module(root_urlconf) else [
        name for name in project.modules if name.split(".")[-1] == "urls"]
    for start in starts:
        module = project.find_module(start)
        if module is not None:
            _visit_module(project, module, result, seen)
    # urls modules nothing includes (e.g. an app whose urls the root forgot): still routes.
    for name, module in project.modules.items():
        if name.split(".")[-1] == "urls" and name not in seen:
            _visit_module(project, module, result, seen)
    return result


def _visit_module(project: Project, module: Module, result: UrlconfResult, seen: set[str]) -> None:
    if module.name in seen:
        return
    seen.add(module.name)
    result.urlconfs.append(module.name)
    _visit_list(project, module, "urlpatterns", result, seen)


def _visit_list(project: Project, module: Module, name: str, result: UrlconfResult, seen: set[str]) -> None:
    """The routes a module-level list gets: ``name = [...]``, ``name += [...]``,
    ``name.append(...)``/``extend(...)``, also under ``if settings.X:`` and ``try``."""
    for node in flat_statements(module.tree.body):
        value = None
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            value = node.value
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)) and isinstance(node.target, ast.Name) \
                and node.target.id == name:
            value = node.value
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) \
                and isinstance(node.value.func, ast.Attribute) \
                and isinstance(node.value.func.value, ast.Name) and node.value.func.value.id == name:
            value = ast.List(elts=list(node.value.args))
        if value is not None:
            _visit_patterns(project, module, value, result, seen)


def _visit_named_list(project: Project, module: Module, node: ast.expr, result: UrlconfResult,
                      seen: set[str]) -> bool:
    """``include(patterns_user)``, ``urlpatterns = [...] + api_patterns``: a list of routes by its
    name, defined in this module or imported from another (Django's docs show both).  False
    when ``node`` names no module-level list of a project module."""
    if isinstance(node, ast.Name) and not module.defines(node.id) and node.id not in module.imports:
        owner, name = module, node.id
    else:
        qualified = module.qualify(node)
        found = project.lookup(qualified) if qualified else None
        if found is None or found[0].defines(found[1]) or project.find_module(qualified) is not None:
            return False
        owner, name = found
    key = f"{owner.name}:{name}"
    if key not in seen:
        seen.add(key)
        if owner.name not in result.urlconfs:   # its routes are references, not calls
            result.urlconfs.append(owner.name)
        _visit_list(project, owner, name, result, seen)
    return True


def _visit_patterns(project: Project, module: Module, node: ast.expr | None, result: UrlconfResult,
                    seen: set[str]) -> None:
    if isinstance(node, (ast.List, ast.Tuple)):
        for element in node.elts:
            _visit_patterns(project, module, element, result, seen)
    elif isinstance(node, ast.BinOp):
        _visit_patterns(project, module, node.left, result, seen)
        _visit_patterns(project, module, node.right, result, seen)
    elif isinstance(node, ast.Call):
        func = (module.qualify(node.func) or "").rsplit(".", 1)[-1]
        if func in ROUTE_FUNCS:
            view = node.args[1] if len(node.args) > 1 else next(
                (k.value for k in node.keywords if k.arg == "view"), None)
            if view is not None:
                _visit_view(project, module, view, result, seen, node.lineno, ())
        elif func in PATTERN_WRAPPERS:
            for arg in node.args:
                _visit_patterns(project, module, arg, result, seen)
    elif isinstance(node, (ast.Name, ast.Attribute)):
        _visit_named_list(project, module, node, result, seen)


def _visit_view(project: Project, module: Module, view: ast.expr, result: UrlconfResult,
                seen: set[str], line: int, wrappers: tuple[str, ...]) -> None:
    where = f"{module.path}:{line}"
    if isinstance(view, ast.Call):
        func = module.qualify(view.func) or ""
        if func.endswith("include") and view.args:
            _visit_include(project, module, view.args[0], result, seen)
            return
        if isinstance(view.func, ast.Attribute) and view.func.attr == "as_view":
            target = module.qualify(view.func.value)
            if target:
                _add(project, target, True, where, wrappers, result)
            return
        # A decorator applied in urls.py: ``login_required(views.profile)``, ``cache_page(60)(views.x)``.
        if view.args:
            decorator = view.func.func if isinstance(view.func, ast.Call) else view.func
            _visit_view(project, module, view.args[0], result, seen, line,
                        (*wrappers, module.qualify(decorator) or "?"))
        return
    if isinstance(view, (ast.List, ast.Tuple)):  # path("x/", ([...], "app", "ns"))
        _visit_patterns(project, module, view.elts[0] if view.elts else None, result, seen)
        return
    if isinstance(view, ast.Constant) and isinstance(view.value, str):
        _add(project, view.value, False, where, wrappers, result)
        return
    target = module.qualify(view)
    if target:
        _add(project, target, False, where, wrappers, result)


def _visit_include(project: Project, module: Module, arg: ast.expr, result: UrlconfResult,
                   seen: set[str]) -> None:
    if isinstance(arg, ast.Tuple) and arg.elts:
        arg = arg.elts[0]
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        target = project.find_module(arg.value)
    elif isinstance(arg, (ast.List, ast.BinOp)):
        _visit_patterns(project, module, arg, result, seen)
        return
    else:
        qualified = module.qualify(arg)
        target = project.find_module(qualified) if qualified else None
        if target is None:
            _visit_named_list(project, module, arg, result, seen)
            return
    if target is not None:
        _visit_module(project, target, result, seen)


def _add(project: Project, qualified: str, is_class: bool, where: str, wrappers: tuple[str, ...],
         result: UrlconfResult) -> None:
    found = project.lookup(qualified)
    if found is None:
        return
    module, name = found
    is_class = is_class or name in module.class_info
    result.routes.append(Route(module.name, name, is_class, where, wrappers))
