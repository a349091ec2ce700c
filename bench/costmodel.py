"""The capacity table: attendees per core and the machine to rent, from measured unit costs.

    python -m bench.costmodel --delivery-us 24 --vote-ms 2.0 --reaction-us 200 --socket-kb 29 --process-mb 120

A model, not a measurement: server CPU a second per attendee is the sum of what each of its
actions costs (the unit costs measured by bench.capacity and bench.compare) times how often it
happens in each kind of moment below; a core is planned at PLANNED_LOAD of its time (latency
grows steeply beyond), and a process per core.
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass

PLANNED_LOAD = 0.6
POOL_MAX = 20  # LIVEHUB_DB_POOL_MAX: PostgreSQL connections a process may hold


@dataclass(frozen=True)
class UnitCosts:
    delivery_us: float  # server CPU per frame fanned out to one socket
    vote_ms: float  # server CPU per vote, its share of the coalesced updates included
    reaction_us: float  # server CPU per reaction, its share of the coalesced updates included
    socket_kb: float  # server memory per idle socket
    process_mb: float  # server memory of a process without sockets


# What each kind of moment asks of the server per attendee and second (stated, not measured).
MOMENTS = {
    # Two public events a second reach everyone (questions approved, highlights, status), and one
    # attendee in twenty votes each second.
    "busy Q&A": lambda c: 2 * c.delivery_us / 1e6 + c.vote_ms / 1e3 / 20,
    # Everyone votes once within 20 s.
    "vote storm": lambda c: c.vote_ms / 1e3 / 20,
    # Everyone reacts once a second.
    "reactions": lambda c: c.reaction_us / 1e6,
}


def attendees_per_core(costs: UnitCosts) -> dict[str, int]:
    """At full use of a core (divide by nothing else: PostgreSQL and Redis are not counted)."""
    return {moment: int(1 / per_attendee(costs)) for moment, per_attendee in MOMENTS.items()}


def machine_for(attendees: int, costs: UnitCosts) -> dict[str, float | int]:
    """Cores for the server processes at PLANNED_LOAD in the costliest moment, and memory."""
    worst = max(per_attendee(costs) for per_attendee in MOMENTS.values())
    cores = max(1, math.ceil(attendees * worst / PLANNED_LOAD))
    memory_gb = (cores * costs.process_mb + attendees * costs.socket_kb / 1024) / 1024
    return {
        "attendees": attendees,
        "server cores": cores,
        "server memory GB": round(memory_gb, 1),
        "PostgreSQL connections": cores * POOL_MAX,
    }


def table(costs: UnitCosts, sizes: tuple[int, ...] = (1000, 5000, 20000)) -> str:
    per_core = attendees_per_core(costs)
    lines = ["| moment | attendees per core (full use) |", "|---|---|"]
    lines += [f"| {moment} | {count:,} |" for moment, count in per_core.items()]
    lines += ["", "| attendees | server processes (= cores) | server memory | PostgreSQL connections (at most) |"]
    lines.append("|---|---|---|---|")
    for size in sizes:
        machine = machine_for(size, costs)
        lines.append(
            f"| {size:,} | {machine['server cores']} | {machine['server memory GB']} GB "
            f"| {machine['PostgreSQL connections']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delivery-us", type=float, required=True)
    parser.add_argument("--vote-ms", type=float, required=True)
    parser.add_argument("--reaction-us", type=float, required=True)
    parser.add_argument("--socket-kb", type=float, required=True)
    parser.add_argument("--process-mb", type=float, required=True)
    args = parser.parse_args(argv)
    costs = UnitCosts(
        delivery_us=args.delivery_us,
        vote_ms=args.vote_ms,
        reaction_us=args.reaction_us,
        socket_kb=args.socket_kb,
        process_mb=args.process_mb,
    )
    print(table(costs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
