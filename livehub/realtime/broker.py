"""Sequence numbers, the replay log and cross-process delivery of published events.

Allocating an event's `seq`, appending it to the stream's log and handing it to the
subscribers are one atomic step, so delivery order is `seq` order even when several
processes publish at once. Two backends: Redis (one Lua script; one SPUBLISH per event and
stream on the event's own channel, heard by the processes with sockets of that event and
fanned out inside each, see shards.py) and memory (one process, the embedded default).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Protocol
from urllib.parse import urlparse

from django.conf import settings
from redis.exceptions import NoScriptError

from . import redis as lhredis
from .protocol import event_frame_parts
from .shards import Fanout

log = logging.getLogger(__name__)

# Keys of an event share a hash tag so that one script may touch them all on a cluster.
STATE_TTL = 7 * 24 * 3600
# Publishes announced before their transaction commits (see livehub.realtime.healing).
INFLIGHT_KEY = "lh:inflight"


def event_channel(event_id: int, db: int) -> str:
    """The event's sharded pub/sub channel, in the hash slot of its keys (on a cluster the
    publish script may only SPUBLISH there). Pub/sub ignores the database number: deployments
    sharing one Redis (say, staging on database 1 and production on 0) each get their own."""
    return f"lh:{{{event_id}}}:fanout:{db}"


def redis_db(url: str) -> int:
    path = urlparse(url).path.strip("/")
    return int(path) if path.isdigit() else 0


# A process that has not reported its presence counts for this long is gone.
PRESENCE_STALE_AFTER = 10.0


def new_epoch() -> str:
    return secrets.token_hex(4)


@dataclass
class Replay:
    """What a reconnecting client missed: (stream, seq, frame) in the order they were published."""

    epoch: str
    seqs: dict[str, int]
    frames: list[tuple[str, int, str]] = field(default_factory=list)

    def add(self, logged: list[tuple[int, str, int, str]]) -> None:
        """Take the missed frames of all streams, each with its event-wide publish number.

        One change often comes on several streams (a question's public copy, its author's copy)
        and later changes on one of them only (the flushed vote totals). Replayed stream after
        stream, an older copy would come after the newer state and undo it on the client; in
        publish order, the client goes through the very states it would have seen live.
        """
        logged.sort(key=lambda entry: entry[0])  # stable: each stream stays in seq order
        self.frames.extend(entry[1:] for entry in logged)


class Marker(Protocol):
    """A coalescer (livehub.realtime.coalesce), marked with a publish."""

    def mark(self, event_id: int, key: str) -> None: ...

    def mark_on(self, pipe: Any, event_id: int, key: str) -> None: ...

    def marked(self, event_id: int, key: str, outcome: Any) -> None: ...


# What a publish marks first: a coalescer and the key of what changed.
Mark = tuple[Marker, str]


class Subscriber(Protocol):
    """What the broker hands published events to: one process's fan-out on one event loop."""

    loop: asyncio.AbstractEventLoop

    def dispatch(self, event_id: int, stream: str, seq: int, frame: str) -> None: ...

    def resync_event(self, event_id: int) -> None:
        """Events of `event_id` may have been published while it could not hear them."""


