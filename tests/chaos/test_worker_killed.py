"""Worker processes killed and restarted while the hall asks, votes and answers: nothing lost,
on one Redis and on a three-node Redis Cluster."""

import asyncio
import json
import os
import time

import pytest

from bench.servers import LIVEHUB_KINDS, PRODUCTION

from .client import CONVERGE_WITHIN, converged
from .scenario import Outcome, audience, check_database, prepare, run_with_faults, totals_settled

pytestmark = [pytest.mark.chaos, pytest.mark.django_db(transaction=True)]

CLIENTS = int(os.environ.get("CHAOS_CLIENTS", "300"))
# The server the two processes run: the production one, unless CHAOS_SERVER names another of
# bench.servers' kinds (docs/performance.md, "Choosing the production server", ran each).
SERVER = os.environ.get("CHAOS_SERVER", PRODUCTION)
if SERVER not in LIVEHUB_KINDS:
    raise ValueError(f"CHAOS_SERVER={SERVER}: one of {', '.join(LIVEHUB_KINDS)}")
SECONDS = 14.0


@pytest.fixture(params=["redis", "redis-cluster"])
def redis_kind(request) -> str:
    return request.param


@pytest.fixture
def servers_of(request, redis_kind):
    """`servers_of()` starts the two servers on their own Redis, or on a Redis Cluster."""
    start = request.getfixturevalue("cluster" if redis_kind == "redis" else "cluster_on_redis_cluster")
    return lambda: start(kind=SERVER)


@pytest.mark.parametrize("fault", ["kill", "terminate"])
def test_acknowledged_actions_survive_worker_faults(servers_of, redis_kind, congress, fault, record_property):
    servers = servers_of()
    count = CLIENTS if fault == "kill" else CLIENTS // 2
    # The cluster's three nodes share the machine's two cores with everything else: a smaller hall.
    clients = audience(congress, count if redis_kind == "redis" else count // 3, servers.urls)
    outcome = Outcome()
    stage = prepare(congress)
    stop = getattr(servers, fault)  # SIGKILL, or SIGTERM: a rolling restart

    async def faults() -> float:
        for index in (0, 1):
            await asyncio.sleep(3.0)
            await asyncio.to_thread(stop, index)
            await asyncio.sleep(1.0)
            await asyncio.to_thread(servers.restart, index)
        return time.monotonic()

    async def scenario():
        last_fault = await run_with_faults(clients, stage=stage, faults=faults, seconds=SECONDS, outcome=outcome)
        await totals_settled(congress)
        took, different = await converged(
            clients, servers.urls[0], since=outcome.last_ack, deadline=outcome.last_ack + CONVERGE_WITHIN
        )
        stats = [client.stats for client in clients]
        for client in clients:
            await client.stop()
        return last_fault, took, different, stats

    _last_fault, took, different, stats = asyncio.run(scenario())
    assert different == [], f"{len(different)} clients never matched a fresh snapshot: {different[:3]}"
    counts = check_database(congress, clients, outcome)
    assert counts["receipts"] == outcome.acknowledged, "one receipt per acknowledged command, no more"
    reconnects = sum(s["connects"] for s in stats) - len(clients)
    assert reconnects >= len(clients) // 2, "the faults reached the clients"
    assert sum(s["replays"] for s in stats) > 0, "clients replayed what they missed after reconnecting"
    closes = {code: sum(s["closes"].get(code, 0) for s in stats) for s in stats for code in s["closes"]}
    if fault == "terminate":
        # A process told to stop says "reconnect" (4000) rather than dropping sockets.
        assert closes.get(4000, 0) >= len(clients) // 2, closes
    record_property(
        "chaos",
        json.dumps(
            {
                "fault": fault,
                "server": SERVER,
                "redis": redis_kind,
                "clients": len(clients),
                "acknowledged": outcome.acknowledged,
                "refused": dict(outcome.refused),
                "reconnects": reconnects,
                "retries": sum(s["retries"] for s in stats),
                "gaps": sum(s["gaps"] for s in stats),
                "converged_in": round(took, 2),
                "closes": closes,
                **counts,
            }
        ),
    )
