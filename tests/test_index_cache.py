"""The index cache (``.async_migrate_cache/``): a second run parses only the modules whose text
changed, and answers exactly what a run without the cache answers."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from async_migrate import index_cache, project as project_module
from async_migrate.engine import run
from async_migrate.facts import Options, clear_cache, facts_for
from async_migrate.registry import all_codemods

from .test_plan import FILES, make_project

ENABLED = frozenset(all_codemods())
CACHED = Options(cache=True)


def answers(root: Path, options: Options = CACHED, jobs: int = 1):
    clear_cache()
    result = run([root], options, ENABLED, jobs=jobs)
    return [(f.path, f.new, f.views, f.error) for f in result.files]


def loaded(root: Path) -> dict[str, bool]:
    """Module name -> read from the cache, for the facts of the last run."""
    facts = facts_for(root, unrouted_callers=False)   # the facts ``run`` built
    return {name: module.cached for name, module in facts.project.modules.items()}


@pytest.fixture
def root(tmp_path):
    return make_project(tmp_path, FILES)


def test_a_second_run_reads_every_unchanged_module_from_the_cache(root):
    first = answers(root)
    assert not any(loaded(root).values())
    assert (root / index_cache.DIR / ".gitignore").read_text().splitlines()[-1] == "*"
    assert answers(root) == first
    assert all(loaded(root).values())
    assert answers(root, Options()) == first   # and a run without the cache agrees


def test_an_edited_module_is_parsed_again(root):
    answers(root)
    views = root / "blog" / "views.py"
    views.write_text(views.read_text() + "\n\ndef extra(request):\n    return HttpResponse('x')\n")
    urls = root / "blog" / "urls.py"
    urls.write_text(urls.read_text().replace("import post", "import extra, post")
                    .replace("urlpatterns = [", "urlpatterns = [path('x/', extra), "))
    with_cache = answers(root)
    assert {name for name, cached in loaded(root).items() if not cached} == {"blog.views", "blog.urls"}
    assert with_cache == answers(root, Options())
    assert any(view["view"] == "extra" for path, _, views_, _ in with_cache for view in views_)


def test_a_module_that_stops_parsing_is_reported_and_one_that_goes_is_forgotten(root):
    answers(root)
    (root / "shop" / "tests.py").write_text("def broken(:\n")
    (root / "blog" / "views.py").unlink()
    result = answers(root)
    assert [(path.name, error.split(" at ")[0]) for path, _, _, error in result if error] == [
        ("tests.py", "syntax error")]
    assert "blog.views" not in loaded(root)
    assert str(root / "blog" / "views.py") not in index_cache.read(root)
    assert result == answers(root, Options())


def test_the_deferred_parse_check_of_a_big_tree_is_cached_only_once_passed(root, monkeypatch):
    """Modules checked while the passes run (``Project.checking``) go in the cache once they
    are known to parse: a broken one is reported again on the next run."""
    monkeypatch.setattr(project_module, "PARALLEL_LOAD_MIN", 1)
    monkeypatch.setattr(project_module, "CHECK_LATER_MIN", 1)
    (root / "shop" / "broken.py").write_text("def broken(:\n")
    (root / "shop" / "fine.py").write_text("LIMIT = 3\n")
    first = answers(root, jobs=2)
    entries = index_cache.read(root)
    assert str(root / "shop" / "fine.py") in entries and str(root / "shop" / "broken.py") not in entries
    assert answers(root, jobs=2) == first == answers(root, Options(), jobs=2)
    assert [path.name for path, _, _, error in first if error] == ["broken.py"]


@pytest.mark.parametrize("damage", [b"", b"not a pickle", b"\x80\x05K\x01."])
def test_a_damaged_cache_is_ignored_and_written_again(root, damage):
    first = answers(root)
    [cache_file] = (root / index_cache.DIR).glob("index-*.pickle")
    cache_file.write_bytes(damage)
    assert answers(root) == first
    assert not any(loaded(root).values())
    assert index_cache.read(root)


def test_a_cache_entry_under_another_name_is_not_used(root, monkeypatch):
    """A module's name depends on the project root: the same file under another root is new."""
    answers(root)
    entries = index_cache.read(root)
    path = str(root / "shop" / "views.py")
    entries[path] = replace(entries[path], name="elsewhere.views")
    index_cache.write(root, entries)
    answers(root)
    assert loaded(root)["shop.views"] is False


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "async_migrate", *args], cwd=cwd, capture_output=True, text=True)


def test_the_cli_caches_by_default_and_not_with_no_cache_or_the_config_key(root):
    assert cli("diff", "--quiet", "--no-cache", ".", cwd=root).returncode == 0
    assert not (root / index_cache.DIR).exists()
    (root / "pyproject.toml").write_text("[tool.async-migrate]\ncache = false\n")
    assert cli("diff", "--quiet", ".", cwd=root).returncode == 0
    assert not (root / index_cache.DIR).exists()
    (root / "pyproject.toml").unlink()
    assert cli("diff", "--quiet", ".", cwd=root).returncode == 0
    assert (root / index_cache.DIR).is_dir()


def test_git_ignores_the_cache(root):
    answers(root)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=root,
                            capture_output=True, text=True, check=True).stdout
    assert index_cache.DIR not in status and "shop/views.py" in status


def test_a_cache_that_cannot_be_written_is_skipped(root):
    """A read-only checkout (here: the cache folder's name taken by a file) still runs."""
    (root / index_cache.DIR).write_text("not a folder")
    first = answers(root)
    assert answers(root) == first == answers(root, Options())
    assert (root / index_cache.DIR).read_text() == "not a folder"
    assert not any(name.endswith(".tmp") for name in (p.name for p in root.rglob("*")))
