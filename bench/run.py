"""Run one scenario against targets in order (the floor first) and summarise: `manage.py loadtest`."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import sys
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TextIO
from urllib.parse import parse_qs, urlsplit

from .proc import Servers
from .report import Result, table
from .scenarios import SCENARIOS, Target
from .servers import LocalServer, start


def role_key(value: str) -> str:
    """A role link's `key`, whether given alone or as the printed URL."""
    if "key=" in value:
        return parse_qs(urlsplit(value).query)["key"][-1]
    return value


def loop_factory(name: str) -> Callable[[], asyncio.AbstractEventLoop] | None:
    if name == "uvloop":
        with contextlib.suppress(ImportError):
            import uvloop

            return uvloop.new_event_loop
    return None


def run_scenario(
    *, scenario: str, target: Target, clients: int, mode: str, loop: str = "uvloop", **options: Any
) -> Result:
    function: Callable[..., Coroutine[Any, Any, Result]] = SCENARIOS[scenario]
    with client_collector(), asyncio.Runner(loop_factory=loop_factory(loop)) as runner:
        return runner.run(function(target=target, clients=clients, mode=mode, **options))


@contextlib.contextmanager
def client_collector() -> Iterator[None]:
    """The load client is an instrument: collections of its thousands of sockets' state would stop
    it for a tenth of a second and more, counted as the server's latency. As in the servers
    (livehub/collector.py): young collections later, and its sockets frozen once open (`_connect`)."""
    thresholds = gc.get_threshold()
    gc.set_threshold(20_000, 20, 10)
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)


# The floor each scenario is measured against, when it has one.
FLOORS = {"fanout": "floor", "joins": "django-floor"}
FLOOR_NAMES = {"floor": "floor (bare websockets)", "django-floor": "floor (a trivial Django view)"}


def run(
    *,
    scenario: str,
    targets: list[Target],
    clients: int,
    mode: str,
    floor: str = "auto",
    loop: str = "uvloop",
    out: TextIO = sys.stdout,
    **options: Any,
) -> list[Result]:
    """The floor first (started here when `floor` is "auto"; fan-out: bare websockets, joins: a
    trivial Django view), then each target."""
    results: list[Result] = []
    floor_result: Result | None = None
    kind = FLOORS.get(scenario)
    if kind is not None and floor != "none":
        local: LocalServer | None = start(kind=kind) if floor == "auto" else None
        try:
            floor_target = Target(
                name=FLOOR_NAMES[kind],
                urls=[local.url if local else floor],
                floor=kind == "floor",
                code=targets[0].code if targets else "SFH2022",
                servers=Servers((local.process.pid,) if local else ()),
            )
            print(f"== {floor_target.name}", file=out, flush=True)
            floor_result = run_scenario(
                scenario=scenario, target=floor_target, clients=clients, mode=mode, loop=loop, **options
            )
            results.append(floor_result)
        finally:
            if local:
                local.stop()
    for target in targets:
        print(f"== {target.name}", file=out, flush=True)
        results.append(run_scenario(scenario=scenario, target=target, clients=clients, mode=mode, loop=loop, **options))
    print("", file=out)
    print(table(results, floor=floor_result), file=out, flush=True)
    return results
