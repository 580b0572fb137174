"""The LibCST command each codemod exposes, so ``python -m libcst.tool codemod
orm_async.OrmAsyncCommand PATH`` runs it on its own.

Only LibCST's runner needs these classes, and ``libcst.codemod`` is slow to import (its
matchers take about a quarter of a second), so a codemod module builds its class on first
access (``_lazy.py``) and async-migrate's own runs never import this module.
"""

from __future__ import annotations

import argparse
from contextlib import contextmanager
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import libcst as cst
from libcst.codemod import CodemodCommand, CodemodContext
from libcst.metadata import MetadataWrapper

from async_migrate.django_api import DEFAULT_TARGET, parse_version
from async_migrate.facts import Options, ProjectFacts, facts_for
from async_migrate.transform import rewrite_tree


class ViewCodemodCommand(CodemodCommand):
    """Runs the codemods named in ``CODEMODS`` (plus the ``async def`` flip every one implies)."""

    DESCRIPTION = "async-migrate codemod"
    CODEMODS: tuple[str, ...] = ()

    def __init__(self, context: CodemodContext, target_version: str | None = None,
                 unsafe: bool = False, include_unrouted: bool = False) -> None:
        super().__init__(context)
        self.enabled = frozenset(self.CODEMODS)
        self.options = Options(target=parse_version(target_version) if target_version else DEFAULT_TARGET,
                               unsafe=unsafe, include_unrouted=include_unrouted)

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument("--target-version", dest="target_version", default=None,
                                help="Django version the code must run on (default 5.2)")
        arg_parser.add_argument("--unsafe", action="store_true", default=False,
                                help="also wrap calls whose safety the tool cannot see")
        arg_parser.add_argument("--include-unrouted", dest="include_unrouted", action="store_true",
                                default=False, help="also convert view-shaped functions no URL routes")

    @contextmanager
    def _handle_metadata_reference(self, module: cst.Module):
        # The planner keeps references to nodes of this very tree, so no defensive copy
        # (LibCST's default deep-copies the module for every codemod run).
        old = self.context.wrapper
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        with self.resolve(wrapper):
            self.context = replace(self.context, wrapper=wrapper)
            try:
                yield wrapper.module
            finally:
                self.context = replace(self.context, wrapper=old)

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        filename = self.context.filename
        path = Path(filename) if filename and Path(filename).exists() else None
        facts = facts_for(path) if path else ProjectFacts.for_source(tree.code)
        return rewrite_tree(tree, path, facts, self.options, self.enabled)[0]


@lru_cache(maxsize=None)
def command_class(module: str, class_name: str, codemod: str, description: str) -> type[ViewCodemodCommand]:
    """The command of one codemod: one class per codemod, the same object on every access (so
    LibCST's parallel runner can pickle its instances by name)."""
    return type(class_name, (ViewCodemodCommand,),
                {"__module__": module, "__qualname__": class_name, "__doc__": description,
                 "DESCRIPTION": description, "CODEMODS": (codemod,)})

