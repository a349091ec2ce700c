"""Start servers on this machine for a measurement: the floor, LiveHub on Daphne or on Uvicorn."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _uvicorn(ws: str) -> list[str]:
    return [
        *("-m", "uvicorn", "--host", "127.0.0.1", "--port", "{port}", "--ws", ws),
        *("--ws-per-message-deflate", "false", "--no-access-log", "--lifespan", "off"),
        "livehub.asgi:application",
    ]


# The same LiveHub ASGI application under each server; options that matter for fan-out:
# no per-message deflate (it compresses every frame once per socket) and no access log.
COMMANDS = {
    "daphne": ["-m", "daphne", "-v", "0", "-b", "127.0.0.1", "-p", "{port}", "livehub.asgi:application"],
    "uvicorn": _uvicorn("websockets"),
    # Uvicorn's sans-I/O websockets implementation: no tasks per connection, timers for pings.
    "uvicorn-sansio": _uvicorn("websockets-sansio"),
    "floor": ["-m", "bench.floor", "--host", "127.0.0.1", "--port", "{port}"],
    # The joins scenario's floor: a trivial Django view on the same server (bench/django_floor.py).
    "django-floor": [
        *("-m", "uvicorn", "--host", "127.0.0.1", "--port", "{port}", "--no-access-log", "--lifespan", "off"),
        *("--factory", "django.core.asgi:get_asgi_application"),
    ],
}
# Environment a kind needs besides the caller's.
ENVIRONMENT = {"django-floor": {"DJANGO_SETTINGS_MODULE": "bench.django_floor"}}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class LocalServer:
    kind: str
    port: int
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/" if self.kind == "floor" else f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        stop_process(self.process)


def stop_process(process: subprocess.Popen) -> None:
    """SIGTERM, and SIGKILL if it has not stopped within 10 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def _ready(kind: str, port: int) -> bool:
    if kind == "floor":
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", port)) == 0
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def start(
    *,
    kind: str,
    env: dict[str, str] | None = None,
    log: Path | None = None,
    root: Path = ROOT,
    wrapper: str | None = None,
    port: int | None = None,
) -> LocalServer:
    """Start one server process (from the source tree `root`) and wait until it answers.

    `wrapper` names a module run instead of the server's own (`-m uvicorn`): it changes something
    in the process (bench-check's own test slows a path with it) and then runs the server. `port`:
    the one a stopped server listened on (a restart), else a free one."""
    port = port or free_port()
    args = [arg.format(port=port) for arg in COMMANDS[kind]]
    if wrapper is not None:
        args[1] = wrapper
    output = log.open("w") if log else subprocess.DEVNULL
    process = subprocess.Popen(
        [sys.executable, *args],
        cwd=root,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {}), **ENVIRONMENT.get(kind, {})},
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    server = LocalServer(kind=kind, port=port, process=process)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{kind} exited with {process.returncode}" + (f"; see {log}" if log else ""))
        if _ready(kind, port):
            return server
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"{kind} did not come up within 30 s")
