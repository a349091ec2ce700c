"""Redis restarted and PostgreSQL unreachable mid-session: sockets recover by themselves, commands
say `unavailable` instead of failing, and nothing acknowledged is lost."""

import asyncio
import json
import time

import pytest

from .client import converged
from .conftest import health, proxied_database_url
from .scenario import Outcome, audience, check_database, prepare, run_with_faults, totals_settled

pytestmark = [pytest.mark.chaos, pytest.mark.django_db(transaction=True)]

CLIENTS = 60
SECONDS = 12.0


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
            clients, servers.urls[0], since=outcome.last_ack, deadline=outcome.last_ack + 5
        )
        for client in clients:
            await client.stop()
        return took, different

    took, different = asyncio.run(scenario())
    assert different == [], f"{len(different)} clients never matched a fresh snapshot: {different[:3]}"
    assert took <= 5, f"the last client settled {took:.1f} s after the last acknowledged action"
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
    servers = cluster(env={"DATABASE_URL": proxied_database_url(db_proxy)})

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
