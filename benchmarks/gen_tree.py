"""Generate synthetic Django source trees for benchmarks/bench_tree.py.

Two shapes, both deterministic (same arguments -> same bytes):

``project``  a Django project of exactly ``--files`` Python files where ``--views-fraction`` of
             them are views modules: ``manage.py``, a ``config`` package (settings, root urls,
             wsgi) and N apps, each with ``apps.py``, ``models.py``, ``urls.py`` and a
             ``views.py`` of routed ORM views, plus plain modules (helpers, services, value
             classes; no views) spread over the apps.
``views``    a project where every module but a handful of support files (manage.py,
             settings, one models.py, one urls.py) is a routed views module that the tool
             rewrites.

    python benchmarks/gen_tree.py project /tmp/tree-5k --files 5000 --views-fraction 0.05
    python benchmarks/gen_tree.py views /tmp/tree-views --files 500

The trees pin ``Django==5.2`` in requirements.txt, so async-migrate targets 5.2 on its own.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
from pathlib import Path

MANAGE = '''#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
'''

SETTINGS = '''from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "bench-not-secret"
DEBUG = True
ALLOWED_HOSTS = ["*"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
{apps}
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
DATABASES = {{"default": {{"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}}}}
TEMPLATES = [{{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [], "APP_DIRS": True,
              "OPTIONS": {{"context_processors": ["django.template.context_processors.request"]}}}}]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
'''

WSGI = '''import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
'''

APPS_PY = '''from django.apps import AppConfig


class {cls}Config(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "{app}"
'''

MODELS = '''from django.conf import settings
from django.db import models


class {A}(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    body = models.TextField(blank=True)
    published = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return self.title


class {C}(models.Model):
    {a} = models.ForeignKey({A}, on_delete=models.CASCADE, related_name="{c}s")
    author = models.CharField(max_length=100)
    text = models.TextField()
    approved = models.BooleanField(default=False)

    def __str__(self):
        return f"{{self.author}}: {{self.text[:20]}}"
'''

# One views module: eight routed function views the tool can convert (ORM reads and writes,
# related managers, get_object_or_404, comprehensions, render, redirect).
VIEWS = '''import json

from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render

from {models} import {A}, {C}


def {a}_list(request):
    {a}s = {A}.objects.filter(published=True).order_by("-created")
    return render(request, "{app}/{a}_list.html", {{"{a}s": {a}s}})


def {a}_detail(request, pk):
    {a} = get_object_or_404({A}, pk=pk)
    {c}s = [{c}.text for {c} in {a}.{c}s.filter(approved=True)]
    return JsonResponse({{"title": {a}.title, "{c}s": {c}s}})


def {a}_stats(request):
    total = {A}.objects.count()
    pending = {C}.objects.filter(approved=False).exists()
    latest = {A}.objects.order_by("-created").first()
    return JsonResponse({{"total": total, "pending": pending, "latest": latest.pk if latest else None}})


def {a}_create(request):
    data = json.loads(request.body or b"{{}}")
    {a} = {A}.objects.create(title=data.get("title", ""), slug=data.get("slug", ""))
    return redirect("{app}:{a}_detail", pk={a}.pk)


def {a}_publish(request, pk):
    {a} = {A}.objects.get(pk=pk)
    {a}.published = True
    {a}.save()
    return HttpResponse(status=204)


def {a}_delete(request, pk):
    {a} = get_object_or_404({A}, pk=pk)
    {a}.delete()
    return HttpResponse(status=204)


def {c}_add(request, pk):
    {a} = get_object_or_404({A}, pk=pk)
    {c} = {C}.objects.create({a}={a}, author=request.POST.get("author", "anon"), text=request.POST["text"])
    return JsonResponse({{"id": {c}.pk}}, status=201)


def {c}_approve_all(request, pk):
    for {c} in {C}.objects.filter({a}_id=pk, approved=False):
        {c}.approved = True
        {c}.save()
    return HttpResponse(status=204)
'''

VIEW_NAMES = ["{a}_list", "{a}_detail", "{a}_stats", "{a}_create", "{a}_publish", "{a}_delete",
              "{c}_add", "{c}_approve_all"]
VIEW_ROUTES = ["", "<int:pk>/", "stats/", "new/", "<int:pk>/publish/", "<int:pk>/delete/",
               "<int:pk>/{c}s/", "<int:pk>/{c}s/approve/"]

WORDS = ("order invoice ticket report channel account ledger shipment parcel review entry budget "
         "payment profile course lesson grade sensor reading device alert metric event batch job").split()
VERBS = "build parse format merge split compute render collect normalise validate score rank".split()


def _plain_module(rng: random.Random, index: int) -> str:
    """A helper module of ~60-140 lines: functions, a dataclass, a class with methods; no views."""
    noun = rng.choice(WORDS)
    out = ['"""Helpers for %s handling (generated module %d)."""' % (noun, index), "",
           "from __future__ import annotations", "", "import math", "import re",
           "from dataclasses import dataclass, field", "from typing import Iterable", "", "",
           "_PATTERN = re.compile(r\"^[a-z0-9_-]{1,%d}$\")" % rng.randint(8, 64), "", ""]
    out += ["@dataclass", f"class {noun.capitalize()}Record{index}:",
            f'    """One {noun}, as read from an export."""', "",
            "    key: str", "    amount: float = 0.0", "    tags: list[str] = field(default_factory=list)", "",
            "    def total(self, rate: float = 1.0) -> float:",
            "        return round(self.amount * rate + len(self.tags) * 0.5, 2)", "",
            "    def is_valid(self) -> bool:",
            "        return bool(_PATTERN.match(self.key)) and self.amount >= 0", "", ""]
    for f in range(rng.randint(3, 7)):
        verb = rng.choice(VERBS)
        name = f"{verb}_{noun}_{f}"
        kind = rng.randrange(4)
        out.append(f"def {name}(items: Iterable[{noun.capitalize()}Record{index}], limit: int = {rng.randint(5, 500)}) -> dict:")
        out.append(f'    """{verb.capitalize()} {noun}s, stopping after ``limit`` of them."""')
        if kind == 0:
            out += ["    result: dict[str, float] = {}", "    for count, item in enumerate(items):",
                    "        if count >= limit:", "            break",
                    "        if not item.is_valid():", "            continue",
                    "        result[item.key] = result.get(item.key, 0.0) + item.total()",
                    "    return result"]
        elif kind == 1:
            out += ["    values = sorted((i.amount for i in items), reverse=True)[:limit]",
                    "    if not values:", "        return {\"mean\": 0.0, \"stdev\": 0.0}",
                    "    mean = sum(values) / len(values)",
                    "    stdev = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))",
                    "    return {\"mean\": mean, \"stdev\": stdev, \"max\": values[0]}"]
        elif kind == 2:
            out += ["    groups: dict[str, list[str]] = {}", "    for item in items:",
                    "        for tag in item.tags[:limit]:",
                    "            groups.setdefault(tag.lower(), []).append(item.key)",
                    "    return {k: len(v) for k, v in groups.items() if v}"]
        else:
            out += ["    seen = set()", "    keys = []", "    for item in items:",
                    "        key = item.key.strip().lower()", "        if key in seen or len(keys) >= limit:",
                    "            continue", "        seen.add(key)", "        keys.append(key)",
                    "    return {\"keys\": keys, \"count\": len(keys)}"]
        out += ["", ""]
    cls = f"{noun.capitalize()}Cache{index}"
    out += [f"class {cls}:", f'    """Small in-memory cache of {noun} totals."""', "",
            "    def __init__(self, size: int = 128) -> None:", "        self.size = size",
            "        self._data: dict[str, float] = {}", "",
            "    def get(self, key: str, default: float = 0.0) -> float:",
            "        return self._data.get(key, default)", "",
            "    def put(self, key: str, value: float) -> None:",
            "        if len(self._data) >= self.size:", "            self._data.pop(next(iter(self._data)))",
            "        self._data[key] = value", "",
            "    def __len__(self) -> int:", "        return len(self._data)", ""]
    return "\n".join(out)


def _names(index: int) -> dict[str, str]:
    noun = WORDS[index % len(WORDS)]
    a = f"{noun}{index}"
    return {"a": a, "A": a.capitalize(), "c": f"note{index}", "C": f"Note{index}"}


def _urls(view_imports: list[tuple[str, str]], app_name: str, routes: list[tuple[str, str, str]]) -> str:
    lines = ["from django.urls import path", ""]
    lines += [f"from {mod} import {name}" for mod, name in view_imports]
    lines += ["", f'app_name = "{app_name}"', "", "urlpatterns = ["]
    lines += [f'    path("{route}", {target}, name="{name}"),' for route, target, name in routes]
    lines += ["]", ""]
    return "\n".join(lines)


def _write(root: Path, rel: str, text: str, counter: list[int]) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    if rel.endswith(".py"):
        counter[0] += 1


def _prepare(out: Path, force: bool) -> None:
    if out.exists():
        if not force and any(out.iterdir()):
            sys.exit(f"{out} exists and is not empty (use --force to replace it)")
        shutil.rmtree(out)
    out.mkdir(parents=True)


def generate_project(out: Path, files: int = 5000, views_fraction: float = 0.05, seed: int = 1,
                     force: bool = False) -> dict:
    """A project of exactly ``files`` .py files; returns counts."""
    n_apps = max(1, round(files * views_fraction))
    fixed = 5 + 5 * n_apps   # manage.py + config/{__init__,settings,urls,wsgi} + 5 per app
    if fixed > files:
        raise ValueError(f"{files} files are too few for {n_apps} apps (need at least {fixed})")
    _prepare(out, force)
    rng = random.Random(seed)
    count = [0]
    apps = [f"app{i:04d}" for i in range(n_apps)]
    _write(out, "requirements.txt", "Django==5.2\n", count)
    _write(out, "manage.py", MANAGE, count)
    _write(out, "config/__init__.py", "", count)
    _write(out, "config/settings.py", SETTINGS.format(apps="\n".join(f'    "{a}",' for a in apps)), count)
    _write(out, "config/wsgi.py", WSGI, count)
    root_urls = ["from django.contrib import admin", "from django.urls import include, path", "",
                 "urlpatterns = [", '    path("admin/", admin.site.urls),']
    root_urls += [f'    path("{a}/", include("{a}.urls")),' for a in apps]
    _write(out, "config/urls.py", "\n".join(root_urls + ["]", ""]), count)
    plain_total = files - fixed
    for i, app in enumerate(apps):
        n = _names(i)
        _write(out, f"{app}/__init__.py", "", count)
        _write(out, f"{app}/apps.py", APPS_PY.format(cls=app.capitalize(), app=app), count)
        _write(out, f"{app}/models.py", MODELS.format(**n), count)
        _write(out, f"{app}/views.py", VIEWS.format(models=".models", app=app, **n), count)
        routes = [(r.format(**n), "views." + v.format(**n), v.format(**n)) for r, v in zip(VIEW_ROUTES, VIEW_NAMES)]
        _write(out, f"{app}/urls.py", _urls([(".", "views")], app, routes), count)
        share = plain_total // n_apps + (1 if i < plain_total % n_apps else 0)
        for k in range(share):
            _write(out, f"{app}/lib_{k:03d}.py", _plain_module(rng, i * 10000 + k), count)
    assert count[0] == files, (count[0], files)
    return {"files": count[0], "views_modules": n_apps}


def generate_views(out: Path, files: int = 500, seed: int = 1, force: bool = False) -> dict:
    """``files`` routed views modules in one app (package ``core.views``), plus 7 support files."""
    _prepare(out, force)
    count = [0]
    _write(out, "requirements.txt", "Django==5.2\n", count)
    _write(out, "manage.py", MANAGE, count)
    _write(out, "config/__init__.py", "", count)
    _write(out, "config/settings.py", SETTINGS.format(apps='    "core",'), count)
    _write(out, "config/urls.py", 'from django.urls import include, path\n\nurlpatterns = [\n'
           '    path("", include("core.urls")),\n]\n', count)
    _write(out, "core/__init__.py", "", count)
    _write(out, "core/views/__init__.py", "", count)
    models, imports, routes = [], [], []
    for i in range(files):
        n = _names(i)
        models.append(MODELS.format(**n).split("\n", 3)[3] if i else MODELS.format(**n))
        mod = f"v{i:04d}"
        _write(out, f"core/views/{mod}.py", VIEWS.format(models="..models", app="core", **n), count)
        imports.append((".views", mod))
        routes += [(f"{mod}/" + r.format(**n), f"{mod}." + v.format(**n), v.format(**n))
                   for r, v in zip(VIEW_ROUTES, VIEW_NAMES)]
    _write(out, "core/models.py", "\n\n".join(models), count)
    _write(out, "core/urls.py", _urls(imports, "core", routes), count)
    return {"files": count[0], "views_modules": files}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("shape", choices=["project", "views"])
    parser.add_argument("out", type=Path)
    parser.add_argument("--files", type=int, default=None,
                        help="project: total .py files (default 5000); views: views modules (default 500)")
    parser.add_argument("--views-fraction", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--force", action="store_true", help="replace OUT if it exists")
    args = parser.parse_args(argv)
    if args.shape == "project":
        info = generate_project(args.out, args.files or 5000, args.views_fraction, args.seed, args.force)
    else:
        info = generate_views(args.out, args.files or 500, args.seed, args.force)
    print(f"{args.out}: {info['files']} .py files, {info['views_modules']} views modules")
    return 0


if __name__ == "__main__":
    sys.exit(main())
