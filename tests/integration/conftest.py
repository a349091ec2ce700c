"""Real server processes on 127.0.0.1, sharing the test PostgreSQL database and Redis."""

import asyncio
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from bench.servers import command as server_command
from bench.servers import free_port, stop_process

ROOT = Path(__file__).resolve().parents[2]


class Server:
    def __init__(self, port: int, process: subprocess.Popen, log: Path) -> None:
        self.port = port
        self.process = process
        self.log = log
        self.http = f"http://127.0.0.1:{port}"
        self.ws = f"ws://127.0.0.1:{port}"

    def stop(self) -> None:
        stop_process(self.process)


def database_url() -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def start_server(
    tmp_path: Path,
    *,
    env: dict[str, str] | None = None,
    port: int | None = None,
    args: tuple[str, ...] = (),
    kind: str = "daphne",
) -> Server:
    """LiveHub under Daphne (with Daphne's own `args`), or under another of bench.servers' kinds."""
    port = port or free_port()
    log = tmp_path / f"server-{port}.log"
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "livehub.settings",
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), *args, "livehub.asgi:application"]
        if kind == "daphne"
        else [sys.executable, *server_command(kind, port=port), *args],
        cwd=ROOT,
        env=environment,
        stdout=log.open("a"),
        stderr=subprocess.STDOUT,
    )
    server = Server(port, process, log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{server.http}/healthz", timeout=1) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"server did not come up: {log.read_text()[-2000:]}")


def join(url: str, mode: str) -> str:
    """A participant's token from a real server's join endpoint (SFH2022)."""
    request = urllib.request.Request(
        f"{url}/api/events/SFH2022/join",
        data=json.dumps({"mode": mode}).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["token"]


async def receive(socket, predicate, timeout=10.0):
    """The next frame on a websocket that satisfies `predicate`."""
    async with asyncio.timeout(timeout):
        while True:
            frame = json.loads(await socket.recv())
            if predicate(frame):
                return frame


@pytest.fixture
def servers(tmp_path, transactional_db):
    """Start n Daphne processes: `servers(2)`; all are stopped after the test."""
    started: list[Server] = []

    def start(count: int = 1, **kwargs) -> list[Server]:
        new = [start_server(tmp_path, **kwargs) for _ in range(count)]
        started.extend(new)
        return new

    yield start
    for server in started:
        server.stop()
