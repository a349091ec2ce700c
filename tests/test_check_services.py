"""`make test` stops with a useful message when PostgreSQL or Redis is not there."""

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "check_services.py"


def run(database_url, redis_url):
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url}
    return subprocess.run([sys.executable, str(SCRIPT)], env=env, capture_output=True, text=True, timeout=30)


def test_reachable_services_pass():
    result = run(os.environ["DATABASE_URL"], os.environ["REDIS_URL"])
    assert result.returncode == 0, result.stderr


def test_unreachable_services_say_how_to_start_them():
    result = run("postgres://postgres@127.0.0.1:1/livehub", "redis://127.0.0.1:2/0")
    assert result.returncode == 1
    assert "PostgreSQL is not reachable" in result.stderr and "pg_ctlcluster" in result.stderr
    assert "Redis is not reachable" in result.stderr and "redis-server" in result.stderr
