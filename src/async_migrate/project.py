"""The project around the files being migrated: its root, its modules and their imports.

Everything here uses the stdlib ``ast`` (much faster than LibCST) and is read-only.  Files
the stdlib cannot parse (syntax newer than the running Python, or broken files) are simply
absent from the index; the LibCST pass reports real syntax errors for the files it rewrites.
"""

from __future__ import annotations

import ast
import multiprocessing
import os
import re
from collections import OrderedDict
from contextlib import contextmanager
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property, partial
from pathlib import Path
from typing import Callable, Iterator

from . import index_cache
from .django_api import HTTP_HANDLERS
from .downlevel import NeedsLibCST, parse_any
from .prefilter import needs_summary, parses, symtable_parses
from .files import SKIP_DIRS, FileProblem, iter_python_files, read_source

PARALLEL_LOAD_MIN = 100   # fewer files are parsed faster than worker processes start
LOAD_CHUNK = 64           # files per worker job, at most (at least four jobs per worker)
CHECK_LATER_MIN = 1000    # from this many files, some are checked while the passes run
WORD = re.compile(r"\w+")
# Every ASCII byte that is not a word character, as a space: for ASCII text, translating with
# this and splitting gives the words ``WORD`` finds, in a third of the time.
_ASCII_SPACES = bytes(c if chr(c).isalnum() or c == ord("_") or c >= 128 else ord(" ") for c in range(256))
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


@dataclass(frozen=True)
class FunctionInfo:
    """What the whole-project passes need of a top-level ``def``, kept without its tree."""

    line: int
    is_async: bool
    first_arg: str | None
    returned_calls: frozenset[str] = frozenset()   # last part of each ``return call(...)`` name
                                                  # (only for ``def f(request, ...)`` outside views
                                                  # modules: is it view-shaped?)
    decorators: tuple[str, ...] = ()   # qualified names (``decorator_name``)


@dataclass(frozen=True)
class ClassInfo:
    line: int
    bases: tuple[str, ...]          # qualified names of the bases ("" when not a dotted name)
    methods: dict[str, bool]        # method name -> is ``async def``
    decorators: tuple[str, ...] = ()           # the class's own, qualified (``decorator_name``)
    handler_decorators: tuple[str, ...] = ()   # those of its HTTP handlers, in the body's order


