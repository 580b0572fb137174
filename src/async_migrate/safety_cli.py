"""`check` and `doctor` commands (registered on the main CLI app)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer

EXIT_OK, EXIT_FINDINGS, EXIT_ERRORS = 0, 1, 2
CHECK_FORMATS = ("text", "json", "github", "sarif")
DOCTOR_FORMATS = ("text", "json")


def _options(first: Path, target_version: Optional[str], config_path: Optional[Path]):
    from .cli import resolve_settings

    config, options, target, reason = resolve_settings([str(first)], config_path, target_version=target_version)
    return config, options, target, reason


def check_command(paths: List[str], fmt: str = "text", fix: bool = False, target_version: Optional[str] = None,
                  exclude: Optional[List[str]] = None, config_path: Optional[Path] = None) -> int:
    from .check import check_paths, check_text
    from .check_rules import render
    from .config import ConfigError

    if fmt not in CHECK_FORMATS:
        sys.stderr.write(f"error: unknown format {fmt!r} (choose from {', '.join(CHECK_FORMATS)})\n")
        return EXIT_ERRORS
    try:
        config, options, target, _reason = _options(Path(paths[0]) if paths and paths[0] != "-" else Path.cwd(),
                                                    target_version, config_path)
    except (ConfigError, ValueError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_ERRORS
    if paths == ["-"]:
        try:
            findings, errors = check_text(sys.stdin.read(), options).findings, []
        except Exception as exc:  # noqa: BLE001
            findings, errors = [], [("-", f"{type(exc).__name__}: {exc}")]
    else:
        run = check_paths([Path(p) for p in paths], options, tuple(exclude or config.exclude), fix=fix)
        findings, errors = run.findings, run.errors
        for fixed in run.fixed:
            sys.stderr.write(f"fixed {fixed}\n")
    sys.stdout.write(render(findings, errors, fmt, target))
    if fmt == "text":
        for path, message in errors:
            sys.stderr.write(f"{path}: error: {message}\n")
        n = len(findings)
        sys.stderr.write(f"{n} finding{'s' if n != 1 else ''} (Django {target}).\n")
    if errors:
        return EXIT_ERRORS
    return EXIT_FINDINGS if findings else EXIT_OK


def register(app) -> None:
    @app.command()
    def check(paths: List[str] = typer.Argument(..., help="Files or directories; '-' reads one module from stdin."),
              fmt: str = typer.Option("text", "--format", help="text, json, github or sarif."),
              fix: bool = typer.Option(False, "--fix", help="Apply the fixes Django's async API allows "
                                       "(AM101, AM102 native forms, AM103 time.sleep, AM105)."),
              target_version: Optional[str] = typer.Option(None, "--target-version",
                                                           help="Django version to target (4.1-6.1)."),
              exclude: Optional[List[str]] = typer.Option(None, "--exclude", help="Glob of paths to skip."),
              config: Optional[Path] = typer.Option(None, "--config", help="Read [tool.async-migrate] from this file."),
              ) -> None:
        """Find sync-only operations inside async def. Example: async-migrate check src/"""
        raise typer.Exit(check_command(paths, fmt, fix, target_version, exclude, config))

    @app.command()
    def doctor(project: Path = typer.Argument(Path("."), help="The Django project (the folder of manage.py)."),
               fmt: str = typer.Option("text", "--format", help="text or json."),
               target_version: Optional[str] = typer.Option(None, "--target-version",
                                                            help="Django version to target (4.1-6.1)."),
               ) -> None:
        """Report how ready a project is to serve async views. Example: async-migrate doctor ."""
        from .doctor import doctor_command

        raise typer.Exit(doctor_command(project, fmt, target_version))
