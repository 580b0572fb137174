"""The base every codemod command shares: plan the module, then rewrite the planned views."""

from __future__ import annotations

import argparse
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import libcst as cst
from libcst.codemod import CodemodCommand, CodemodContext
from libcst.metadata import MetadataWrapper

from async_migrate.django_api import DEFAULT_TARGET, parse_version
from async_migrate.facts import Options, ProjectFacts, facts_for
from async_migrate.imports import apply_imports
from async_migrate.plan import ModulePlan, plan_module
from async_migrate.registry import all_codemods
from async_migrate.rewriter import RewriteState, rewrite_module

OPTIONS_KEY = "async_migrate.options"
FACTS_KEY = "async_migrate.facts"
PLAN_KEY = "async_migrate.plan"


class ViewCodemodCommand(CodemodCommand):
    """Runs the codemods named in ``CODEMODS`` (plus the ``async def`` flip every one implies)."""

    DESCRIPTION = "async-migrate codemod"
    CODEMODS: tuple[str, ...] = ()

    def __init__(self, context: CodemodContext, target_version: str | None = None,
                 unsafe: bool = False, include_unrouted: bool = False,
                 codemods: tuple[str, ...] | None = None) -> None:
        super().__init__(context)
        self.enabled = frozenset(codemods if codemods is not None else self.CODEMODS)
        self.default_options = Options(
            target=parse_version(target_version) if target_version else DEFAULT_TARGET,
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

    def transform_module(self, tree: cst.Module) -> cst.Module:
        result = super().transform_module(tree)
        return _no_new_leading_blank_lines(tree, result)

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        scratch = self.context.scratch
        options: Options = scratch.get(OPTIONS_KEY) or self.default_options
        filename = self.context.filename
        path = Path(filename) if filename and Path(filename).exists() else None
        facts: ProjectFacts | None = scratch.get(FACTS_KEY)
        if facts is None:
            facts = facts_for(path) if path else ProjectFacts.for_source(tree.code)
        if path is not None and not facts.single_source:
            module = facts.project.module_for_path(path)
            module_name = module.name if module else path.stem
        else:
            module_name = "views"
        plan = plan_module(tree, facts, options, self.enabled, None if facts.single_source else path,
                           module_name)
        scratch[PLAN_KEY] = plan
        state = RewriteState(options.target)
        result = rewrite_module(tree, plan, all_codemods(), state)
        if result is not tree:
            result = apply_imports(result, state.imports, state.maybe_unused, plan.lines)
        return result


def _no_new_leading_blank_lines(before: cst.Module, after: cst.Module) -> cst.Module:
    """Removing the first import (``import time``) must not leave the file starting blank."""
    started_blank = bool(before.header) or bool(before.body and before.body[0].leading_lines)
    if after is before or not after.body or started_blank or after.header:
        return after
    first = after.body[0]
    lines = list(first.leading_lines)
    while lines and lines[0].comment is None:
        lines.pop(0)
    return after.with_changes(body=[first.with_changes(leading_lines=lines), *after.body[1:]])


def module_plan(context: CodemodContext) -> ModulePlan:
    """The plan the last run made for this context's file."""
    return context.scratch.get(PLAN_KEY, ModulePlan())
