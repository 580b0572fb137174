"""The individual `doctor` checks and what they share (levels, links, known middleware)."""

from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path

from dataclasses import dataclass

from .django_api import BACKEND_ASYNC_MIN
from .project import Project
from .settings_facts import UNKNOWN

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
    "auth": DOC + "topics/auth/customizing/#writing-an-authentication-backend",
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


@dataclass
class Item:
    check: str
    level: str
    message: str
    action: str = ""
    link: str = ""


def check_asgi(root: Path, project: Project, values: dict) -> list[Item]:
    entry = []
    for module in project.modules.values():
        if "get_asgi_application" not in module.text or (
                module.path.name != "asgi.py" and "get_asgi_application" not in module.imports):
            continue
        names = {module.qualify(n.func) for n in ast.walk(module.tree) if isinstance(n, ast.Call)}
        if any(n and n.endswith("get_asgi_application") for n in names):
            entry.append(module)
    setting = values.get("ASGI_APPLICATION")
    if entry:
        where = ", ".join(_rel(root, m.path) for m in entry)
        extra = f"; ASGI_APPLICATION = {setting!r}" if isinstance(setting, str) else ""
        return [Item("asgi", OK, f"ASGI entry point: {where} calls get_asgi_application(){extra}", "", LINKS["asgi"])]
    if isinstance(setting, str):
        return [Item("asgi", NOTE, f"ASGI_APPLICATION = {setting!r}, but no asgi.py calling get_asgi_application()"
                     " was found", "Check that the module it names builds an ASGI application.", LINKS["asgi"])]
    return [Item("asgi", PROBLEM, "no ASGI entry point (no asgi.py with get_asgi_application(), no ASGI_APPLICATION)",
                 "Add <project>/asgi.py: `application = get_asgi_application()` and serve it with an ASGI server; "
                 "under WSGI every async view runs in its own event loop.", LINKS["asgi"])]


def check_middleware(project: Project, values: dict) -> list[Item]:
    middleware = values.get("MIDDLEWARE")
    if not isinstance(middleware, list):
        return [Item("middleware", NOTE, "MIDDLEWARE not found (or not a literal list)", "", LINKS["middleware"])]
    items = []
    for path in middleware:
        if not isinstance(path, str):
            continue
        verdict, why = _middleware_kind(project, path)
        if verdict == "async":
            items.append(Item("middleware", OK, f"{path}: async-capable ({why})", "", LINKS["middleware"]))
        elif verdict == "sync":
            items.append(Item("middleware", PROBLEM, f"{path}: sync-only ({why}); it forces a thread hop "
                              "(sync_to_async) on every request that passes it",
                              "Set async_capable = True and implement __acall__, or use "
                              "@sync_and_async_middleware with an async inner function.", LINKS["middleware"]))
        else:
            items.append(Item("middleware", NOTE, f"{path}: not in the project and not Django's ({why})",
                              "Check that the package marks it async_capable = True; if not, it costs a thread "
                              "hop per request.", LINKS["middleware"]))
    return items


def _middleware_kind(project: Project, path: str) -> tuple[str, str]:
    if path in DJANGO_MIDDLEWARE:
        return "async", "Django middleware, async-capable since 3.1"
    if path.startswith("django."):
        return "unknown", "a Django path this tool does not know"
    found = project.lookup(path)
    if found is None:
        return "unknown", "third-party"
    module, name = found
    if name in module.functions:
        func = module.functions[name]
        decorators = {module.qualify(d.func if isinstance(d, ast.Call) else d) for d in func.decorator_list}
        if decorators & ASYNC_DECORATORS:
            return "async", "marked with an async middleware decorator"
        if _sets_async_capable(func):
            return "async", "sets async_capable = True"
        return "sync", "a function middleware without @sync_and_async_middleware"
    cls = module.classes.get(name)
    if cls is None:
        return "unknown", f"{name} not found in {module.path.name}"
    seen: set[str] = set()
    queue = [(module, cls)]
    while queue:
        mod, node = queue.pop()
        if f"{mod.name}.{node.name}" in seen:
            continue
        seen.add(f"{mod.name}.{node.name}")
        for stmt in node.body:
            if isinstance(stmt, ast.AsyncFunctionDef) and stmt.name == "__acall__":
                return "async", f"{node.name} defines __acall__"
            if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and any(
                    isinstance(t, ast.Name) and t.id == "async_capable"
                    for t in (stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target])):
                if isinstance(stmt.value, ast.Constant) and stmt.value.value is True:
                    return "async", f"{node.name} sets async_capable = True"
                return "sync", f"{node.name} sets async_capable to something other than True"
            if isinstance(stmt, ast.AsyncFunctionDef) and stmt.name == "__call__":
                return "sync", f"{node.name}.__call__ is async but async_capable is not set"
        for base in node.bases:
            qualified = mod.qualify(base) or ""
            if qualified in ASYNC_BASES:
                return "async", f"inherits {qualified.rsplit('.', 1)[-1]} (its hooks run through sync_to_async)"
            inner = project.lookup(qualified)
            if inner and inner[1] in inner[0].classes:
                queue.append((inner[0], inner[0].classes[inner[1]]))
    return "sync", f"{cls.name} has neither async_capable = True nor __acall__"


