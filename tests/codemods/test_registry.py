"""Every codemod is documented, carries its own VALID/INVALID cases, and they hold."""

import ast

import libcst as cst
import pytest
from libcst.codemod import CodemodContext

from async_migrate.registry import ORDER, all_codemods, codemod_names, select

from ..helpers import migrate

CODEMODS = list(all_codemods().items())
HEADINGS = ("What it does", "Why", "Example", "Use instead", "Fix safety", "References")


def test_registry_lists_every_module_in_order():
    assert list(all_codemods()) == list(ORDER) == list(codemod_names())
    assert [module.NAME for module in all_codemods().values()] == list(ORDER)   # NAME is the module name


@pytest.mark.parametrize("name,module", CODEMODS)
def test_codemod_is_documented(name, module):
    doc = module.__doc__ or ""
    for heading in HEADINGS:
        assert f"\n{heading}\n" in doc, f"{name}: docstring lacks '{heading}'"
    assert module.DESCRIPTION and module.MIN_DJANGO
    assert module.VALID and module.INVALID


@pytest.mark.parametrize("name,module", CODEMODS)
def test_valid_cases_are_left_alone(name, module):
    for source in module.VALID:
        code, _ = migrate(source, codemods={name})
        assert code == source
        code, _ = migrate(source)          # with every codemod, too
        assert code == source


@pytest.mark.parametrize("name,module", CODEMODS)
def test_invalid_cases_are_rewritten_by_this_codemod_alone(name, module):
    for before, after in module.INVALID:
        ast.parse(after)
        code, _ = migrate(before, codemods={name})
        assert code == after
        again, _ = migrate(code, codemods={name})
        assert again == code


@pytest.mark.parametrize("name,module", CODEMODS)
def test_command_runs_as_a_libcst_codemod(name, module):
    command = next(getattr(module, attr) for attr in dir(module) if attr.endswith("Command")
                   and attr != "ViewCodemodCommand")
    before, after = module.INVALID[0]
    result = command(CodemodContext()).transform_module(cst.parse_module(before))
    assert result.code == after


def test_select_rejects_unknown_names():
    with pytest.raises(ValueError, match="unknown codemod 'nope'"):
        select(["nope"])
    assert select(None, ["blocking_io"]) == frozenset(all_codemods()) - {"blocking_io"}
