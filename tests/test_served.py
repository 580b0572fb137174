"""The examples served for real: before/ under a threaded WSGI server, after/ under uvicorn (ASGI).

Each side runs as a subprocess on 127.0.0.1 with a free port, against its own temporary copy of
the project (fresh SQLite DB, ``manage.py migrate`` and the same seeded data), so nothing in the
repository is written. The same scripted HTTP conversation (urllib: JSON API, pages, CSRF-protected
POSTs, logins, sessions, 401/403/404/405s) is played against both, and every step must give the
same status code, the same redirect target and, for JSON and CSV, the same body. This catches what
Django's test clients cannot: the real ASGI handler, real CSRF checks and cookies, and async views
on uvicorn's event loop with Django's async-safety checks on.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks import serving  # noqa: E402

pytest.importorskip("uvicorn")
pytest.importorskip("django")


def step(log: list, client: serving.Client, method: str, path: str, **kwargs) -> serving.Response:
    """Send one request and record what must match between the two servers."""
    response = client.request(method, path, **kwargs)
    if response.is_json:
        body = response.json()
    elif response.headers.get("content-type", "").startswith("text/csv"):
        body = response.body.decode()
    else:
        body = None  # HTML: the CSRF tokens in forms differ by design
    log.append((method, path, response.status, response.headers.get("location"), body))
    return response


def shop_conversation(base: str) -> list:
    log: list = []
    anon, user = serving.Client(base), serving.Client(base)
    for path in ["/api/books/", "/api/books/?in_stock=1", "/api/books/1/", "/api/books/999/",
                 "/api/stats/", "/api/bestsellers/", "/books/1/quote/?quantity=3&code=", "/books/1/quote/?quantity=x",
                 "/books/1/price/?currency=eur", "/books/1/price/?currency=XXX", "/books/999/price/",
                 "/ping/", "/health/", "/", "/?category=fantasy", "/books/1/", "/books/999/", "/authors/",
                 "/authors/1/", "/categories/fantasy/", "/categories/nope/", "/search/?q=Book+01",
                 "/search/", "/isbn/978-0000000001/", "/isbn/123/", "/cart/", "/export/books.csv",
                 "/no/such/page/", "/orders/", "/accounts/profile/", "/api/books/restock/"]:
        step(log, anon, "GET", path)
    # No CSRF cookie yet: Django's CsrfViewMiddleware refuses the POST on both servers.
    step(log, serving.Client(base), "POST", "/api/books/restock/", data={"below": 3})

    step(log, user, "GET", "/accounts/login/")  # sets the csrftoken cookie
    assert user.cookie("csrftoken"), "the login page must set a CSRF cookie"
    step(log, user, "POST", "/accounts/login/", data={"username": "alice", "password": "wrong"})
    step(log, user, "POST", "/api/books/restock/", data={"below": 3, "amount": 10})
    step(log, user, "POST", "/api/books/restock/", data={"below": "x"})
    step(log, user, "POST", "/api/books/import/", json=[
        {"title": "Imported", "isbn": "9781111111111", "author": "New Author", "price": "7.50", "stock": 2},
        {"title": "Dup", "isbn": "9780000000001", "author": "Author 2", "price": "1.00"}])
    step(log, user, "POST", "/books/1/categories/", data={"add": ["scifi", "humour"], "remove": ["fantasy"]})
    step(log, user, "POST", "/books/3/reviews/", data={"rating": 5, "body": "anon"})  # login required
    step(log, user, "POST", "/accounts/login/",
         data={"username": "alice", "password": serving.PASSWORD, "next": "/accounts/profile/"})
    for path in ["/accounts/profile/", "/orders/", "/books/new/", "/books/1/edit/"]:
        step(log, user, "GET", path)
    step(log, user, "POST", "/books/3/reviews/", data={"rating": 5, "body": "Great"})
    step(log, user, "POST", "/books/3/reviews/", data={"rating": 9})
    step(log, user, "POST", "/cart/add/1/", data={"quantity": 2})
    step(log, user, "POST", "/cart/add/2/", data={"quantity": 1})
    step(log, user, "POST", "/cart/add/2/", data={"quantity": 0})
    step(log, user, "GET", "/cart/")
    step(log, user, "POST", "/orders/place/")
    step(log, user, "GET", "/orders/1/")
    step(log, user, "GET", "/orders/2/")
    step(log, user, "GET", "/orders/")
    step(log, user, "GET", "/api/bestsellers/")
    step(log, user, "GET", "/api/books/1/")
    step(log, user, "POST", "/cart/add/6/", data={"quantity": 99})
    step(log, user, "POST", "/orders/place/")  # insufficient stock: 409, rolled back
    step(log, user, "POST", "/cart/clear/")
    step(log, user, "POST", "/orders/place/")  # empty cart
    step(log, user, "POST", "/orders/1/cancel/")
    step(log, user, "POST", "/orders/1/cancel/")
    step(log, user, "GET", "/api/bestsellers/")
    step(log, user, "POST", "/books/3/reviews/clear/")
    step(log, user, "POST", "/books/2/delete/")  # ordered (PROTECT): 409
    step(log, user, "POST", "/books/5/delete/")
    step(log, user, "GET", "/api/books/5/")
    step(log, user, "POST", "/books/new/", data={"title": "", "isbn": "x"})
    step(log, user, "POST", "/orders/1/reorder/")
    step(log, user, "POST", "/orders/99/reorder/")
    step(log, user, "GET", "/cart/")
    # Class-based views (catalog/class_views.py); alice is staff.
    for path in ["/api/v2/books/1/stock/", "/api/v2/books/999/stock/", "/api/v2/books/3/reviews/",
                 "/api/v2/authors/1/books/", "/bestsellers/?limit=3", "/authors/index/?page=2",
                 "/categories/fantasy/manage/", "/categories/new/", "/wishlist/"]:
        step(log, user, "GET", path)
    step(log, user, "POST", "/api/v2/books/1/stock/", json={"delta": 5})  # alice is staff
    step(log, user, "POST", "/api/v2/books/1/stock/", json={"delta": -999})
    step(log, user, "POST", "/api/v2/books/1/stock/", json={"delta": "x"})
    step(log, user, "POST", "/api/v2/books/4/reviews/", json={"rating": 4, "body": "ok"})
    step(log, user, "POST", "/api/v2/books/4/reviews/", json={"rating": 4})
    step(log, user, "DELETE", "/api/v2/books/4/reviews/")
    step(log, user, "POST", "/api/v2/stock/transfer/", data={"source": 1, "target": 2, "quantity": 1})
    step(log, user, "POST", "/api/v2/stock/transfer/", data={"source": 7, "target": 2, "quantity": 500})
    step(log, user, "GET", "/api/v2/books/7/stock/")  # the transfer above rolled back
    step(log, user, "POST", "/api/v2/stock/transfer/", data={"source": 1, "target": 999, "quantity": 1})
    step(log, user, "POST", "/api/v2/authors/1/books/",
         data={"title": "Fresh", "isbn": "978-2222222222", "price": "9.50", "stock": 3, "category": ["scifi"]})
    step(log, user, "POST", "/categories/new/", data={"name": "Poetry", "slug": "poetry"})
    step(log, user, "POST", "/categories/new/", data={"name": "Poetry", "slug": "poetry"})
    step(log, user, "DELETE", "/categories/poetry/manage/")
    step(log, user, "DELETE", "/categories/fantasy/manage/")  # still has books: 409
    step(log, user, "POST", "/wishlist/", data={"book": 7})
    step(log, user, "POST", "/wishlist/", data={"book": 14})
    step(log, user, "POST", "/wishlist/", data={"book": "x"})
    step(log, user, "GET", "/wishlist/")
    step(log, user, "POST", "/wishlist/to-cart/")
    step(log, user, "DELETE", "/wishlist/")
    step(log, user, "POST", "/accounts/logout/")
    step(log, user, "GET", "/accounts/profile/")
    step(log, user, "GET", "/api/stats/")
    step(log, user, "GET", "/api/books/")
    return log


def api_conversation(base: str) -> list:
    log: list = []
    anon, user = serving.Client(base), serving.Client(base)
    for path in ["/api/health/", "/api/projects/", "/api/projects/?archived=1", "/api/projects/website/stats/",
                 "/api/projects/nope/stats/", "/api/tasks/", "/api/tasks/?project=website&status=todo",
                 "/api/tasks/?tag=bug&limit=3&offset=1", "/api/tasks/?limit=x", "/api/tasks/1/",
                 "/api/tasks/999/", "/api/tags/", "/api/projects/website/", "/api/tasks/mine/", "/",
                 "/tasks/", "/tasks/?status=done&page=1", "/tasks/1/", "/tasks/999/", "/tasks/new/",
                 "/no/such/page/"]:
        step(log, anon, "GET", path)
    step(log, serving.Client(base), "POST", "/api/tags/", json={"name": "urgent"})  # no CSRF cookie: 403

    step(log, user, "GET", "/admin/login/")  # sets the csrftoken cookie
    assert user.cookie("csrftoken"), "the admin login page must set a CSRF cookie"
    step(log, user, "PATCH", "/api/tags/", json={})  # 405
    step(log, user, "POST", "/api/tags/", json={"name": " Urgent "})
    step(log, user, "POST", "/api/tags/", json={"name": "urgent"})
    step(log, user, "POST", "/api/tags/", json={})
    step(log, user, "POST", "/api/tasks/", json={"title": "New task", "project": "website", "priority": 1,
                                                 "due": "2030-05-01", "tags": ["urgent", "fresh"]})
    step(log, user, "POST", "/api/tasks/", json={"title": "", "project": "website", "priority": 7})
    step(log, user, "POST", "/api/tasks/", json={"title": "x", "project": "nope"})
    step(log, user, "PATCH", "/api/tasks/1/", json={"status": "done", "title": "Renamed"})
    step(log, user, "PUT", "/api/tasks/2/", json={"title": "Replaced", "priority": 3, "due": None})
    step(log, user, "PUT", "/api/tasks/2/", json={"priority": 3})
    step(log, user, "DELETE", "/api/tasks/4/")
    step(log, user, "GET", "/api/tasks/4/")
    step(log, user, "POST", "/api/tasks/1/tags/", json={"tags": ["ops", "brand-new"]})
    step(log, user, "DELETE", "/api/tasks/1/tags/", json={"tags": ["ops"]})
    step(log, user, "POST", "/api/tasks/bulk-status/", json={"ids": [1, 3, 5], "status": "doing"})
    step(log, user, "POST", "/api/tasks/bulk-status/", json={"ids": [6, 9999], "status": "done"})
    step(log, user, "POST", "/api/tasks/bulk-status/", json={"ids": [6], "status": "bogus"})
    step(log, user, "GET", "/api/tasks/6/")
    step(log, user, "POST", "/api/projects/", json={"name": "X", "slug": "x"})  # anonymous: 401

    step(log, user, "POST", "/admin/login/?next=/admin/",
         data={"username": "ann", "password": serving.PASSWORD, "next": "/admin/"})
    for path in ["/api/projects/website/", "/api/projects/infra/", "/api/tasks/mine/", "/tasks/new/"]:
        step(log, user, "GET", path)
    step(log, user, "POST", "/api/projects/", json={"name": "Side project", "slug": "side"})
    step(log, user, "POST", "/api/projects/", json={"name": "Again", "slug": "side"})
    step(log, user, "POST", "/api/projects/", json={"name": "No slug"})
    step(log, user, "PUT", "/api/projects/side/", json={"name": "Side project 2"})
    step(log, user, "PUT", "/api/projects/side/", json={"name": 3})
    step(log, user, "POST", "/api/projects/website/archive/")
    step(log, user, "POST", "/api/projects/website/archive/")
    step(log, user, "POST", "/api/projects/infra/archive/")
    step(log, user, "DELETE", "/api/projects/side/")
    step(log, user, "GET", "/api/projects/side/")
    step(log, user, "GET", "/api/projects/?archived=1")
    step(log, user, "GET", "/api/projects/website/stats/")
    step(log, user, "GET", "/api/tags/")
    step(log, user, "GET", "/api/tasks/?limit=50")
    return log


CONVERSATIONS = {"shop": shop_conversation, "api": api_conversation}


@pytest.fixture(scope="module")
def rates():
    with serving.RatesStub(delay=0.0) as stub:
        yield stub


def start_pair(project: str, workdir: Path, rates_url: str):
    """Prepare both copies in parallel, then serve before/ (WSGI) and after/ (ASGI)."""
    dirs: dict = {}
    errors: list = []

    def prepare(variant):
        try:
            dirs[variant] = serving.prepare(project, variant, workdir)
        except Exception as exc:  # surfaced below, with the subprocess output
            errors.append(f"{variant}: {exc!r} {getattr(exc, 'stderr', '')}")

    threads = [threading.Thread(target=prepare, args=(v,)) for v in ("before", "after")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    env = {"RATES_SERVICE_URL": rates_url}
    servers = []
    try:
        servers.append(serving.Server.start("wsgi", project, dirs["before"], threads=4, env=env))
        servers.append(serving.Server.start("asgi", project, dirs["after"], env=env))
    except Exception:
        for server in servers:
            server.stop()
        raise
    return servers


@pytest.mark.parametrize("project", sorted(CONVERSATIONS))
def test_before_on_wsgi_and_after_on_asgi_answer_alike(project, tmp_path, rates):
    wsgi, asgi = start_pair(project, tmp_path, rates.url)
    try:
        before = CONVERSATIONS[project](wsgi.base)
        after = CONVERSATIONS[project](asgi.base)
    finally:
        wsgi.stop()
        asgi.stop()
    logs = f"--- wsgi (before) log:\n{wsgi.output()}\n--- asgi (after) log:\n{asgi.output()}"
    assert len(before) == len(after)
    mismatches = [(b, a) for b, a in zip(before, after) if b != a]
    assert not mismatches, "\n".join(f"before: {b}\nafter:  {a}" for b, a in mismatches[:10]) + "\n" + logs
    statuses = {entry[2] for entry in before}
    assert 500 not in statuses, logs
    # The conversation must really exercise successes, redirects and client errors.
    assert {200, 302, 403, 404}.issubset(statuses), statuses
    assert not [e for e in before if e[2] == 200 and e[0] == "GET" and e[1].startswith("/api/")
                and e[4] is None], "JSON endpoints must answer JSON"
