"""`make bench-check`: fail when LiveHub's CPU per delivery or per vote grows against the floor.

    DATABASE_URL=... REDIS_URL=... python -m bench.check            # prints the figures, exit 1 on a regression

In one run, on this machine as it is now: the floor (bare websockets) fans out 20 events to N
attendees; LiveHub (one Uvicorn sans-I/O process) does the same fan-out and then takes a storm of
N votes at random moments within a few seconds. Server CPU time (from /proc) per delivery and per
vote is divided by the floor's CPU per delivery, and each ratio is held to the one stored in
`bench/check.json` times its tolerance (the spread of the ratio over runs on a busy machine,
measured and written down there and in docs/performance.md). Ratios, not absolute times: a slower
or busier machine slows the floor too.

The database of DATABASE_URL is not touched: the check works on a database of its own (the same
name with `_bench` appended), created, migrated and seeded with the demo event on first use.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from .report import Result

STORED = Path(__file__).with_name("check.json")
CODE = "SFH2022"
# CPU is read in 10 ms clock ticks: 60 events to 500 sockets (30,000 deliveries, the floor's
# ~25 ticks) keep one tick either way from moving the ratio by more than a few per cent (20 events
# gave the floor ~9 ticks, and its ratio swung by a fifth).
FANOUT_MESSAGES = 60


def bench_database_url(url: str, *, suffix: str = "bench") -> str:
    parts = urlsplit(url)
    name = parts.path.strip("/") or "livehub"
    return urlunsplit(parts._replace(path=f"/{name}_{suffix}"))


def prepare_database(url: str) -> None:
    """Create the check's own database if missing, migrate it and seed the demo event afresh."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.strip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')  # the name comes from our own URL
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "livehub.settings")
    import django
    from django.core.management import call_command

    django.setup()
    from livehub.errors import NotFound
    from sessions.selectors import event_get
    from sessions.services import audience_purge

    call_command("migrate", "--noinput", verbosity=0)
    # The last check's audience goes (participants, questions, votes): each check starts alike.
    with contextlib.suppress(NotFound):
        audience_purge(event=event_get(code=CODE), anonymise=False)
    call_command("seed_demo", "--quiet")


@dataclass
class Figures:
    floor_us: float  # floor: server CPU per delivery
    delivery_us: float  # LiveHub: server CPU per delivery (fan-out)
    vote_us: float  # LiveHub: server CPU per vote (its share of the coalesced fan-out included)
    vote_p99_ms: float
    lost: int

    @property
    def ratios(self) -> dict[str, float]:
        return {"delivery": self.delivery_us / self.floor_us, "vote": self.vote_us / self.floor_us}


def measure(*, clients: int, window: float, tokens: list[str], wrapper: str | None = None) -> Figures:
    """One round: the floor's fan-out, then LiveHub's fan-out and vote storm on one process."""
    from .compare import moderator_key
    from .proc import Servers
    from .run import run_scenario
    from .scenarios import Target
    from .servers import start

    key = moderator_key(CODE)
    results: dict[str, Result] = {}
    for kind, scenarios in (("floor", ("fanout",)), ("uvicorn-sansio", ("fanout", "votes"))):
        log = Path(f"/tmp/bench-check-{kind}.log")
        server = start(kind=kind, log=log, wrapper=None if kind == "floor" else wrapper)
        try:
            for scenario in scenarios:
                target = Target(
                    name=kind,
                    urls=[server.url],
                    floor=kind == "floor",
                    code=CODE,
                    moderator_key=key,
                    servers=Servers((server.process.pid,)),
                    tokens=tokens,
                )
                options = (
                    {"window": window, "arrivals": "random"} if scenario == "votes" else {"messages": FANOUT_MESSAGES}
                )
                name = "floor" if kind == "floor" else scenario
                results[name] = run_scenario(scenario=scenario, target=target, clients=clients, mode="mix", **options)
        finally:
            server.stop()
    floor, fanout, votes = results["floor"], results["fanout"], results["votes"]
    # One vote is refused by design: the question's author may not vote for it (`conflict`).
    lost = floor.lost + fanout.lost + max(votes.lost - 1, 0)
    return Figures(
        floor_us=floor.server_cpu / max(floor.received, 1) * 1e6,
        delivery_us=fanout.server_cpu / max(fanout.received, 1) * 1e6,
        vote_us=votes.server_cpu / max(votes.received, 1) * 1e6,
        vote_p99_ms=votes.p99 or 0.0,
        lost=lost,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--window", type=float, default=5.0, help="The vote storm's window in seconds.")
    parser.add_argument("--rounds", type=int, default=2, help="Rounds; each ratio's lowest counts (noise adds).")
    parser.add_argument("--stored", type=Path, default=STORED)
    parser.add_argument("--wrapper", help="Run LiveHub through this module (tests slow a path with it).")
    parser.add_argument("--no-prepare", action="store_true", help="Use DATABASE_URL's own database (migrated, seeded).")
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    if not url or not os.environ.get("REDIS_URL"):
        print("bench-check FAILED: it needs DATABASE_URL and REDIS_URL (PostgreSQL and Redis)", flush=True)
        return 2
    prepare_database(url if args.no_prepare else bench_database_url(url))
    # Joining is setup here, not what is measured: the join buckets are out of the way.
    os.environ["LIVEHUB_JOINS_BURST"] = os.environ["LIVEHUB_EVENT_JOINS_BURST"] = "1000000"
    stored = json.loads(args.stored.read_text())
    tokens: list[str] = []  # participants joined in the first round, reused by the next
    rounds = [
        measure(clients=args.clients, window=args.window, tokens=tokens, wrapper=args.wrapper)
        for _ in range(args.rounds)
    ]
    lost = sum(r.lost for r in rounds)
    # Each ratio at its lowest over the rounds: noise (a busy neighbour) only ever adds CPU.
    best_ratios = {name: min(r.ratios[name] for r in rounds) for name in ("delivery", "vote")}
    print(f"\nbench-check, N = {args.clients}, {args.rounds} round(s), load average {os.getloadavg()[0]:.1f}")
    for number, r in enumerate(rounds, 1):
        print(
            f"  round {number}: floor {r.floor_us:.1f} µs/delivery; LiveHub {r.delivery_us:.1f} µs/delivery "
            f"({r.ratios['delivery']:.2f}x), {r.vote_us:.0f} µs/vote ({r.ratios['vote']:.1f}x), "
            f"vote p99 {r.vote_p99_ms:.0f} ms, lost {r.lost}"
        )
    failures = verdict(best_ratios, stored) + ([f"{lost} deliveries or votes lost"] if lost else [])
    for name, ratio in best_ratios.items():
        bound = stored[name]["ratio"] * stored[name]["tolerance"]
        print(f"  CPU per {name}: {ratio:.2f}x the floor (stored {stored[name]['ratio']:.2f}x, bound {bound:.2f}x)")
    if failures:
        print("bench-check FAILED: " + "; ".join(failures), flush=True)
        return 1
    print("bench-check passed", flush=True)
    return 0


def verdict(ratios: dict[str, float], stored: dict) -> list[str]:
    """The ratios beyond their stored bound (none: the check passes)."""
    failures = []
    for name, ratio in ratios.items():
        bound = stored[name]["ratio"] * stored[name]["tolerance"]
        if ratio > bound:
            failures.append(f"CPU per {name} {ratio:.2f}x the floor's per delivery, above {bound:.2f}x")
    return failures


if __name__ == "__main__":
    sys.exit(main())
