"""`async-migrate doctor`: is this project ready to serve async views?

Everything is read statically (``ast`` and text): the project is never imported.  Each item
has a level -- ``problem`` (counts for the exit code), ``note`` or ``ok`` -- what to do, and
the Django documentation section that explains it.
"""

from __future__ import annotations

import ast
import json
import sys
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

from .django_api import format_version
from .project import Module, Project, find_root

PROBLEM, NOTE, OK = "problem", "note", "ok"
DOC = "https://docs.djangoproject.com/en/stable/"
LINKS = {
    "asgi": DOC + "howto/deployment/asgi/",
    "middleware": DOC + "topics/http/middleware/#asynchronous-support",
    "atomic": DOC + "topics/db/transactions/#tying-transactions-to-http-requests",
    "conn": DOC + "ref/databases/#persistent-database-connections",
    "pool": DOC + "ref/databases/#connection-pool",
    "driver": DOC + "ref/databases/#postgresql-notes",
    "server": DOC + "howto/deployment/asgi/#installing-an-asgi-server",
    "views": DOC + "topics/async/#async-views",
}
# Every django.* middleware: MiddlewareMixin (async-capable since 3.1; its hooks run through
# sync_to_async) or, for RemoteUserMiddleware from 5.2, natively async.
DJANGO_MIDDLEWARE = {
    "django.middleware.security.SecurityMiddleware", "django.middleware.common.CommonMiddleware",
    "django.middleware.common.BrokenLinkEmailsMiddleware", "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware", "django.middleware.gzip.GZipMiddleware",
    "django.middleware.locale.LocaleMiddleware", "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.cache.UpdateCacheMiddleware", "django.middleware.cache.FetchFromCacheMiddleware",
    "django.middleware.cache.CacheMiddleware", "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.auth.middleware.RemoteUserMiddleware",
    "django.contrib.auth.middleware.PersistentRemoteUserMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.contrib.flatpages.middleware.FlatpageFallbackMiddleware",
    "django.contrib.redirects.middleware.RedirectFallbackMiddleware",
    "django.contrib.sites.middleware.CurrentSiteMiddleware",
    "django.contrib.admindocs.middleware.XViewMiddleware",
}
ASYNC_BASES = {"django.utils.deprecation.MiddlewareMixin", *DJANGO_MIDDLEWARE}
ASYNC_DECORATORS = {"django.utils.decorators.sync_and_async_middleware",
                    "django.utils.decorators.async_only_middleware"}
ASGI_SERVERS = ("uvicorn", "daphne", "hypercorn", "granian")
DEPENDENCY_FILES = ("requirements*.txt", "requirements/*.txt", "pyproject.toml", "setup.cfg", "setup.py",
                    "Pipfile", "poetry.lock", "uv.lock")
UNKNOWN = object()


@dataclass
class Item:
    check: str
    level: str
    message: str
    action: str = ""
    link: str = ""


def doctor(root: Path, target: tuple[int, int]) -> list[Item]:
    root = find_root(root)
    project = Project.load(root)
    settings = _settings_modules(project)
    values: dict[str, object] = {}
    for module in settings:
        values.update(_assignments(module))
    items: list[Item] = []
    items += _asgi(root, project, values)
    items += _middleware(project, values)
    items += _databases(root, values, target)
    items += _server(root)
    items += _views(root, target)
    return items


# -- settings ------------------------------------------------------------------------------
def _settings_modules(project: Project) -> list[Module]:
    modules = [m for m in (project.find_module(n) for n in project.settings_module_names) if m is not None]
    seen = {m.name for m in modules}
    for module in list(modules):   # ``from .base import *``
        for node in module.tree.body:
            if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
                from .project import resolve_relative

                package = module.name.rsplit(".", 1)[0] if "." in module.name else ""
                found = project.find_module(resolve_relative(package, node.module, node.level))
                if found is not None and found.name not in seen:
                    modules.insert(0, found)
                    seen.add(found.name)
    return modules


def _assignments(module: Module) -> dict[str, object]:
    """UPPER_CASE assignments anywhere at module level, ``if``/``else`` branches included
    (every branch's value is kept, as a list under ``name + '*'``)."""
    values: dict[str, object] = {}

    def walk(body):
        for node in body:
            if isinstance(node, (ast.If, ast.Try)):
                walk(node.body)
                walk(getattr(node, "orelse", []))
                for handler in getattr(node, "handlers", []):
                    walk(handler.body)
            elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Subscript):
                text = ast.unparse(node.targets[0])
                if "ATOMIC_REQUESTS" in text and _literal(node.value) is True:
                    values["ATOMIC_REQUESTS_SET"] = True
            elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name) and target.id.isupper():
                        value = _literal(node.value)
                        values[target.id] = value
                        values.setdefault(target.id + "*", []).append(value)  # type: ignore[union-attr]
    walk(module.tree.body)
    return values


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
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "int" and node.args:
            return UNKNOWN
        return UNKNOWN


from .doctor_checks import _asgi, _databases, _middleware, _server, _views  # noqa: E402


def render_text(items: list[Item], target: tuple[int, int], root: Path) -> str:
    marks = {PROBLEM: "PROBLEM", NOTE: "note", OK: "ok"}
    lines = [f"async readiness of {root} (Django {format_version(target)})", ""]
    for item in items:
        lines.append(f"[{marks[item.level]:>7}] {item.check}: {item.message}")
        if item.action:
            lines.append(f"          -> {item.action}")
        if item.link:
            lines.append(f"          see {item.link}")
    problems = sum(1 for i in items if i.level == PROBLEM)
    lines += ["", f"{problems} problem{'s' if problems != 1 else ''}."]
    return "\n".join(lines) + "\n"


def to_json(items: list[Item], target: tuple[int, int], root: Path) -> dict:
    counts = Counter(i.level for i in items)
    return {"project": str(root), "target_version": format_version(target),
            "items": [asdict(i) for i in items],
            "summary": {"problems": counts[PROBLEM], "notes": counts[NOTE], "ok": counts[OK]}}


def doctor_command(project: Path, fmt: str, target_version: str | None) -> int:
    from .target import check_target, detect_target

    if fmt not in ("text", "json"):
        sys.stderr.write(f"error: unknown format {fmt!r} (choose from text, json)\n")
        return 2
    if not project.exists():
        sys.stderr.write(f"{project}: error: no such file or directory\n")
        return 2
    root = find_root(project)
    try:
        target = check_target(target_version) if target_version else detect_target(root)[0]
    except ValueError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    items = doctor(root, target)
    if fmt == "json":
        sys.stdout.write(json.dumps(to_json(items, target, root), indent=2) + "\n")
    else:
        sys.stdout.write(render_text(items, target, root))
    return 1 if any(i.level == PROBLEM for i in items) else 0


__all__ = ["doctor", "doctor_command", "Item", "render_text", "to_json"]
