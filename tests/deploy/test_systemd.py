"""A Debian server runs the same processes as the image and the proxy test."""

import shlex

from tests.deploy.conftest import ROOT, production_command


def test_the_template_unit_starts_uvicorn_as_the_dockerfile_does_on_its_instance_port():
    unit = (ROOT / "deploy" / "systemd" / "livehub@.service").read_text()
    line = next(line for line in unit.splitlines() if line.startswith("ExecStart="))
    command = shlex.split(line.removeprefix("ExecStart="))
    assert command[:2] == ["/opt/livehub/.venv/bin/uvicorn", "livehub.asgi:application"]
    assert command[2:6] == ["--host", "127.0.0.1", "--port", "%i"]
    assert command[6:] == production_command()
    assert "Environment=FORWARDED_ALLOW_IPS=127.0.0.1" in unit


def test_the_webhook_worker_unit_runs_the_command_and_the_compose_file_runs_it_too():
    unit = (ROOT / "deploy" / "systemd" / "livehub-webhooks.service").read_text()
    line = next(line for line in unit.splitlines() if line.startswith("ExecStart="))
    assert shlex.split(line.removeprefix("ExecStart="))[:3] == [
        "/opt/livehub/.venv/bin/python",
        "manage.py",
        "run_webhooks",
    ]
    assert '"manage.py", "run_webhooks"' in (ROOT / "docker-compose.yml").read_text()
