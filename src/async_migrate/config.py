"""``[tool.async-migrate]`` in pyproject.toml, merged with command-line flags (flags win).

Every key is checked when the file is read; a bad one raises ConfigError naming the file
and the key, so the CLI can print one line and exit 2.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, fields
from fnmatch import fnmatchcase
from pathlib import Path, PurePath

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


class ConfigError(ValueError):
    """A bad config file: the message names the key."""


@dataclass
class Config:
    target_version: str | None = None
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    select: list[str] = field(default_factory=list)
    skip: list[str] = field(default_factory=list)
    async_safe_decorators: list[str] = field(default_factory=list)
    include_unrouted: bool = False
    unsafe: bool = False
    jobs: int = 0
    cache: bool = True
    source: Path | None = None
    from_file: frozenset[str] = frozenset()   # the keys (python names) the file set

    def merged(self, **flags) -> "Config":
        """A copy where every flag that was given (not None) replaces the file's value."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        given = {k: v for k, v in flags.items() if v is not None and v != [] and v != ()}
        values.update({k: list(v) if isinstance(v, tuple) else v for k, v in given.items()})
        values["from_file"] = frozenset(self.from_file - set(given))
        return Config(**values)

    def origin(self, name: str) -> str:
        """Where a setting came from, for messages: ``target-version in pyproject.toml``."""
        key = name.replace("_", "-")
        if name in self.from_file and self.source is not None:
            return f"{key} in {self.source.name}"
        return f"--{key}"

    def includes(self, path: Path, roots: list[Path]) -> bool:
        """Whether ``path`` matches an ``include`` glob (always, when there is none).

        A glob is matched, like ``exclude``, against the file's name and its posix path
        relative to the walked root it was found under, to the config file's folder and to
        the working directory.
        """
        if not self.include:
            return True
        candidates = {path.name, path.as_posix()}
        bases = [*roots, Path.cwd()]
        if self.source is not None:
            bases.append(self.source.parent)
        resolved = path.resolve()
        for base in bases:
            try:
                candidates.add(PurePath(resolved.relative_to(base.resolve())).as_posix())
            except ValueError:
                continue
        return any(fnmatchcase(c, g) or fnmatchcase(c, g.rstrip("/") + "/*") for c in candidates
                   for g in self.include)


_TYPES = {"target-version": str, "include": list, "exclude": list, "select": list, "skip": list,
          "async-safe-decorators": list, "include-unrouted": bool, "unsafe": bool, "jobs": int,
          "cache": bool}
_TYPE_NAMES = {str: "a string", list: "a list of strings", bool: "true or false", int: "an integer"}


def find_pyproject(start: Path) -> Path | None:
    folder = start.resolve()
    if folder.is_file() or not folder.exists():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        if (candidate / "pyproject.toml").is_file():
            return candidate / "pyproject.toml"
    return None


def load_config(path: Path | None, required: bool = False) -> Config:
    """Read ``[tool.async-migrate]`` from ``path``; ``required``: the user named the file."""
    if path is None:
        return Config()
    if required and not path.is_file():
        raise ConfigError(f"{path}: config file not found")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    tool = data.get("tool", {})
    section = tool.get("async-migrate", {}) if isinstance(tool, dict) else {}
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [tool.async-migrate] must be a table")
    config = Config(source=path)
    for key, value in section.items():
        if key not in _TYPES:
            hint = f" (did you mean {key.replace('_', '-')!r}?)" if key.replace("_", "-") in _TYPES else ""
            raise ConfigError(f"{path}: unknown key {key!r} in [tool.async-migrate]{hint} "
                              f"(known: {', '.join(sorted(_TYPES))})")
        expected = _TYPES[key]
        if expected is list and not (isinstance(value, list) and all(isinstance(v, str) and v for v in value)):
            raise ConfigError(f"{path}: {key!r} must be {_TYPE_NAMES[list]}, got {value!r}")
        if expected is not list and (not isinstance(value, expected) or
                                     (expected is int and isinstance(value, bool))):
            raise ConfigError(f"{path}: {key!r} must be {_TYPE_NAMES[expected]}, got {value!r}")
        problem = _check_value(key, value)
        if problem:
            raise ConfigError(f"{path}: {key!r}: {problem}")
        setattr(config, key.replace("-", "_"), value)
    config.from_file = frozenset(k.replace("-", "_") for k in section)
    return config


def _check_value(key: str, value) -> str:
    """What is wrong with a well-typed value, or ''."""
    if key == "target-version":
        from .target import check_target

        try:
            check_target(value)
        except ValueError as exc:
            return str(exc)
    elif key == "jobs" and value < 0:
        return f"must be 0 (one per CPU) or more, got {value}"
    elif key in ("select", "skip"):
        from .registry import all_codemods

        unknown = [name for name in value if name not in all_codemods()]
        if unknown:
            return f"unknown codemod {unknown[0]!r} (known: {', '.join(all_codemods())})"
    return ""
