"""Progress lines while a scenario runs, and the summary table it ends with."""

from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass, field
from typing import Any, TextIO


class Progress:
    """`label n/total` on one line on a terminal, a few lines in a log; at most 10 updates a second."""

    def __init__(self, *, label: str, total: int, stream: TextIO | None = None) -> None:
        self.label = label
        self.total = total
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self._shown = 0.0
        self._quarter = 0

    def __call__(self, done: int) -> None:
        if self.tty:
            now = time.monotonic()
            if done == self.total or now - self._shown > 0.1:
                self._shown = now
                width = 30
                filled = width * done // max(self.total, 1)
                end = "\n" if done == self.total else ""
                bar = "#" * filled + "." * (width - filled)
                self.stream.write(f"\r{self.label:<12} [{bar}] {done}/{self.total}{end}")
                self.stream.flush()
        elif done * 4 // max(self.total, 1) > self._quarter or done == self.total:
            self._quarter = done * 4 // max(self.total, 1)
            self.stream.write(f"{self.label}: {done}/{self.total}\n")
            self.stream.flush()


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (no interpolation: p99 of 100 values is the 99th)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


@dataclass(kw_only=True)
class Result:
    """What one scenario measured against one target."""

    target: str
    scenario: str
    clients: int
    connected: int = 0
    messages: int = 0
    expected: int = 0  # deliveries (fan-out), acknowledgements (votes, polls), snapshots (connect)
    received: int = 0
    lost: int = 0
    disorder: int = 0
    latencies_ms: list[float] = field(default_factory=list, repr=False)
    spread_ms: list[float] = field(default_factory=list, repr=False)
    seconds: float = 0.0  # first action to last receipt
    client_cpu: float = 0.0
    server_cpu: float | None = None
    server_rss: int | None = None
    rss_per_socket: float | None = None
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def p50(self) -> float | None:
        return percentile(self.latencies_ms, 50)

    @property
    def p99(self) -> float | None:
        return percentile(self.latencies_ms, 99)

    @property
    def max(self) -> float | None:
        return max(self.latencies_ms) if self.latencies_ms else None

    @property
    def per_second(self) -> float | None:
        return self.received / self.seconds if self.seconds else None

    @property
    def cpu_per_delivery_us(self) -> float | None:
        if self.server_cpu is None or not self.received:
            return None
        return self.server_cpu / self.received * 1e6

    @property
    def client_cpu_per_delivery_us(self) -> float | None:
        return self.client_cpu / self.received * 1e6 if self.received else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "scenario": self.scenario,
            "clients": self.clients,
            "connected": self.connected,
            "messages": self.messages,
            "expected": self.expected,
            "received": self.received,
            "lost": self.lost,
            "disorder": self.disorder,
            "p50_ms": self.p50,
            "p99_ms": self.p99,
            "max_ms": self.max,
            "spread_p99_ms": percentile(self.spread_ms, 99),
            "seconds": self.seconds,
            "per_second": self.per_second,
            "client_cpu_s": self.client_cpu,
            "client_cpu_per_delivery_us": self.client_cpu_per_delivery_us,
            "server_cpu_s": self.server_cpu,
            "server_cpu_per_delivery_us": self.cpu_per_delivery_us,
            "server_rss_mb": self.server_rss / 2**20 if self.server_rss is not None else None,
            "rss_per_socket_kb": self.rss_per_socket / 1024 if self.rss_per_socket is not None else None,
            "notes": self.notes,
        }


def _fmt(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}"


def _ratio(value: float | None, floor: float | None) -> str:
    if value is None or not floor:
        return ""
    return f" ({value / floor:.1f}x)"


LATENCY_NAMES = {
    "fanout": "action → receipt",
    "votes": "vote → ack",
    "polls": "answer → ack",
    "connect": "connect → snapshot",
    "joins": "first try → token",
    "reactions": "reaction → coalesced update",
}


def table(results: list[Result], *, floor: Result | None = None) -> str:
    """A Markdown table; with a floor, latency and CPU also as multiples of the floor's."""
    scenario = results[0].scenario if results else "fanout"
    header = (
        f"| target | clients | {LATENCY_NAMES.get(scenario, 'latency')} p50 / p99 / max (ms) | lost | out of order "
        "| deliveries/s | server CPU/delivery (µs) | server RSS (MB) | KB/socket | client CPU (s; µs/delivery) |"
    )
    lines = [header, "|" + "---|" * header.count(" | ") + "---|"]
    for result in results:
        p99 = _fmt(result.p99) + (_ratio(result.p99, floor.p99) if floor and result is not floor else "")
        cpu = _fmt(result.cpu_per_delivery_us)
        if floor and result is not floor:
            cpu += _ratio(result.cpu_per_delivery_us, floor.cpu_per_delivery_us)
        lines.append(
            f"| {result.target} | {result.connected}/{result.clients} "
            f"| {_fmt(result.p50)} / {p99} / {_fmt(result.max)} "
            f"| {result.lost} | {result.disorder} | {_fmt(result.per_second, 0)} | {cpu} "
            f"| {_fmt(result.server_rss / 2**20 if result.server_rss else None, 0)} "
            f"| {_fmt(result.rss_per_socket / 1024 if result.rss_per_socket else None, 1)} "
            f"| {_fmt(result.client_cpu, 2)}; {_fmt(result.client_cpu_per_delivery_us, 0)} |"
        )
    notes = [f"- {r.target}: " + ", ".join(f"{k} {v}" for k, v in r.notes.items()) for r in results if r.notes]
    return "\n".join(lines + (["", *notes] if notes else []))
