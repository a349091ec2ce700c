"""The sign-in rule's counters: failed sign-ins per account and per client address.

5 failures for one account, or 20 from one address, within 15 minutes lock that account (or
address) for 15 minutes. With Redis the counts are shared by every server process; without
(the embedded default) they are this process's own. Both are kept under salted hashes of the
username and the address, never the values. Times are stored in the values rather than left to
Redis's expiry, so that a test can move the clock.
"""

import threading
import time
import uuid
from dataclasses import dataclass

from django.conf import settings

from livehub.realtime import redis as lhredis
from livehub.realtime.ratelimit import salted_digest

ACCOUNT_FAILURES = 5
ADDRESS_FAILURES = 20
WINDOW = 15 * 60  # seconds: failures counted within it, and how long a lock lasts
PREFIX = "lh:signin:"


def now() -> float:
    """The rule's clock, looked up on every call so that a test can move it."""
    return time.time()


@dataclass(frozen=True)
class Counter:
    key: str
    limit: int


def counters(*, username: str, address: str) -> list[Counter]:
    """The account's counter (case ignored: `Moderator` counts for `moderator`), and the address's."""
    found = [Counter(f"{PREFIX}account:{salted_digest(scope='signin', value=username.casefold())}", ACCOUNT_FAILURES)]
    if address:
        found.append(Counter(f"{PREFIX}address:{salted_digest(scope='signin', value=address)}", ADDRESS_FAILURES))
    return found


class RedisStore:
    def __init__(self, url: str) -> None:
        self.client = lhredis.sync_client(url)

    def add_failure(self, key: str, at: float) -> int:
        """Record one failure; the number within the window, this one included."""
        pipe = self.client.pipeline()  # MULTI: processes counting at once never lose one
        pipe.zremrangebyscore(f"{key}:f", "-inf", at - WINDOW)
        pipe.zadd(f"{key}:f", {uuid.uuid4().hex: at})
        pipe.zcard(f"{key}:f")
        pipe.expire(f"{key}:f", WINDOW + 60)
        return int(pipe.execute()[2])

    def lock(self, key: str, until: float) -> None:
        self.client.set(f"{key}:l", repr(until), ex=WINDOW + 60)

    def locked_until(self, keys: list[str]) -> float:
        # Not MGET: on a cluster the account's and the address's keys live in different slots.
        pipe = self.client.pipeline(transaction=False)
        for key in keys:
            pipe.get(f"{key}:l")
        values = pipe.execute()
        return max((float(value) for value in values if value is not None), default=0.0)

    def clear(self, key: str) -> None:
        self.client.delete(f"{key}:f", f"{key}:l")

    def clear_all(self) -> int:
        keys = list(self.client.scan_iter(f"{PREFIX}*"))
        return self.client.delete(*keys) if keys else 0


class MemoryStore:
    def __init__(self) -> None:
        self.failures: dict[str, list[float]] = {}
        self.locks: dict[str, float] = {}
        self.mutex = threading.Lock()

    def add_failure(self, key: str, at: float) -> int:
        with self.mutex:
            recent = [moment for moment in self.failures.get(key, []) if moment > at - WINDOW]
            recent.append(at)
            self.failures[key] = recent
            return len(recent)

    def lock(self, key: str, until: float) -> None:
        with self.mutex:
            self.locks[key] = until

    def locked_until(self, keys: list[str]) -> float:
        with self.mutex:
            return max((self.locks[key] for key in keys if key in self.locks), default=0.0)

    def clear(self, key: str) -> None:
        with self.mutex:
            self.failures.pop(key, None)
            self.locks.pop(key, None)

    def clear_all(self) -> int:
        with self.mutex:
            cleared = len(self.failures) + len(self.locks)
            self.failures.clear()
            self.locks.clear()
            return cleared


_memory = MemoryStore()


def store() -> RedisStore | MemoryStore:
    return RedisStore(settings.REDIS_URL) if settings.REDIS_URL else _memory


def lock_remaining(*, username: str, address: str) -> float:
    """Seconds until this account and address may try again; 0 when neither is locked."""
    keys = [counter.key for counter in counters(username=username, address=address)]
    return max(store().locked_until(keys) - now(), 0.0)


def failure_add(*, username: str, address: str) -> None:
    """Count a failed sign-in; the account or address that reaches its limit is locked."""
    at = now()
    current = store()
    for counter in counters(username=username, address=address):
        if current.add_failure(counter.key, at) >= counter.limit:
            current.lock(counter.key, at + WINDOW)


def account_clear(*, username: str) -> None:
    """Forget the account's failures and lock (its address's stay counted)."""
    store().clear(counters(username=username, address="")[0].key)


def all_clear() -> int:
    """Forget every failure and lock, accounts and addresses alike."""
    return store().clear_all()
