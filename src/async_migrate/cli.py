"""The command line: options in, config merged, engine run, report out.  Kept thin."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, List, Optional

import typer

from . import __version__, registry
from .config import Config, ConfigError, find_pyproject, load_config
from .django_api import format_version
from .engine import FileResult, RunResult, process_stdin, run, write_changes
from .facts import Options
from .files import FileError, encode_source, iter_python_files
from .project import find_root
from .report import (JSON_SCHEMA_VERSION, html_report, print_diffs, print_errors, print_views, summary_line,
                     to_json)
from .target import check_target, detect_target

if TYPE_CHECKING:
    from rich.console import Console

EXIT_OK, EXIT_CHANGES, EXIT_ERRORS = 0, 1, 2

app = typer.Typer(
    name="async-migrate", no_args_is_help=True, add_completion=True,
    help="Rewrite a Django project's sync views into async views, as reviewable diffs.\n\n"
         "Examples:\n\n  async-migrate diff myproject/\n\n  async-migrate apply myproject/\n\n"
         "  async-migrate diff --check --quiet myproject/   (CI)")

PathsArg = typer.Argument(..., help="Files or directories; '-' reads one module from stdin.")
TargetOpt = typer.Option(None, "--target-version", help="Django version to target (4.1-6.1). "
                         "Default: the project's pin, else the installed Django, else 5.2.")
JsonOpt = typer.Option(False, "--json", help="Print a machine-readable report on stdout instead.")
UnsafeOpt = typer.Option(None, "--unsafe/--no-unsafe", help="Also wrap calls whose safety the tool cannot see.")
UnroutedOpt = typer.Option(None, "--include-unrouted/--no-include-unrouted",
                           help="Also convert view-shaped functions no urls.py routes.")
JobsOpt = typer.Option(None, "--jobs", "-j", help="Worker processes (default: CPU count).")
SelectOpt = typer.Option(None, "--select", help="Only these codemods (repeatable).")
SkipOpt = typer.Option(None, "--skip", help="Skip these codemods (repeatable).")
ConfigOpt = typer.Option(None, "--config", help="Read [tool.async-migrate] from this file.")
NoColorOpt = typer.Option(False, "--no-color", help="Plain output, no colours.")
QuietOpt = typer.Option(False, "--quiet", "-q", help="No diffs or table: only errors and the summary.")
ExcludeOpt = typer.Option(None, "--exclude", help="Glob of paths to skip (repeatable).")
IncludeOpt = typer.Option(None, "--include", help="Only files matching this glob (repeatable).")
HtmlOpt = typer.Option(None, "--html", metavar="FILE", dir_okay=False,
                       help="Also write the whole report (summary, views, reasons, diffs) as one HTML page.")
CacheOpt = typer.Option(None, "--cache/--no-cache",
                        help="Keep the project index in .async_migrate_cache/ for the next run (default: on).")
DecoratorsOpt = typer.Option(None, "--async-safe-decorator",
                             help="A decorator (dotted or bare name) known to accept async views (repeatable).")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"async-migrate {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                               help="Show the version and exit.")) -> None:
    """Rewrite a Django project's sync views into async views, as reviewable diffs."""


def resolve_settings(paths: List[str], config_path: Optional[Path], **flags) -> tuple[Config, Options, str, str]:
    first = Path(paths[0]) if paths and paths[0] != "-" else Path.cwd()
    if config_path is not None:
        config = load_config(config_path, required=True)
    else:
        config = load_config(find_pyproject(first))
    config = config.merged(**flags)
    if flags.get("jobs") is not None and flags["jobs"] < 0:
        raise ConfigError(f"--jobs must be 0 (one per CPU) or more, got {flags['jobs']}")
    if config.target_version:
        origin = config.origin("target_version")
        try:
            target = check_target(config.target_version)
        except ValueError as exc:
            raise ConfigError(f"{origin}: {exc}") from None
        reason = f"from {origin}"
    else:
        target, reason = detect_target(find_root(first))
    options = Options(target=target, unsafe=bool(config.unsafe), include_unrouted=bool(config.include_unrouted),
                      async_safe_decorators=frozenset(config.async_safe_decorators), cache=config.cache)
    return config, options, format_version(target), reason


def _collect(paths: List[str], config: Config) -> tuple[List[Path], List[FileResult]]:
    """The paths to give the engine: with ``include`` globs, the matching files only."""
    roots = [Path(p) for p in paths]
    if not config.include:
        return roots, []
    files, errors = [], []
    for item in iter_python_files(roots, tuple(config.exclude)):
        if isinstance(item, FileError):
            errors.append(FileResult(item.path, error=item.reason))
        elif config.includes(item, [r for r in roots if r.is_dir()]):
            files.append(item)
    return files, errors


