"""10,000 attendees on one machine: fan-out, memory, a vote storm and a rolling restart, in one run.

    DATABASE_URL=... REDIS_URL=... python -m bench.capacity --clients 10000

On this machine, with the load client on it as always: the floor (bench/floor.py, bare websockets,
one process) fans out one event a second for `--seconds`; then `--processes` LiveHub processes
(Uvicorn sans-I/O, one Redis, one PostgreSQL) take the same fan-out (server memory per idle socket
is read from it), a vote storm (every attendee votes once within `--storm` seconds, at random
moments), and a rolling restart under the same one-event-a-second load: each process in turn is
stopped (SIGTERM: its sockets are closed with 4000) and started again on its port, and the next
one only once every client is back. A load balancer is stood in for by the clients themselves:
a client reconnects to the next process that is up, at once on a 4000 and then with the real
client's backoff (500 ms doubling up to 30 s, times a random factor in [0.5, 1)), with `since`
and `epoch` so that it is replayed what it missed.

The database of DATABASE_URL is not touched: the run works on a database of its own (the same
name with `_capacity` appended), created, migrated and seeded with the demo event; REDIS_URL's
database number is replaced by `--redis-db` when given.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter
from urllib.parse import urlsplit, urlunsplit

from websockets.exceptions import WebSocketException

from .client import BenchError, Client, event_socket_url, open_all
from .proc import Servers, cpu_seconds
from .report import Progress, Result, table
from .run import client_collector, loop_factory
from .scenarios import Target, _moderator, _session_to_toggle, fanout, votes
from .servers import LocalServer, start, stop_process

CODE = "SFH2022"
BACKOFF_BASE = 0.5  # frontend/src/lib/live.ts: BACKOFF_BASE_MS, doubling, BACKOFF_CAP_MS
BACKOFF_CAP = 30.0


def backoff(attempt: int, rng: random.Random) -> float:
    """The real client's wait before its `attempt`-th try (live.ts `backoffDelay`)."""
    base = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** max(0, attempt - 1))
    return base * (0.5 + rng.random() / 2)


def own_redis_url(url: str, db: int | None) -> str:
    if db is None:
        return url
    return urlunsplit(urlsplit(url)._replace(path=f"/{db}"))


@dataclass
class Fleet:
    """The LiveHub processes: started, stopped and started again on the same port."""

    start_one: Callable[[int | None], LocalServer]
    servers: list[LocalServer] = field(default_factory=list)
    up: list[bool] = field(default_factory=list)

    def start(self, count: int) -> None:
        for _ in range(count):
            self.servers.append(self.start_one(None))
            self.up.append(True)

    @property
    def urls(self) -> list[str]:
        return [server.url for server in self.servers]

    def pids(self) -> Servers:
        return Servers(tuple(server.process.pid for server in self.servers))

    def stop(self, index: int) -> None:
        self.up[index] = False  # the balancer sends nobody there from now on
        stop_process(self.servers[index].process)

    def restart(self, index: int) -> None:
        self.servers[index] = self.start_one(self.servers[index].port)
        self.up[index] = True

    def route(self, current: int) -> int:
        """The next process that is up after `current` (a balancer with health checks)."""
        count = len(self.servers)
        for step in range(1, count + 1):
            if self.up[(current + step) % count]:
                return (current + step) % count
        return (current + 1) % count

    def stop_all(self) -> None:
        for server in self.servers:
            server.stop()