class MemoryBroker:
    """One process: the log lives in memory and a new process starts a new epoch."""

    shared = False  # no other process can publish or strand anything

    def __init__(self, *, log_length: int) -> None:
        self.epoch = new_epoch()
        self._log_length = log_length
        self._lock = threading.Lock()
        self._seqs: dict[tuple[int, str], int] = {}
        self._logs: dict[tuple[int, str], deque[tuple[int, str]]] = {}
        self._published: dict[int, int] = {}  # per event: the publish number of its last frame
        self._subscribers: list[Subscriber] = []

    def publish(
        self,
        *,
        event_id: int,
        stream: str,
        type: str,
        data_text: str,
        inflight: str | None = None,
        mark: Mark | None = None,
    ) -> int:
        if mark is not None:
            mark[0].mark(event_id, mark[1])
        head, tail = event_frame_parts(type=type, stream=stream, data_text=data_text)
        key = (event_id, stream)
        with self._lock:
            seq = self._seqs.get(key, 0) + 1
            self._seqs[key] = seq
            number = self._published[event_id] = self._published.get(event_id, 0) + 1
            frame = f"{head}{seq}{tail}"
            self._logs.setdefault(key, deque(maxlen=self._log_length)).append((number, frame))
            # Queued under the lock: each loop runs the deliveries in seq order.
            for subscriber in self._subscribers:
                with contextlib.suppress(RuntimeError):  # that loop has closed
                    subscriber.loop.call_soon_threadsafe(subscriber.dispatch, event_id, stream, seq, frame)
        return seq

    async def position(self, event_id: int, streams: tuple[str, ...]) -> tuple[str, dict[str, int]]:
        with self._lock:
            return self.epoch, {stream: self._seqs.get((event_id, stream), 0) for stream in streams}

    async def replay(
        self, event_id: int, streams: tuple[str, ...], since: dict[str, int], epoch: str | None
    ) -> Replay | None:
        if epoch is not None and epoch != self.epoch:
            return None
        replay = Replay(epoch=self.epoch, seqs={})
        logged: list[tuple[int, str, int, str]] = []
        with self._lock:
            for stream in streams:
                current = self._seqs.get((event_id, stream), 0)
                after = since.get(stream, 0)
                missed = current - after
                kept = self._logs.get((event_id, stream), ())
                if missed < 0 or missed > len(kept):
                    return None
                replay.seqs[stream] = current
                first = len(kept) - missed
                for i in range(missed):
                    number, frame = kept[first + i]
                    logged.append((number, stream, after + 1 + i, frame))
        replay.add(logged)
        return replay

    async def attach(self, subscriber: Subscriber) -> None:
        with self._lock:
            self._subscribers.append(subscriber)

    async def detach(self, subscriber: Subscriber) -> None:
        with self._lock:
            if subscriber in self._subscribers:
                self._subscribers.remove(subscriber)

    def follow(self, subscriber: Subscriber, event_id: int) -> asyncio.Future:
        """One process hears every event: nothing to subscribe to."""
        ready = subscriber.loop.create_future()
        ready.set_result(None)
        return ready

    def unfollow(self, subscriber: Subscriber, event_id: int) -> None:
        """See `follow`."""

    async def presence(self, event_id: int, process_id: str, local: dict[str, Any]) -> dict[str, Any]:
        return dict(local)

    def heal(self, event_id: int) -> None:
        """In memory a publish cannot fail half-way: nothing to heal."""

    def forget(self, event_id: int) -> None:
        """Drop an event's replay logs (they quote names and texts); `seq` goes on, so a client
        asking for anything from before gets a snapshot instead."""
        with self._lock:
            for key in [key for key in self._logs if key[0] == event_id]:
                del self._logs[key]


PUBLISH_SCRIPT = """
redis.call('HSETNX', KEYS[1], 'epoch', ARGV[6])
local seq = redis.call('HINCRBY', KEYS[1], 'seq:' .. ARGV[8], 1)
local number = redis.call('HINCRBY', KEYS[1], 'published', 1)
local frame = ARGV[1] .. seq .. ARGV[2]
redis.call('RPUSH', KEYS[2], number .. '\\n' .. frame)
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[3]), -1)
redis.call('EXPIRE', KEYS[1], ARGV[7])
redis.call('EXPIRE', KEYS[2], ARGV[7])
redis.call('SPUBLISH', ARGV[4], ARGV[5] .. seq .. '\\n' .. frame)
return seq
"""

POSITION_SCRIPT = """
redis.call('HSETNX', KEYS[1], 'epoch', ARGV[1])
local out = {redis.call('HGET', KEYS[1], 'epoch')}
for i = 2, #ARGV do
  table.insert(out, tonumber(redis.call('HGET', KEYS[1], 'seq:' .. ARGV[i]) or '0'))
end
return out
"""

REPLAY_SCRIPT = """
redis.call('HSETNX', KEYS[1], 'epoch', ARGV[1])
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if ARGV[2] ~= '' and ARGV[2] ~= epoch then return {epoch, 0} end
local out = {epoch, 1}
for i = 2, #KEYS do
  local after = tonumber(ARGV[2 * i])
  local current = tonumber(redis.call('HGET', KEYS[1], 'seq:' .. ARGV[2 * i - 1]) or '0')
  if after > current then return {epoch, 0} end
  local missed = current - after
  local frames = {}
  if missed > 0 then
    if missed > redis.call('LLEN', KEYS[i]) then return {epoch, 0} end
    frames = redis.call('LRANGE', KEYS[i], -missed, -1)
  end
  table.insert(out, current)
  table.insert(out, frames)
end
return out
"""


