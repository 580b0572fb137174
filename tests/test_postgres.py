"""The example suites (before/ and after/) on PostgreSQL, not only SQLite.

A throwaway server is started with scripts/postgres.sh (Debian's postgresql; installed with apt-get
when missing and running as root) in its own temporary data directory on a free port of 127.0.0.1,
and stopped and deleted at the end. Each suite runs with EXAMPLES_DB=postgres, which the example
settings turn into a django.db.backends.postgresql database from the libpq PG* variables.

Skipped, with the reason, when psycopg is not installed or the server cannot start.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from .helpers import suite_env

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "postgres.sh"
PROJECTS = ("shop", "api")

pytest.importorskip("django")
try:
    import psycopg  # noqa: F401
except ImportError:  # pragma: no cover - depends on the environment
    pytest.skip("psycopg is not installed: pip install 'psycopg[binary]' to run the example suites on "
                "PostgreSQL", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def postgres():
    if shutil.which("bash") is None:
        pytest.skip("bash is needed for scripts/postgres.sh")
    # Under /tmp, not pytest's 0700 tmp_path: as root the server runs as the postgres user.
    data = Path(tempfile.mkdtemp(prefix="async-migrate-pg-")) / "data"
    data.parent.chmod(0o755)  # mkdtemp makes it 0700; the postgres user must reach data/
    env = {**os.environ, "PG_DATA_DIR": str(data), "PGPORT": str(free_port())}
    try:
        started = subprocess.run(["bash", str(SCRIPT), "start"], env=env, capture_output=True, text=True,
                                 timeout=600)
    except subprocess.TimeoutExpired:
        started = None
    if started is None or started.returncode != 0:
        subprocess.run(["bash", str(SCRIPT), "stop"], env=env, capture_output=True, timeout=60)
        shutil.rmtree(data.parent, ignore_errors=True)
        detail = "timed out" if started is None else started.stderr.strip()[-1500:]
        pytest.skip(f"PostgreSQL could not start with scripts/postgres.sh: {detail}")
    pg_env = {}
    for line in started.stdout.splitlines():
        if line.startswith("export ") and "=" in line:
            key, _, value = line[len("export "):].partition("=")
            pg_env[key] = value
    try:
        yield pg_env
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop"], env=env, capture_output=True, timeout=120)
        shutil.rmtree(data.parent, ignore_errors=True)


@pytest.mark.parametrize("variant", ["before", "after"])
@pytest.mark.parametrize("project", PROJECTS)
def test_example_suite_passes_on_postgres(project, variant, postgres):
    env = {k: v for k, v in suite_env().items() if not k.startswith("PG")}
    env.update(postgres)
    assert env["EXAMPLES_DB"] == "postgres"
    # A database name of its own: Django creates and drops test_<name> on this server.
    env["PGDATABASE"] = f"am_{project}_{variant}"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    check = ("from django.conf import settings; import django; django.setup(); "
             "print(settings.DATABASES['default']['ENGINE'])")
    engine = subprocess.run([sys.executable, "-c", check], cwd=ROOT / "examples" / project / variant,
                            env={**env, "DJANGO_SETTINGS_MODULE": {"shop": "bookshop", "api": "taskapi"}[project]
                                 + ".settings"}, capture_output=True, text=True, timeout=60)
    assert engine.stdout.strip() == "django.db.backends.postgresql", engine.stderr
    result = subprocess.run([sys.executable, "manage.py", "test", "--noinput", "-v", "1"],
                            cwd=ROOT / "examples" / project / variant, env=env, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-4000:]
    assert "\nOK" in result.stderr