@dataclass(eq=False)
class Module:
    """One module of the project: its summary (imports, top-level ``def`` and ``class``), its
    ``ast`` tree on demand.

    The tree is parsed again from ``text`` when asked for and only the most recently used
    trees are kept (``TreeCache``), so a 10,000-file project does not hold 10,000 trees.
    A module the index did not parse (``indexed`` False: ``prefilter.needs_summary``) gets its
    summary made from its tree on first use."""

    name: str             # dotted name relative to the project root, e.g. "shop.views"
    path: Path
    text: str             # the source: re-parsed on demand, and cheap text prefilters
    words: str | None = None   # the identifiers of ``text``, space-separated, until the callers search
                               # (one string: pickled back from a worker in a tenth of a set's time)
    indexed: bool = True  # summarised by the index; else it defines no view, model or form
    checked: bool = True  # known to parse (else ``Project.checking`` finds out)
    digest: bytes = b""   # ``index_cache.digest`` of ``text``
    cached: bool = False  # read from the index cache, not parsed by this run

    # The summary: set by ``from_tree``, else made on first use (cached_property never
    # runs again once the attribute is set, and pickling carries what is set).
    @cached_property
    def imports(self) -> dict[str, str]:   # local name -> qualified name
        return self._summarize().imports

    @cached_property
    def function_info(self) -> dict[str, FunctionInfo]:
        return self._summarize().function_info

    @cached_property
    def class_info(self) -> dict[str, ClassInfo]:
        return self._summarize().class_info

    def _summarize(self) -> "Module":
        summary = Module.from_tree(self.name, self.path, self.tree, self.text, keep_tree=False)
        self.imports, self.function_info, self.class_info = summary.imports, summary.function_info, summary.class_info
        return summary

    @classmethod
    def from_tree(cls, name: str, path: Path, tree: ast.Module, text: str, keep_tree: bool = True) -> "Module":
        module = cls(name, path, text)
        module.imports = _imports(name, path, tree)
        module.function_info, module.class_info = {}, {}
        defs = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
        for node in defs:   # names first: qualify() below resolves the module's own definitions
            if isinstance(node, ast.ClassDef):
                module.class_info[node.name] = ClassInfo(node.lineno, (), {})
            else:
                module.function_info[node.name] = FunctionInfo(node.lineno, False, None)
        for node in defs:
            if isinstance(node, ast.ClassDef):
                methods = [n for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
                module.class_info[node.name] = ClassInfo(
                    node.lineno, tuple(module.qualify(b) or "" for b in node.bases),
                    {n.name: isinstance(n, ast.AsyncFunctionDef) for n in methods},
                    module.decorator_names(node),
                    tuple(d for n in methods if n.name in HTTP_HANDLERS for d in module.decorator_names(n)))
            else:
                module.function_info[node.name] = module._function_info(node)
        if keep_tree:
            TREES.put(module, tree)
        return module

    @classmethod
    def from_text(cls, name: str, path: Path, text: str) -> "Module":
        """Raises SyntaxError (and ValueError, RecursionError, MemoryError) like ``ast.parse``."""
        return cls.from_tree(name, path, parse_any(text), text)

    def _function_info(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> FunctionInfo:
        args = node.args.posonlyargs + node.args.args
        first = args[0].arg if args else None
        returned: set[str] = set()
        if first == "request" and not is_views_module(self.name):   # in a views module, request-first is enough
            for inner in ast.walk(node):
                if isinstance(inner, ast.Return) and isinstance(inner.value, ast.Call):
                    returned.add((self.qualify(inner.value.func) or "").rsplit(".", 1)[-1])
        return FunctionInfo(node.lineno, isinstance(node, ast.AsyncFunctionDef), first, frozenset(returned),
                            self.decorator_names(node))

    def decorator_names(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> tuple[str, ...]:
        """The qualified name of each decorator (of the called name for ``@deco(...)``), "?"
        where it is no dotted name: what ``plan._decorator_name`` gives for the LibCST node."""
        return tuple(self.qualify(d.func if isinstance(d, ast.Call) else d) or "?" for d in node.decorator_list)

    @property
    def tree(self) -> ast.Module:
        tree = TREES.get(self)
        if tree is None:
            try:
                tree = parse_any(self.text)
            except (SyntaxError, ValueError, RecursionError, MemoryError):   # not checked yet: see
                tree = ast.Module(body=[], type_ignores=[])                  # Project.checking
            TREES.put(self, tree)
        return tree

    @property
    def functions(self) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
        """Top-level ``def`` nodes by name (parses the module if its tree is not cached)."""
        if not self.function_info:
            return {}
        return {n.name: n for n in self.tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}

    @property
    def classes(self) -> dict[str, ast.ClassDef]:
        if not self.class_info:
            return {}
        return {n.name: n for n in self.tree.body if isinstance(n, ast.ClassDef)}

    def defines(self, name: str) -> bool:
        return name in self.function_info or name in self.class_info

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
            head = f"{self.name}.{node.id}" if self.defines(node.id) else node.id
        return ".".join([head, *reversed(parts)])


class TreeCache:
    """The ``ast`` trees of the most recently used modules (the rest are parsed again)."""

    def __init__(self, size: int = 256):
        self.size = size
        self._trees: OrderedDict[Module, ast.Module] = OrderedDict()

    def get(self, module: Module) -> ast.Module | None:
        tree = self._trees.get(module)
        if tree is not None:
            self._trees.move_to_end(module)
        return tree

    def put(self, module: Module, tree: ast.Module) -> None:
        self._trees[module] = tree
        self._trees.move_to_end(module)
        while len(self._trees) > self.size:
            self._trees.popitem(last=False)

    def clear(self) -> None:
        self._trees.clear()


TREES = TreeCache()


def _imports(name: str, path: Path, tree: ast.Module) -> dict[str, str]:
    """Local name -> qualified name, for module-level imports (relative ones resolved)."""
    names: dict[str, str] = {}
    package = name.rsplit(".", 1)[0] if "." in name else ""
    if path.name == "__init__.py":
        package = name
    for stmt in flat_statements(tree.body):
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
        elif _user_model_alias(stmt, names):   # ``User = get_user_model()``: the user model's name
            names[stmt.targets[0].id] = GET_USER_MODEL
    return names


GET_USER_MODEL = "django.contrib.auth.get_user_model"


def _user_model_alias(stmt: ast.stmt, names: dict[str, str]) -> bool:
    if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)
            and isinstance(stmt.value, ast.Call) and not stmt.value.args and not stmt.value.keywords):
        return False
    parts, func = [], stmt.value.func
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if not isinstance(func, ast.Name) or func.id not in names:
        return False
    return ".".join([names[func.id], *reversed(parts)]) == GET_USER_MODEL


def is_views_module(name: str) -> bool:
    """``views``, ``api_views``, ``app.views.orders``: request-first functions here are views."""
    return "views" in name.split(".")[-1] or ".views." in f".{name}."


def flat_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements of a module body, with those inside its ``if``/``try``/``with`` blocks
    (``if settings.UI_ENABLED: urlpatterns += [...]``), but not inside defs and classes."""
    for node in body:
        if isinstance(node, (ast.If, ast.Try, ast.With)):
            yield from flat_statements(node.body)
            yield from flat_statements(getattr(node, "orelse", []))
            yield from flat_statements(getattr(node, "finalbody", []))
            for handler in getattr(node, "handlers", []):
                yield from flat_statements(handler.body)
        else:
            yield node


def resolve_relative(package: str, module: str | None, level: int) -> str:
    if level == 0:
        return module or ""
    parts = package.split(".") if package else []
    if level > 1:
        parts = parts[: len(parts) - (level - 1)]
    if module:
        parts.append(module)
    return ".".join(parts)


def module_name(root: Path, path: Path, resolved: bool = False) -> str:
    rel = (path if resolved else path.resolve()).relative_to(root)
    parts = list(rel.with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def words_of(text: str) -> frozenset[str]:
    """The identifiers (and numbers) of ``text``: what ``WORD`` finds."""
    if text.isascii():
        return frozenset(text.encode("ascii").translate(_ASCII_SPACES).decode("ascii").split())
    return frozenset(WORD.findall(text))


def _pooled(jobs: int, count: int) -> bool:
    """Worth worker processes (forked: they start with this process's memory)?"""
    return jobs > 1 and count >= PARALLEL_LOAD_MIN and "fork" in multiprocessing.get_all_start_methods()


def _load_module(root: Path, path: Path, check: bool = True, libcst: bool = True) -> Module | Path | None:
    """The summary of one file, or None when it cannot be read or parsed (a worker sends back
    the summary and the text, never the tree).  A module that cannot hold a view, a model or a
    form is not summarised (its summary is made if something asks for it), only checked to
    parse: now, or later (``check`` False: ``Project.checking``).  ``libcst`` False: the path
    back where only LibCST can read the module (``parse_any``), for the parent to load."""
    try:
        path = path.resolve()
        name = module_name(root, path, resolved=True)
        text = read_source(path).text
        key = index_cache.digest(text)
        entry = _CACHED.get(str(path))
        if entry is not None and entry.name == name and entry.digest == key:
            return _from_cache(entry, path, text)
        words = words_of(text)
        if not needs_summary(text, words) and (not check or symtable_parses(text, path)):
            module = Module(name, path, text, indexed=False, checked=check)
        else:   # most modules are never looked at again: their trees go now, while still in the cache
            module = Module.from_tree(name, path, parse_any(text, libcst), text, keep_tree=False)
    except NeedsLibCST:
        return path
    except (FileProblem, SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    module.words = " ".join(words)   # for the callers search; dropped after it
    module.digest = key
    return module


def _from_cache(entry: index_cache.Entry, path: Path, text: str) -> Module:
    module = Module(entry.name, path, text, entry.words, indexed=entry.summary is not None,
                    digest=entry.digest, cached=True)
    if entry.summary is not None:
        module.imports, module.function_info, module.class_info = entry.summary
    return module


def _entry(module: Module) -> index_cache.Entry:
    summary = (module.imports, module.function_info, module.class_info) if module.indexed else None
    return index_cache.Entry(module.name, module.digest, summary, module.words or "")


_CACHED: dict[str, index_cache.Entry] = {}   # the index cache, for ``_load_module`` (in forked workers too)


_UNCHECKED: list[Module] = []   # what ``Project.checking``'s forked workers check


def _failing(start: int, stop: int) -> list[int]:
    """In a worker: the indexes of the modules of ``_UNCHECKED[start:stop]`` that do not parse."""
    return [i for i in range(start, stop) if not parses(_UNCHECKED[i].text, _UNCHECKED[i].path)]


@dataclass
class Project:
    """All parseable modules under ``root``, indexed by dotted name."""

    root: Path
    modules: dict[str, Module] = field(default_factory=dict)
    _cache: dict[str, index_cache.Entry] | None = field(default=None, repr=False)   # to write
    _cache_stale: bool = field(default=False, repr=False)
    _suffixes: dict[str, Module | None] = field(default_factory=dict, repr=False)
    _by_path: dict[Path, Module] | None = field(default=None, repr=False)
    _members: dict[tuple[str, str, bool], tuple[Module, ast.AST] | None] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, root: Path, jobs: int = 1, files: list[Path] | None = None,
             while_parsing: Callable[[], object] | None = None, cache: bool = False) -> "Project":
        """Index every module under ``root`` (``files``: the walk of it, when the caller made one),
        parsed by ``jobs`` processes on big trees; ``while_parsing`` is called in this process
        once they are all at work (it would otherwise wait idle); ``cache``: reuse what the
        last run learnt of the modules whose text is the same (``index_cache``), and keep
        this run's for the next (``save_cache``)."""
        global _CACHED
        project = cls(root.resolve())
        if files is None:
            files = [item for item in iter_python_files([project.root]) if isinstance(item, Path)]
        _CACHED = index_cache.read(project.root) if cache else {}
        try:
            project._index(files, jobs, while_parsing)
        finally:
            previous, _CACHED = _CACHED, {}
        if cache:
            project._cache = {str(module.path): _entry(module) for module in project.modules.values()}
            hits = sum(module.cached for module in project.modules.values())
            project._cache_stale = not (hits == len(project.modules) == len(previous))
        return project

    def _index(self, files: list[Path], jobs: int, while_parsing: Callable[[], object] | None) -> None:
        if _pooled(jobs, len(files)):
            # On a big tree, the modules no pass needs are checked to parse later, while the
            # passes run (``checking``): worth a second set of workers from this many files.
            # Worker processes leave to this one the modules only LibCST can read (newer syntax):
            # importing it would cost each 0.2 s, and ``while_parsing`` may import it here.
            load = partial(_load_module, self.root, check=len(files) < CHECK_LATER_MIN, libcst=False)
            with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
                chunk = max(16, min(LOAD_CHUNK, len(files) // (4 * jobs)))
                pending = pool.map(load, files, chunksize=chunk)   # submits all: the workers are forked
                if while_parsing is not None:
                    while_parsing()
                loaded = [_load_module(self.root, item) if isinstance(item, Path) else item for item in pending]
        else:
            loaded = [_load_module(self.root, path) for path in files]
        for module in loaded:
            if module is not None:
                self.modules[module.name] = module

    def save_cache(self) -> None:
        """Keep what the index learnt for the next run, once ``checking`` has dropped the
        modules that do not parse (only when something changed since the last run)."""
        if self._cache is None:
            return
        entries = {path: entry for path, entry in self._cache.items()
                   if self.modules.get(entry.name) is not None and self.modules[entry.name].checked}
        if self._cache_stale or len(entries) != len(self._cache):
            index_cache.write(self.root, entries)
        self._cache = None

    @contextmanager
    def checking(self, jobs: int) -> Iterator[None]:
        """Check that the modules the index only read parse, in ``jobs`` worker processes while
        the body runs (the whole-project passes: the parent alone works through them), then
        drop those that do not, as if the index had never read them (the LibCST pass reports
        their syntax errors).  Until then such a module reads as empty (``Module.tree``)."""
        global _UNCHECKED
        unchecked = [module for module in self.modules.values() if not module.checked]
        if not _pooled(jobs, len(unchecked)):
            yield
            failed = [module for module in unchecked if not parses(module.text, module.path)]
        else:
            _UNCHECKED = unchecked   # the workers are forked with it: no pickling of texts
            try:
                with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
                    step = max(16, min(LOAD_CHUNK, len(unchecked) // (4 * jobs)))
                    pending = [pool.submit(_failing, start, min(start + step, len(unchecked)))
                               for start in range(0, len(unchecked), step)]
                    try:
                        yield
                    finally:
                        failed = [unchecked[i] for future in pending for i in future.result()]
            finally:
                _UNCHECKED = []
        for module in failed:
            del self.modules[module.name]
        for module in unchecked:
            module.checked = module.name in self.modules
        if failed:
            self._suffixes, self._by_path, self._members = {}, None, {}

    def defining_modules(self) -> list[Module]:
        """The modules that may define a view, a model or a form: the others have no ``def``
        taking ``request`` and no class with bases (``prefilter.needs_summary``)."""
        return [module for module in self.modules.values() if module.indexed]

    def module_for_path(self, path: Path) -> Module | None:
        if self._by_path is None:   # built on first use: the modules never change once loaded
            self._by_path = {module.path: module for module in self.modules.values()}
        # No symlink on the way (the common case): no need to resolve, which costs syscalls.
        module = self._by_path.get(Path(os.path.abspath(path)))
        if module is not None:
            return module
        try:
            return self.modules.get(module_name(self.root, path))
        except ValueError:
            return None

    def find_module(self, dotted: str) -> Module | None:
        """A module by dotted name; tolerate names rooted below the project root (src layouts,
        apps whose parent folder is on sys.path)."""
        if dotted in self.modules:
            return self.modules[dotted]
        if dotted not in self._suffixes:   # the modules never change once loaded
            self._suffixes[dotted] = next(
                (module for name, module in self.modules.items() if name.endswith("." + dotted)), None)
        return self._suffixes[dotted]

    def lookup(self, qualified: str) -> tuple[Module, str] | None:
        """Split ``pkg.mod.attr`` into the defining module and the attribute name."""
        if "." not in qualified:
            return None
        module_part, attr = qualified.rsplit(".", 1)
        module = self.find_module(module_part)
        if module is None:
            return None
        # Follow one re-export (``from .views import x`` in a package __init__).
        if not module.defines(attr) and attr in module.imports:
            target = module.imports[attr]
            if target != qualified:
                found = self.lookup(target)
                if found:
                    return found
        return module, attr

    def class_member(self, qualified_class: str, name: str, inherited: bool = False) -> tuple[Module, ast.AST] | None:
        """(module, ast) of the function ``name`` of the project class ``qualified_class`` or of
        the nearest project class it derives from; ``inherited``: not the class's own (what
        ``super().name`` reaches).  None when no project class on the way defines it.  The
        walk reads the summaries (``class_info``); only the class that defines it is parsed."""
        key = (qualified_class, name, inherited)
        if key not in self._members:
            self._members[key] = self._class_member(qualified_class, name, inherited)
        return self._members[key]

    def _class_member(self, qualified_class: str, name: str, inherited: bool) -> tuple[Module, ast.AST] | None:
        queue = [self.lookup(qualified_class)]
        seen: set[tuple[str, str]] = set()
        while queue and len(seen) < 20:
            found = queue.pop(0)
            if not found or found[1] not in found[0].class_info or (found[0].name, found[1]) in seen:
                continue
            seen.add((found[0].name, found[1]))
            module, info = found[0], found[0].class_info[found[1]]
            if name in info.methods and not (inherited and len(seen) == 1):
                cls = module.classes.get(found[1])
                item = next((i for i in cls.body if getattr(i, "name", None) == name and hasattr(i, "args")), None) \
                    if cls is not None else None
                return (module, item) if item is not None else None
            queue.extend(self.lookup(base) for base in info.bases if base)
        return None

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
