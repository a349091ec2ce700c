""" "Scan the QR code now": a hall of phones behind the venue's one address joins and opens its
sockets at once, against the production server (Uvicorn) with its default limits and pool.

Every phone gets its token and its snapshot, none is answered 5xx, and PostgreSQL never sees more
connections from the servers than their pools allow (it refused the 100th before the pool)."""

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from django.conf import settings

from bench.client import BenchError, Client, JoinStats, event_socket_url, join_participants
from bench.report import percentile
from bench.servers import start
from tests.integration.conftest import database_url

pytestmark = [pytest.mark.chaos, pytest.mark.django_db(transaction=True)]

PHONES = 1500
JOINING_AT_ONCE = 32
OPENING_AT_ONCE = 100
# How long the storm may take: the join buckets alone need 25 s for the 500 past their burst.
PATIENCE = 90
APPLICATION = "livehub-join-storm"


class ConnectionWatch:
    """Samples PostgreSQL's connections of the servers under test (their application_name)."""

    def __init__(self) -> None:
        self.peak = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        with psycopg.connect(database_url(), autocommit=True) as connection:
            while not self._stop.is_set():
                (count,) = connection.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", (APPLICATION,)
                ).fetchone()
                self.peak = max(self.peak, count)
                self.samples += 1
                self._stop.wait(0.02)

    def __enter__(self) -> "ConnectionWatch":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(5)


def join_all(urls: list[str], code: str, stats: JoinStats) -> list[str]:
    """PHONES joins from this one address, JOINING_AT_ONCE in flight, spread over the servers."""
    share = PHONES // len(urls)
    with ThreadPoolExecutor(max_workers=len(urls)) as pool:
        parts = pool.map(
            lambda url: join_participants(
                base_url=url,
                code=code,
                modes=["room"] * share,
                workers=JOINING_AT_ONCE // len(urls),
                stats=stats,
                patience=PATIENCE,
            ),
            urls,
        )
        return [token for part in parts for token in part]


async def open_all(urls: list[str], code: str, tokens: list[str]) -> tuple[list[Client], dict[str, int]]:
    gate = asyncio.Semaphore(OPENING_AT_ONCE)
    clients = [
        Client(url=event_socket_url(base_url=urls[index % len(urls)], code=code, token=token))
        for index, token in enumerate(tokens)
    ]
    failures: dict[str, int] = {}

    async def one(client: Client) -> None:
        async with gate:
            try:
                await client.open(wait=PATIENCE)
            except (OSError, TimeoutError, BenchError) as error:
                name = f"{error.__class__.__name__} {client.close_code or ''}".strip()
                failures[name] = failures.get(name, 0) + 1

    await asyncio.gather(*(one(client) for client in clients))
    for client in clients:
        await client.close()
    return clients, failures


@pytest.mark.parametrize("processes", [1, 2])
def test_a_hall_behind_one_address_joins_and_connects(event, tmp_path, processes, record_property):
    env = {
        "DJANGO_SETTINGS_MODULE": "livehub.settings",
        "DATABASE_URL": f"{database_url()}?application_name={APPLICATION}",
        "REDIS_URL": settings.REDIS_URL,
    }
    servers = [
        start(kind="uvicorn-sansio", env=env, log=tmp_path / f"uvicorn-{index}.log") for index in range(processes)
    ]
    urls = [server.url for server in servers]
    stats = JoinStats()
    try:
        with ConnectionWatch() as watch:
            started = time.monotonic()
            tokens = join_all(urls, event.code, stats)
            joined_in = time.monotonic() - started
            clients, failures = asyncio.run(open_all(urls, event.code, tokens))
    finally:
        for server in servers:
            server.stop()

    assert len(set(tokens)) == PHONES, "every phone got a token of its own"
    assert not [status for status in stats.statuses if status >= 500], f"answers: {dict(stats.statuses)}"
    assert set(stats.statuses) <= {201, 429}, f"answers: {dict(stats.statuses)}"
    assert joined_in <= PATIENCE
    assert failures == {}, f"sockets that never got their snapshot: {failures}"
    assert all(client.connect_seconds is not None for client in clients)
    assert watch.samples > 10
    assert watch.peak <= settings.LIVEHUB_DB_POOL_MAX * processes, (
        f"{watch.peak} connections to PostgreSQL, the pools allow {settings.LIVEHUB_DB_POOL_MAX} per process"
    )
    snapshot_p99 = percentile([client.connect_seconds for client in clients], 99)
    record_property(
        "join_storm",
        {
            "processes": processes,
            "joined_in_s": round(joined_in, 1),
            "join_p50_s": round(percentile(stats.seconds, 50), 2),
            "join_p99_s": round(percentile(stats.seconds, 99), 2),
            "answers": dict(stats.statuses),
            "snapshot_p99_s": round(snapshot_p99, 3),
            "peak_connections": watch.peak,
        },
    )
    print(
        f"\n{processes} process(es): joined in {joined_in:.1f} s ({dict(stats.statuses)}), join p99 "
        f"{percentile(stats.seconds, 99):.2f} s, snapshot p99 {snapshot_p99:.3f} s, peak connections {watch.peak}"
    )
