"""Coalescing of high-rate counters (votes, poll results): at most one update per interval.

Writers mark what changed; one flush per interval (across all processes, through Redis)
publishes the latest totals of everything marked since the last flush. Whoever marks first
takes the flush "lease" and schedules the flush; the lease is only released, atomically,
when nothing is left to flush, so a mark can never be stranded.

A holder may die (SIGKILL) with the lease, or between taking the marks and publishing them:
the marks being flushed stay in Redis until the flush is done, the lease expires soon after
its holder stops renewing it, and every process sweeps for marks without a lease once a
second, so the latest totals are always published in the end.

The interval grows with the audience: each flush is one frame to every socket of the event, so
a process serving N of them waits at least N / LIVEHUB_COALESCED_DELIVERIES_PER_SECOND between
flushes (never more than MAX_INTERVAL): 10,000 attendees voting at once cost it a bounded number
of deliveries a second, and each client still gets at most 1 / interval updates a second.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from functools import cache
from typing import Any

from django.conf import settings
from django.db import close_old_connections
from redis.exceptions import NoScriptError

from livehub.metrics import COALESCER_FLUSHES

from . import redis as lhredis
from .audience import local_audience
from .healing import healer

log = logging.getLogger(__name__)

# flush(event_id, keys) publishes the latest totals of `keys` (strings) of that event.
Flush = Callable[[int, list[str]], None]
LEASE_SAFETY_MS = 2000  # a lease outlives a crashed holder by at most this long
MAX_INTERVAL = 1.0  # totals a second old still read as live; must stay under LEASE_SAFETY_MS

MARK_SCRIPT = """
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
if redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[2]) then return 1 end
return 0
"""
# Marks move to a "flushing" set (kept until the flush is done): a crash mid-flush loses none.
TAKE_SCRIPT = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('SUNIONSTORE', KEYS[2], KEYS[2], KEYS[1])
  redis.call('DEL', KEYS[1])
end
redis.call('PEXPIRE', KEYS[2], ARGV[2])
redis.call('PEXPIRE', KEYS[3], ARGV[1])
return redis.call('SMEMBERS', KEYS[2])
"""
DONE_SCRIPT = """
redis.call('DEL', KEYS[1])
"""
# Marks nobody holds a lease for (their holder died): take the lease to flush them.
SWEEP_SCRIPT = """
if redis.call('EXISTS', KEYS[1]) == 0 and redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
if redis.call('SET', KEYS[3], '1', 'NX', 'PX', ARGV[1]) then return 1 end
return 0
"""
# After a flush: keep the lease (and flush again) if more was marked meanwhile, else release it.
RELEASE_SCRIPT = """
if redis.call('SCARD', KEYS[1]) > 0 then
  redis.call('PEXPIRE', KEYS[2], ARGV[1])
  return 1
end
redis.call('DEL', KEYS[2])
return 0
"""


@cache
def _mark_script_of(url: str) -> Any:
    return lhredis.sync_client(url).register_script(MARK_SCRIPT)


def _mark_script() -> Any:
    return _mark_script_of(settings.REDIS_URL)


