"""Redis restarted and PostgreSQL unreachable mid-session: sockets recover by themselves, commands
say `unavailable` instead of failing, and nothing acknowledged is lost."""

import asyncio
import contextlib
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

import pytest
from django.conf import settings

from bench.client import Client
from bench.servers import start

from .client import CONVERGE_WITHIN, converged
from .conftest import health, proxied_database_url
from .scenario import Outcome, audience, check_database, prepare, run_with_faults, totals_settled

pytestmark = [pytest.mark.chaos, pytest.mark.django_db(transaction=True)]

CLIENTS = 60
SECONDS = 12.0


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


def fetch(request: urllib.request.Request | str) -> Answer:
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return Answer(response.status, dict(response.headers), response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, dict(error.headers), error.read())


def get(url: str) -> Answer:
    return fetch(url)


def post_json(url: str, data: dict) -> Answer:
    return fetch(
        urllib.request.Request(
            url, data=json.dumps(data).encode(), headers={"Content-Type": "application/json"}, method="POST"
        )
    )


async def wait_for_health(servers, status: int, timeout: float) -> float:
    """Seconds until every server's /healthz answers `status`."""
    started = time.monotonic()
    while True:
        codes = [await asyncio.to_thread(health, servers.http(index)) for index in range(len(servers.ports))]
        if all(code == status for code in codes):
            return time.monotonic() - started
        assert time.monotonic() - started < timeout, f"/healthz said {codes}, expected {status}"
        await asyncio.sleep(0.2)


def run(servers, congress, faults) -> tuple[Outcome, list, dict[str, int]]:
    clients = audience(congress, CLIENTS, servers.urls)
    outcome = Outcome()
    stage = prepare(congress)

    async def scenario():
        await run_with_faults(clients, stage=stage, faults=faults, seconds=SECONDS, outcome=outcome)
        await totals_settled(congress)
        took, different = await converged(
            clients, servers.urls[0], since=outcome.last_ack, deadline=outcome.last_ack + CONVERGE_WITHIN
        )
        for client in clients:
            await client.stop()
        return took, different

    took, different = asyncio.run(scenario())
    assert different == [], f"{len(different)} clients never matched a fresh snapshot: {different[:3]}"
    counts = check_database(congress, clients, outcome)
    assert counts["receipts"] == outcome.acknowledged
    return outcome, [client.stats for client in clients], {**counts, "converged_in": took}


def report(fault: str, outcome: Outcome, stats: list, counts: dict, extra: dict) -> str:
    return json.dumps(
        {
            "fault": fault,
            "clients": CLIENTS,
            "acknowledged": outcome.acknowledged,
            "refused": dict(outcome.refused),
            "reconnects": sum(s["connects"] for s in stats) - CLIENTS,
            "snapshots": sum(s["snapshots"] for s in stats),
            "retries": sum(s["retries"] for s in stats),
            "gaps": sum(s["gaps"] for s in stats),
            **{key: round(value, 2) if isinstance(value, float) else value for key, value in (counts | extra).items()},
        }
    )


def test_redis_restarted_mid_session(cluster, private_redis, congress, record_property):
    servers = cluster()
    seen = {}

    async def faults():
        await asyncio.sleep(3)
        private_redis.kill()
        seen["down_after"] = await wait_for_health(servers, 503, timeout=5)
        await asyncio.sleep(2)
        private_redis.start()  # empty, as a replaced node: every replay log is gone
        seen["up_after"] = await wait_for_health(servers, 200, timeout=10)

    outcome, stats, counts = run(servers, congress, faults)
    record_property("chaos", report("redis restarted", outcome, stats, counts, seen))
    # The clients noticed (the subscription dropped, positions were lost) and resynchronised.
    assert sum(s["snapshots"] for s in stats) > CLIENTS, "clients took fresh snapshots after the restart"
    assert outcome.acknowledged > CLIENTS * 5


def test_database_unreachable_for_a_moment(cluster, db_proxy, congress, record_property):
    # A command waits for a pooled connection up to the pool's timeout, then is told `unavailable`:
    # shorter than the outage here, so that the clients' retries are exercised.
    servers = cluster(env={"DATABASE_URL": proxied_database_url(db_proxy), "LIVEHUB_DB_POOL_TIMEOUT": "1"})

    async def faults():
        await asyncio.sleep(3)
        db_proxy.cut()
        await wait_for_health(servers, 503, timeout=5)
        await asyncio.sleep(2)
        db_proxy.restore()
        await wait_for_health(servers, 200, timeout=10)

    outcome, stats, counts = run(servers, congress, faults)
    record_property("chaos", report("database unreachable", outcome, stats, counts, {}))
    # Commands that met the outage were told `unavailable` and succeeded when sent again.
    assert sum(s["retries"] for s in stats) > 0
    assert outcome.acknowledged > CLIENTS * 5


def test_requests_are_answered_503_and_sockets_1013_while_no_connection_can_be_had(
    tmp_path, db_proxy, congress, attendee
):
    """Overload is an answer: with no database connection to be had within the pool's timeout, a
    join gets 503 with Retry-After (JSON), a page 503 that retries by itself, a socket the
    try-again close; all of it works again once PostgreSQL is back. On the production server
    (Daphne, the development server, cannot send 1013: its clients see 1011 and back off alike)."""
    env = {
        "DJANGO_SETTINGS_MODULE": "livehub.settings",
        "DATABASE_URL": proxied_database_url(db_proxy),
        "REDIS_URL": settings.REDIS_URL,
        "LIVEHUB_DB_POOL_TIMEOUT": "1",
    }
    server = start(kind="uvicorn-sansio", env=env, log=tmp_path / "uvicorn.log")
    try:
        base = server.url
        db_proxy.cut()
        deadline = time.monotonic() + 30
        while health(base) != 503:
            assert time.monotonic() < deadline, "/healthz never noticed the database was gone"
            time.sleep(0.2)

        join = post_json(f"{base}/api/events/SFH2022/join", {"mode": "room"})
        assert join.status == 503
        assert 1 <= int(join.headers["retry-after"]) <= 10
        assert json.loads(join.body)["error"]["code"] == "unavailable"
        page = get(f"{base}/e/SFH2022/")
        assert page.status == 503 and int(page.headers["retry-after"]) >= 1
        assert "tries again by itself" in page.body.decode()

        async def connect() -> int | None:
            client = Client(url=f"{base.replace('http', 'ws')}/ws/events/SFH2022/?token={attendee.token}")
            with contextlib.suppress(ConnectionError):
                await client.open(wait=30)
            await client.close()
            return client.close_code

        assert asyncio.run(connect()) == 1013

        db_proxy.restore()
        while health(base) != 200:
            assert time.monotonic() < deadline + 30, "/healthz never noticed the database was back"
            time.sleep(0.2)
        assert post_json(f"{base}/api/events/SFH2022/join", {"mode": "room"}).status == 201
    finally:
        server.stop()
    assert "Traceback" not in (tmp_path / "uvicorn.log").read_text()
