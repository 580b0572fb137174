"""Find the views of a project: routed function views, view-shaped functions no URL reaches,
and ``View`` subclasses, plus who else calls a view directly."""

from __future__ import annotations

import ast
import bisect
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from .django_api import GENERIC_VIEWS, HTTP_HANDLERS
from .project import ClassInfo, FunctionInfo, Module, Project, is_views_module, words_of
from .urlconf import Route

NEWLINE = re.compile(r"\r\n|\r|\n")   # line ends as Python counts them
VIEW_BASE = {"django.views.View", "django.views.generic.View", "django.views.generic.base.View"}
# Django classes whose dispatch() is sync and reads request.user (a query) before the handler:
# django/contrib/auth/mixins.py, LoginRequiredMixin, PermissionRequiredMixin, UserPassesTestMixin.
SYNC_DISPATCH = {f"django.contrib.auth.mixins.{name}"
                 for name in ("LoginRequiredMixin", "PermissionRequiredMixin", "UserPassesTestMixin")}
HARMLESS_BASES = {"object", "abc.ABC", "typing.Generic"}
RESPONSE_NAMES = {"HttpResponse", "JsonResponse", "render", "redirect", "HttpResponseRedirect",
                  "TemplateResponse", "StreamingHttpResponse", "FileResponse", "HttpResponseNotFound",
                  "HttpResponseBadRequest", "HttpResponseForbidden"}


@dataclass
class FoundView:
    module: str
    name: str                         # function name, or class name for class-based views
    path: Path
    line: int
    is_class: bool
    routed: bool
    routes: list[str] = field(default_factory=list)
    wrappers: list[str] = field(default_factory=list)     # decorators applied in urls.py, or by
                                                          # ``view = decorator(view)``
    callers: list[str] = field(default_factory=list)      # file:line of direct calls
    generic_base: str | None = None                       # e.g. "ListView"
    inherited_handlers: list[str] = field(default_factory=list)  # handlers from project bases
    dispatch_from: str | None = None                      # class whose dispatch() overrides View's
    foreign_base: str | None = None                       # a base from outside the project and Django

    @property
    def qualified(self) -> str:
        return f"{self.module}.{self.name}"


def is_test_module(name: str) -> bool:
    parts = name.split(".")
    return any(p == "tests" or p.startswith("test_") or p == "test" or p.endswith("_tests") for p in parts)


def find_views(project: Project, routes: list[Route], unrouted_callers: bool = True,
               urlconfs: frozenset[str] = frozenset()) -> dict[str, FoundView]:
    """Qualified name -> view, for every routed view and every view-shaped function (direct
    callers are looked for only for routed ones unless ``unrouted_callers``, and not in
    ``urlconfs``, the modules routes were read from)."""
    views: dict[str, FoundView] = {}
    for route in routes:
        module = project.modules.get(route.module)
        if module is None or is_test_module(module.name):
            continue
        info = module.class_info.get(route.name) if route.is_class else module.function_info.get(route.name)
        if info is None:
            continue
        key = f"{module.name}.{route.name}"
        view = views.get(key)
        if view is None:
            view = views[key] = FoundView(module.name, route.name, module.path, info.line,
                                          route.is_class, routed=True)
            if route.is_class:
                _describe_class(project, module, route.name, view)
        view.routes.append(route.urlconf)
        view.wrappers.extend(w for w in route.wrappers if w not in view.wrappers)
    for module in project.defining_modules():
        if is_test_module(module.name):
            continue
        for name, func in module.function_info.items():
            key = f"{module.name}.{name}"
            if key not in views and looks_like_view(module, name, func):
                views[key] = FoundView(module.name, name, module.path, func.line, False, routed=False)
        for name, cls in module.class_info.items():
            key = f"{module.name}.{name}"
            if key not in views and _view_base(project, module, cls) is not None:
                view = views[key] = FoundView(module.name, name, module.path, cls.line, True, routed=False)
                _describe_class(project, module, name, view)
    _drop_base_classes(project, views)
    _find_callers(project, views, unrouted_callers, urlconfs)
    return views