class Coalescer:
    registry: list[Coalescer] = []

    def __init__(self, name: str, flush: Flush, *, interval: float = 1 / 3) -> None:
        self.name = name
        self.flush = flush
        self.interval = interval
        self._lock = threading.Lock()
        self._marked: dict[int, set[str]] = {}
        self._leased: set[int] = set()
        self._timers: set[threading.Timer] = set()
        self._flushes = COALESCER_FLUSHES.labels(name)
        Coalescer.registry.append(self)

    def _keys(self, event_id: int) -> tuple[str, str, str]:
        """The marks waiting, the lease, and the marks being flushed."""
        prefix = f"lh:{{{event_id}}}"
        return f"{prefix}:dirty:{self.name}", f"{prefix}:lease:{self.name}", f"{prefix}:flushing:{self.name}"

    def keys(self, event_id: int) -> tuple[str, str, str]:
        """For a writer that marks in a script of its own (reactions count and mark in one):
        the marks waiting, the lease and the marks being flushed; it adds the key to the first
        and takes the lease as MARK_SCRIPT does, then calls `leased` when it took it."""
        return self._keys(event_id)

    def leased(self, event_id: int) -> None:
        """A writer's own script took the lease: schedule the flush."""
        self._schedule(event_id)

    def sweep(self, event_id: int) -> None:
        """Flush marks left behind by a process that died holding the lease."""
        if not settings.REDIS_URL:
            return  # one process: nobody else can strand a mark
        dirty, lease, flushing = self._keys(event_id)
        client = lhredis.sync_client(settings.REDIS_URL)
        if client.eval(SWEEP_SCRIPT, 3, dirty, flushing, lease, LEASE_SAFETY_MS):
            log.info("%s: flushing marks of event %s left without a lease", self.name, event_id)
            self._schedule(event_id)

    def mark(self, event_id: int, key: str) -> None:
        """Something of `event_id` changed (call after commit)."""
        if settings.REDIS_URL:
            try:
                leased = _mark_script()(keys=self._keys(event_id)[:2], args=[key, LEASE_SAFETY_MS])
            except Exception as error:  # noqa: BLE001 - Redis away: the totals reach clients by a snapshot
                self.mark_failed(event_id, key, error)
                return
        else:
            with self._lock:
                self._marked.setdefault(event_id, set()).add(key)
                leased = event_id not in self._leased
                self._leased.add(event_id)
        if leased:
            self._schedule(event_id)

    def mark_on(self, pipe: Any, event_id: int, key: str) -> None:
        """Queue the mark on a Redis pipeline (sent with a publish: one round trip for both);
        hand its outcome to `marked`."""
        pipe.execute_command("EVALSHA", _mark_script().sha, 2, *self._keys(event_id)[:2], key, LEASE_SAFETY_MS)

    def marked(self, event_id: int, key: str, outcome: Any) -> None:
        if isinstance(outcome, NoScriptError):  # Redis restarted without its scripts
            self.mark(event_id, key)
        elif isinstance(outcome, Exception):
            self.mark_failed(event_id, key, outcome)
        elif outcome:
            self._schedule(event_id)

    def mark_failed(self, event_id: int, key: str, error: Exception) -> None:
        log.warning("%s: cannot mark %s of event %s (%s)", self.name, key, event_id, error.__class__.__name__)
        healer.mark(event_id)

    def interval_for(self, event_id: int) -> float:
        """Seconds until the next flush: longer for a larger audience in this process."""
        budget = settings.LIVEHUB_COALESCED_DELIVERIES_PER_SECOND
        return min(MAX_INTERVAL, max(self.interval, local_audience(event_id) / budget))

    def _schedule(self, event_id: int, *, after: float = 0.0) -> None:
        """Flush in one interval, less `after` seconds already spent since the last flush began."""
        timer = threading.Timer(max(0.0, self.interval_for(event_id) - after), self._run, args=(event_id,))
        timer.daemon = True
        with self._lock:
            self._timers.add(timer)
        timer.start()

    @classmethod
    def cancel_all(cls, *, timeout: float = 5.0) -> None:
        """Drop the flushes not started yet and wait for those running (a test's end: its
        database is about to be emptied, and a flush writing meanwhile could deadlock with it)."""
        for coalescer in cls.registry:
            for _ in range(10):  # a running flush may schedule the next one before it ends
                with coalescer._lock:
                    timers = list(coalescer._timers)
                    coalescer._marked.clear()
                    coalescer._leased.clear()
                if not timers:
                    break
                for timer in timers:
                    timer.cancel()
                for timer in timers:
                    timer.join(timeout)
                    with coalescer._lock:
                        coalescer._timers.discard(timer)  # cancelled before it ran

    def _take(self, event_id: int) -> list[str]:
        if settings.REDIS_URL:
            dirty, lease, flushing = self._keys(event_id)
            keys = lhredis.sync_client(settings.REDIS_URL).eval(
                TAKE_SCRIPT, 3, dirty, flushing, lease, LEASE_SAFETY_MS, 10 * LEASE_SAFETY_MS
            )
            return sorted(key.decode() for key in keys)
        with self._lock:
            return sorted(self._marked.pop(event_id, set()))

    def _release(self, event_id: int) -> bool:
        """True when more was marked during the flush (the lease is kept for another one)."""
        if settings.REDIS_URL:
            dirty, lease, _flushing = self._keys(event_id)
            return bool(lhredis.sync_client(settings.REDIS_URL).eval(RELEASE_SCRIPT, 2, dirty, lease, LEASE_SAFETY_MS))
        with self._lock:
            if self._marked.get(event_id):
                return True
            self._leased.discard(event_id)
            return False

    def _done(self, event_id: int) -> None:
        if settings.REDIS_URL:
            lhredis.sync_client(settings.REDIS_URL).eval(DONE_SCRIPT, 1, self._keys(event_id)[2])

    def _run(self, event_id: int) -> None:
        # The timer stays in `_timers` until its flush is over, so that `cancel_all` waits for it.
        try:
            self._flush_and_release(event_id)
        finally:
            with self._lock:
                self._timers.discard(threading.current_thread())

    def _flush_and_release(self, event_id: int) -> None:
        # The next flush is due one interval after this one began: clients get the totals at an
        # even pace, not an interval plus however long this flush took.
        began = time.monotonic()
        try:
            keys = self._take(event_id)
            if keys:
                self.flush(event_id, keys)
                self._flushes.inc()
            self._done(event_id)
        except Exception:
            log.exception("%s flush failed for event %s", self.name, event_id)
        finally:
            close_old_connections()
        try:
            if self._release(event_id):
                self._schedule(event_id, after=time.monotonic() - began)
        except Exception:
            log.exception("%s lease release failed for event %s", self.name, event_id)
