"""``[tool.async-migrate]`` in pyproject.toml, merged with command-line flags (flags win)."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, fields
from pathlib import Path

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
    source: Path | None = None

    def merged(self, **flags) -> "Config":
        """A copy where every flag that was given (not None) replaces the file's value."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update({k: v for k, v in flags.items() if v is not None and v != []})
        return Config(**values)


_TYPES = {"target-version": str, "include": list, "exclude": list, "select": list, "skip": list,
          "async-safe-decorators": list, "include-unrouted": bool, "unsafe": bool, "jobs": int}


def find_pyproject(start: Path) -> Path | None:
    folder = start.resolve()
    if folder.is_file():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        if (candidate / "pyproject.toml").is_file():
            return candidate / "pyproject.toml"
    return None


def load_config(path: Path | None) -> Config:
    if path is None:
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    section = data.get("tool", {}).get("async-migrate", {})
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [tool.async-migrate] must be a table")
    config = Config(source=path)
    for key, value in section.items():
        if key not in _TYPES:
            raise ConfigError(f"{path}: unknown key {key!r} in [tool.async-migrate] "
                              f"(known: {', '.join(sorted(_TYPES))})")
        expected = _TYPES[key]
        if expected is list and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            raise ConfigError(f"{path}: {key!r} must be a list of strings")
        if expected is not list and (not isinstance(value, expected) or
                                     (expected is int and isinstance(value, bool))):
            raise ConfigError(f"{path}: {key!r} must be a {expected.__name__}")
        setattr(config, key.replace("-", "_"), value)
    return config
