"""Everything known about a project before any file is rewritten, built once per root."""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .discovery import FoundView, find_views
from .django_api import Version
from .effects import EffectIndex
from .models_index import ModelIndex, build_model_index
from .project import TREES, Module, Project, find_root
from .settings_facts import Settings, read_settings
from .urlconf import collect_routes


@dataclass(frozen=True)
class Options:
    """What the user asked for; shared by every file of a run."""

    target: Version = (5, 2)
    unsafe: bool = False
    include_unrouted: bool = False
    async_safe_decorators: frozenset[str] = frozenset()
    cache: bool = False   # keep the index between runs (``index_cache``); the CLI turns it on


@dataclass
class ProjectFacts:
    project: Project
    settings: Settings
    models: ModelIndex
    effects: EffectIndex
    views: dict[str, FoundView]
    urlconfs: list[str] = field(default_factory=list)
    single_source: bool = False   # built from one source text, not a project on disk
    _by_path: dict[Path, list[FoundView]] | None = field(default=None, repr=False)

    @classmethod
    def build(cls, root: Path, jobs: int = 1, unrouted_callers: bool = True,
              files: list[Path] | None = None, while_parsing: Callable[[], object] | None = None,
              cache: bool = False) -> "ProjectFacts":
        """``unrouted_callers=False`` skips looking for direct callers of views no URL reaches
        (they stay sync unless --include-unrouted, so their callers are never read);
        ``while_parsing``, ``cache``: see ``Project.load``."""
        collecting = gc.isenabled()
        gc.disable()   # thousands of short-lived trees, no reference cycles: no collections
        try:
            project = Project.load(root, jobs, files, while_parsing, cache)
            with project.checking(jobs):
                settings = read_settings(project)
                models = build_model_index(project, settings.auth_user_model)
                effects = EffectIndex(project, frozenset(models.model_qualnames.values()), models.relation_names)
                routes = collect_routes(project, settings.root_urlconf)
                views = find_views(project, routes.routes, unrouted_callers, frozenset(routes.urlconfs))
            project.save_cache()
        finally:
            if collecting:   # (the engine keeps it off, and freezes what the build made)
                gc.enable()
        return cls(project, settings, models, effects, views, routes.urlconfs)

    @classmethod
    def for_source(cls, text: str, name: str = "views") -> "ProjectFacts":
        """A project of one module (stdin, tests): every view-shaped function counts as routed."""
        project = Project(Path.cwd())
        try:
            project.modules[name] = Module.from_text(name, Path(f"<{name}>"), text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            pass
        settings = Settings()
        models = build_model_index(project)
        effects = EffectIndex(project, frozenset(models.model_qualnames.values()), models.relation_names)
        views = find_views(project, [])
        for view in views.values():
            view.routed = True
        return cls(project, settings, models, effects, views, single_source=True)

    def views_in(self, path: Path, resolved: bool = False) -> list[FoundView]:
        if self._by_path is None:
            self._by_path = {}
            for view in sorted(self.views.values(), key=lambda v: v.line):
                self._by_path.setdefault(view.path, []).append(view)
        return self._by_path.get(path if resolved else path.resolve(), [])


_CACHE: dict[tuple[Path, bool], ProjectFacts] = {}


def facts_for(path: Path, root: Path | None = None, jobs: int = 1, unrouted_callers: bool = True,
              files: list[Path] | None = None, while_parsing: Callable[[], object] | None = None,
              cache: bool = False) -> ProjectFacts:
    """Facts of the project holding ``path`` (kept for the life of the process); ``files``:
    the caller's walk of the root, if it made one; ``while_parsing``, ``cache``: see
    ``Project.load``."""
    root = root or find_root(path)
    facts = _CACHE.get((root, True)) or _CACHE.get((root, unrouted_callers))
    if facts is None:
        facts = _CACHE[(root, unrouted_callers)] = ProjectFacts.build(root, jobs, unrouted_callers, files,
                                                                      while_parsing, cache)
    return facts


def clear_cache() -> None:
    _CACHE.clear()
    TREES.clear()