def _drop_base_classes(project: Project, views: dict[str, FoundView]) -> None:
    """An unrouted View subclass that other views derive from is a base, not a view."""
    bases: set[str] = set()
    for view in views.values():
        if view.is_class:
            module = project.modules[view.module]
            for ancestor_module, name, _ in _project_ancestors(project, module, module.class_info[view.name]):
                bases.add(f"{ancestor_module.name}.{name}")
    for key in bases:
        if key in views and not views[key].routed:
            del views[key]


def looks_like_view(module: Module, name: str, func: FunctionInfo) -> bool:
    """``request`` first and (in a views module, or returning a response)."""
    if func.first_arg != "request" or name.startswith("_"):
        return False
    return is_views_module(module.name) or bool(func.returned_calls & RESPONSE_NAMES)


def _view_base(project: Project, module: Module, cls: ClassInfo, depth: int = 0) -> str | None:
    """The Django view class ``cls`` derives from ("View", "ListView", ...), or None."""
    if depth > 10:
        return None
    for qualified in cls.bases:
        if qualified in VIEW_BASE:
            return "View"
        short = qualified.rsplit(".", 1)[-1]
        if qualified.startswith("django.") and (short in GENERIC_VIEWS or short.endswith("View")):
            return short
        found = project.lookup(qualified)
        if found and found[1] in found[0].class_info:
            inner = _view_base(project, found[0], found[0].class_info[found[1]], depth + 1)
            if inner:
                return inner
    return None


def _describe_class(project: Project, module: Module, name: str, view: FoundView) -> None:
    cls = module.class_info[name]
    base = _view_base(project, module, cls)
    if base and base != "View":
        view.generic_base = base
    own = set(cls.methods)
    if "dispatch" in own:
        view.dispatch_from = name
    _note_outside_bases(project, module, cls, view)
    for ancestor_module, ancestor_name, ancestor in _project_ancestors(project, module, cls):
        if "dispatch" in ancestor.methods and view.dispatch_from is None:
            view.dispatch_from = ancestor_name
        _note_outside_bases(project, ancestor_module, ancestor, view)
        for method in ancestor.methods:
            if method in HTTP_HANDLERS and method not in own:
                view.inherited_handlers.append(f"{method} from {ancestor_name}")
                own.add(method)


def _note_outside_bases(project: Project, module: Module, cls: ClassInfo, view: FoundView) -> None:
    """Bases of ``cls`` the project does not define whose dispatch() may not run async handlers:
    Django's auth mixins, and any class from outside Django (DRF's APIView, django-braces...)."""
    for qualified in cls.bases:
        found = project.lookup(qualified)
        if found and found[1] in found[0].class_info or qualified in HARMLESS_BASES:
            continue
        if qualified in SYNC_DISPATCH:
            view.dispatch_from = view.dispatch_from or qualified
        elif not qualified.startswith("django.") and view.foreign_base is None:
            view.foreign_base = qualified or "a base class the tool cannot name"


def _project_ancestors(project: Project, module: Module, cls: ClassInfo,
                       depth: int = 0) -> Iterator[tuple[Module, str, ClassInfo]]:
    if depth > 10:
        return
    for base in cls.bases:
        found = project.lookup(base)
        if found and found[1] in found[0].class_info:
            parent = found[0].class_info[found[1]]
            yield found[0], found[1], parent
            yield from _project_ancestors(project, found[0], parent, depth + 1)


