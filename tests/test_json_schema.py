"""The --json report follows the shipped, versioned JSON Schema (draft 2020-12)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from importlib.resources import files
from pathlib import Path

import pytest

jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is not installed (it is in the test extras)")
from jsonschema import Draft202012Validator  # noqa: E402

from async_migrate.registry import all_codemods  # noqa: E402
from async_migrate.report import JSON_SCHEMA_VERSION  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
DOC = REPO / "docs" / "json-report.md"


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads(files("async_migrate").joinpath(f"schema/report-v{JSON_SCHEMA_VERSION}.json").read_text())


@pytest.fixture(scope="module")
def validator(schema) -> Draft202012Validator:
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def report(*args: str, stdin: str | None = None) -> dict:
    result = subprocess.run([sys.executable, "-m", "async_migrate", *args], capture_output=True, text=True,
                            input=stdin)
    assert result.returncode in (0, 1, 2), result.stderr
    return json.loads(result.stdout)


def assert_valid(validator: Draft202012Validator, data: dict) -> None:
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def test_schema_is_draft_2020_12_and_versioned(schema):
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["properties"]["schema_version"] == {"const": JSON_SCHEMA_VERSION,
                                                      "description": schema["properties"]["schema_version"]["description"]}
    assert set(schema["required"]) == set(schema["properties"])


def test_codemod_enum_matches_the_registry(schema):
    assert schema["$defs"]["point"]["properties"]["codemod"]["enum"] == list(all_codemods())


@pytest.mark.parametrize("example", ["shop", "api"])
def test_real_diff_reports_validate(validator, example):
    data = report("diff", "--json", str(EXAMPLES / example / "before"))
    assert_valid(validator, data)
    assert data["views"] and any(v["points"] for v in data["views"])
    decisions = {v["decision"] for v in data["views"]}
    assert {"convert", "wrap", "sync"} <= decisions


def test_apply_stdin_run_error_and_suppressed_reports_validate(validator, tmp_path):
    (tmp_path / "manage.py").write_text("")
    app = tmp_path / "app"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "views.py").write_text(textwrap.dedent('''\
        import time

        from django.http import JsonResponse


        def nap(request):
            time.sleep(1)
            return JsonResponse({})


        def kept(request):  # async-migrate: skip
            return JsonResponse({})


        async def done(request):
            return JsonResponse({})
    '''))
    (app / "urls.py").write_text("from django.urls import path\n\nfrom . import views\n\nurlpatterns = [\n"
                                 "    path('a/', views.nap), path('b/', views.kept), path('c/', views.done)]\n")
    (app / "broken.py").write_text("def broken(:\n")
    run_one = report("run", "blocking_io", "--json", str(tmp_path))
    assert_valid(validator, run_one)
    assert run_one["errors"] and run_one["summary"]["errors"] == 1
    assert {"suppressed", "already async", "convert"} <= set(run_one["summary"]["views"])
    applied = report("apply", "--json", str(tmp_path))
    assert_valid(validator, applied)
    assert applied["mode"] == "apply"
    stdin = report("diff", "--json", "--target-version", "5.0", "-", stdin="def f(x):\n    return x\n")
    assert_valid(validator, stdin)
    assert stdin["files"][0]["path"] == "-"


def test_the_schema_rejects_what_it_does_not_describe(validator):
    data = report("diff", "--json", str(EXAMPLES / "shop" / "before"))
    for mutate in (
        lambda d: d.update(schema_version=2),
        lambda d: d.update(mode="maybe"),
        lambda d: d["views"][0].update(decision="perhaps"),
        lambda d: d["views"][0].pop("reason"),
        lambda d: d["summary"]["views"].update(unknown=1),
        lambda d: d.update(target_version="5"),
        lambda d: d["files"][0].update(changed="yes"),
    ):
        broken = json.loads(json.dumps(data))
        mutate(broken)
        assert not validator.is_valid(broken)
    extended = json.loads(json.dumps(data))
    extended["views"][0]["new_optional_key"] = 1     # version 1 may grow
    assert validator.is_valid(extended)


def test_schema_ships_with_the_package_and_the_cli_prints_it(schema):
    pyproject = (REPO / "pyproject.toml").read_text()
    assert re.search(r'async_migrate\s*=\s*\[[^\]]*"schema/\*\.json"', pyproject)
    printed = subprocess.run([sys.executable, "-m", "async_migrate", "schema"], capture_output=True, text=True)
    assert printed.returncode == 0 and json.loads(printed.stdout) == schema


def test_docs_describe_every_top_level_key_and_their_example_validates(schema, validator):
    text = DOC.read_text()
    for key in schema["properties"]:
        assert f"`{key}`" in text, key
    for decision in schema["$defs"]["decision"]["enum"]:
        assert f"`{decision}`" in text, decision
    example = re.search(r"```json\n(.*?)```", text, re.S).group(1)
    assert_valid(validator, json.loads(example))
