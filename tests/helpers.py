"""Test helpers: run the codemods on a source string, django-upgrade style."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from async_migrate.django_api import parse_version
from async_migrate.transform import transform_source
from async_migrate.facts import Options, ProjectFacts
from async_migrate.registry import all_codemods


def migrate(source: str, codemods=None, target: str = "5.2", unsafe: bool = False):
    """Rewrite one module (as a views module of no project); return (code, plan)."""
    enabled = frozenset(codemods or all_codemods())
    options = Options(target=parse_version(target), unsafe=unsafe)
    facts = ProjectFacts.for_source(source)
    return transform_source(source, None, facts, options, enabled)


def check_transformed(before: str, after: str, codemods=None, target: str = "5.2", unsafe: bool = False):
    before, after = textwrap.dedent(before), textwrap.dedent(after)
    ast.parse(after)  # the expectation itself must be valid Python
    code, plan = migrate(before, codemods, target, unsafe)
    assert code == after
    again, _ = migrate(code, codemods, target, unsafe)
    assert again == code, "a second run must change nothing"
    return plan


def check_noop(source: str, codemods=None, target: str = "5.2", unsafe: bool = False):
    source = textwrap.dedent(source)
    code, plan = migrate(source, codemods, target, unsafe)
    assert code == source
    return plan


def decisions(plan) -> dict[str, tuple[str, str]]:
    return {view.name: (view.decision, view.reason) for view in plan.views}


def suite_env(**extra: str) -> dict[str, str]:
    """The environment for a Django project's own suite: no ``DJANGO_*`` variable of ours reaches
    it, so Django's async-safety checks stay on (the SynchronousOnlyOperation errors the suites
    exist to catch) and the project picks its own settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(extra)
    return env


def run_suite(project: Path, python: str = sys.executable, timeout: int = 600) -> subprocess.CompletedProcess:
    """``manage.py test`` of a Django project, as its team would run it."""
    return subprocess.run([python, "manage.py", "test", "--noinput", "-v", "1"], cwd=project, env=suite_env(),
                          capture_output=True, text=True, timeout=timeout)