def _sets_async_capable(func: ast.AST) -> bool:
    return any(isinstance(n, ast.Assign) and any(isinstance(t, ast.Attribute) and t.attr == "async_capable"
                                                 for t in n.targets) for n in ast.walk(func))


def check_auth_backends(sync_backend: str | None, target: tuple[int, int]) -> list[Item]:
    """From 5.2, request.auser(), aauthenticate(), alogout() and @login_required on async views
    call each backend's aget_user()/aauthenticate(), which only Django's BaseBackend family has."""
    if target < BACKEND_ASYNC_MIN:
        return []
    if sync_backend is None:
        return [Item("auth_backends", OK, "every AUTHENTICATION_BACKENDS entry has aget_user() and aauthenticate()",
                     "", LINKS["auth"])]
    return [Item("auth_backends", PROBLEM,
                 f"{sync_backend} has no aget_user() / aauthenticate(): on async views, request.auser(), "
                 "aauthenticate(), alogout() and @login_required fail with AttributeError, so views using "
                 "them stay sync (or load the user in a thread)",
                 "Derive it from django.contrib.auth.backends.BaseBackend (whose async methods run the sync "
                 "ones in a thread) or define aget_user() and aauthenticate().", LINKS["auth"])]


def check_databases(root: Path, values: dict, target: tuple[int, int]) -> list[Item]:
    candidates = [d for d in values.get("DATABASES*", []) if isinstance(d, dict)]  # type: ignore[union-attr]
    if not candidates:
        return [Item("database", NOTE, "DATABASES not found (or not a literal dict)", "", LINKS["conn"])]
    items: list[Item] = []
    atomic = bool(values.get("ATOMIC_REQUESTS_SET")) or any(
        isinstance(db, dict) and db.get("ATOMIC_REQUESTS") is True for d in candidates for db in d.values())
    if atomic:
        items.append(Item("atomic_requests", PROBLEM, "ATOMIC_REQUESTS = True: Django raises RuntimeError for "
                          "every async view", "Turn it off and use transaction.atomic in sync code, or mark async "
                          "views @transaction.non_atomic_requests.", LINKS["atomic"]))
    else:
        items.append(Item("atomic_requests", OK, "ATOMIC_REQUESTS is off", "", LINKS["atomic"]))
    deps = _dependency_text(root)
    engines: set[str] = set()
    for databases in candidates:
        for alias, db in databases.items():
            if not isinstance(db, dict):
                continue
            engine = db.get("ENGINE") if isinstance(db.get("ENGINE"), str) else "?"
            engines.add(engine)  # type: ignore[arg-type]
            options = db.get("OPTIONS") if isinstance(db.get("OPTIONS"), dict) else {}
            pooled = bool(options.get("pool"))  # type: ignore[union-attr]
            age = db.get("CONN_MAX_AGE", 0)
            label = f"DATABASES[{alias!r}] ({engine.rsplit('.', 1)[-1]})"
            if pooled:
                items.append(Item("connections", OK, f"{label}: psycopg connection pool (OPTIONS['pool'])", "",
                                  LINKS["pool"]))
            elif age is UNKNOWN:
                items.append(Item("connections", NOTE, f"{label}: CONN_MAX_AGE is computed at run time",
                                  "Under ASGI keep it 0 (or use a pooler).", LINKS["conn"]))
            elif age is None or (isinstance(age, (int, float)) and age > 0):
                pool = (" On Django 5.1+ with psycopg 3 use OPTIONS={'pool': True}." if target >= (5, 1)
                        and "postgresql" in engine else "")
                items.append(Item("connections", PROBLEM, f"{label}: CONN_MAX_AGE = {age!r}: under ASGI each "
                                  "request runs in its own context, so persistent connections pile up instead of "
                                  "being reused", "Set CONN_MAX_AGE = 0 and put a pooler (pgbouncer) in front."
                                  + pool, LINKS["conn"]))
            else:
                items.append(Item("connections", OK, f"{label}: CONN_MAX_AGE = 0 (a connection per request)", "",
                                  LINKS["conn"]))
    items += _driver(engines, deps, target)
    return items


