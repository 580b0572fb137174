"""`async-migrate check`: sync-only operations inside async def."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from async_migrate.check import check_paths, check_text
from async_migrate.check_fix import fix_text
from async_migrate.check_rules import RULES, suppressed
from async_migrate.django_api import parse_version
from async_migrate.facts import Options

FIXTURES = Path(__file__).parent / "fixtures" / "check"
EXAMPLES = Path(__file__).parent.parent / "examples"
HEADER = textwrap.dedent('''\
    import subprocess
    import time
    import urllib.request

    import requests
    from asgiref.sync import async_to_sync, sync_to_async
    from django.contrib.auth import aauthenticate, alogin, alogout, authenticate, login, logout
    from django.core.cache import cache
    from django.db import models, transaction
    from django.http import JsonResponse
    from django.shortcuts import aget_object_or_404, get_object_or_404


    class Author(models.Model):
        name = models.CharField(max_length=50)


    class Book(models.Model):
        title = models.CharField(max_length=50)
        author = models.ForeignKey(Author, on_delete=models.CASCADE)


    def count_books():
        return Book.objects.count()


    def shout(text):
        return text.upper()


''')


def findings(body: str, target: str = "5.2") -> list[tuple[int, str]]:
    source = HEADER + textwrap.dedent(body)
    offset = HEADER.count("\n")
    result = check_text(source, Options(target=parse_version(target)))
    return [(f.line - offset, f.code) for f in result.findings]


def codes(body: str, target: str = "5.2") -> list[str]:
    return [code for _, code in findings(body, target)]


# -- one positive and one negative case per code -------------------------------------------
POSITIVE = {
    "AM101": "async def v(request):\n    return Book.objects.get(pk=1)\n",
    "AM102": "async def v(request):\n    return [b.title for b in Book.objects.all()]\n",
    "AM103": "async def v(request):\n    time.sleep(1)\n",
    "AM104": "async def v(request):\n    with transaction.atomic():\n        pass\n",
    "AM105": "async def v(request):\n    return request.user.username\n",
    "AM106": "async def v(request):\n    return count_books()\n",
    "AM107": "async def v(request):\n    return await sync_to_async(count_books, thread_sensitive=False)()\n",
}
NEGATIVE = {
    "AM101": "async def v(request):\n    return await Book.objects.aget(pk=1)\n",
    "AM102": "async def v(request):\n    return [b.title async for b in Book.objects.all()]\n",
    "AM103": "import asyncio\n\nasync def v(request):\n    await asyncio.sleep(1)\n",
    "AM104": "def _tx():\n    with transaction.atomic():\n        Book.objects.create(title='x')\n\n"
             "async def v(request):\n    await sync_to_async(_tx)()\n",
    "AM105": "async def v(request):\n    user = await request.auser()\n    return user.username\n",
    "AM106": "async def v(request):\n    return await sync_to_async(count_books)(), shout('x')\n",
    "AM107": "async def v(request):\n    return await sync_to_async(shout, thread_sensitive=False)('x')\n",
}


@pytest.mark.parametrize("code", sorted(RULES))
def test_positive(code):
    assert codes(POSITIVE[code]) == [code]


@pytest.mark.parametrize("code", sorted(RULES))
def test_negative(code):
    assert codes(NEGATIVE[code]) == []


def test_more_positive_forms():
    assert findings('''\
        @transaction.atomic
        async def a(request):
            book = await Book.objects.aget(pk=1)
            name = book.author.name
            with open("x") as fh:
                data = fh.read()
            logout(request)
            u = authenticate(request, username="a")
            login(request, u)
            requests.get("https://x")
            subprocess.run(["ls"])
            urllib.request.urlopen("https://x")
            cache.get("k")
            async_to_sync(a)(request)
            return len(Book.objects.all()), bool(Book.objects.all()), Book.objects.all()[0]
        ''') == [(1, "AM104"), (4, "AM102"), (5, "AM103"), (7, "AM105"), (8, "AM105"), (9, "AM105"),
                 (10, "AM103"), (11, "AM103"), (12, "AM103"), (13, "AM101"), (14, "AM107"),
                 (15, "AM102"), (15, "AM102"), (15, "AM102")]


def test_fields_only_or_defer_left_out_are_lazy_loads():
    assert findings('''\
        async def v(request):
            rows = []
            async for b in Book.objects.only("title").order_by("title"):
                rows.append((b.title, b.pk, b.author))
            one = await aget_object_or_404(Book.objects.defer("title"), pk=1)
            two = await Book.objects.defer("title").aget(pk=2)
            three = await Book.objects.defer("title").defer(None).aget(pk=3)
            return rows, one.title, two.title, three.title
        ''') == [(4, "AM102"), (8, "AM102"), (8, "AM102")]


def test_sync_code_and_thread_bodies_are_not_reported():
    assert codes('''\
        def plain(request):
            time.sleep(1)
            return Book.objects.get(pk=1)

        async def v(request):
            a = await sync_to_async(lambda: Book.objects.get(pk=1).author.name)()
            b = await sync_to_async(Book.objects.count)()

            def inner():
                return request.user.username

            c = await sync_to_async(inner)()
            async for book in Book.objects.select_related("author"):
                print(book.author.name)
            d = await aget_object_or_404(Book.objects.select_related("author"), pk=1)
            await alogin(request, await aauthenticate(request, username="x"))
            await alogout(request)
            data = {"get": 1}.get("get")
            return a, b, c, d.author.name, data
        ''') == []


def test_versions_change_the_advice():
    (old,) = check_text(HEADER + "async def v(request):\n    return get_object_or_404(Book, pk=1)\n",
                        Options(target=(4, 2))).findings
    assert old.code == "AM101" and "no async form in Django 4.2" in old.message and old.fixable  # wrapped
    (new,) = check_text(HEADER + "async def v(request):\n    return get_object_or_404(Book, pk=1)\n",
                        Options(target=(5, 2))).findings
    assert "await aget_object_or_404()" in new.message and new.fixable


def test_message_names_the_async_form():
    (finding,) = check_text(HEADER + POSITIVE["AM101"], Options()).findings
    assert finding.message == "Book.objects.get() in async code: use await Book.objects.aget()"


# -- noqa ----------------------------------------------------------------------------------
def test_noqa():
    assert suppressed("x  # noqa", "AM101")
    assert suppressed("x  # noqa: AM101, AM102", "AM102")
    assert not suppressed("x  # noqa: AM102", "AM101")
    assert codes("async def v(request):\n    time.sleep(1)  # noqa: AM103\n    time.sleep(2)  # noqa: AM101\n"
                 "    time.sleep(3)  # noqa\n") == ["AM103"]


# -- the seeded module ---------------------------------------------------------------------
def seeded_expectation() -> set[tuple[int, str]]:
    text = (FIXTURES / "shop" / "seeded.py").read_text()
    return {(n, m.group(1)) for n, line in enumerate(text.splitlines(), 1)
            for m in [re.search(r"# (AM1\d\d)$", line)] if m}


def test_seeded_module_finds_every_problem_and_nothing_else():
    expected = seeded_expectation()
    assert len(expected) == 20
    run = check_paths([FIXTURES], Options())
    assert run.errors == []
    assert all(f.path.endswith("seeded.py") for f in run.findings)
    assert {(f.line, f.code) for f in run.findings} == expected
    assert len(run.findings) == 20
    helper = [f for f in run.findings if f.code == "AM106"]
    assert "services.restock()" in helper[0].message and "services.py:8" in helper[0].message


# -- the examples ------------------------------------------------------------------------
@pytest.mark.parametrize("project", ["shop", "api"])
def test_examples_after_are_clean(project):
    """The generated views must be clean.  The examples' own test modules are hand-written
    (a helper there reads ``book.author`` of an instance whose relation is cached), so they
    are left out of this assertion."""
    run = check_paths([EXAMPLES / project / "after"], Options())
    assert run.errors == []
    assert [f.text() for f in run.findings if "/tests/" not in f.path.replace("\\", "/")] == []


# -- --fix ---------------------------------------------------------------------------------
def test_fix_rewrites_native_findings_and_keeps_the_rest():
    source = HEADER + textwrap.dedent('''\
        async def v(request):
            book = Book.objects.get(pk=1)
            time.sleep(1)
            name = request.user.username
            login(request, None)
            titles = [b.title for b in Book.objects.all()]
            sync = lambda: Book.objects.get(pk=2)
            total = count_books()
            return book, name, titles, sync, total
        ''')
    fixed = fix_text(source, Options())
    compile(fixed, "<fixed>", "exec")
    body = fixed[fixed.index("async def v"):]
    assert "book = await Book.objects.aget(pk=1)" in body
    assert "await asyncio.sleep(1)" in body and "import asyncio" in fixed
    assert "user = await request.auser()" in body and "name = user.username" in body
    assert "await alogin(request, None)" in body
    assert "[b.title async for b in Book.objects.all()]" in body
    assert "lambda: Book.objects.get(pk=2)" in body        # never await outside async def
    assert "total = await sync_to_async(count_books)()" in body   # AM106: one thread hop
    assert "sync_to_async" in fixed.split("async def v")[0]   # imported (the header already does)
    remaining = [f.code for f in check_text(fixed, Options()).findings]
    assert remaining == []
    assert fix_text(fixed, Options()) == fixed


def test_fix_respects_noqa_and_sync_functions():
    source = HEADER + "def s():\n    time.sleep(1)\n\nasync def v(request):\n    time.sleep(1)  # noqa: AM103\n"
    assert fix_text(source, Options()) == source


# -- the command line ----------------------------------------------------------------------
def cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "async_migrate", *args], capture_output=True, input=stdin)


def test_cli_text_and_exit_codes(tmp_path):
    result = cli("check", str(FIXTURES))
    assert result.returncode == 1
    lines = result.stdout.decode().splitlines()
    assert len(lines) == 20 and re.match(r".*seeded\.py:20:12: AM101 Book\.objects\.get\(\) in async code", lines[0])
    clean = tmp_path / "clean.py"
    clean.write_text("async def v(request):\n    return 1\n")
    assert cli("check", str(clean)).returncode == 0
    assert cli("check", str(tmp_path / "missing.py")).returncode == 2
    broken = tmp_path / "broken.py"
    broken.write_text("async def v(:\n")
    assert cli("check", str(broken)).returncode == 2
    assert cli("check", "--format", "nope", str(clean)).returncode == 2
    assert cli("check", "--target-version", "3.0", str(clean)).returncode == 2


def test_cli_stdin():
    result = cli("check", "-", stdin=b"import time\n\nasync def v(request):\n    time.sleep(1)\n")
    assert result.returncode == 1 and result.stdout.startswith(b"-:4:5: AM103 ")


def test_cli_json_github_sarif():
    data = json.loads(cli("check", "--format", "json", str(FIXTURES)).stdout)
    assert data["summary"]["findings"] == 20 and data["findings"][0]["code"] == "AM101"
    github = cli("check", "--format", "github", str(FIXTURES)).stdout.decode().splitlines()
    assert len(github) == 20
    assert re.match(r"::error file=.*seeded\.py,line=20,col=12,title=AM101::Book\.objects\.get\(\)", github[0])
    sarif = json.loads(cli("check", "--format", "sarif", str(FIXTURES)).stdout)
    assert sarif["version"] == "2.1.0"
    (run,) = sarif["runs"]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == sorted(RULES)
    assert len(run["results"]) == 20
    first = run["results"][0]
    assert first["ruleId"] == "AM101"
    assert first["locations"][0]["physicalLocation"]["region"] == {"startLine": 20, "startColumn": 12}


def test_cli_fix(tmp_path):
    project = tmp_path / "proj"
    shutil.copytree(FIXTURES, project)
    result = cli("check", "--fix", str(project))
    assert result.returncode == 1
    text = (project / "shop" / "seeded.py").read_text()
    compile(text, "seeded.py", "exec")
    assert "book = await Book.objects.aget(pk=pk)" in text
    assert "await asyncio.sleep(0.1)" in text and "time.sleep(0)  # noqa" in text
    left = {line.split(": ")[1].split()[0] for line in result.stdout.decode().splitlines()}
    # Left for a human: @transaction.atomic on an async def, and the AM107 thread-mode mistakes.
    assert left == {"AM104", "AM107"}
    assert "await sync_to_async(_in_transaction)()" in text   # the with-block moved (AM104)


def test_a_module_with_no_async_is_not_parsed_again_but_errors_still_are_reported(tmp_path, monkeypatch):
    """No ``async`` in a module the index parsed: no rule can fire, so no LibCST parse (a
    5,000-file tree took minutes); a syntax error, which the index could not parse, is still
    reported, and an async module still checked."""
    from async_migrate import check as check_module
    from async_migrate.facts import clear_cache

    (tmp_path / "manage.py").write_text("")
    (tmp_path / "plain.py").write_text("import time\n\n\ndef f():\n    time.sleep(1)\n")
    (tmp_path / "broken.py").write_text("def f(:\n")
    (tmp_path / "coro.py").write_text("import time\n\n\nasync def f():\n    time.sleep(1)\n")
    parsed = []
    real = check_module.check_source
    monkeypatch.setattr(check_module, "check_source", lambda text, path, *a, **k: (
        parsed.append(path.name), real(text, path, *a, **k))[1])
    clear_cache()
    run = check_paths([tmp_path], Options())
    assert sorted(parsed) == ["broken.py", "coro.py"]
    assert [(f.path.rsplit("/", 1)[-1], f.code) for f in run.findings] == [("coro.py", "AM103")]
    assert [path.rsplit("/", 1)[-1] for path, _ in run.errors] == ["broken.py"]
