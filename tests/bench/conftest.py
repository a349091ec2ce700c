"""Real server processes (Daphne, Uvicorn) on the test database, driven by the load client."""

import pytest
from django.conf import settings

from bench.servers import LocalServer, start
from tests.integration.conftest import database_url


@pytest.fixture
def server_process(tmp_path, transactional_db):
    """Start LiveHub under a server: `server_process("uvicorn")`; stopped after the test."""
    started: list[LocalServer] = []

    def run(kind: str = "daphne", env: dict[str, str] | None = None) -> LocalServer:
        env = {
            "DJANGO_SETTINGS_MODULE": "livehub.settings",
            "DATABASE_URL": database_url(),
            "REDIS_URL": settings.REDIS_URL,
            **(env or {}),
        }
        server = start(kind=kind, env=env, log=tmp_path / f"{kind}.log")
        started.append(server)
        return server

    yield run
    for server in started:
        server.stop()