def _driver(engines: set[str], deps: str, target: tuple[int, int]) -> list[Item]:
    items = []
    for engine in sorted(engines):
        if "sqlite3" in engine:
            items.append(Item("driver", NOTE, "SQLite (sqlite3): fine for development; writes serialise, and "
                              "every query still runs in a thread (Django has no async database driver)",
                              "Use PostgreSQL with psycopg 3 in production.", LINKS["driver"]))
        elif "postgresql" in engine:
            psycopg3 = re.search(r"(?im)^\s*[\"']?psycopg(?![2\w])", deps)
            psycopg2 = re.search(r"(?im)^\s*[\"']?psycopg2", deps)
            if psycopg2 and not psycopg3:
                items.append(Item("driver", NOTE, "PostgreSQL via psycopg2", "Move to psycopg 3 (needed for "
                                  "OPTIONS['pool'] from Django 5.1).", LINKS["driver"]))
            elif psycopg3:
                items.append(Item("driver", OK, "PostgreSQL via psycopg 3", "", LINKS["driver"]))
            else:
                items.append(Item("driver", NOTE, "PostgreSQL, driver not pinned in the dependencies",
                                  "Pin psycopg (3) in the requirements.", LINKS["driver"]))
        else:
            items.append(Item("driver", NOTE, f"database engine {engine}", "", LINKS["driver"]))
    return items


def _dependency_text(root: Path) -> str:
    texts = []
    for pattern in DEPENDENCY_FILES:
        for path in sorted(root.glob(pattern)):
            try:
                texts.append(path.read_text(encoding="utf-8", errors="replace"))
            except OSError:
                continue
    return "\n".join(texts)


def check_server(root: Path) -> list[Item]:
    deps = _dependency_text(root)
    found = [s for s in ASGI_SERVERS if re.search(rf"(?i)(?<![\w-]){s}(?![\w-])", deps)]
    if found:
        return [Item("server", OK, f"ASGI server in the dependencies: {', '.join(found)}", "", LINKS["server"])]
    return [Item("server", PROBLEM, "no ASGI server (uvicorn, daphne, hypercorn, granian) in requirements*.txt / "
                 "pyproject.toml", "Add one (e.g. uvicorn) and run the asgi.py application with it.",
                 LINKS["server"])]


def check_views(root: Path, target: tuple[int, int]) -> list[Item]:
    from .engine import run
    from .facts import Options
    from .registry import all_codemods

    result = run([root], Options(target=target), frozenset(all_codemods()))   # jobs: one per CPU
    views = result.views
    if not views:
        return [Item("views", NOTE, "no views found", "", LINKS["views"])]
    counts = Counter(v["decision"] for v in views)
    summary = ", ".join(f"{n} {d}" for d, n in sorted(counts.items()))
    items = [Item("views", NOTE if counts["sync"] else OK, f"{len(views)} views: {summary}",
                  "Run `async-migrate diff` to see the conversions." if counts["convert"] + counts["wrap"] else "",
                  LINKS["views"])]
    reasons = Counter(_reason_kind(v["reason"]) for v in views if v["decision"] == "sync")
    for view in sorted((v for v in views if v["decision"] == "sync"), key=lambda v: (v["path"] or "", v["line"])):
        where = f"{_rel(root, Path(view['path']))}:{view['line']}" if view["path"] else "?"
        items.append(Item("views", NOTE, f"{view['view']} ({where}) stays sync: {view['reason']}", "",
                          LINKS["views"]))
    if reasons:
        items[0].message += " (sync because: " + ", ".join(f"{k} x{n}" for k, n in reasons.most_common()) + ")"
    return items


def _reason_kind(reason: str) -> str:
    reason = re.sub(r"^line \d+: ", "", reason)
    return re.split(r"[:(]| by ", reason, maxsplit=1)[0].strip()[:60]


def _rel(root: Path, path: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)
