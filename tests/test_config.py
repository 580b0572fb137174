"""[tool.async-migrate] in pyproject.toml: every key reaches the run, flags win, bad keys exit 2."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from async_migrate import cli as cli_module
from async_migrate.cli import app
from async_migrate.config import Config, ConfigError, load_config
from async_migrate.facts import clear_cache

VIEWS = textwrap.dedent('''\
    import time

    import thirdparty
    from django.http import JsonResponse
    from mylib import cached


    def ping(request):
        return JsonResponse({"ok": True})


    def remote(request):
        thirdparty.fetch()
        return JsonResponse({"ok": True})


    @cached
    def decorated(request):
        return JsonResponse({"ok": True})


    def unrouted(request):
        return JsonResponse({"ok": True})


    def nap(request):
        time.sleep(1)
        return JsonResponse({"ok": True})
''')
URLS = textwrap.dedent('''\
    from django.urls import path

    from . import views

    urlpatterns = [path("p/", views.ping), path("r/", views.remote), path("d/", views.decorated),
                   path("n/", views.nap)]
''')
OTHER_VIEWS = 'from django.http import JsonResponse\n\n\ndef other(request):\n    return JsonResponse({})\n'
OTHER_URLS = 'from django.urls import path\n\nfrom . import views\n\nurlpatterns = [path("o/", views.other)]\n'


@pytest.fixture(autouse=True)
def _fresh_facts():
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "manage.py").write_text("")
    for name, views, urls in (("app", VIEWS, URLS), ("other", OTHER_VIEWS, OTHER_URLS)):
        package = tmp_path / name
        package.mkdir()
        (package / "__init__.py").write_text("")
        (package / "views.py").write_text(views)
        (package / "urls.py").write_text(urls)
    return tmp_path


def write_config(project: Path, body: str, name: str = "pyproject.toml") -> Path:
    path = project / name
    path.write_text("[tool.async-migrate]\n" + textwrap.dedent(body))
    return path


def invoke(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def report(*args: str) -> dict:
    result = invoke("diff", "--json", *args)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def decisions(data: dict) -> dict[str, str]:
    return {v["view"]: v["decision"] for v in data["views"]}


def test_defaults_without_config(project):
    assert decisions(report(str(project))) == {
        "ping": "convert", "remote": "sync", "decorated": "sync", "unrouted": "not routed", "nap": "convert",
        "other": "convert"}


def test_boolean_and_list_keys_reach_the_plan(project):
    write_config(project, '''\
        unsafe = true
        include-unrouted = true
        async-safe-decorators = ["mylib.cached"]
    ''')
    assert decisions(report(str(project))) == {
        "ping": "convert", "remote": "wrap", "decorated": "convert", "unrouted": "convert", "nap": "convert",
        "other": "convert"}


def test_flags_win_over_the_file(project):
    write_config(project, '''\
        unsafe = true
        include-unrouted = true
        target-version = "4.2"
    ''')
    data = report("--no-unsafe", "--no-include-unrouted", "--target-version", "5.1", str(project))
    assert decisions(data)["remote"] == "sync" and decisions(data)["unrouted"] == "not routed"
    assert data["target_version"] == "5.1" and data["target_reason"] == "from --target-version"


def test_target_version_from_the_file_is_named(project):
    write_config(project, 'target-version = "4.2"\n')
    data = report(str(project))
    assert data["target_version"] == "4.2"
    assert data["target_reason"] == "from target-version in pyproject.toml"
    result = invoke("diff", "--quiet", str(project))
    assert "Targeting Django 4.2 (from target-version in pyproject.toml)" in result.stderr


def test_include_globs_filter_collected_files(project):
    write_config(project, 'include = ["app/*"]\n')
    data = report(str(project))
    assert {Path(f["path"]).parent.name for f in data["files"]} == {"app"}
    assert "other" not in decisions(data)
    # also matched relative to the walked root and by bare name, and the flag wins
    assert {Path(f["path"]).name for f in report("--include", "urls.py", str(project))["files"]} == {"urls.py"}
    assert "other" in decisions(report("--include", "other", str(project)))


def test_include_applies_to_explicit_files_too(project):
    write_config(project, 'include = ["other/*"]\n')
    data = report(str(project / "app" / "views.py"), str(project / "other" / "views.py"))
    assert [Path(f["path"]).parent.name for f in data["files"]] == ["other"]


def test_exclude_from_the_file_and_from_the_flag(project):
    write_config(project, 'exclude = ["other"]\n')
    assert "other" not in decisions(report(str(project)))
    flagged = decisions(report("--exclude", "app", str(project)))
    assert "other" in flagged and "ping" not in flagged


def test_select_and_skip_from_the_file(project):
    write_config(project, 'skip = ["blocking_io"]\n')
    data = report(str(project))
    assert decisions(data)["nap"] == "sync" and "blocking_io" in next(
        v["reason"] for v in data["views"] if v["view"] == "nap")
    assert decisions(report("--skip", "orm_async", str(project)))["nap"] == "convert"
    write_config(project, 'select = ["orm_async"]\n')
    assert decisions(report(str(project)))["nap"] == "sync"
    assert decisions(report("--select", "blocking_io", str(project)))["nap"] == "convert"


def test_jobs_reaches_the_engine(project, monkeypatch):
    seen = []
    real_run = cli_module.run

    def spy(*args, **kwargs):
        seen.append(kwargs["jobs"])
        return real_run(*args, **kwargs)

    monkeypatch.setattr(cli_module, "run", spy)
    write_config(project, "jobs = 3\n")
    report(str(project))
    report("-j", "1", str(project))
    assert seen == [3, 1]


def test_config_option_reads_another_file(project, tmp_path_factory):
    write_config(project, "unsafe = false\n")
    other = write_config(tmp_path_factory.mktemp("elsewhere"), "unsafe = true\n", name="ci.toml")
    assert decisions(report(str(project)))["remote"] == "sync"
    data = report("--config", str(other), str(project))
    assert decisions(data)["remote"] == "wrap"
    missing = invoke("diff", "--config", str(project / "nope.toml"), str(project))
    assert missing.exit_code == 2 and "nope.toml: config file not found" in missing.stderr


@pytest.mark.parametrize("body, expected", [
    ("colour = true\n", "unknown key 'colour'"),
    ("target_version = '5.0'\n", "did you mean 'target-version'?"),
    ("jobs = '4'\n", "'jobs' must be an integer"),
    ("jobs = true\n", "'jobs' must be an integer"),
    ("jobs = -1\n", "'jobs': must be 0"),
    ("unsafe = 'yes'\n", "'unsafe' must be true or false"),
    ("include-unrouted = 1\n", "'include-unrouted' must be true or false"),
    ("exclude = 'migrations'\n", "'exclude' must be a list of strings"),
    ("include = [1]\n", "'include' must be a list of strings"),
    ("async-safe-decorators = [true]\n", "'async-safe-decorators' must be a list of strings"),
    ("select = ['nope']\n", "'select': unknown codemod 'nope'"),
    ("skip = ['nope']\n", "'skip': unknown codemod 'nope'"),
    ("target-version = '3.2'\n", "'target-version': unsupported target version 3.2"),
    ("target-version = 'five'\n", "'target-version': not a Django version"),
    ("target-version = 5.0\n", "'target-version' must be a string"),
])
def test_bad_key_or_value_is_one_clear_error_naming_it(project, body, expected):
    write_config(project, body)
    result = invoke("diff", str(project))
    assert result.exit_code == 2
    assert expected in result.stderr
    assert result.stderr.startswith("error: ") and "pyproject.toml" in result.stderr
    assert result.stdout == ""
    with pytest.raises(ConfigError, match="pyproject.toml"):
        load_config(project / "pyproject.toml")


def test_invalid_toml_and_bad_flags_exit_2(project):
    (project / "pyproject.toml").write_text("[tool.async-migrate\n")
    result = invoke("diff", str(project))
    assert result.exit_code == 2 and "invalid TOML" in result.stderr
    (project / "pyproject.toml").unlink()
    assert invoke("diff", "-j", "-2", str(project)).exit_code == 2
    bad = invoke("diff", "--target-version", "3.0", str(project))
    assert bad.exit_code == 2 and "--target-version" in bad.stderr


def test_every_key_has_a_config_field():
    from async_migrate.config import _TYPES

    names = {f.replace("-", "_") for f in _TYPES}
    assert names <= set(Config.__dataclass_fields__)
    assert Config().merged(unsafe=True, include=("a",)).include == ["a"]
