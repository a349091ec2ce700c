"""nginx in front of two Uvicorn processes started as production starts them, on the test
PostgreSQL and Redis: deploy/nginx/livehub.conf.template rendered by deploy/nginx/render."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bench.servers import free_port, stop_process
from tests.integration.conftest import Server, database_url

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx", path=f"{os.environ.get('PATH', '')}:/usr/sbin") or "/usr/sbin/nginx"


def production_command() -> list[str]:
    """The Dockerfile's CMD (which deploy/systemd/livehub@.service repeats), without host and port."""
    match = re.search(r"^CMD (\[.*\])$", (ROOT / "Dockerfile").read_text(), re.MULTILINE)
    command = json.loads(match[1])
    assert command[:2] == ["uvicorn", "livehub.asgi:application"]
    options = command[2:]
    for name in ("--host", "--port"):
        at = options.index(name)
        del options[at : at + 2]
    return options


def wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"exited with {process.returncode}: {log.read_text()[-2000:]}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}: {log.read_text()[-2000:]}")


def uvicorn_start(tmp_path: Path, *, env: dict[str, str], args: tuple[str, ...]) -> Server:
    port = free_port()
    log = tmp_path / f"uvicorn-{port}.log"
    process = subprocess.Popen(
        [
            sys.executable,
            *("-m", "uvicorn", "livehub.asgi:application", "--host", "127.0.0.1", "--port", str(port)),
            *production_command(),
            *args,
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "livehub.settings",
            "DATABASE_URL": database_url(),
            "PYTHONUNBUFFERED": "1",
            **env,
        },
        stdout=log.open("a"),
        stderr=subprocess.STDOUT,
    )
    return Server(port, process, log)


def certificate_make(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for localhost and 127.0.0.1, as docs/deploy.md makes one to try TLS."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost"),
            *("-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@dataclass
class Deployment:
    servers: list[Server]
    port: int
    tls_port: int
    certificate: Path
    access_log: Path
    nginx: subprocess.Popen
    static_root: Path | None = None
    extra: dict = field(default_factory=dict)

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def kill(self, server: Server) -> None:
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(10)


def nginx_start(
    tmp_path: Path, *, upstream_ports: list[int], read_timeout: str
) -> tuple[subprocess.Popen, int, int, Path, Path]:
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    port, tls_port = free_port(), free_port()
    cert, key = certificate_make(prefix)
    access_log = prefix / "access.log"
    rendered = subprocess.run(
        [str(ROOT / "deploy" / "nginx" / "render")],
        env={
            **os.environ,
            "LIVEHUB_UPSTREAM": " ".join(f"server 127.0.0.1:{p};" for p in upstream_ports),
            "LIVEHUB_LISTEN": (
                f"listen 127.0.0.1:{port}; listen 127.0.0.1:{tls_port} ssl;"
                f" ssl_certificate {cert}; ssl_certificate_key {key};"
            ),
            "LIVEHUB_ACCESS_LOG": str(access_log),
            "LIVEHUB_WS_READ_TIMEOUT": read_timeout,
            "LIVEHUB_HTTP_READ_TIMEOUT": read_timeout,
        },
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    (prefix / "livehub.conf").write_text(rendered)
    temp = "".join(
        f"    {kind}_temp_path {prefix / kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # As a non-daemon child with every path in the prefix: the system's nginx service is not involved.
    (prefix / "nginx.conf").write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"daemon off;\nworker_processes 1;\npid {prefix / 'nginx.pid'};\nerror_log {prefix / 'error.log'} info;\n"
        + "events { worker_connections 1024; }\n"
        + f"http {{\n{temp}    include livehub.conf;\n}}\n"
    )
    log = prefix / "error.log"
    nginx = subprocess.Popen(
        [NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e", str(log)],
        stdout=subprocess.DEVNULL,
        stderr=log.open("a"),
    )
    wait_for_port(port, nginx, log)
    return nginx, port, tls_port, cert, access_log


@pytest.fixture
def deployment(tmp_path, transactional_db):
    """`deployment(env=..., args=..., read_timeout="1h")`: two Uvicorn processes behind nginx."""
    started: list[subprocess.Popen] = []

    def start(
        *, env: dict[str, str] | None = None, args: tuple[str, ...] = (), read_timeout: str = "60s"
    ) -> Deployment:
        from django.conf import settings

        servers = [
            uvicorn_start(tmp_path, env={"REDIS_URL": settings.REDIS_URL, **(env or {})}, args=args) for _ in range(2)
        ]
        started.extend(server.process for server in servers)
        for server in servers:
            wait_for_port(server.port, server.process, server.log)
        nginx, port, tls_port, cert, access_log = nginx_start(
            tmp_path, upstream_ports=[s.port for s in servers], read_timeout=read_timeout
        )
        started.append(nginx)
        return Deployment(servers, port, tls_port, cert, access_log, nginx)

    yield start
    for process in reversed(started):
        stop_process(process)
