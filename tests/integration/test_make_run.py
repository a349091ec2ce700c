"""`make run` on a clean copy of the repository serves the demo congress (embedded default)."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.integration.conftest import ROOT, free_port

pytestmark = pytest.mark.integration


def tracked_files() -> list[str]:
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    )
    return [name for name in listing.stdout.decode().split("\0") if name and (ROOT / name).is_file()]


def test_make_run_serves_the_demo_event_with_no_services_configured(tmp_path):
    clone = tmp_path / "clone"
    for name in tracked_files():
        target = clone / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    # The suite's own virtualenv stands in for the one `make run` would create (same lock file).
    venv = Path(sys.executable).parent.parent
    log = (tmp_path / "run.log").open("w")
    process = subprocess.Popen(
        ["make", "run", f"PORT={port}", f"VENV={venv}"],
        cwd=clone,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180
        body = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/events/SFH2022/", timeout=2) as response:
                    body = json.loads(response.read())
                    break
            except OSError:
                time.sleep(0.5)
        output = (tmp_path / "run.log").read_text()
        assert body is not None, output[-3000:]
        assert body["event"]["name"] == "Science for Health 2022"
        assert len(body["sessions"]) == 9
        assert "moderator / sfh2022-moderator" in output
        assert (clone / "var" / "livehub.sqlite3").exists()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            assert json.loads(response.read())["database"] == "ok"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(15)
