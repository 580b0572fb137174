"""`async-migrate doctor`: readiness to serve async views, read statically."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from async_migrate.doctor import NOTE, OK, PROBLEM, doctor

FIXTURES = Path(__file__).parent / "fixtures" / "doctor"
EXAMPLES = Path(__file__).parent.parent / "examples"


def problems(root: Path) -> list[tuple[str, str]]:
    return [(i.check, i.message) for i in doctor(root, (5, 2)) if i.level == PROBLEM]


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "async_migrate", *args], capture_output=True)


@pytest.mark.parametrize("project", ["shop", "api"])
def test_examples(project):
    items = doctor(EXAMPLES / project / "before", (5, 2))
    by_check = {}
    for item in items:
        by_check.setdefault(item.check, []).append(item)
        assert item.link.startswith("https://docs.djangoproject.com/")
    assert [i.level for i in by_check["asgi"]] == [OK]
    assert len(by_check["middleware"]) == 7 and all(i.level == OK for i in by_check["middleware"])
    assert [i.level for i in by_check["atomic_requests"]] == [OK]
    assert all(i.level == OK for i in by_check["connections"])
    assert any("SQLite" in i.message for i in by_check["driver"])
    assert [i.level for i in by_check["server"]] == [PROBLEM]
    assert [i.check for i in items if i.level == PROBLEM] == ["server"]
    views = by_check["views"]
    assert views[0].message.split(":")[0].endswith("views") and "convert" in views[0].message
    assert all(i.level == NOTE for i in views[1:]) and all("stays sync" in i.message for i in views[1:])


def test_examples_cli_json():
    result = cli("doctor", "--format", "json", str(EXAMPLES / "shop" / "before"))
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["summary"]["problems"] == 1
    assert {i["check"] for i in data["items"]} >= {"asgi", "middleware", "atomic_requests", "connections",
                                                  "driver", "server", "views"}


def test_planted_fixture_reports_every_problem():
    found = problems(FIXTURES / "planted")
    assert [c for c, _ in found] == ["asgi", "middleware", "middleware", "atomic_requests", "connections", "server"]
    messages = "\n".join(m for _, m in found)
    assert "proj.middleware.TimingMiddleware: sync-only" in messages
    assert "proj.middleware.tenant_middleware: sync-only" in messages
    assert "AsyncReadyMiddleware" not in messages and "MixinMiddleware" not in messages
    assert "both_middleware" not in messages
    assert "CONN_MAX_AGE = 600" in messages
    items = doctor(FIXTURES / "planted", (5, 2))
    assert any(i.level == NOTE and "SomethingMiddleware" in i.message for i in items)
    assert any(i.check == "driver" and "psycopg2" in i.message for i in items)
    assert any("OPTIONS={'pool': True}" in i.action for i in items if i.check == "connections")
    assert any(i.check == "views" and "ATOMIC_REQUESTS" in i.message for i in items)


def test_healthy_fixture_has_no_problem():
    assert problems(FIXTURES / "healthy") == []
    result = cli("doctor", str(FIXTURES / "healthy"))
    assert result.returncode == 0 and b"0 problems." in result.stdout


@pytest.fixture
def healthy(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(FIXTURES / "healthy", root)
    return root


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_each_problem_planted_alone(healthy):
    settings = healthy / "proj" / "settings.py"
    (healthy / "proj" / "asgi.py").unlink()
    _edit(settings, 'ASGI_APPLICATION = "proj.asgi.application"\n', "")
    assert [c for c, _ in problems(healthy)] == ["asgi"]
    shutil.copy(FIXTURES / "healthy" / "proj" / "asgi.py", healthy / "proj" / "asgi.py")

    _edit(settings, '"NAME": "app",', '"NAME": "app", "ATOMIC_REQUESTS": True,')
    assert [c for c, _ in problems(healthy)] == ["atomic_requests"]
    _edit(settings, '"ATOMIC_REQUESTS": True,', "")

    _edit(settings, '"OPTIONS": {"pool": True},', "")
    _edit(settings, '"CONN_MAX_AGE": 0,', '"CONN_MAX_AGE": None,')
    assert [c for c, m in problems(healthy)] == ["connections"]
    _edit(settings, '"CONN_MAX_AGE": None,', '"CONN_MAX_AGE": 0,')
    assert problems(healthy) == []

    _edit(healthy / "requirements.txt", "uvicorn[standard]>=0.30\n", "gunicorn\n")
    assert [c for c, _ in problems(healthy)] == ["server"]
    (healthy / "pyproject.toml").write_text('[project]\ndependencies = ["daphne>=4"]\n')
    assert problems(healthy) == []

    (healthy / "proj" / "mw.py").write_text("class Legacy:\n    def __init__(self, get_response):\n"
                                            "        self.get_response = get_response\n\n"
                                            "    def __call__(self, request):\n"
                                            "        return self.get_response(request)\n")
    _edit(settings, '    "django.contrib.auth.middleware.AuthenticationMiddleware",\n',
          '    "django.contrib.auth.middleware.AuthenticationMiddleware",\n    "proj.mw.Legacy",\n')
    ((check, message),) = problems(healthy)
    assert check == "middleware" and message.startswith("proj.mw.Legacy: sync-only")


def test_atomic_requests_set_by_subscript(healthy):
    settings = healthy / "proj" / "settings.py"
    settings.write_text(settings.read_text() + '\nDATABASES["default"]["ATOMIC_REQUESTS"] = True\n')
    assert [c for c, _ in problems(healthy)] == ["atomic_requests"]


def test_cli_errors(tmp_path):
    assert cli("doctor", str(tmp_path / "missing")).returncode == 2
    assert cli("doctor", "--format", "xml", str(FIXTURES / "healthy")).returncode == 2


def test_auth_backends_without_async_methods(healthy):
    """healthchecks.io's EmailBackend (no Django base): request.auser() fails on async views from 5.2."""
    (healthy / "proj" / "backends.py").write_text("class EmailBackend:\n    def get_user(self, user_id):\n"
                                                 "        return None\n")
    settings = healthy / "proj" / "settings.py"
    settings.write_text(settings.read_text() + '\nAUTHENTICATION_BACKENDS = ["proj.backends.EmailBackend"]\n')
    ((check, message),) = problems(healthy)
    assert check == "auth_backends" and message.startswith("proj.backends.EmailBackend has no aget_user()")
    assert not [i for i in doctor(healthy, (5, 1)) if i.level == PROBLEM]   # 5.1 wrapped the sync functions
    (healthy / "proj" / "backends.py").write_text("from django.contrib.auth.backends import ModelBackend\n\n"
                                                 "class EmailBackend(ModelBackend):\n    pass\n")
    assert problems(healthy) == []

