"""Every rewrite pattern keeps its behaviour: tests/patterns, sync and migrated, pass one suite.

tests/patterns is a small Django project with one sync view per pattern (marked
``# pattern: <name>``) and its own suite (pat/tests.py), which drives every view with both
``Client`` and ``AsyncClient`` and checks status, JSON/body and DB state.  Here the project is
copied twice to a temp dir: one copy stays sync, the other is migrated with
``async-migrate apply --target-version 5.2``; the same suite must pass in both, with
Django's async-safety checks on.  A third copy is migrated for 4.2 and run under Django 4.2
when ``ASYNC_MIGRATE_DJANGO42_PYTHON`` is set (``make test`` sets it).

``EXPECTED`` pins the decision the tool makes for each view, so a pattern that is silently
left sync (or newly converted) shows up here.  Views the tool migrates wrongly today carry
``# async-migrate: skip`` plus a ``# BUG:`` comment in views.py and are expected
``suppressed``.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import run_suite

PROJECT = Path(__file__).resolve().parent / "patterns"
VIEWS = PROJECT / "pat" / "views.py"
SUITE = PROJECT / "pat" / "tests.py"
DJANGO42 = os.environ.get("ASYNC_MIGRATE_DJANGO42_PYTHON")
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "db.sqlite3")

CONVERT, WRAP, SYNC, SUPPRESSED = "convert", "wrap", "sync", "suppressed"

# view -> decision of `async-migrate diff --json` (target 5.2); the comment is the pattern.
EXPECTED = {
    "book_get": CONVERT,                    # get_does_not_exist
    "book_ends": CONVERT,                   # filter_first_last_latest_earliest
    "book_stats": CONVERT,                  # count_exists
    "book_totals": CONVERT,                 # aggregate
    "book_tag_counts": CONVERT,             # a_prefixed_traps (annotate/alias/all stay sync)
    "book_in_bulk": CONVERT,                # in_bulk
    "book_contains": CONVERT,               # contains
    "book_iterator": CONVERT,               # iterator_loop
    "tag_create": CONVERT,                  # create
    "tag_get_or_create": CONVERT,           # get_or_create
    "book_update_or_create": CONVERT,       # update_or_create
    "tag_bulk_create": CONVERT,             # bulk_create
    "book_bulk_restock": CONVERT,           # bulk_update
    "book_clear_stock": CONVERT,            # queryset_update
    "tag_delete_unused": CONVERT,           # queryset_delete
    "review_delete_all": CONVERT,           # manager_all_delete
    "book_rename": CONVERT,                 # instance_save
    "book_set_stock": CONVERT,              # instance_save_update_fields
    "book_delete": CONVERT,                 # instance_delete
    "book_refresh": CONVERT,                # refresh_from_db
    "book_tags": CONVERT,                   # m2m_add_remove_clear_set
    "author_add_book": CONVERT,             # related_create
    "author_book_count": CONVERT,           # reverse_fk_count
    "book_titles_loop": CONVERT,            # for_loop
    "book_titles_comprehension": CONVERT,   # list_comprehension
    "book_list_qs": CONVERT,                # list_queryset
    "book_cheapest": CONVERT,               # index_zero
    "book_top_two": CONVERT,                # slice_iterated
    "book_title_list": CONVERT,             # values_list_flat
    "book_len": CONVERT,                    # len_queryset
    "book_any_empty": CONVERT,              # if_queryset
    "author_detail": CONVERT,               # get_object_or_404
    "author_books": CONVERT,                # get_list_or_404
    "whoami": CONVERT,                      # request_user
    "review_create": CONVERT,               # request_user_in_orm
    "can_edit": CONVERT,                    # has_perm
    "login_view": CONVERT,                  # authenticate_login
    "logout_view": CONVERT,                 # logout
    "book_author": CONVERT,                 # lazy_fk_after_get
    "book_authors": CONVERT,                # lazy_fk_in_loop
    "book_page": CONVERT,                   # render_lazy_queryset
    "cart_add": CONVERT,                    # session_write
    "cart_show": CONVERT,                   # session_read
    "cart_first": WRAP,                     # session_getitem (no async __getitem__)
    "cart_checkout": CONVERT,               # session_pop
    "cart_forget": CONVERT,                 # session_del
    "cached_count": CONVERT,                # cache_get_set
    "move_stock": WRAP,                     # atomic_select_for_update
    "book_create": WRAP,                    # modelform_create
    "book_restock": WRAP,                   # project_helper
    "slow_ping": CONVERT,                   # time_sleep
    "echo": CONVERT,                        # no_io
    "book_none_huge": CONVERT,              # not_and_bool_queryset
    "book_empty_titles": CONVERT,           # ternary_queryset
    "review_rows": CONVERT,                 # nested_fk_in_comprehension
    "book_reviewers": CONVERT,              # related_manager_fk_loop
    "my_review_count": CONVERT,             # user_reverse_fk
    "cart_has": WRAP,                       # session_in_check: `k in s` -> ahas_key (5.1); s[k] wrapped
    "login_whoami": CONVERT,                # login_then_request_user: the bound user follows login()
    "logout_whoami": CONVERT,               # logout_then_request_user
    "book_search": SYNC,                    # queryset_or_fallback: `qs or x` evaluates qs to test it
    "book_ensure": WRAP,                    # get_or_create_then_fk: created objects' relations wrapped
    "book_create_tagged": WRAP,             # modelform_commit_false_save_m2m
    "author_titles": WRAP,                  # model_property_query: a @property that queries, wrapped
    "book_tag_names": WRAP,                 # model_cached_property_query
    "author_in_stock": CONVERT,             # model_property_queryset: returns a lazy queryset
    "author_shout": CONVERT,                # model_property_pure
    "book_adopt": WRAP,                     # assign_relation (was an internal error: a wrapped store target)
    "book_count_sql": WRAP,                 # raw_cursor: each cursor call a hop (one thread per request)
    "book_titles_sql": WRAP,                # raw_cursor_block: the with block moves into one sync function
    "book_stock_sql": SYNC,                 # raw_cursor_iterated: iterating a cursor fetches as it goes
    "book_rows_sql": WRAP,                  # raw_cursor_helper: a helper given the cursor is wrapped
    "book_go": WRAP,                        # redirect_to_object_that_queries (djangoproject.com's docs index)
    "author_go": CONVERT,                   # redirect_to_object: its get_absolute_url does no I/O
    "review_label": WRAP,                   # str_of_object_that_queries
    "book_count_timed": CONVERT,            # clock_reads: time.time()/monotonic() do not block
    "cart_pair": SYNC,                      # session_in_tuple_target (was an internal error: a wrapped store target)
    "book_in_stock": WRAP,                  # module_helper_returns_queryset
    "shelf": WRAP,                          # helper_object_methods (django-helpdesk's HelpdeskUser)
    "shelf_titles": WRAP,                   # helper_object_from_factory (its huser_from_request)
    "ShelfPage": CONVERT,                   # handler_calls_handler: post() returns self.get() (pretalx's LogoutView)
    "my_review_total": CONVERT,             # decorator_by_assignment: view = login_required(view)
    "book_titles_raw": WRAP,                # raw_queryset_iterated: async for; a column not selected is a hop
    "author_portrait": WRAP,                # file_field_io: open/read/close/size go to the storage in hops
    "books_by_author": CONVERT,             # key_lambda_relation: select_related for the key's relation
    "stock_total": WRAP,                    # cache_get_or_set_callable: get_or_set(key, querying_function)
    "book_author_list": CONVERT,            # fetched_list_relation: select_related on the list's query
    "book_form_check": WRAP,                # form_cleaned_instance_relation: cleaned_data["author"] is an Author
    "book_repr": WRAP,                      # queryset_repr_and_logging: repr, logger args, getattr in hops
    "user_password": WRAP,                  # user_model_alias: UserModel = get_user_model(); set_password hop
    "book_check": WRAP,                     # model_validation_queries: full_clean() in a hop
    "note_targets": WRAP,                   # generic_foreign_key: its object read with a hop
    "book_stock_deferred": WRAP,            # deferred_field_read: was async for + select_related on a deferred FK
    "group_permissions": WRAP,              # django_contrib_models: Group/Permission/ContentType (was sync: unknown)
    "tag_names": CONVERT,                   # route_in_a_named_list: include(extra_patterns) (was not routed)
    "visit_count": CONVERT,                 # cache_by_alias: caches["db"].get() was left sync in async def
    "volume_detail": WRAP,                  # model_reexported_by_a_package (wger's models/__init__.py)
    "books_mapped": CONVERT,                # map_filter_over_queryset: map()/filter() fetch their iterable
    "books_iterated": CONVERT,              # queryset_handed_to_an_iterating_call: join/Counter/chain, enumerate/zip
    "books_unpacked": CONVERT,              # queryset_unpacked_or_written: a, b = qs[:2]; writer.writerows(qs)
    "books_by_pk": CONVERT,                 # instances_in_a_dict: in_bulk(), {k: b for b in qs}, items(), get()
    "books_combined": CONVERT,              # combined_and_conditional_querysets: qs | qs, a if t else b, :=
    "books_handed_on": WRAP,                # instances_through_tuples_and_defaults: a, b = x, y; x or y; next()
    "books_collected": WRAP,                # instances_collected_in_a_list: picked.append(book), .extend(qs)
    "books_grouped": SYNC,                  # instances_stored_in_a_container: read back of unknown kind
    "book_in_context": CONVERT,             # instance_in_a_context_dict: dict.update() is no query
    "author_names_or_404": CONVERT,         # list_or_404_relation: get_list_or_404() gives instances
}


def pattern_views() -> dict[str, str]:
    """view name -> pattern name, from the ``# pattern:`` comment above each def."""
    found = re.findall(r"^# pattern: (\w+)\n(?:#.*\n)*(?:def|class) (\w+)\(", VIEWS.read_text(), flags=re.M)
    return {view: pattern for pattern, view in found}


