"""Serve the example projects over real HTTP, on 127.0.0.1 only.

Shared by tests/test_served.py and benchmarks/bench_load.py:

- ``prepare(project, variant, workdir)`` copies ``examples/<project>/<variant>`` to a
  temporary directory (nothing in the repository is written), runs ``manage.py migrate``
  against a fresh SQLite file there and seeds a little deterministic data.
- ``Server.asgi(...)`` starts the copy under uvicorn (one worker); ``Server.wsgi(...)`` under
  the stdlib wsgiref server with a fixed thread pool (``benchmarks/wsgi_server.py``).
- ``RatesStub`` is a local stand-in for the shop's currency-rates service with a fixed delay.
- ``Client`` is a urllib client with its own cookie jar, no proxies and no redirect following.
"""

from __future__ import annotations

import http.cookiejar
import json as jsonlib
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
WSGI_SERVER = Path(__file__).resolve().parent / "wsgi_server.py"
HOST = "127.0.0.1"

SETTINGS = {"shop": "bookshop", "api": "taskapi"}
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "db.sqlite3", "db.sqlite3-*")
PASSWORD = "correct-horse-battery"

SEED = {
    # Deterministic data: the same primary keys in every fresh copy.
    "shop": """
from decimal import Decimal
from django.contrib.auth.models import User
from catalog.models import Author, Book, Category, Review
alice = User.objects.create_user("alice", "alice@example.com", PASSWORD, is_staff=True)
bob = User.objects.create_user("bob", "bob@example.com", PASSWORD)
cats = [Category.objects.create(name=n, slug=s) for n, s in
        [("Fantasy", "fantasy"), ("Science fiction", "scifi"), ("Humour", "humour")]]
authors = [Author.objects.create(name=f"Author {i}", bio=f"Bio {i}") for i in range(1, 6)]
for i in range(1, BOOKS + 1):
    book = Book.objects.create(title=f"Book {i:03d}", isbn=f"{9780000000000 + i}",
                               author=authors[i % len(authors)], price=Decimal(f"{5 + i % 20}.99"),
                               stock=i % 7)
    book.categories.add(cats[i % len(cats)])
    if i % 3 == 0:
        Review.objects.create(book=book, user=bob, rating=1 + i % 5, body=f"Review of book {i}")
""",
    "api": """
from datetime import date
from django.contrib.auth.models import User
from tasks.models import Project, Tag, Task
ann = User.objects.create_superuser("ann", "ann@example.com", PASSWORD)
ben = User.objects.create_user("ben", "ben@example.com", PASSWORD)
website = Project.objects.create(name="Website relaunch", slug="website", owner=ann)
infra = Project.objects.create(name="Infrastructure", slug="infra", owner=ben)
tags = [Tag.objects.create(name=n) for n in ("bug", "frontend", "ops")]
statuses = ["todo", "doing", "done"]
for i in range(1, BOOKS + 1):
    task = Task.objects.create(project=website if i % 2 else infra, title=f"Task {i:03d}",
                               status=statuses[i % 3], priority=1 + i % 3,
                               due=date(2000 + i % 50, 1 + i % 12, 1) if i % 4 else None,
                               assignee=ben if i % 3 else None)
    task.tags.add(tags[i % 3])
""",
}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def server_env(extra: dict | None = None) -> dict:
    """The environment for a served project: no proxies, no DEBUG, and no ``DJANGO_*`` variable
    of ours (Django's async-safety checks stay on; the project names its own settings)."""
    env = {k: v for k, v in os.environ.items()
           if k.lower() not in ("http_proxy", "https_proxy", "all_proxy") and not k.startswith("DJANGO_")}
    env.update(NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost", DJANGO_DEBUG="0",
               PYTHONDONTWRITEBYTECODE="1", PYTHONUNBUFFERED="1")
    env.update(extra or {})
    return env


def prepare(project: str, variant: str, workdir: Path, rows: int = 20, python: str = sys.executable,
            env: dict | None = None) -> Path:
    """Copy examples/<project>/<variant> into workdir, migrate a fresh SQLite DB and seed it."""
    source = EXAMPLES / project / variant
    target = Path(workdir) / f"{project}-{variant}"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target, ignore=IGNORE)
    run_env = server_env(env)
    run_env["DJANGO_SETTINGS_MODULE"] = f"{SETTINGS[project]}.settings"
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=target, env=run_env,
                   check=True, capture_output=True, text=True, timeout=120)
    seed = f"PASSWORD = {PASSWORD!r}\nBOOKS = {rows}\n" + SEED[project]
    code = "import django\ndjango.setup()\n" + seed
    subprocess.run([python, "-c", code], cwd=target, env=run_env, check=True, capture_output=True,
                   text=True, timeout=120)
    return target


