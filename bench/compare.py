"""Measure the floor and LiveHub under each ASGI server on this machine, in one run, for docs/performance.md.

    DATABASE_URL=... REDIS_URL=... python -m bench.compare --clients 500,1000,2000 --servers floor,daphne,uvicorn

Servers are started here one at a time (never two at once), on the database and Redis of the
environment, which must hold the demo event (`manage.py seed_demo`). Participants are joined
once and reused by every server. `--profile` records each LiveHub server with py-spy.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from .proc import Servers
from .report import table
from .run import run_scenario
from .scenarios import ARRIVALS, Target
from .servers import ROOT, start


def moderator_key(code: str) -> str:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "livehub.settings")
    import django

    django.setup()
    from sessions.rolelinks import role_key_make
    from sessions.selectors import event_get

    return role_key_make(event=event_get(code=code), role="moderator", hours=4)


class Profiler:
    """py-spy on a server during the measured phase only (setup is not what we look at)."""

    def __init__(self, *, out: Path, pid: int, gil: bool = False) -> None:
        self.out, self.pid, self.gil = out, pid, gil
        self.process: subprocess.Popen | None = None

    def __call__(self, started: bool) -> None:
        if started:
            self.out.parent.mkdir(parents=True, exist_ok=True)
            py_spy = str(Path(sys.executable).parent / "py-spy")
            command = [py_spy, "record", "--format", "raw", "--rate", "100", "-o", str(self.out), "-p", str(self.pid)]
            if self.gil:
                command.append("--gil")  # only the thread holding the GIL: where the CPU goes
            self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(0.5)  # attached before the first action
        elif self.process is not None:
            self.process.send_signal(signal.SIGINT)  # py-spy writes what it recorded
            self.process.wait(30)
            self.process = None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--servers",
        default="floor,daphne,uvicorn,uvicorn-sansio",
        help="Comma-separated kinds (floor, django-floor, daphne, uvicorn, uvicorn-sansio, granian, hypercorn), "
        "each optionally KIND@TREE. The joins scenario's floor is django-floor (a trivial Django view).",
    )
    parser.add_argument(
        "--tree",
        action="append",
        default=[],
        help="NAME=PATH: another copy of the source to run servers from (e.g. the code before a change).",
    )
    parser.add_argument("--clients", default="500,1000,2000")
    parser.add_argument("--scenario", default="fanout")
    parser.add_argument("--messages", type=int, default=20)
    parser.add_argument(
        "--arrivals", choices=ARRIVALS, default="even", help="votes, polls, connect: when each client acts."
    )
    parser.add_argument("--code", default="SFH2022")
    parser.add_argument("--profile", type=Path, help="Folder for py-spy recordings of the LiveHub servers.")
    parser.add_argument("--gil", action="store_true", help="Profile only the thread holding the GIL.")
    parser.add_argument("--out", type=Path, help="Append the results as JSON lines to this file.")
    args = parser.parse_args()
    key = moderator_key(args.code)
    trees = dict(item.split("=", 1) for item in args.tree)
    trees = {name: Path(path) for name, path in trees.items()}
    tokens: list[str] = []  # shared: every server sees the same database
    for clients in [int(n) for n in args.clients.split(",")]:
        results = []
        for spec in args.servers.split(","):
            kind, _, tree = spec.partition("@")
            root = trees[tree] if tree else ROOT
            server = start(kind=kind, log=Path(f"/tmp/bench-{kind}.log"), root=root)
            profiler = None
            if args.profile and kind != "floor":
                name = spec.replace("@", "-")
                # The process that runs the application: Granian's worker, else the server's own.
                profiler = Profiler(
                    out=args.profile / f"{name}-{args.scenario}-{clients}.txt", pid=server.pids()[-1], gil=args.gil
                )
            try:
                target = Target(
                    name="floor" if kind in ("floor", "django-floor") else f"LiveHub on {spec}",
                    urls=[server.url],
                    floor=kind == "floor",
                    code=args.code,
                    moderator_key=key,
                    servers=Servers(server.pids()),
                    tokens=tokens,
                    on_measure=profiler,
                )
                options = {"messages": args.messages} if args.scenario == "fanout" else {}
                if args.scenario in ("votes", "polls", "connect"):
                    options["arrivals"] = args.arrivals
                result = run_scenario(scenario=args.scenario, target=target, clients=clients, mode="mix", **options)
                results.append(result)
                if args.out:
                    with args.out.open("a") as out_file:
                        record = {"at": time.time(), "load": os.getloadavg(), **result.as_dict()}
                        out_file.write(json.dumps(record) + "\n")
            finally:
                server.stop()
            time.sleep(1)
        floor = next((r for r in results if r.target == "floor"), None)
        print(f"\n### N = {clients}, {args.scenario}\n", flush=True)
        print(table(results, floor=floor), flush=True)


if __name__ == "__main__":
    sys.exit(main())