def _find_callers(project: Project, views: dict[str, FoundView], unrouted: bool, urlconfs: frozenset[str]) -> None:
    """Record every use of a function view outside urls.py (and ``urlconfs``): a direct call, or
    a reference such as ``sync_to_async(view)`` (which a converted caller holds after a first run)."""
    function_views = {key for key, view in views.items() if not view.is_class and (view.routed or unrouted)}
    short_names = {key.rsplit(".", 1)[1] for key in function_views}
    parts = {part for name in project.modules for part in name.split(".")}
    # The module's words decide whether it is worth reading, its summary and text whether it
    # is worth parsing, and the lines naming a view which of its statements are worth walking.
    for module in project.modules.values():
        words, module.words = module.words, None   # read once, then freed
        if not short_names or module.name.split(".")[-1] == "urls" or module.name in urlconfs:
            continue
        named = short_names.intersection(words.split() if words is not None else words_of(module.text))
        # Only uses that may name another module's function (for a module the index summarised,
        # so that its imports are known without a parse): no such use, no parse.
        uses = [at for name in named for at in _uses(module.text, name)
                if not module.indexed or _may_resolve(module, name, at, parts)]
        if not uses:
            continue
        lines = sorted(_lines_at(module.text, uses))
        for statement in module.tree.body:
            if not _spans_a_line(statement, lines):
                continue
            wrapped = _rewrapped(statement)
            if wrapped is not None and f"{module.name}.{wrapped.id}" not in function_views:
                wrapped = None   # not this module's view (an imported one): an ordinary use
            if wrapped is not None:
                wrapper = statement.value.func
                wrapper = wrapper.func if isinstance(wrapper, ast.Call) else wrapper
                view = views[f"{module.name}.{wrapped.id}"]
                view.wrappers.append(module.qualify(wrapper) or ast.unparse(wrapper))
            for node in _references(statement, named, lines):
                if node is wrapped:
                    continue
                qualified = module.qualify(node)
                found = project.lookup(qualified) if qualified else None
                key = f"{found[0].name}.{found[1]}" if found else None
                if key in function_views:
                    views[key].callers.append(f"{module.path}:{node.lineno}")


def _rewrapped(statement: ast.stmt) -> ast.Name | None:
    """The ``view`` of ``view = decorator(view)`` or ``view = factory(...)(view)``: a decorator
    the way it was spelled before ``@`` (django-helpdesk's ``dashboard =
    staff_member_required(dashboard)``), not a direct call of the view."""
    if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1
            and isinstance(statement.value, ast.Call) and len(statement.value.args) == 1
            and not statement.value.keywords):
        return None
    target, argument = statement.targets[0], statement.value.args[0]
    if isinstance(target, ast.Name) and isinstance(argument, ast.Name) and argument.id == target.id:
        return argument
    return None


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def _references(node: ast.AST, named: set[str], lines: list[int],
                scopes: tuple[ast.AST | frozenset[str], ...] = (), bound: dict | None = None) -> Iterator[ast.expr]:
    """The loads of a name in ``named`` (or attributes of that name) under ``node``, on the
    sorted ``lines`` where the text names one, but not those a local binding of an enclosing
    function or comprehension hides (``shelf = Shelf(name)`` in a view named like another view).
    ``scopes``: the enclosing functions (whose bindings are read only when a name is found,
    then kept in ``bound``) and comprehensions (their targets)."""
    if not _spans_a_line(node, lines):
        return
    bound = {} if bound is None else bound
    if isinstance(node, ast.Attribute) and node.attr in named:
        yield node
    elif isinstance(node, ast.Name) and node.id in named and isinstance(node.ctx, ast.Load) \
            and not any(node.id in _bindings(scope, bound) for scope in scopes):
        yield node
    if isinstance(node, _SCOPES):
        # Decorators, defaults and annotations run in the enclosing scope; the body in its own.
        outer = [*getattr(node, "decorator_list", ()), *node.args.defaults,
                 *(d for d in node.args.kw_defaults if d is not None)]
        for child in outer:
            yield from _references(child, named, lines, scopes, bound)
        for child in (node.body if isinstance(node.body, list) else [node.body]):
            yield from _references(child, named, lines, (*scopes, node), bound)
        return
    if isinstance(node, _COMPREHENSIONS):
        inner = (*scopes, frozenset(n.id for g in node.generators for n in ast.walk(g.target)
                                    if isinstance(n, ast.Name)))
        yield from _references(node.generators[0].iter, named, lines, scopes, bound)   # evaluated outside
        rest = [*node.generators[0].ifs, *(p for g in node.generators[1:] for p in (g.iter, *g.ifs)),
                *([node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt])]
        for child in rest:
            yield from _references(child, named, lines, inner, bound)
        return
    for child in ast.iter_child_nodes(node):
        yield from _references(child, named, lines, scopes, bound)


