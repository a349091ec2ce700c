"""bench.capacity at a tiny N: two processes, a fan-out, a vote storm and a rolling restart in which
every client comes back, is replayed what it missed and loses nothing."""

import random

import pytest
from django.conf import settings

from bench.capacity import Fleet, backoff, capacity_run, own_redis_url
from bench.servers import start
from sessions.rolelinks import role_key_make
from tests.integration.conftest import database_url

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]


def test_a_rolling_restart_of_two_processes_loses_nothing_and_every_client_is_replayed(
    tmp_path, transactional_db, event
):
    env = {
        "DJANGO_SETTINGS_MODULE": "livehub.settings",
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
    }
    fleet = Fleet(
        start_one=lambda port: start(kind="uvicorn-sansio", env=env, port=port, log=tmp_path / f"livehub-{port}.log")
    )
    fanout, storm, restart = capacity_run(
        clients=40,
        seconds=3,
        storm=2.0,
        fleet=fleet,
        processes=2,
        moderator_key=role_key_make(event=event, role="moderator", hours=1),
        code=event.code,
    )
    assert fanout.connected == 40 and fanout.lost == 0 and fanout.disorder == 0
    assert fanout.rss_per_socket is not None
    assert storm.notes["clients with exact final total"] == "40/40"
    assert storm.notes["max updates/s on one client"] <= 4 and storm.notes["max updates/s sent"] <= 4
    assert restart.connected == 40 and restart.messages >= 3
    assert restart.lost == 0 and restart.disorder == 0
    assert [r["moved"] for r in restart.notes["restarts"]] == [20, 40]  # the second process held them all
    assert restart.notes["not back within the limit"] == 0
    assert restart.notes["reconnects replayed / given a snapshot"] == "60 / 0"
    assert "tries refused" not in restart.notes or set(restart.notes["tries refused"]) <= {"unreachable (process down)"}


def test_the_backoff_is_the_real_clients_jittered_doubling():
    rng = random.Random(1)
    for attempt, base in ((1, 0.5), (2, 1.0), (3, 2.0), (8, 30.0), (20, 30.0)):
        assert base / 2 <= backoff(attempt, rng) < base


def test_the_run_may_take_a_redis_database_of_its_own():
    assert own_redis_url("redis://127.0.0.1:6379/4", 9) == "redis://127.0.0.1:6379/9"
    assert own_redis_url("redis://127.0.0.1:6379/4", None) == "redis://127.0.0.1:6379/4"