async def rolling_restart(*, target: Target, fleet: Fleet, clients: int, within: float = 60.0) -> Result:
    """Restart each process in turn under one event a second; every client must come back and be
    replayed what it missed."""
    result = Result(target=target.name, scenario="restart", clients=clients)
    rng = random.Random(20221121)
    urls = await asyncio.to_thread(target.attendee_urls, count=clients, mode="mix")
    count = len(fleet.servers)
    current = [index % count for index in range(clients)]
    attendees = [Client(url=url) for url in urls]
    failures = await open_all(attendees, progress=Progress(label="connecting", total=clients))
    gc.freeze()  # open for the whole scenario: out of the load client's collections
    result.connected = sum(1 for failure in failures if failure is None)
    live = [client for client, failure in zip(attendees, failures, strict=True) if failure is None]
    sizes = [client.snapshot_bytes for client in live]
    result.notes["snapshot bytes (median)"] = int(statistics.median(sizes)) if sizes else 0

    moderator_at = [0]  # the process the moderator is on
    moderator = await _moderator(target, watch=frozenset({"session.updated"}))
    session_id, status = _session_to_toggle(json.loads(moderator.snapshot or "{}"), session_id=target.session_id)
    sent: dict[int, float] = {}
    stopping = asyncio.Event()

    async def publish() -> None:
        nonlocal moderator, status
        while not stopping.is_set():
            started = perf_counter()
            try:
                status = "paused" if status == "live" else "live"
                await moderator.ok("session.set_status", {"session": session_id, "status": status})
                own = await moderator.next_watched(lambda f: f["data"]["id"] == session_id, wait=10)
                sent[own["seq"]] = started
            except (BenchError, TimeoutError, OSError, WebSocketException):
                await moderator.close()
                moderator_at[0] = fleet.route(moderator_at[0])
                target.urls = [fleet.urls[moderator_at[0]], *target.urls[1:]]
                try:
                    moderator = await _moderator(target, watch=frozenset({"session.updated"}))
                except (BenchError, TimeoutError, OSError, WebSocketException):
                    await asyncio.sleep(0.5)
                continue
            await asyncio.sleep(max(0.0, started + 1.0 - perf_counter()))

    back: list[float] = []
    refused: dict[str, int] = {}
    resumed = {"synced": 0, "snapshot": 0}
    away: set[int] = set()

    async def keep(index: int, client: Client) -> None:
        while True:
            code = await client.closed()
            if stopping.is_set():
                return
            away.add(index)
            lost_at, attempt = perf_counter(), 0
            while not stopping.is_set():
                attempt += 1
                if not (code == 4000 and attempt == 1):
                    await asyncio.sleep(backoff(attempt, rng))
                current[index] = fleet.route(current[index])
                client.url = event_socket_url(
                    base_url=fleet.urls[current[index]], code=target.code, token=target.tokens[index]
                )
                try:
                    await client.open(resume=True, wait=30)
                except ConnectionRefusedError:
                    refused["unreachable (process down)"] = refused.get("unreachable (process down)", 0) + 1
                    code = 1006
                    continue
                except (OSError, TimeoutError, WebSocketException, BenchError) as error:
                    name = f"{error.__class__.__name__} {client.close_code or ''}".strip()
                    refused[name] = refused.get(name, 0) + 1
                    code = client.close_code or 1006
                    continue
                back.append(perf_counter() - lost_at)
                resumed[client.resumed_by or "snapshot"] += 1
                away.discard(index)
                break

    keepers = [
        asyncio.ensure_future(keep(index, client)) for index, client in enumerate(attendees) if failures[index] is None
    ]
    publisher = asyncio.ensure_future(publish())
    await asyncio.sleep(2.0)
    per_restart = []
    for index in range(count):
        others = [i for i in range(count) if i != index]
        cpu_before = sum(cpu_seconds(pid=fleet.servers[i].process.pid) for i in others)
        moving = sum(1 for i in range(clients) if failures[i] is None and current[i] == index)
        came_back = len(back)
        started = perf_counter()
        await asyncio.to_thread(fleet.stop, index)
        await asyncio.to_thread(fleet.restart, index)
        while perf_counter() - started < within:
            if not away and len(back) - came_back >= moving:
                break
            await asyncio.sleep(0.1)
        seconds = perf_counter() - started
        # The processes that took the moved clients: their connects and replays, and the fan-out
        # of the one event a second to their own sockets meanwhile.
        cpu = sum(cpu_seconds(pid=fleet.servers[i].process.pid) for i in others) - cpu_before
        per_restart.append(
            {
                "moved": moving,
                "all back (s)": round(seconds, 1),
                "CPU per connect (ms)": round(cpu / max(moving, 1) * 1000, 2),
                "not back": len(away),
            }
        )
        await asyncio.sleep(2.0)
    stopping.set()
    await publisher
    for keeper in keepers:
        keeper.cancel()
    final = max(sent) if sent else 0
    settle_until = perf_counter() + 10 + clients / 200
    while perf_counter() < settle_until:
        if all(client.seqs.get("public", 0) >= final for client in live if client.close_code is None):
            break
        await asyncio.sleep(0.1)
    for client in live:
        start_seq = client.start_seqs.get("public", 0)
        wanted = set(range(start_seq + 1, final + 1))
        got = {seq for seq, _ in client.public}
        result.expected += len(wanted)
        result.received += len(got & wanted)
        result.lost += len(wanted - got)
        result.disorder += client.disorder
        result.latencies_ms += [(at - sent[seq]) * 1000 for seq, at in client.public if seq in sent]
    result.messages = len(sent)
    result.notes["restarts"] = per_restart
    result.notes["back: p99 / max s"] = (
        f"{sorted(back)[max(0, int(len(back) * 0.99) - 1)]:.1f} / {max(back):.1f}" if back else "-"
    )
    result.notes["reconnects replayed / given a snapshot"] = f"{resumed['synced']} / {resumed['snapshot']}"
    result.notes["not back within the limit"] = len(away)
    if refused:
        result.notes["tries refused"] = refused
    await asyncio.gather(*(client.close() for client in [moderator, *live]), return_exceptions=True)
    return result


class _Results(list):
    def __init__(self, on_result: Callable[[Result], None] | None) -> None:
        super().__init__()
        self.on_result = on_result

    def append(self, result: Result) -> None:
        super().append(result)
        if self.on_result is not None:
            self.on_result(result)


