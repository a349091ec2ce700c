"""Healing: an event whose published stream may have a hole makes its clients start afresh.

A change that was committed but never published (the broker failed, or the process died between
the commit and the publish) would be missing from every client that replays past it. Such an
event is healed: each app repairs its derived state, the event's `epoch` changes and every
process closes its sockets with "reconnect", so each client takes a fresh snapshot.
"""

import contextlib
import logging
import secrets
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections

from . import redis as lhredis
from .broker import INFLIGHT_KEY, get_broker

log = logging.getLogger(__name__)


# What a healed event's fresh snapshots must not miss: each app brings its derived state (say,
# vote totals kept up to date by coalesced flushes) back in line with the rows before a heal.
Repair = Callable[[int], None]
repairs: list[Repair] = []


def repair(function: Repair) -> Repair:
    repairs.append(function)
    return function


class Healer:
    """Events whose publish failed after their commit, healed once the broker answers again.

    A committed change that was never published would be missing from every client that
    replays past it; healing makes them all take a fresh snapshot instead (`RedisBroker.heal`).
    One daemon thread retries with backoff while there is something to heal.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: set[int] = set()
        self._thread: threading.Thread | None = None
        self._wake = threading.Event()

    def mark(self, event_id: int) -> None:
        with self._lock:
            self._events.add(event_id)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="livehub-healer", daemon=True)
                self._thread.start()
        self._wake.set()

    def cancel(self, *, timeout: float = 5.0) -> None:
        """Forget what is left to heal and wait for the thread to end (a test's end)."""
        with self._lock:
            self._events.clear()
            thread = self._thread
        self._wake.set()
        if thread is not None:
            thread.join(timeout)

    def pending(self) -> set[int]:
        with self._lock:
            return set(self._events)

    def heal_now(self) -> bool:
        """One pass over the marked events; True when none is left."""
        for event_id in self.pending():
            try:
                for repair in repairs:
                    repair(event_id)
                get_broker().heal(event_id)
            except Exception as error:  # noqa: BLE001 - still unreachable: try again later
                log.warning("cannot heal event %s yet (%s)", event_id, error.__class__.__name__)
                return False
            with self._lock:
                self._events.discard(event_id)
            log.info("healed event %s: its clients resync", event_id)
        return not self.pending()

    def _run(self) -> None:
        delay = 0.2
        while True:
            try:
                healed = self.heal_now()
            finally:
                close_old_connections()  # a repair's connection broken by an outage is not reused
            if healed:
                with self._lock:
                    if not self._events:
                        self._thread = None
                        return
                delay = 0.2
                continue
            self._wake.wait(delay)
            self._wake.clear()
            delay = min(delay * 2, 5.0)


healer = Healer()

# A process can die between a command's commit and its publish (SIGKILL, OOM): the change is
# acknowledged on retry (its receipt was committed) but no client would ever hear of it. Each
# publish made inside a transaction is therefore announced in Redis before the commit and
# crossed off by the publish itself; an announcement older than INFLIGHT_STALE seconds was
# orphaned, and whoever sweeps first heals its event (every client of it takes a fresh snapshot).
INFLIGHT_STALE = 5.0
SWEEP_SCRIPT = """
local stale = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if #stale > 0 then redis.call('ZREM', KEYS[1], unpack(stale)) end
return stale
"""


# Announcements of this thread's open transaction: a rollback must cross them off, or the sweep
# would resync a whole event for a change that never happened.
class _Announced(threading.local):
    def __init__(self) -> None:
        self.members: set[str] = set()


_announced = _Announced()


def announce(event_id: int) -> str | None:
    """Announce a publish of `event_id` before its transaction commits; returns what crosses it off."""
    if not settings.REDIS_URL:
        return None  # one process: if it dies, every client starts afresh anyway
    member = f"{event_id}:{secrets.token_hex(6)}"
    try:
        lhredis.sync_client(settings.REDIS_URL).zadd(INFLIGHT_KEY, {member: time.time()})
    except Exception:  # noqa: BLE001 - Redis is away: the publish will fail and heal itself
        return None
    _announced.members.add(member)
    return member


def announcement_published(member: str) -> None:
    """Its publish is under way (and crosses it off itself): a later rollback of this thread
    has nothing of it to cross off."""
    _announced.members.discard(member)


def announcements_cross_off(members: list[str]) -> None:
    if not members:
        return
    # Left behind, an announcement only causes one needless resync.
    with contextlib.suppress(Exception):
        lhredis.sync_client(settings.REDIS_URL).zrem(INFLIGHT_KEY, *members)


def settle_announcements(*, rolled_back: bool) -> None:
    """After this thread's transaction failed: a sure rollback crosses off what it announced; a
    commit that failed may have been applied (the connection dropped before its answer), so its
    announcements stay in Redis for the sweep to heal the event, and are only forgotten here."""
    members = list(_announced.members)
    _announced.members.clear()
    if rolled_back:
        announcements_cross_off(members)


def sweep_orphaned_publishes() -> set[int]:
    """Heal the events of publishes announced long ago and never crossed off; returns them."""
    client = lhredis.sync_client(settings.REDIS_URL)
    stale = client.eval(SWEEP_SCRIPT, 1, INFLIGHT_KEY, time.time() - INFLIGHT_STALE)
    events = {int(member.decode().split(":", 1)[0]) for member in stale}
    for event_id in events:
        log.warning("a publish for event %s was orphaned (its process died?): healing", event_id)
        healer.mark(event_id)
    return events
