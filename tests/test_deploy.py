"""The scale-out set-up: docker-compose.yml validates and wires two replicas behind nginx."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from livehub.metrics import REGISTRY

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


def test_the_monitoring_profile_adds_prometheus_and_grafana_beside_the_web_replicas():
    command = compose_command()
    env = {**os.environ, "SECRET_KEY": "test-secret"}
    result = subprocess.run(
        [*command, "--profile", "monitoring", "config"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]
    for name in ("prometheus", "grafana"):
        assert services[name]["profiles"] == ["monitoring"]  # `docker compose up` alone leaves them out
        assert "monitoring" in services[name]["networks"]
    assert "monitoring" in services["web"]["networks"]
    # Only the scrapers' network may read each replica's /metrics.
    subnet = yaml.safe_load(result.stdout)["networks"]["monitoring"]["ipam"]["config"][0]["subnet"]
    assert services["web"]["environment"]["LIVEHUB_METRICS_ALLOW"] == subnet
    mounts = " ".join(str(volume) for volume in services["prometheus"]["volumes"] + services["grafana"]["volumes"])
    assert "deploy/prometheus.yml" in mounts and "deploy/grafana/dashboards" in mounts
    for name in ("prometheus", "grafana"):  # on the host's loopback only
        assert all(
            str(port).startswith("127.0.0.1:") or port.get("host_ip") == "127.0.0.1" for port in services[name]["ports"]
        )


def test_prometheus_scrapes_every_web_replica_directly():
    config = yaml.safe_load((ROOT / "deploy" / "prometheus.yml").read_text())
    (job,) = config["scrape_configs"]
    assert job["metrics_path"] == "/metrics"
    assert job["dns_sd_configs"] == [{"names": ["web"], "type": "A", "port": 8000, "refresh_interval": "10s"}]


def test_nginx_never_serves_the_metrics():
    conf = (ROOT / "deploy" / "nginx" / "livehub.conf.template").read_text()
    assert "location ^~ /metrics {\n        return 404;" in conf


def test_every_metric_the_dashboard_charts_is_one_the_servers_export():
    dashboard = json.loads((ROOT / "deploy" / "grafana" / "dashboards" / "livehub.json").read_text())
    suffix = {"counter": "_total", "histogram": "_bucket", "gauge": ""}
    exported = {metric.name + suffix.get(metric.type, "") for metric in REGISTRY.collect()}
    exported |= {  # read from the pool at each scrape, when one is configured (not in the tests)
        "livehub_db_pool_in_use",
        "livehub_db_pool_waiting",
        "livehub_db_pool_max",
        "livehub_db_pool_timeouts_total",
    }
    charted = set()
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            assert target["datasource"]["uid"] == "prometheus"
            charted |= set(re.findall(r"\b(?:livehub|process)_[a-z_]+", target["expr"]))
    assert charted - exported == set()
    for family in (
        "livehub_sockets",
        "livehub_frames_sent_total",
        "livehub_slow_clients_closed_total",
        "livehub_command_seconds_bucket",
        "livehub_fanout_seconds_bucket",
        "livehub_coalescer_flushes_total",
        "livehub_db_pool_in_use",
        "livehub_db_pool_waiting",
        "livehub_redis_reconnects_total",
        "livehub_joins_total",
    ):
        assert family in charted