def _spans_a_line(node: ast.AST, lines: list[int]) -> bool:
    """Does ``node``, decorators included, span one of the sorted ``lines``?  A node without a
    position (``arguments``, a comprehension's clause) may."""
    first = getattr(node, "lineno", None)
    if first is None:
        return True
    for decorator in getattr(node, "decorator_list", ()):
        first = min(first, decorator.lineno)
    at = bisect.bisect_left(lines, first)
    return at < len(lines) and lines[at] <= (node.end_lineno or first)


def _bindings(scope: ast.AST | frozenset[str], bound: dict[int, set[str]]) -> frozenset[str] | set[str]:
    if isinstance(scope, frozenset):
        return scope
    if id(scope) not in bound:
        bound[id(scope)] = _local_names(scope)
    return bound[id(scope)]


def _local_names(function: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> set[str]:
    """The names ``function`` binds: its parameters, and what its own body (not the functions
    nested in it) assigns, imports or defines, less those it declares global or nonlocal."""
    args = function.args
    found = {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg) if a}
    declared: set[str] = set()
    stack = list(function.body) if isinstance(function.body, list) else [function.body]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            found.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.add(node.name)
            continue
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            found.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            found.add(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            declared.update(node.names)
        elif isinstance(node, (ast.Lambda, *_COMPREHENSIONS)):
            continue   # their own scopes
        stack.extend(ast.iter_child_nodes(node))
    return found - declared


def _may_resolve(module: Module, name: str, at: int, parts: set[str]) -> bool:
    """Could the use of ``name`` at ``at`` in ``module`` name another module's function?  What
    ``Module.qualify`` and ``Project.lookup`` need for that: a bare name the module imports or
    defines, or an attribute whose dotted chain starts at such a name or at a part of a
    project module's name.  Read from the text and the summary, without parsing (a use in a
    string, such as ``reverse("index")``, reads as a bare name: the same test holds)."""
    head = _attribute_head(module.text, at)
    if head is None:
        return name in module.imports or module.defines(name)
    return not head or head in module.imports or module.defines(head) or head in parts


def _attribute_head(text: str, at: int) -> str | None:
    """None when the word at ``at`` follows no dot; else the first name of the dotted chain
    before it, or '' when that cannot be told from the text (``f().x``, ``x .y``)."""
    before = at - 1
    while before >= 0 and text[before] in " \t\\\r\n":
        before -= 1
    if before < 0 or text[before] != ".":
        return None
    if before != at - 1:
        return ""
    start = before
    while start > 0 and (_is_word(text[start - 1]) or text[start - 1] == "."):
        start -= 1
    if start > 0 and text[start - 1] in ")]}\"'":
        return ""
    head = text[start:before].split(".", 1)[0]
    return head if head.isidentifier() else ""


def _lines_at(text: str, offsets: list[int]) -> set[int]:
    """The line numbers of ``offsets`` in ``text``."""
    starts = [match.end() for match in NEWLINE.finditer(text)]
    return {bisect.bisect_right(starts, at) + 1 for at in offsets}


def _uses(text: str, name: str) -> Iterator[int]:
    """Offsets of ``name`` as a whole word, not right after ``def ``."""
    at = text.find(name)
    while at != -1:
        end = at + len(name)
        if not (at and _is_word(text[at - 1])) and not (end < len(text) and _is_word(text[end])) \
                and not text.endswith("def ", 0, at):
            yield at
        at = text.find(name, end)


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"