def _execute(paths: List[str], write: bool, check: bool, as_json: bool, quiet: bool, no_color: bool,
             config_path: Optional[Path], only: Optional[List[str]] = None, interactive: bool = False,
             html: Optional[Path] = None, **flags) -> int:
    if interactive and (as_json or paths == ["-"]):
        sys.stderr.write("error: --interactive cannot be combined with --json or '-'\n")
        return EXIT_ERRORS
    try:
        config, options, target, reason = resolve_settings(paths, config_path, **flags)
        enabled = registry.select(only or config.select or None, config.skip or None)
    except (ConfigError, ValueError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_ERRORS
    if paths == ["-"]:
        return _stdin(options, enabled, as_json, target, reason)
    err, out = (None, None) if as_json else _consoles(no_color)   # --json: rich is never imported
    if err is not None:
        err.print(f"Targeting Django {target} ({reason}).", markup=False, soft_wrap=True)
    progress = _progress(err) if err is not None and err.is_terminal else None
    try:
        files, walk_errors = _collect(paths, config)
        result = run(files, options, enabled, jobs=config.jobs or 0,
                     exclude=tuple(config.exclude), on_progress=progress.update if progress else None)
    finally:
        if progress:
            progress.close()
    if walk_errors:
        result.files.extend(walk_errors)
        result.files.sort(key=lambda r: str(r.path))
    if interactive:
        _review(result, out)
    elif write:
        write_changes(result)
    if html is not None:
        try:
            html.write_text(html_report(result, target, reason, write), encoding="utf-8")
        except OSError as exc:
            sys.stderr.write(f"{html}: error: cannot write the HTML report: {exc.strerror or exc}\n")
            return EXIT_ERRORS
    if as_json:
        sys.stdout.write(json.dumps(to_json(result, target, reason, write), indent=2) + "\n")
    else:
        if not quiet:
            if not write:
                print_diffs(out, result)
            if result.views:   # a piped diff stays a pure patch: the table goes to stderr
                print_views(out if write or out.is_terminal else err, result)
        print_errors(err, result)
        err.print(summary_line(result, write), markup=False, soft_wrap=True)
    return _exit_code(result, check)


def _consoles(no_color: bool) -> tuple[Console, Console]:
    """stderr and stdout.  Off a terminal rich assumes 80 columns, which squeezes the views
    table to one word per line; logs and CI output are read wider."""
    from rich.console import Console

    err = Console(stderr=True, no_color=no_color, highlight=False)
    out = Console(no_color=no_color, highlight=False)
    for console in (err, out):
        if not console.is_terminal and "COLUMNS" not in os.environ:
            console.width = 140
    return err, out


def _review(result: RunResult, out: Console) -> None:
    """``apply --interactive``: ask hunk by hunk, write the accepted ones, note what was declined."""
    from .review import interactive

    def ask(prompt: str) -> str:
        try:
            return typer.prompt(prompt, default="", show_default=False, prompt_suffix="")
        except typer.Abort:   # end of input or ^C: like q
            raise EOFError from None

    chosen = interactive(result, out, ask)
    write_changes(chosen)
    written = {f.path: f for f in chosen.files}
    for original in result.files:
        if original.path in written:
            original.new, original.error = written[original.path].new, written[original.path].error


def _exit_code(result: RunResult, check: bool) -> int:
    if result.errors:
        return EXIT_ERRORS
    if check and result.changed:
        return EXIT_CHANGES
    return EXIT_OK


def _stdin(options: Options, enabled: frozenset[str], as_json: bool, target: str, reason: str) -> int:
    result, source = process_stdin(sys.stdin.buffer.read(), options, enabled)
    if result.error:
        sys.stderr.write(f"-: error: {result.error}\n")
        return EXIT_ERRORS
    if as_json:
        sys.stdout.write(json.dumps(to_json(RunResult([result]), target, reason, False), indent=2) + "\n")
    else:
        sys.stdout.buffer.write(encode_source(source, result.new))
    return EXIT_OK


class _progress:
    """A rich progress bar on stderr, shown only for big trees on a terminal."""

    def __init__(self, console: Console):
        from rich.progress import Progress

        self.progress = Progress(console=console, transient=True)
        self.task = None

    def update(self, done: int, total: int) -> None:
        if total < 50:
            return
        if self.task is None:
            self.progress.start()
            self.task = self.progress.add_task("Rewriting", total=total)
        self.progress.update(self.task, completed=done)

    def close(self) -> None:
        if self.task is not None:
            self.progress.stop()


@app.command()
def diff(paths: List[str] = PathsArg, check: bool = typer.Option(False, "--check", help="Exit 1 when something would change."),
         quiet: bool = QuietOpt, as_json: bool = JsonOpt, no_color: bool = NoColorOpt,
         target_version: Optional[str] = TargetOpt, unsafe: Optional[bool] = UnsafeOpt,
         include_unrouted: Optional[bool] = UnroutedOpt, jobs: Optional[int] = JobsOpt,
         select: Optional[List[str]] = SelectOpt, skip: Optional[List[str]] = SkipOpt,
         include: Optional[List[str]] = IncludeOpt, exclude: Optional[List[str]] = ExcludeOpt,
         async_safe_decorators: Optional[List[str]] = DecoratorsOpt, html: Optional[Path] = HtmlOpt,
         config: Optional[Path] = ConfigOpt, cache: Optional[bool] = CacheOpt) -> None:
    """Show what would change (writes nothing but its cache). Example: async-migrate diff myproject/"""
    raise typer.Exit(_execute(paths, False, check, as_json, quiet, no_color, config, html=html,
                              target_version=target_version,
                              unsafe=unsafe, include_unrouted=include_unrouted, jobs=jobs, select=select,
                              skip=skip, include=include, exclude=exclude,
                              async_safe_decorators=async_safe_decorators, cache=cache))


@app.command()
def apply(paths: List[str] = PathsArg,
          interactive: bool = typer.Option(False, "--interactive", "-i",
                                           help="Review hunk by hunk, like git add -p: y/n/a(ll)/q(uit)."),
          quiet: bool = QuietOpt, as_json: bool = JsonOpt, no_color: bool = NoColorOpt,
          target_version: Optional[str] = TargetOpt, unsafe: Optional[bool] = UnsafeOpt,
          include_unrouted: Optional[bool] = UnroutedOpt, jobs: Optional[int] = JobsOpt,
          select: Optional[List[str]] = SelectOpt, skip: Optional[List[str]] = SkipOpt,
          include: Optional[List[str]] = IncludeOpt, exclude: Optional[List[str]] = ExcludeOpt,
          async_safe_decorators: Optional[List[str]] = DecoratorsOpt, html: Optional[Path] = HtmlOpt,
          config: Optional[Path] = ConfigOpt, cache: Optional[bool] = CacheOpt) -> None:
    """Rewrite the files in place. Example: async-migrate apply myproject/"""
    raise typer.Exit(_execute(paths, True, False, as_json, quiet, no_color, config, interactive=interactive,
                              html=html, target_version=target_version,
                              unsafe=unsafe, include_unrouted=include_unrouted, jobs=jobs, select=select,
                              skip=skip, include=include, exclude=exclude,
                              async_safe_decorators=async_safe_decorators, cache=cache))


@app.command(name="run")
def run_one(codemod: str = typer.Argument(..., help="A codemod name (see `async-migrate codemods`)."),
            paths: List[str] = PathsArg, write: bool = typer.Option(False, "--apply", help="Write the changes."),
            check: bool = typer.Option(False, "--check", help="Exit 1 when something would change."),
            quiet: bool = QuietOpt, as_json: bool = JsonOpt, no_color: bool = NoColorOpt,
            target_version: Optional[str] = TargetOpt, unsafe: Optional[bool] = UnsafeOpt,
            include_unrouted: Optional[bool] = UnroutedOpt, jobs: Optional[int] = JobsOpt,
            include: Optional[List[str]] = IncludeOpt, exclude: Optional[List[str]] = ExcludeOpt,
            async_safe_decorators: Optional[List[str]] = DecoratorsOpt, html: Optional[Path] = HtmlOpt,
            config: Optional[Path] = ConfigOpt, cache: Optional[bool] = CacheOpt) -> None:
    """Run one codemod. Example: async-migrate run orm_async shop/views.py --apply"""
    raise typer.Exit(_execute(paths, write, check, as_json, quiet, no_color, config, only=[codemod], html=html,
                              target_version=target_version, unsafe=unsafe, include_unrouted=include_unrouted,
                              jobs=jobs, include=include, exclude=exclude,
                              async_safe_decorators=async_safe_decorators, cache=cache))


@app.command()
def codemods() -> None:
    """List the codemods with a one-line description each. Example: async-migrate codemods"""
    for name, module in registry.all_codemods().items():
        minimum = ".".join(map(str, module.MIN_DJANGO))
        typer.echo(f"{name:<18} {module.DESCRIPTION} (Django {minimum}+)")


@app.command()
def schema() -> None:
    """Print the JSON Schema of the --json report (docs/json-report.md).

    Example: async-migrate schema > report-v1.json
    """
    from importlib.resources import files

    typer.echo(files("async_migrate").joinpath(f"schema/report-v{JSON_SCHEMA_VERSION}.json").read_text("utf-8"),
               nl=False)


def main() -> None:
    try:
        app()
        code = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else 0 if done.code is None else 1
        if isinstance(done.code, str):
            print(done.code, file=sys.stderr)
    # Freeing a big tree's index one object at a time at interpreter exit takes a while (half
    # a second at 5,000 files); everything is written, so leave at once, as mypy does.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


from .safety_cli import register as _register_safety  # noqa: E402

_register_safety(app)