def capacity_run(
    *,
    clients: int,
    seconds: int,
    storm: float,
    fleet: Fleet,
    processes: int,
    moderator_key: str,
    code: str = CODE,
    floor: Callable[[], LocalServer] | None = None,
    on_result: Callable[[Result], None] | None = None,
) -> list[Result]:
    """The floor's fan-out, then LiveHub's fan-out, vote storm and rolling restart; each result is
    also handed to `on_result` as soon as it is measured (a long run keeps what it measured)."""
    results: list[Result] = _Results(on_result)
    tokens: list[str] = []  # participants joined once, reused by every scenario
    runner = asyncio.Runner(loop_factory=loop_factory("uvloop"))
    with client_collector(), runner:
        if floor is not None:
            server = floor()
            try:
                target = Target(name="floor", urls=[server.url], floor=True, servers=Servers((server.process.pid,)))
                results.append(
                    runner.run(fanout(target=target, clients=clients, mode="mix", messages=seconds, interval=1.0))
                )
            finally:
                server.stop()
        fleet.start(processes)
        try:
            target = Target(
                name=f"LiveHub on {processes} processes",
                urls=fleet.urls,
                code=code,
                moderator_key=moderator_key,
                servers=fleet.pids(),
                tokens=tokens,
            )
            target.name = f"LiveHub on {processes} processes: fan-out"
            results.append(
                runner.run(fanout(target=target, clients=clients, mode="mix", messages=seconds, interval=1.0))
            )
            target.name = f"LiveHub on {processes} processes: vote storm"
            results.append(
                runner.run(votes(target=target, clients=clients, mode="mix", window=storm, arrivals="random"))
            )
            target.name = f"LiveHub on {processes} processes: rolling restart"
            results.append(runner.run(rolling_restart(target=target, fleet=fleet, clients=clients)))
        finally:
            fleet.stop_all()
    return results


def summary(results: list[Result]) -> str:
    """The issue's targets, figure by figure."""
    lines = []
    for result in results:
        if result.scenario == "fanout" and result.rss_per_socket is not None:
            lines.append(
                f"- {result.target}: {result.connected}/{result.clients} connected, lost {result.lost}, "
                f"out of order {result.disorder}, p99 {result.p99 or 0:.0f} ms, "
                f"{result.rss_per_socket / 1024:.1f} KB of server memory per idle socket"
            )
        elif result.scenario == "votes":
            lines.append(
                f"- vote storm: {result.received}/{result.expected} acknowledged, "
                f"{result.notes.get('clients with exact final total')} clients with the exact total, "
                f"at most {result.notes.get('max updates/s on one client')} updates a second received on one "
                f"client, {result.notes.get('max updates/s sent')} sent"
            )
        elif result.scenario == "restart":
            lines.append(
                f"- rolling restart: lost {result.lost}, out of order {result.disorder}, "
                f"back p99/max {result.notes.get('back: p99 / max s')} s, "
                f"replayed/snapshot {result.notes.get('reconnects replayed / given a snapshot')}, "
                f"per restart {result.notes.get('restarts')}, refused tries {result.notes.get('tries refused', {})}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from .check import bench_database_url, prepare_database
    from .compare import moderator_key

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=10000)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=60, help="Fan-out: one event a second for this long.")
    parser.add_argument("--storm", type=float, default=20.0, help="The vote storm's window in seconds.")
    parser.add_argument("--redis-db", type=int, help="Redis database number for this run (default: REDIS_URL's).")
    parser.add_argument("--no-floor", action="store_true")
    parser.add_argument("--out", type=Path, help="Append the results as JSON lines to this file.")
    args = parser.parse_args(argv)
    url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not url or not redis_url:
        print("bench.capacity needs DATABASE_URL and REDIS_URL (PostgreSQL and Redis)", flush=True)
        return 2
    os.environ["REDIS_URL"] = own_redis_url(redis_url, args.redis_db)
    prepare_database(bench_database_url(url, suffix="capacity"))
    # Joining is setup here, not what is measured: the join buckets are out of the way.
    os.environ["LIVEHUB_JOINS_BURST"] = os.environ["LIVEHUB_EVENT_JOINS_BURST"] = "1000000"
    log = Path("/tmp/bench-capacity")
    log.mkdir(exist_ok=True)
    fleet = Fleet(start_one=lambda port: start(kind="uvicorn-sansio", port=port, log=log / f"livehub-{port}.log"))
    load_before = os.getloadavg()

    def record(result: Result) -> None:
        print(f"{result.target}: {json.dumps(result.as_dict())}", flush=True)
        if args.out:
            with args.out.open("a") as out_file:
                out_file.write(json.dumps({"at": time.time(), "load": os.getloadavg(), **result.as_dict()}) + "\n")

    results = capacity_run(
        clients=args.clients,
        seconds=args.seconds,
        storm=args.storm,
        fleet=fleet,
        processes=args.processes,
        moderator_key=moderator_key(CODE),
        floor=None if args.no_floor else lambda: start(kind="floor", log=log / "floor.log"),
        on_result=record,
    )
    floor = next((result for result in results if result.target == "floor"), None)
    print(
        f"\n### bench.capacity, N = {args.clients}, {args.processes} processes, load average before "
        f"{load_before[0]:.1f}, after {os.getloadavg()[0]:.1f}\n",
        flush=True,
    )
    print(table(results, floor=floor), flush=True)
    print(summary(results), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
