"""The project around the files being migrated: its root, its modules and their imports.

Everything here uses the stdlib ``ast`` (much faster than LibCST) and is read-only.  Files
the stdlib cannot parse (syntax newer than the running Python, or broken files) are simply
absent from the index; the LibCST pass reports real syntax errors for the files it rewrites.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .downlevel import parse_any
from .files import SKIP_DIRS, FileProblem, iter_python_files, read_source

ROOT_MARKERS = ("manage.py", "pyproject.toml", "setup.cfg", "setup.py", ".git")
_SETTINGS_ENV = re.compile(r"""DJANGO_SETTINGS_MODULE["']\s*,\s*["']([\w.]+)["']""")


def find_root(path: Path) -> Path:
    """The folder that holds the project of ``path``: the nearest ``manage.py`` upwards, else
    the nearest packaging/VCS marker, else the folder itself."""
    start = path.resolve()
    if start.is_file() or not start.exists():
        start = start.parent
    for marker in ROOT_MARKERS:
        for folder in (start, *start.parents):
            if (folder / marker).exists():
                return _walkable_root(folder, start)
    return start


def _walkable_root(root: Path, start: Path) -> Path:
    """``root``, unless walking it would skip ``start`` (a virtualenv, site-packages, a hidden
    folder): then the folder just below the last skipped part, so the files get indexed."""
    parts = start.relative_to(root).parts
    skipped = [i for i, part in enumerate(parts) if part in SKIP_DIRS or part.startswith(".")
               or (root.joinpath(*parts[: i + 1]) / "pyvenv.cfg").exists()]
    if not skipped:
        return root
    return root.joinpath(*parts[: skipped[-1] + 2])


@dataclass
class Module:
    name: str             # dotted name relative to the project root, e.g. "shop.views"
    path: Path
    tree: ast.Module
    text: str = ""        # the source, for cheap text prefilters before walking the tree

    @cached_property
    def imports(self) -> dict[str, str]:
        """Local name -> qualified name, for module-level imports (relative ones resolved)."""
        names: dict[str, str] = {}
        package = self.name.rsplit(".", 1)[0] if "." in self.name else ""
        if self.path.name == "__init__.py":
            package = self.name
        for node in self.tree.body:
            for stmt in _flatten_try(node):
                if isinstance(stmt, ast.Import):
                    for alias in stmt.names:
                        if alias.asname:
                            names[alias.asname] = alias.name
                        else:
                            top = alias.name.split(".")[0]
                            names[top] = top
                elif isinstance(stmt, ast.ImportFrom):
                    base = resolve_relative(package, stmt.module, stmt.level)
                    for alias in stmt.names:
                        if alias.name != "*":
                            names[alias.asname or alias.name] = f"{base}.{alias.name}" if base else alias.name
        return names

    @cached_property
    def functions(self) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
        return {n.name: n for n in self.tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}

    @cached_property
    def classes(self) -> dict[str, ast.ClassDef]:
        return {n.name: n for n in self.tree.body if isinstance(n, ast.ClassDef)}

    def qualify(self, node: ast.expr) -> str | None:
        """Qualified name of a Name/Attribute chain, through this module's imports."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        head = self.imports.get(node.id)
        if head is None:
            if node.id in self.functions or node.id in self.classes:
                head = f"{self.name}.{node.id}"
            else:
                head = node.id
        return ".".join([head, *reversed(parts)])


def _flatten_try(node: ast.stmt) -> list[ast.stmt]:
    if isinstance(node, ast.Try):
        return [*node.body, *[s for h in node.handlers for s in h.body], *node.orelse]
    if isinstance(node, ast.If):
        return [*node.body, *node.orelse]
    return [node]


def resolve_relative(package: str, module: str | None, level: int) -> str:
    if level == 0:
        return module or ""
    parts = package.split(".") if package else []
    if level > 1:
        parts = parts[: len(parts) - (level - 1)]
    if module:
        parts.append(module)
    return ".".join(parts)


def module_name(root: Path, path: Path) -> str:
    rel = path.resolve().relative_to(root)
    parts = list(rel.with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@dataclass
class Project:
    """All parseable modules under ``root``, indexed by dotted name."""

    root: Path
    modules: dict[str, Module] = field(default_factory=dict)

    @classmethod
    def load(cls, root: Path) -> "Project":
        project = cls(root.resolve())
        for item in iter_python_files([project.root]):
            if not isinstance(item, Path):
                continue
            try:
                source = read_source(item)
                tree = parse_any(source.text)
            except (FileProblem, SyntaxError, ValueError, RecursionError, MemoryError):
                continue
            try:
                name = module_name(project.root, item)
            except ValueError:
                continue
            project.modules[name] = Module(name, item.resolve(), tree, source.text)
        return project

    def module_for_path(self, path: Path) -> Module | None:
        try:
            return self.modules.get(module_name(self.root, path))
        except ValueError:
            return None

    def find_module(self, dotted: str) -> Module | None:
        """A module by dotted name; tolerate names rooted below the project root (src layouts,
        apps whose parent folder is on sys.path)."""
        if dotted in self.modules:
            return self.modules[dotted]
        for name, module in self.modules.items():
            if name.endswith("." + dotted):
                return module
        return None

    def lookup(self, qualified: str) -> tuple[Module, str] | None:
        """Split ``pkg.mod.attr`` into the defining module and the attribute name."""
        if "." not in qualified:
            return None
        module_part, attr = qualified.rsplit(".", 1)
        module = self.find_module(module_part)
        if module is None:
            return None
        # Follow one re-export (``from .views import x`` in a package __init__).
        if attr not in module.functions and attr not in module.classes and attr in module.imports:
            target = module.imports[attr]
            if target != qualified:
                found = self.lookup(target)
                if found:
                    return found
        return module, attr

    @cached_property
    def settings_module_names(self) -> list[str]:
        """Settings modules named by manage.py/asgi.py/wsgi.py, else any ``settings`` module."""
        names: list[str] = []
        for candidate in ("manage.py", "asgi.py", "wsgi.py"):
            for path in [self.root / candidate, *self.root.glob(f"*/{candidate}")]:
                try:
                    match = _SETTINGS_ENV.search(path.read_text(encoding="utf-8", errors="replace"))
                except OSError:
                    continue
                if match and match.group(1) not in names:
                    names.append(match.group(1))
        if not names:
            names = [n for n in self.modules if n.split(".")[-1] == "settings" or ".settings." in n]
        return names
