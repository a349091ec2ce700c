"""The scale-out set-up: docker-compose.yml validates and wires two replicas behind nginx."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def compose_command() -> list[str]:
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    pytest.fail("neither `docker compose` nor `docker-compose` is here: `make test` installs Debian's docker-compose")


def test_docker_compose_config_validates_with_two_web_replicas_behind_nginx():
    command = compose_command()
    env = {**os.environ, "SECRET_KEY": "test-secret"}
    result = subprocess.run(
        [*command, "config", "--format", "json"] if command == ["docker", "compose"] else [*command, "config"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    if command == ["docker", "compose"]:
        services = json.loads(result.stdout)["services"]
        assert services["web"]["deploy"]["replicas"] == 2
    else:
        assert "replicas: 2" in result.stdout
    for service in ("postgres", "redis", "web", "nginx", "migrate"):
        assert f"  {service}:" in result.stdout or f'"{service}"' in result.stdout


def test_compose_refuses_to_start_without_a_secret_key():
    command = compose_command()
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    result = subprocess.run([*command, "config"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_nginx_forwards_websocket_upgrades():
    # tests/deploy runs this template through a real nginx; here: compose mounts it and names the replicas.
    conf = (ROOT / "deploy" / "nginx" / "livehub.conf.template").read_text()
    assert "proxy_set_header Upgrade $http_upgrade;" in conf
    assert "proxy_set_header Connection $connection_upgrade;" in conf
    compose = (ROOT / "docker-compose.yml").read_text()
    assert "deploy/nginx/livehub.conf.template:/etc/nginx/templates/" in compose
    assert "server web:8000 resolve;" in compose
