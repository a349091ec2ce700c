"""Writes of the reactions: one atomic counter step per reaction, totals coalesced like votes.

A hall reacting at once sends thousands of reactions a second: a transaction each (with its
command receipt) costs about 1.8 ms of a server's CPU, so one process would keep up with a few
hundred. Instead the reactions of an event read in one turn of the event loop go to Redis in one
script call, which for each takes the participant's token, applies its `ref` once, adds it to the
event's counters (HINCRBY) and marks its session for the coalesced flush, exactly as a vote marks
its question (`coalesce.py`). The
flush, at most three times a second, copies the totals of the marked sessions to PostgreSQL (one
UPSERT; counts only grow, so a late flush never lowers one) and publishes `reactions.updated`.
PostgreSQL's copy seeds the counters when Redis has lost them, and is what the snapshot reads.
Without Redis (one process, `make run`) the same happens in this process's memory.
"""

import asyncio
import threading
import time
import weakref
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _
from redis.exceptions import RedisError

import livehub.realtime.redis as lhredis
from livehub.errors import Conflict, RateLimited, Unavailable
from livehub.realtime import ratelimit
from livehub.realtime.coalesce import LEASE_SAFETY_MS, Coalescer
from livehub.realtime.dbwork import db_work
from livehub.realtime.publish import publish_on_commit
from sessions.models import Event

from .models import ReactionTotal
from .schemas import REACTIONS_PER_SECOND
from .selectors import reactable_sessions, stored_totals, totals_payload

MODES = ("room", "online")
REF_KEPT_SECONDS = 600  # a retry comes within minutes of a reconnect, as for command receipts
SESSIONS_KEPT_SECONDS = 1.0  # how long a process trusts its list of the sessions on now

# The reactions of one event that reached this process in one turn of its event loop, counted in
# one call (a script per reaction was most of a reaction's CPU). In order, so that two reactions
# of one participant in the same batch take its tokens one after the other.
# KEYS: totals, the coalescer's marks and lease, then per reaction its participant's bucket and ref.
# ARGV: now, rate, burst, lease ms, ref ttl, then per reaction its field, session, "1" when it has a ref.
# Returns per reaction "counted", "again" or the seconds to wait, then "1" when it took the lease.
_REACT = """
if redis.call('EXISTS', KEYS[1]) == 0 then return {'seed'} end
local now, rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local outcomes, counted = {}, false
for i = 1, (#KEYS - 3) / 2 do
  local bucket, ref = KEYS[2 + 2 * i], KEYS[3 + 2 * i]
  local field, session, has_ref = ARGV[3 + 3 * i], ARGV[4 + 3 * i], ARGV[5 + 3 * i] == '1'
  if has_ref and redis.call('EXISTS', ref) == 1 then
    outcomes[i] = 'again'
  else
    local state = redis.call('HMGET', bucket, 'tokens', 'at')
    local tokens = tonumber(state[1]) or burst
    local at = tonumber(state[2]) or now
    tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
    if tokens < 1 then
      outcomes[i] = tostring((1 - tokens) / rate)
    else
      redis.call('HSET', bucket, 'tokens', tostring(tokens - 1), 'at', ARGV[1])
      redis.call('EXPIRE', bucket, math.ceil(burst / rate) + 1)
      redis.call('HINCRBY', KEYS[1], field, 1)
      if has_ref then redis.call('SET', ref, '1', 'EX', ARGV[5]) end
      redis.call('SADD', KEYS[2], session)
      counted = true
      outcomes[i] = 'counted'
    end
  end
end
local leased = '0'
if counted then
  redis.call('PEXPIRE', KEYS[2], ARGV[4])
  if redis.call('SET', KEYS[3], '1', 'NX', 'PX', ARGV[4]) then leased = '1' end
end
outcomes[#outcomes + 1] = leased
return outcomes
"""
# The counters start from PostgreSQL's copy (a marker field makes an event without any exist).
_SEED = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], '_', '0', unpack(ARGV))
return 1
"""


def _totals_key(event_id: int) -> str:
    return f"lh:{{{event_id}}}:reactions"


def _field(session_id: int, kind: str, mode: str) -> str:
    return f"{session_id}:{kind}:{mode}"


def _parse(fields: dict[Any, Any]) -> dict[tuple[int, str, str], int]:
    counts = {}
    for field, value in fields.items():
        field = field.decode() if isinstance(field, bytes) else field
        if field != "_":
            session, kind, mode = field.split(":")
            counts[(int(session), kind, mode)] = int(value)
    return counts


def _publish_totals(event_id: int, keys: list[str]) -> None:
    sessions = {int(key) for key in keys}
    counts = {key: count for key, count in _store_totals(event_id).items() if key[0] in sessions}
    if not counts:
        return
    with transaction.atomic():
        _save_totals(event_id, counts)
        publish_on_commit(event_id=event_id, type="reactions.updated", data={"sessions": totals_payload(counts)})


# At most three flushes a second per event, like votes: no client gets more than four a second.
reaction_totals = Coalescer("reactions", _publish_totals, interval=1 / 3)


def _save_totals(event_id: int, counts: dict[tuple[int, str, str], int]) -> None:
    if connection.vendor != "postgresql":
        for (session, kind, mode), count in counts.items():
            total, _ = ReactionTotal.objects.get_or_create(event_id=event_id, session_id=session, kind=kind, mode=mode)
            ReactionTotal.objects.filter(pk=total.pk, count__lt=count).update(count=count)
        return
    rows = [(event_id, session, kind, mode, count) for (session, kind, mode), count in counts.items()]
    values = ",".join(["(%s, %s, %s, %s, %s)"] * len(rows))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO reactions_reactiontotal (event_id, session_id, kind, mode, count) VALUES {values} "  # noqa: S608 - placeholders only
            "ON CONFLICT (session_id, kind, mode) DO UPDATE "
            "SET count = GREATEST(reactions_reactiontotal.count, EXCLUDED.count)",
            [value for row in rows for value in row],
        )


# --- where the counters live: Redis, or this process's memory ---------------------------------

_clients: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_scripts: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _async_redis() -> tuple[Any, Any]:
    """The event loop's client and its reaction script (clients are bound to their loop)."""
    loop = asyncio.get_running_loop()
    if loop not in _clients:
        client = lhredis.async_client(settings.REDIS_URL)
        _clients[loop] = client
        _scripts[loop] = client.register_script(_REACT)
    return _clients[loop], _scripts[loop]


