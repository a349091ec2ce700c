"""`make test` on a fresh machine: what the system lacks is installed, or named with its command."""

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "system_tools.sh"


def run(**env):
    return subprocess.run([str(SCRIPT)], env={**os.environ, **env}, capture_output=True, text=True, timeout=60)


def test_a_machine_without_chromium_stops_at_once_with_the_command_that_installs_it():
    result = run(CHROMIUM="/nonexistent/chromium", LIVEHUB_SYSTEM_INSTALL="0")
    assert result.returncode == 1
    assert "sudo apt-get install -y chromium" in result.stderr


def test_a_machine_without_nginx_stops_at_once_with_the_command_that_installs_it():
    result = run(NGINX="/nonexistent/nginx", LIVEHUB_SYSTEM_INSTALL="0")
    assert result.returncode == 1
    assert "sudo apt-get install -y nginx" in result.stderr


def test_this_machine_has_what_the_suite_needs():
    # make test ran the script before pytest: here it finds nothing missing and installs nothing.
    result = run(LIVEHUB_SYSTEM_INSTALL="0")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
