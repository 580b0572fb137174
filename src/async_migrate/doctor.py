"""`async-migrate doctor`: is this project ready to serve async views?

Everything is read statically (``ast`` and text): the project is never imported.  Each item
has a level -- ``problem`` (counts for the exit code), ``note`` or ``ok`` -- what to do, and
the Django documentation section that explains it.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import asdict
from pathlib import Path

from .django_api import format_version
from .facts import clear_cache, facts_for
from .project import find_root
from .doctor_checks import (NOTE, OK, PROBLEM, Item, check_asgi, check_auth_backends,  # noqa: F401 (levels re-exported)
                            check_databases, check_middleware, check_server, check_views)

def doctor(root: Path, target: tuple[int, int]) -> list[Item]:
    root = find_root(root)
    clear_cache()   # the project as it is now, not as an earlier call in this process saw it
    views = check_views(root, target)   # a whole run, on every CPU: it indexes the project ...
    facts = facts_for(root, root, unrouted_callers=False)   # ... which the other checks read
    project, settings = facts.project, facts.settings
    values: dict[str, object] = dict(settings.values)
    values.update({f"{name}*": every for name, every in settings.every.items()})
    values["ATOMIC_REQUESTS_SET"] = settings.atomic_requests
    items: list[Item] = []
    items += check_asgi(root, project, values)
    items += check_middleware(project, values)
    items += check_auth_backends(settings.sync_backend, target)
    items += check_databases(root, values, target)
    items += check_server(root)
    items += views
    return items




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
