"""The operator's metrics: what to watch during a congress, read by Prometheus at `/metrics`.

Every server process counts for itself and serves its own `/metrics`; Prometheus scrapes each
process and sums (README, "Operator metrics"). The fan-out path adds one counter increment and
one histogram observation per published event, never anything per socket.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Iterator
from typing import Any

from django.db import InterfaceError, OperationalError, connections
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from livehub.errors import RateLimited

REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)  # CPU, memory, open files of this process
GCCollector(registry=REGISTRY)

SOCKETS = Gauge("livehub_sockets", "Sockets open on this process, by role.", ["role"], registry=REGISTRY)
FRAMES_SENT = Counter(
    "livehub_frames_sent",
    "Frames handed to sockets: event (fan-out of published events), presence, reply, snapshot, replay.",
    ["kind"],
    registry=REGISTRY,
)
SLOW_CLIENTS_CLOSED = Counter(
    "livehub_slow_clients_closed",
    "Sockets closed with 4000 (reconnect) because the client fell a full outbox behind.",
    registry=REGISTRY,
)
COMMAND_SECONDS = Histogram(
    "livehub_command_seconds",
    "Time from a command's frame to its reply being sent (database thread, transaction, publish).",
    ["command"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=REGISTRY,
)
COMMAND_ERRORS = Counter(
    "livehub_command_errors",
    "Commands answered with an error frame, by command and code.",
    ["command", "code"],
    registry=REGISTRY,
)
FANOUT_SECONDS = Histogram(
    "livehub_fanout_seconds",
    "Time from the hub's receipt of a published event (from Redis, or the in-memory broker) "
    "to its write to the last local socket subscribed to its stream.",
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0),
    registry=REGISTRY,
)
COALESCER_FLUSHES = Counter(
    "livehub_coalescer_flushes", "Coalesced totals published (votes, polls).", ["coalescer"], registry=REGISTRY
)
REDIS_RECONNECTS = Counter(
    "livehub_redis_reconnects",
    "Times the fan-out subscriber lost Redis and subscribed again (its sockets then resync).",
    registry=REGISTRY,
)
JOINS = Counter(
    "livehub_joins",
    "Join requests by outcome: joined (201), rate_limited (429), unavailable (503, no database connection).",
    ["outcome"],
    registry=REGISTRY,
)

# Children looked up once: `.labels()` costs a dict lookup under a lock on every call.
EVENT_FRAMES = FRAMES_SENT.labels("event")
PRESENCE_FRAMES = FRAMES_SENT.labels("presence")
REPLY_FRAMES = FRAMES_SENT.labels("reply")
SNAPSHOT_FRAMES = FRAMES_SENT.labels("snapshot")
REPLAY_FRAMES = FRAMES_SENT.labels("replay")
for _outcome in ("joined", "rate_limited", "unavailable"):
    JOINS.labels(_outcome)  # shown at 0 from the start: a rate of 429s needs its series


@contextlib.contextmanager
def join_counted() -> Iterator[None]:
    """Count one join request by how it ends; the exception goes on to its handler."""
    try:
        yield
    except RateLimited:
        JOINS.labels("rate_limited").inc()
        raise
    except (OperationalError, InterfaceError):
        JOINS.labels("unavailable").inc()
        raise
    JOINS.labels("joined").inc()


class DatabasePoolCollector:
    """The PostgreSQL pool of this process, read at each scrape (`psycopg_pool` statistics)."""

    def collect(self):
        pool = getattr(connections["default"], "pool", None)
        if pool is None:
            return  # no pool configured (SQLite, or LIVEHUB_DB_POOL_MAX=0)
        stats = pool.get_stats()
        size, available = stats.get("pool_size", 0), stats.get("pool_available", 0)
        yield GaugeMetricFamily("livehub_db_pool_max", "Connections the pool may open.", value=stats.get("pool_max", 0))
        yield GaugeMetricFamily("livehub_db_pool_size", "Connections open in the pool.", value=size)
        yield GaugeMetricFamily("livehub_db_pool_in_use", "Connections lent out now.", value=size - available)
        waiting = stats.get("requests_waiting", 0)
        yield GaugeMetricFamily("livehub_db_pool_waiting", "Requests waiting for a free connection now.", value=waiting)
        yield CounterMetricFamily(
            "livehub_db_pool_timeouts",
            "Requests that found no free connection within LIVEHUB_DB_POOL_TIMEOUT (answered 503 / close 1013).",
            value=stats.get("requests_errors", 0),
        )

    def describe(self):
        return []  # the pool may not exist yet: nothing to describe before the first scrape


REGISTRY.register(DatabasePoolCollector())


class FanoutCollector:
    """What the fan-out subscriptions of this process received, read at each scrape from their
    own plain counts: the per-frame path gains no metric call."""

    def __init__(self) -> None:
        self.sources: weakref.WeakSet[Any] = weakref.WeakSet()
        self.retired = 0

    def collect(self):
        sources = list(self.sources)
        yield CounterMetricFamily(
            "livehub_fanout_received",
            "Published events this process received from Redis: only those of the events it has sockets for.",
            value=self.retired + sum(source.received for source in sources),
        )
        yield GaugeMetricFamily(
            "livehub_fanout_events_followed",
            "Events this process subscribes to now (it has sockets for them).",
            value=sum(len(source.follows) for source in sources),
        )

    def describe(self):
        return []


_FANOUT = FanoutCollector()
REGISTRY.register(_FANOUT)


def fanout_counted(source: Any) -> None:
    """Count `source` (with `received` and `follows`) in the fan-out metrics while it lives."""
    _FANOUT.sources.add(source)


def fanout_stopped(source: Any) -> None:
    _FANOUT.sources.discard(source)
    _FANOUT.retired += source.received


def exposition() -> tuple[bytes, str]:
    """This process's metrics in Prometheus's text format, with its content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