# A new epoch for the event, then a word to the processes that follow it: "resync its sockets".
HEAL_SCRIPT = """
redis.call('HSET', KEYS[1], 'epoch', ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call('SPUBLISH', ARGV[3], ARGV[4])
return 1
"""

# The stream name of the control message that makes every process resync an event's sockets.
RESYNC_STREAM = "*"


def presence_sum(reports: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The processes' counts added up, by mode and, where any socket follows a room, by room."""
    totals: dict[str, Any] = {"room": 0, "online": 0}
    rooms: dict[str, dict[str, int]] = {}
    for report in reports:
        for mode in ("room", "online"):
            totals[mode] += int(report.get(mode, 0))
        for slug, counts in (report.get("rooms") or {}).items():
            summed = rooms.setdefault(slug, {"room": 0, "online": 0})
            for mode in ("room", "online"):
                summed[mode] += int(counts.get(mode, 0))
    if rooms:
        totals["rooms"] = dict(sorted(rooms.items()))
    return totals


def state_key(event_id: int) -> str:
    return f"lh:{{{event_id}}}:state"


def log_key(event_id: int, stream: str) -> str:
    return f"lh:{{{event_id}}}:log:{stream}"


def presence_key(event_id: int) -> str:
    return f"lh:{{{event_id}}}:presence"


class RedisBroker:
    """Many processes on one Redis: the truth of `seq` and the log is in Redis."""

    shared = True

    def __init__(self, *, url: str, log_length: int) -> None:
        self.url = url
        self.cluster = lhredis.is_cluster(url)
        self._db = 0 if self.cluster else redis_db(url)
        self._log_length = log_length
        self._sync = lhredis.sync_client(url)
        self._publish = self._sync.register_script(PUBLISH_SCRIPT)
        self._clients: dict[asyncio.AbstractEventLoop, object] = {}
        self._fanouts: dict[Subscriber, Fanout] = {}

    def channel(self, event_id: int) -> str:
        return event_channel(event_id, self._db)

    def _aclient(self):
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            client = self._clients[loop] = lhredis.async_client(self.url)
        return client

    def publish(
        self,
        *,
        event_id: int,
        stream: str,
        type: str,
        data_text: str,
        inflight: str | None = None,
        mark: Mark | None = None,
    ) -> int:
        head, tail = event_frame_parts(type=type, stream=stream, data_text=data_text)
        keys = [state_key(event_id), log_key(event_id, stream)]
        channel = event_channel(event_id, self._db)
        args = [head, tail, self._log_length, channel, f"{event_id}\n{stream}\n", new_epoch(), STATE_TTL, stream]
        if inflight is None and mark is None:
            return int(self._publish(keys=keys, args=args))
        # One round trip: the mark, the publish, then its announcement crossed off. By their sha:
        # a script registered on a pipeline costs a SCRIPT EXISTS round trip on every execute.
        # A plain EVALSHA: a cluster's pipeline refuses `evalsha()` but routes the command by its keys.
        pipe = self._sync.pipeline(transaction=False)
        if mark is not None:
            mark[0].mark_on(pipe, event_id, mark[1])
        pipe.execute_command("EVALSHA", self._publish.sha, len(keys), *keys, *args)
        if inflight is not None:
            pipe.zrem(INFLIGHT_KEY, inflight)
        outcomes = pipe.execute(raise_on_error=False)
        if mark is not None:
            mark[0].marked(event_id, mark[1], outcomes.pop(0))
        seq = outcomes[0]
        if isinstance(seq, NoScriptError):  # Redis restarted without its scripts: load it again
            seq = self._publish(keys=keys, args=args)
        if isinstance(seq, Exception):
            raise seq  # the caller heals the event
        return int(seq)

    async def position(self, event_id: int, streams: tuple[str, ...]) -> tuple[str, dict[str, int]]:
        result = await self._aclient().eval(POSITION_SCRIPT, 1, state_key(event_id), new_epoch(), *streams)
        epoch = result[0].decode()
        return epoch, {stream: int(seq) for stream, seq in zip(streams, result[1:], strict=True)}

    async def replay(
        self, event_id: int, streams: tuple[str, ...], since: dict[str, int], epoch: str | None
    ) -> Replay | None:
        keys = [state_key(event_id), *(log_key(event_id, stream) for stream in streams)]
        args: list[object] = [new_epoch(), epoch or ""]
        for stream in streams:
            args += [stream, since.get(stream, 0)]
        result = await self._aclient().eval(REPLAY_SCRIPT, len(keys), *keys, *args)
        if result[1] == 0:
            return None
        replay = Replay(epoch=result[0].decode(), seqs={})
        logged: list[tuple[int, str, int, str]] = []
        for index, stream in enumerate(streams):
            current, entries = int(result[2 + 2 * index]), result[3 + 2 * index]
            replay.seqs[stream] = current
            first = current - len(entries) + 1
            for i, entry in enumerate(entries):
                number, _, frame = entry.decode().partition("\n")
                if not frame:  # logged by a release before publish numbers: older than any numbered
                    number, frame = "0", number
                logged.append((int(number), stream, first + i, frame))
        replay.add(logged)
        return replay

    async def attach(self, subscriber: Subscriber) -> None:
        """Get ready to subscribe `subscriber` to events (`follow`); on a cluster, learn its slot map."""
        cluster = None
        if self.cluster:
            cluster = self._aclient()
            await cluster.initialize()
        self._fanouts[subscriber] = Fanout(url=self.url, subscriber=subscriber, channel=self.channel, cluster=cluster)

    async def detach(self, subscriber: Subscriber) -> None:
        fanout = self._fanouts.pop(subscriber, None)
        if fanout is not None:
            await fanout.stop()
        client = self._clients.pop(subscriber.loop, None)
        if client is not None:
            await client.aclose()

    def follow(self, subscriber: Subscriber, event_id: int) -> asyncio.Future:
        """Subscribe `subscriber` to the event's channel; done once Redis has confirmed it."""
        return self._fanouts[subscriber].follow(event_id)

    def unfollow(self, subscriber: Subscriber, event_id: int) -> None:
        fanout = self._fanouts.get(subscriber)
        if fanout is not None:
            fanout.unfollow(event_id)

    async def presence(self, event_id: int, process_id: str, local: dict[str, Any]) -> dict[str, Any]:
        """Report this process's counts and return the sum over the live processes."""
        key = presence_key(event_id)
        now = time.time()
        client = self._aclient()
        async with client.pipeline(transaction=False) as pipe:
            pipe.hset(key, process_id, json.dumps({**local, "at": now}))
            pipe.expire(key, STATE_TTL)
            pipe.hgetall(key)
            _, _, reports = await pipe.execute()
        parsed = {process: json.loads(raw) for process, raw in reports.items()}
        stale = [process for process, report in parsed.items() if now - report.get("at", 0) > PRESENCE_STALE_AFTER]
        if stale:
            await client.hdel(key, *stale)
        return presence_sum(report for process, report in parsed.items() if process not in stale)

    def heal(self, event_id: int) -> None:
        """An event of `event_id` was committed but never published: nobody may replay past the
        hole, so the epoch changes (a reconnect with the old one gets a snapshot) and every
        process closes the event's sockets with "reconnect"."""
        message = f"{event_id}\n{RESYNC_STREAM}\n0\n"
        lhredis.sync_client(self.url).eval(
            HEAL_SCRIPT, 1, state_key(event_id), new_epoch(), STATE_TTL, self.channel(event_id), message
        )

    def forget(self, event_id: int) -> None:
        """Drop an event's replay logs (they quote names and texts); the state key stays, so
        `seq` goes on and a client asking for anything from before gets a snapshot."""
        client = lhredis.sync_client(self.url)
        keys = list(client.scan_iter(match=log_key(event_id, "*"), count=500))
        if keys:
            client.delete(*keys)


@cache
def _broker(url: str, log_length: int) -> MemoryBroker | RedisBroker:
    if url:
        return RedisBroker(url=url, log_length=log_length)
    return MemoryBroker(log_length=log_length)


def get_broker() -> MemoryBroker | RedisBroker:
    return _broker(settings.REDIS_URL, settings.LIVEHUB_REALTIME["REPLAY_LOG_LENGTH"])