def read_status(pid: int) -> dict:
    """VmRSS / VmHWM (peak RSS) of a process, in KiB, from /proc."""
    out = {}
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM", "Threads"):
                    out[key] = int(value.split()[0])
    except OSError:
        pass
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far, from /proc/<pid>/stat."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Server:
    kind: str  # "asgi" or "wsgi"
    project: str
    app_dir: Path
    port: int
    proc: subprocess.Popen
    log: Path

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    @classmethod
    def start(cls, kind: str, project: str, app_dir: Path, *, threads: int = 8, env: dict | None = None,
              python: str = sys.executable, ready_path: str = "/", timeout: float = 30.0) -> "Server":
        package = SETTINGS[project]
        port = free_port()
        run_env = server_env(env)
        run_env["DJANGO_SETTINGS_MODULE"] = f"{package}.settings"
        if kind == "asgi":
            cmd = [python, "-m", "uvicorn", "--app-dir", str(app_dir), "--host", HOST, "--port", str(port),
                   "--workers", "1", "--lifespan", "off", "--no-access-log", "--log-level", "warning",
                   f"{package}.asgi:application"]
        elif kind == "wsgi":
            cmd = [python, str(WSGI_SERVER), "--app-dir", str(app_dir), "--port", str(port),
                   "--threads", str(threads), f"{package}.wsgi:application"]
        else:
            raise ValueError(kind)
        log = Path(app_dir) / f"server-{kind}.log"
        with open(log, "wb") as fh:
            proc = subprocess.Popen(cmd, cwd=app_dir, env=run_env, stdout=fh, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL)
        server = cls(kind, project, Path(app_dir), port, proc, log)
        server.wait_ready(ready_path, timeout)
        return server

    def wait_ready(self, path: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        client = Client(self.base)
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.kind} server exited ({self.proc.returncode}):\n{self.output()}")
            try:
                client.get(path, timeout=2)
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.kind} server did not answer within {timeout}s:\n{self.output()}")

    def output(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def memory(self) -> dict:
        return read_status(self.proc.pid)

    def cpu(self) -> float:
        return cpu_seconds(self.proc.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


class RatesStub:
    """A local currency-rates service on 127.0.0.1 answering after a fixed delay."""

    RATES = {"EUR": 0.92, "GBP": 0.79, "JPY": 151.2}

    def __init__(self, delay: float = 0.0):
        delay_s = delay
        body = jsonlib.dumps(self.RATES).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server API
                if delay_s:
                    time.sleep(delay_s)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format, *args):  # noqa: A002
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 512

        self.httpd = Server((HOST, 0), Handler)
        self.url = f"http://{HOST}:{self.httpd.server_address[1]}/rates.json"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                       daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Response:
    status: int
    headers: dict
    body: bytes

    def json(self):
        return jsonlib.loads(self.body)

    @property
    def is_json(self) -> bool:
        return self.headers.get("content-type", "").startswith("application/json")


class Client:
    """urllib with a cookie jar, CSRF header handling, no proxies and no redirect following."""

    def __init__(self, base: str):
        assert base.startswith(f"http://{HOST}:"), base
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect(),
                                                  urllib.request.HTTPCookieProcessor(self.jar))

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)

    def request(self, method: str, path: str, *, data: dict | None = None, json=None,
                timeout: float = 10) -> Response:
        headers = {}
        body = None
        if json is not None:
            body = jsonlib.dumps(json).encode()
            headers["Content-Type"] = "application/json"
        elif data is not None:
            body = urllib.parse.urlencode(data, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        token = self.cookie("csrftoken")
        if token and method not in ("GET", "HEAD"):
            headers["X-CSRFToken"] = token
        req = urllib.request.Request(self.base + path, data=body, method=method, headers=headers)
        try:
            with self.opener.open(req, timeout=timeout) as resp:
                return Response(resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read())
        except urllib.error.HTTPError as err:
            with err:
                return Response(err.code, {k.lower(): v for k, v in err.headers.items()}, err.read())

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> Response:
        return self.request("POST", path, **kwargs)


def _main(argv=None) -> int:
    """`python benchmarks/serving.py rates --delay 0.05 --port 0`: run the rates stub on its own."""
    import argparse

    parser = argparse.ArgumentParser(description="serve the local rates stub on 127.0.0.1")
    parser.add_argument("what", choices=["rates"])
    parser.add_argument("--delay", type=float, default=0.05)
    args = parser.parse_args(argv)
    stub = RatesStub(delay=args.delay)
    print(stub.url, flush=True)
    try:
        stub.httpd.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
