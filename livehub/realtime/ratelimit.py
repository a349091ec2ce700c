"""Token buckets for flood control on a socket; per-address counters for HTTP joins."""

import hashlib
import threading
import time

from django.conf import settings

from livehub.errors import RateLimited

from . import redis as lhredis


def monotonic() -> float:
    """The buckets' clock, looked up on every take so that a test can stop it."""
    return time.monotonic()


class TokenBucket:
    """`rate` tokens a second, at most `burst` saved up."""

    def __init__(self, *, rate: float, burst: float) -> None:
        self.rate = rate
        self.burst = burst
        self._tokens = burst
        self._at = monotonic()

    def take(self) -> float:
        """Take one token: 0 when allowed, else the seconds until one is available."""
        now = monotonic()
        self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
        self._at = now
        if self._tokens >= 1:
            self._tokens -= 1
            return 0.0
        return (1 - self._tokens) / self.rate


WINDOW = 60  # seconds
_memory_counts: dict[str, int] = {}
_memory_lock = threading.Lock()


def salted_digest(*, scope: str, value: str) -> str:
    """What a counter is kept under: a salted hash of an address (or a name), never the value itself."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{scope}:{value}".encode()).hexdigest()[:24]


def address_key(*, scope: str, address: str, window: int) -> str:
    """The counter's key: a salted hash of the address, never the address itself (nothing stores IPs)."""
    return f"lh:rate:{scope}:{salted_digest(scope=scope, value=address)}:{window}"


def address_take(*, scope: str, address: str, limit: int) -> None:
    """Count one action of `scope` from a client address in the current minute; RateLimited past `limit`.

    With Redis the count is shared by all server processes and expires with its minute; without,
    it is this process's own.
    """
    now = time.time()
    window = int(now // WINDOW)
    key = address_key(scope=scope, address=address, window=window)
    if settings.REDIS_URL:
        pipe = lhredis.sync_client(settings.REDIS_URL).pipeline()
        pipe.incr(key)
        pipe.expire(key, WINDOW + 1)
        count = int(pipe.execute()[0])
    else:
        with _memory_lock:
            for old in [name for name in _memory_counts if not name.endswith(f":{window}")]:
                del _memory_counts[old]
            count = _memory_counts[key] = _memory_counts.get(key, 0) + 1
    if count > limit:
        raise RateLimited(
            "Too many joins from your network; retry in a moment.", retry_after=max((window + 1) * WINDOW - now, 0.1)
        )
