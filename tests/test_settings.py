"""Settings come from the environment; with none, the embedded default runs."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "import django, json; django.setup(); from django.conf import settings as s;"
    "from livehub.realtime.broker import get_broker; b = get_broker();"
    "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], 'name': str(s.DATABASES['default']['NAME']),"
    "'shared': b.shared, 'redis': getattr(b, 'url', None), 'debug': s.DEBUG, 'hosts': s.ALLOWED_HOSTS,"
    "'pool': s.DATABASES['default'].get('OPTIONS', {}).get('pool'),"
    "'max_age': s.DATABASES['default']['CONN_MAX_AGE'], 'frame_ancestors': s.LIVEHUB_OVERLAY_FRAME_ANCESTORS}))"
)


def probe(**env):
    unset = {"DATABASE_URL", "REDIS_URL", "DEBUG", "ALLOWED_HOSTS", "LIVEHUB_DB_POOL_MAX", "LIVEHUB_DB_POOL_TIMEOUT"}
    unset |= {"LIVEHUB_OVERLAY_FRAME_ANCESTORS"}
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    clean.update(env, DJANGO_SETTINGS_MODULE="livehub.settings")
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_nothing_set_runs_sqlite_and_one_process_without_redis():
    result = probe()
    assert result["engine"] == "django.db.backends.sqlite3"
    # Events, their replay log and fan-out stay in this process's memory.
    assert result["shared"] is False and result["redis"] is None
    assert result["debug"] is False


def test_urls_select_postgresql_and_redis_shared_by_every_process():
    result = probe(
        DATABASE_URL="postgres://u:p@db:5432/live",
        REDIS_URL="redis://cache:6379/0",
        DEBUG="true",
        ALLOWED_HOSTS="live.example.org, 127.0.0.1",
    )
    assert result["engine"] == "django.db.backends.postgresql" and result["name"] == "live"
    # Every process publishes to and replays from that Redis: clients on any process see each event.
    assert result["shared"] is True and result["redis"] == "redis://cache:6379/0"
    assert result["debug"] is True
    assert result["hosts"] == ["live.example.org", "127.0.0.1"]


def test_postgresql_connections_come_from_one_bounded_pool_per_process():
    # Two processes, manage.py commands and the admin fit PostgreSQL's default 100 connections.
    result = probe(DATABASE_URL="postgres://u:p@db:5432/live")
    assert result["pool"] == {"min_size": 2, "max_size": 20, "timeout": 10.0}
    assert result["max_age"] == 0  # a persistent connection would stay behind per request context
    result = probe(DATABASE_URL="postgres://u:p@db:5432/live", LIVEHUB_DB_POOL_MAX="8", LIVEHUB_DB_POOL_TIMEOUT="3")
    assert result["pool"] == {"min_size": 2, "max_size": 8, "timeout": 3.0}


def test_a_bad_boolean_is_a_clear_error():
    clean = {k: v for k, v in os.environ.items() if k != "DEBUG"}
    clean.update(DEBUG="maybe", DJANGO_SETTINGS_MODULE="livehub.settings")
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True)
    assert out.returncode != 0 and "DEBUG must be true or false" in out.stderr


def test_the_sites_that_may_frame_the_overlay_are_origins_separated_by_spaces():
    assert probe()["frame_ancestors"] == []  # empty: any site may frame it
    typed = " https://studio.example.org\thttps://*.producers.example:8443  http://[::1]:8000 "
    result = probe(LIVEHUB_OVERLAY_FRAME_ANCESTORS=typed)
    assert result["frame_ancestors"] == [
        "https://studio.example.org",
        "https://*.producers.example:8443",
        "http://[::1]:8000",
    ]


def test_a_framing_site_that_is_no_origin_is_a_clear_error():
    # A `;` would end the directive and start another one of the operator's making.
    clean = {**os.environ, "DJANGO_SETTINGS_MODULE": "livehub.settings"}
    clean["LIVEHUB_OVERLAY_FRAME_ANCESTORS"] = "https://studio.example.org; script-src *"
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True)
    assert out.returncode != 0 and "'https://studio.example.org;' is not an origin" in out.stderr
