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
from .project import Project, find_root
from .doctor_checks import (NOTE, OK, PROBLEM, Item, check_asgi, check_databases,  # noqa: F401 (levels re-exported)
                            check_middleware, check_server, check_views)
from .settings_facts import read_settings

def doctor(root: Path, target: tuple[int, int]) -> list[Item]:
    root = find_root(root)
    project = Project.load(root)
    settings = read_settings(project)
    values: dict[str, object] = dict(settings.values)
    values.update({f"{name}*": every for name, every in settings.every.items()})
    values["ATOMIC_REQUESTS_SET"] = settings.atomic_requests
    items: list[Item] = []
    items += check_asgi(root, project, values)
    items += check_middleware(project, values)
    items += check_databases(root, values, target)
    items += check_server(root)
    items += check_views(root, target)
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
