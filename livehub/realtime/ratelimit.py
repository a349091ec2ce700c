"""Token buckets for flood control on a socket; shared buckets for HTTP joins."""

import functools
import hashlib
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from redis.commands.core import Script

from livehub.errors import RateLimited

from . import redis as lhredis


def monotonic() -> float:
    """The buckets' clock, looked up on every take so that a test can stop it."""
    return time.monotonic()


def wallclock() -> float:
    """The shared buckets' clock (every process reads the same one); a test can stop it."""
    return time.time()


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


_memory_lock = threading.Lock()


def salted_digest(*, scope: str, value: str) -> str:
    """What a counter is kept under: a salted hash of an address (or a name), never the value itself."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{scope}:{value}".encode()).hexdigest()[:24]


@dataclass(frozen=True, kw_only=True)
class Bucket:
    """A shared token bucket: `per_minute` tokens a minute, at most `burst` saved up."""

    name: str
    per_minute: float
    burst: float

    @property
    def rate(self) -> float:
        return self.per_minute / 60


# Takes one token from every bucket, or from none: ARGV holds now, then rate and burst per key.
# Returns the seconds until all could give one (0: taken). A bucket left alone refills to full and
# expires, so an idle event or address costs nothing.
_TAKE_ALL = """
local now = tonumber(ARGV[1])
local levels, wait = {}, 0
for i, key in ipairs(KEYS) do
  local rate, burst = tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1])
  local state = redis.call('HMGET', key, 'tokens', 'at')
  local tokens = tonumber(state[1]) or burst
  local at = tonumber(state[2]) or now
  tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
  levels[i] = tokens
  if tokens < 1 then wait = math.max(wait, (1 - tokens) / rate) end
end
for i, key in ipairs(KEYS) do
  local rate, burst = tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1])
  local tokens = levels[i]
  if wait == 0 then tokens = tokens - 1 end
  redis.call('HSET', key, 'tokens', tostring(tokens), 'at', ARGV[1])
  redis.call('EXPIRE', key, math.ceil(burst / rate) + 1)
end
return tostring(wait)
"""
_memory_buckets: dict[str, tuple[float, float]] = {}


@functools.cache
def _take_all_script(url: str) -> Script:
    return lhredis.sync_client(url).register_script(_TAKE_ALL)


def _take_in_memory(keys: list[str], buckets: list[Bucket], now: float) -> float:
    with _memory_lock:
        levels = []
        for key, bucket in zip(keys, buckets, strict=True):
            tokens, at = _memory_buckets.get(key, (bucket.burst, now))
            levels.append(min(bucket.burst, tokens + max(0.0, now - at) * bucket.rate))
        wait = max(
            [(1 - level) / bucket.rate for level, bucket in zip(levels, buckets, strict=True) if level < 1] or [0]
        )
        for key, level in zip(keys, levels, strict=True):
            _memory_buckets[key] = (level - 1 if wait == 0 else level, now)
        if len(_memory_buckets) > 10_000:  # forget the full ones: they are what a new key starts as
            for key in [key for key, (tokens, at) in _memory_buckets.items() if now - at > 3600]:
                del _memory_buckets[key]
        return wait


def buckets_take(*, scope: str, keyed: list[tuple[Bucket, str]], message: str) -> None:
    """Take one token from each (bucket, identity) pair, all or none; RateLimited with the wait
    until all can give one. Identities (addresses, event ids) are kept under a salted hash.

    With Redis the buckets are shared by all server processes; without, they are this process's own.
    """
    buckets = [bucket for bucket, _identity in keyed]
    # The scope as hash tag: one script takes from them all, so on a cluster they share a slot.
    keys = [
        f"lh:bucket:{{{scope}}}:{bucket.name}:{salted_digest(scope=f'{scope}:{bucket.name}', value=identity)}"
        for bucket, identity in keyed
    ]
    now = wallclock()
    if settings.REDIS_URL:
        args: list[float] = [now]
        for bucket in buckets:
            args += [bucket.rate, bucket.burst]
        wait = float(_take_all_script(settings.REDIS_URL)(keys=keys, args=args))
    else:
        wait = _take_in_memory(keys, buckets, now)
    if wait > 0:
        raise RateLimited(message, retry_after=max(wait, 0.1))


def joins_take(*, event_id: int, address: str) -> None:
    """One join: from the client address's bucket (a hall behind one NAT joins in a burst that
    fits a room) and from the event's (a ceiling on new participants whatever the addresses)."""
    buckets_take(
        scope="join",
        keyed=[
            (
                Bucket(
                    name="address", per_minute=settings.LIVEHUB_JOINS_PER_MINUTE, burst=settings.LIVEHUB_JOINS_BURST
                ),
                address,
            ),
            (
                Bucket(
                    name="event",
                    per_minute=settings.LIVEHUB_EVENT_JOINS_PER_MINUTE,
                    burst=settings.LIVEHUB_EVENT_JOINS_BURST,
                ),
                str(event_id),
            ),
        ],
        message=_("Many people are joining right now; you are next in a moment."),
    )