class _Memory:
    """The counters, buckets and refs of a process without Redis."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.totals: dict[int, dict[tuple[int, str, str], int]] = {}
        self.buckets: dict[UUID, tuple[float, float]] = {}
        self.refs: dict[str, float] = {}


_memory = _Memory()


def _store_totals(event_id: int) -> dict[tuple[int, str, str], int]:
    if settings.REDIS_URL:
        return _parse(lhredis.sync_client(settings.REDIS_URL).hgetall(_totals_key(event_id)))
    with _memory.lock:
        return dict(_memory.totals.get(event_id, {}))


def _seed_redis(event_id: int) -> None:
    counts = stored_totals(event_id=event_id)
    pairs = [value for (session, kind, mode), count in counts.items() for value in (_field(session, kind, mode), count)]
    lhredis.sync_client(settings.REDIS_URL).eval(_SEED, 1, _totals_key(event_id), *pairs)


def _count_in_memory(event_id: int, participant_id: UUID, ref_key: str | None, field: tuple[int, str, str]) -> str:
    now = ratelimit.wallclock()
    if ref_key is not None and _memory.refs.get(ref_key, 0) > now:
        return "again"
    tokens, at = _memory.buckets.get(participant_id, (REACTIONS_PER_SECOND, now))
    tokens = min(REACTIONS_PER_SECOND, tokens + max(0.0, now - at) * REACTIONS_PER_SECOND)
    if tokens < 1:
        raise RateLimited(_too_fast(), retry_after=max((1 - tokens) / REACTIONS_PER_SECOND, 0.1))
    _memory.buckets[participant_id] = (tokens - 1, now)
    if ref_key is not None:
        _memory.refs[ref_key] = now + REF_KEPT_SECONDS
    totals = _memory.totals[event_id]
    totals[field] = totals.get(field, 0) + 1
    return "counted"


# --- which sessions take reactions ---------------------------------------------------------------

_on_now: dict[int, tuple[float, frozenset[int]]] = {}
# Per event, the read of the sessions on now under way and when (event loop time) it began.
_loading: dict[int, tuple[float, asyncio.Future]] = {}
_load_on_now = db_work(lambda event_id: reactable_sessions(event_id=event_id))


async def _read_on_now(event_id: int, *, not_before: float | None = None) -> frozenset[int]:
    """The sessions on now from the database; reactions arriving while a read is under way share
    it (single flight) unless it began before `not_before`."""
    loop = asyncio.get_running_loop()
    held = _loading.get(event_id)
    if (
        held is None
        or held[1].done()
        or held[1].get_loop() is not loop
        or (not_before is not None and held[0] < not_before)
    ):
        held = _loading[event_id] = (loop.time(), asyncio.ensure_future(_load_on_now(event_id)))
    sessions = await asyncio.shield(held[1])
    _on_now[event_id] = (time.monotonic() + SESSIONS_KEPT_SECONDS, sessions)
    return sessions


async def _session_on_now(event_id: int, session_id: int) -> bool:
    """A session running or current, as this process last read it (within a second); a refusal
    is always checked against a read begun after the reaction arrived, so a session just put on
    is never refused."""
    held = _on_now.get(event_id)
    if held is not None and time.monotonic() < held[0] and session_id in held[1]:
        return True
    arrived = asyncio.get_running_loop().time()
    if session_id in await _read_on_now(event_id):
        return True
    return session_id in await _read_on_now(event_id, not_before=arrived)


def sessions_on_now_forget() -> None:
    """Forget what this process read of the sessions on now (tests, after changing them)."""
    _on_now.clear()
    _loading.clear()


def _too_fast() -> str:
    return _("At most %(n)s reactions a second; the next one in a moment.") % {"n": REACTIONS_PER_SECOND}


async def reaction_send(
    *, event_id: int, participant_id: UUID, actor: str, mode: str | None, session_id: int, kind: str, ref: str | None
) -> bool:
    """Count a participant's reaction to a session on now, once per `ref`.

    Returns False for a retry of a reaction already counted. RateLimited beyond
    REACTIONS_PER_SECOND a participant (whatever their sockets and processes), Conflict for a
    session not on now."""
    if not await _session_on_now(event_id, session_id):
        raise Conflict(_("Reactions go to the session on now; this one is not running."))
    mode = mode if mode in MODES else "online"  # not said yet: counted online, as a phone outside the room
    field = (session_id, kind, mode)
    ref_key = f"lh:{{{event_id}}}:reaction-ref:{actor}:{ref}" if ref is not None else None
    if not settings.REDIS_URL:
        if event_id not in _memory.totals:
            stored = await db_work(stored_totals)(event_id=event_id)
            with _memory.lock:
                _memory.totals.setdefault(event_id, stored)
        with _memory.lock:
            outcome = _count_in_memory(event_id, participant_id, ref_key, field)
        if outcome == "counted":
            reaction_totals.mark(event_id, str(session_id))
        return outcome == "counted"
    bucket = f"lh:{{{event_id}}}:reaction-bucket:{participant_id}"
    # Without a ref its key is not touched, but named in the event's slot all the same (a cluster
    # refuses a script whose keys span slots).
    kept_ref = ref_key or f"lh:{{{event_id}}}:reaction-ref:-"
    try:
        outcome = await _batched(event_id).add(bucket, kept_ref, _field(*field), session_id, ref_key is not None)
    except RedisError:
        raise Unavailable(_("Reactions are not being counted right now; retry shortly.")) from None
    if outcome == b"counted":
        return True
    if outcome == b"again":
        return False
    raise RateLimited(_too_fast(), retry_after=max(float(outcome), 0.1))


class _Batch:
    """The reactions of one event to count in this turn of the event loop, in one script call."""

    def __init__(self, event_id: int) -> None:
        self.event_id = event_id
        dirty, lease, _flushing = reaction_totals.keys(event_id)
        self.keys: list[str] = [_totals_key(event_id), dirty, lease]
        self.args: list[Any] = []
        self.waiting: list[asyncio.Future] = []

    def add(self, bucket: str, ref: str, field: str, session_id: int, has_ref: bool) -> asyncio.Future:
        self.keys += [bucket, ref]
        self.args += [field, session_id, "1" if has_ref else "0"]
        future = asyncio.get_running_loop().create_future()
        self.waiting.append(future)
        return future

    async def send(self) -> None:
        try:
            outcomes = await self._count()
        except Exception as error:  # noqa: BLE001 - each reaction's own (a RedisError: a 503 each)
            for future in self.waiting:
                if not future.done():
                    future.set_exception(error)
            return
        except BaseException:
            for future in self.waiting:  # cancelled with the loop: none waits for ever
                future.cancel()
            raise
        if outcomes[-1] == b"1":
            reaction_totals.leased(self.event_id)
        for future, outcome in zip(self.waiting, outcomes, strict=False):
            if not future.done():  # its sender may have gone (socket closed)
                future.set_result(outcome)

    async def _count(self) -> list[bytes]:
        _client, script = _async_redis()
        args = [ratelimit.wallclock(), REACTIONS_PER_SECOND, REACTIONS_PER_SECOND, LEASE_SAFETY_MS, REF_KEPT_SECONDS]
        args += self.args
        outcomes = await script(keys=self.keys, args=args)
        if outcomes == [b"seed"]:
            await db_work(_seed_redis)(self.event_id)
            outcomes = await script(keys=self.keys, args=args)
        return outcomes


_batches: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, _Batch]] = weakref.WeakKeyDictionary()
_sending: set[asyncio.Task] = set()  # held until done (the loop keeps only weak references)


def _batched(event_id: int) -> _Batch:
    """The event's batch of this loop turn: sent once the reactions read in this turn are in."""
    loop = asyncio.get_running_loop()
    batches = _batches.setdefault(loop, {})
    batch = batches.get(event_id)
    if batch is None:
        batch = batches[event_id] = _Batch(event_id)
        loop.call_soon(_send, loop, event_id)
    return batch


def _send(loop: asyncio.AbstractEventLoop, event_id: int) -> None:
    task = loop.create_task(_batches[loop].pop(event_id).send())
    _sending.add(task)
    task.add_done_callback(_sending.discard)


def reactions_delete(*, event: Event) -> dict[str, int]:
    """Purge: the event's totals, here and in the counters."""
    deleted, _ = ReactionTotal.objects.filter(event=event).delete()
    if settings.REDIS_URL:
        lhredis.sync_client(settings.REDIS_URL).delete(_totals_key(event.pk))
    with _memory.lock:
        _memory.totals.pop(event.pk, None)
    return {"reactions_deleted": deleted}


def reactions_keep(*, event: Event) -> dict[str, int]:
    """Purge keeping the results: totals name nobody; they stay."""
    return {}
