"""Start servers on this machine for a measurement: the floor, LiveHub on Daphne, Uvicorn, Granian
or Hypercorn."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
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
    # Granian (Rust HTTP and websockets): a supervising process and one worker process; "asginl" is
    # ASGI without lifespan, as Uvicorn runs with --lifespan off. It never pings idle websockets.
    "granian": [
        *("-m", "granian", "--interface", "asginl", "--host", "127.0.0.1", "--port", "{port}", "--workers", "1"),
        *("--no-access-log", "--log-level", "warning", "livehub.asgi:application"),
    ],
    # Hypercorn (wsproto): `--workers 0` serves in this process, without a supervising parent.
    # Its websockets are pinged only when asked: every 20 s, as Uvicorn and Daphne do by default.
    "hypercorn": [
        *("-m", "hypercorn", "--bind", "127.0.0.1:{port}", "--workers", "0", "--log-level", "warning"),
        *("--websocket-ping-interval", "20", "livehub.asgi:application"),
    ],
    "floor": ["-m", "bench.floor", "--host", "127.0.0.1", "--port", "{port}"],
    # The joins scenario's floor: a trivial Django view on the same server (bench/django_floor.py).
    "django-floor": [
        *("-m", "uvicorn", "--host", "127.0.0.1", "--port", "{port}", "--no-access-log", "--lifespan", "off"),
        *("--factory", "django.core.asgi:get_asgi_application"),
    ],
}
# The server the Dockerfile, compose and systemd run (docs/performance.md, "Choosing the
# production server"): what the chaos suite runs against unless told otherwise.
PRODUCTION = "uvicorn-sansio"
# The kinds that serve LiveHub itself (not a floor).
LIVEHUB_KINDS = ("daphne", "uvicorn", "uvicorn-sansio", "granian", "hypercorn")
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
    # Its worker processes once it answered: stopped with it even if its own process died first.
    workers: list[int] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/" if self.kind == "floor" else f"http://127.0.0.1:{self.port}"

    def pids(self) -> tuple[int, ...]:
        """The server's process and its descendants (Granian's worker serves in a child)."""
        return (self.process.pid, *descendants(self.process.pid))

    def stop(self) -> None:
        stop_process(self.process)
        kill_all(self.workers)


def descendants(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = Path(f"/proc/{pid}/task").iterdir()
        children = [int(child) for task in tasks for child in (task / "children").read_text().split()]
    except OSError:
        return found  # gone meanwhile
    for child in children:
        found += [child, *descendants(child)]
    return found


def stop_process(process: subprocess.Popen) -> None:
    """SIGTERM, and SIGKILL if it has not stopped within 10 s; then SIGKILL to any of its
    workers still running (Granian's outlives a killed parent and keeps serving its port)."""
    workers = descendants(process.pid) if process.poll() is None else []
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
    kill_all(workers)


def kill_all(pids: list[int], *, patience: float = 30.0) -> None:
    """SIGKILL each of `pids` still running, and wait until each is gone (its port free)."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + patience
    while any(running(pid) for pid in pids):
        if time.monotonic() > deadline:
            raise RuntimeError(f"processes {pids} still run {patience} s after SIGKILL")
        time.sleep(0.05)


def running(pid: int) -> bool:
    """Neither gone nor a zombie (an orphan's zombie waits for init to reap it)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def command(kind: str, *, port: int) -> list[str]:
    """The arguments after the Python interpreter that run `kind` on `port`."""
    return [arg.format(port=port) for arg in COMMANDS[kind]]


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
    in the process (bench-check's own test slows a path with it) and then runs the server.
    `port`: a fixed one (a restarted server comes back where its clients look); else a free one."""
    port = port or free_port()
    args = command(kind, port=port)
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
            server.workers = descendants(process.pid)
            return server
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"{kind} did not come up within 30 s")