def function_defs(path: Path) -> dict[str, bool]:
    """Top-level function name -> is ``async def``; class name -> are its handlers ``async def``."""
    tree = ast.parse(path.read_text())
    found = {node.name: isinstance(node, ast.AsyncFunctionDef) for node in tree.body
             if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            handlers = [n for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                        and n.name in ("get", "post", "put", "patch", "delete")]
            found[node.name] = bool(handlers) and all(isinstance(n, ast.AsyncFunctionDef) for n in handlers)
    return found


def copy_project(destination: Path) -> Path:
    shutil.copytree(PROJECT, destination, ignore=IGNORE)
    return destination


def migrate(destination: Path, target: str) -> Path:
    copy_project(destination)
    result = subprocess.run(
        [sys.executable, "-m", "async_migrate", "apply", "--quiet", "--no-color", "--target-version", target,
         str(destination)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return destination



def assert_passed(result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 0, result.stderr[-6000:]
    assert "\nOK" in result.stderr
    ran = re.search(r"Ran (\d+) tests?", result.stderr)
    assert ran and int(ran.group(1)) == 2 * len(EXPECTED), result.stderr[-2000:]   # both clients, every pattern


def report(path: Path) -> dict[str, dict]:
    out = subprocess.run([sys.executable, "-m", "async_migrate", "diff", "--json", "--target-version", "5.2",
                          str(path)], capture_output=True, text=True, timeout=120)
    assert out.returncode in (0, 1), out.stderr
    return {view["view"]: view for view in json.loads(out.stdout)["views"]}


@pytest.fixture(scope="module")
def original(tmp_path_factory) -> Path:
    return copy_project(tmp_path_factory.mktemp("patterns") / "original")


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    return migrate(tmp_path_factory.mktemp("patterns") / "migrated", "5.2")


def test_every_pattern_view_has_an_expectation_and_a_scenario():
    views = pattern_views()
    assert set(views) == set(EXPECTED)
    assert len(set(views.values())) == len(views), "pattern names must be unique"
    scenarios = set(re.findall(r"^    def check_(\w+)\(self, c\):", SUITE.read_text(), flags=re.M))
    assert scenarios == set(views.values())


def test_skipped_views_document_their_bug():
    source = VIEWS.read_text()
    for view, decision in EXPECTED.items():
        block = re.search(rf"^# pattern: \w+\n((?:#.*\n)*)(?:def|class) {view}\(.*$", source, flags=re.M)
        skipped = "# async-migrate: skip" in block.group(0)
        assert skipped == (decision == SUPPRESSED), view
        if skipped:
            assert "# BUG:" in block.group(1), f"{view} is skipped without a # BUG: comment"


def test_decisions(original):
    views = report(original)
    actual = {name: views[name]["decision"] for name in EXPECTED if name in views}
    assert actual == EXPECTED
    # No other view is routed in the project.
    assert set(views) == set(EXPECTED)


def test_migrated_views_are_async_exactly_when_converted(migrated):
    before, after = function_defs(VIEWS), function_defs(migrated / "pat" / "views.py")
    assert not any(before.values())
    for view, decision in EXPECTED.items():
        assert after[view] == (decision in (CONVERT, WRAP)), view
    code = ast.unparse(ast.parse((migrated / "pat" / "views.py").read_text()))
    assert "environ" not in code   # no switch of Django's async-safety checks slips in
    assert "adelete()" in code and ".objects.adelete(" not in code   # managers have no adelete
    for not_async in ("aannotate", "aalias", "aall(", "aaaggregate"):
        assert not_async not in code


def test_original_suite_passes(original):
    assert_passed(run_suite(original))


def test_migrated_suite_passes_on_django_52(migrated):
    assert_passed(run_suite(migrated))


@pytest.mark.skipif(not DJANGO42, reason="set ASYNC_MIGRATE_DJANGO42_PYTHON (make test does) to run under Django 4.2")
def test_migrated_for_42_passes_on_django_42(tmp_path):
    assert_passed(run_suite(copy_project(tmp_path / "original"), DJANGO42))
    target = migrate(tmp_path / "migrated42", "4.2")
    code = ast.unparse(ast.parse((target / "pat" / "views.py").read_text()))   # code only, no comments
    for later_api in ("auser(", "aget_object_or_404", "aget_list_or_404", "alogin(", "alogout(", "aauthenticate(",
                      "session.aget(", "session.aset(", "session.apop(", "ahas_perm("):
        assert later_api not in code, f"{later_api} does not exist in Django 4.2"
    assert "async def" in code
    assert_passed(run_suite(target, DJANGO42))


PLAIN_BACKEND = '''
from django.contrib.auth.models import User


class PlainBackend:
    """A backend written before Django's BaseBackend: no aget_user(), no aauthenticate()."""

    def authenticate(self, request, username=None, password=None):
        user = User.objects.filter(username=username).first()
        return user if user is not None and user.check_password(password) else None

    def get_user(self, user_id):
        return User.objects.filter(pk=user_id).first()
'''


def test_migrated_with_a_backend_without_async_methods_passes(tmp_path):
    """From 5.2, request.auser(), aauthenticate() and @login_required on an async view call the
    backend's async methods (healthchecks' EmailBackend has none): the user is loaded with
    sync_to_async(get_user) instead, authenticate() and permission checks stay wrapped."""
    project = copy_project(tmp_path / "migrated")
    (project / "pat" / "backends.py").write_text(PLAIN_BACKEND)
    with (project / "patproj" / "settings.py").open("a") as settings:
        settings.write('\nAUTHENTICATION_BACKENDS = ["pat.backends.PlainBackend", '
                       '"django.contrib.auth.backends.ModelBackend"]\n')
    views = report(project)
    assert views["whoami"]["decision"] == WRAP
    assert "(pat.backends.PlainBackend has no aget_user())" in views["whoami"]["points"][0]["message"]
    assert views["login_view"]["decision"] == WRAP
    result = subprocess.run([sys.executable, "-m", "async_migrate", "apply", "--quiet", "--no-color",
                             "--target-version", "5.2", str(project)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    code = (project / "pat" / "views.py").read_text()
    assert "auser()" not in code and "aauthenticate(" not in code and "ahas_perm(" not in code
    assert_passed(run_suite(project))
