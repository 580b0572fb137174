"""`diff` on one 3,000-view file against LibCST parsing the same file, in the same run.

    .venv/bin/python benchmarks/bench_3000_views.py [--views N] [--repeat R]

Builds a temporary project (views.py with N function views of mixed statements, urls.py routing
all of them), then times, best of R: the in-process engine as ``diff`` runs it (walk, project
facts, plan, rewrite of every file; jobs=1, nothing written), and ``libcst.parse_module`` of the
views file alone.  Prints files, lines, both times and their ratio.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import libcst as cst

from async_migrate import facts
from async_migrate.engine import run
from async_migrate.facts import Options
from async_migrate.registry import all_codemods

BODIES = [
    "    item = Item.objects.get(pk={i})\n    return JsonResponse({{\"name\": item.name}})\n",
    "    names = [i.name for i in Item.objects.filter(pk__gt={i})]\n    return JsonResponse({{\"n\": names}})\n",
    "    for item in Item.objects.all():\n        item.save()\n    return HttpResponse(\"ok\")\n",
    "    count = Item.objects.count()\n    user = request.user\n"
    "    return render(request, \"page.html\", {{\"count\": count, \"user\": user}})\n",
    "    time.sleep(0.01)\n    return HttpResponse(\"{i}\")\n",
    "    # plain view\n    value = {i} * 2\n    return JsonResponse({{\"value\": value}})\n",
]


def make_project(root: Path, count: int) -> Path:
    (root / "manage.py").write_text("")
    app = root / "app"
    app.mkdir()
    (app / "__init__.py").write_text("")
    parts = ["import time\n\nfrom django.db import models\nfrom django.http import HttpResponse, JsonResponse\n"
             "from django.shortcuts import render\n\n\nclass Item(models.Model):\n"
             "    name = models.CharField(max_length=50)\n"]
    for i in range(count):
        parts.append(f"\n\ndef view_{i}(request):\n" + BODIES[i % len(BODIES)].format(i=i))
    views = app / "views.py"
    views.write_text("".join(parts))
    routes = "".join(f"    path('v{i}/', views.view_{i}),\n" for i in range(count))
    (app / "urls.py").write_text(f"from django.urls import path\n\nfrom . import views\n\nurlpatterns = [\n{routes}]\n")
    return views


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--views", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        views = make_project(root, args.views)
        text = views.read_text()
        diff_times, parse_times = [], []
        for _ in range(args.repeat):
            facts.clear_cache()   # every repeat builds the project facts again, as a fresh `diff` does
            started = time.perf_counter()
            result = run([root], Options(), frozenset(all_codemods()), jobs=1)
            diff_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            cst.parse_module(text)
            parse_times.append(time.perf_counter() - started)
        assert not result.errors, [(r.path, r.error) for r in result.errors]
        converted = sum(1 for v in result.views if v["decision"] in ("convert", "wrap"))
        diff_s, parse_s = min(diff_times), min(parse_times)
        print(f"files: {len(result.files)} (views.py + {len(result.files) - 1} others); "
              f"views: {args.views}, converted: {converted}")
        print(f"lines: {text.count(chr(10))} in views.py ({len(text.encode())} bytes)")
        print(f"diff (in-process engine, jobs=1): {diff_s:.3f} s (best of {args.repeat})")
        print(f"libcst.parse_module(views.py):    {parse_s:.3f} s (best of {args.repeat})")
        print(f"ratio diff / parse: {diff_s / parse_s:.1f}x")


if __name__ == "__main__":
    main()
