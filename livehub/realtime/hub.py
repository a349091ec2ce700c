"""Per-process fan-out: the prepared text of each event goes straight to the local sockets.

No channel-layer hop and no handler per consumer: the broker hands each published event to
the hub once, and the hub appends the same string to the outbox of every local socket that
subscribes to its stream. Slow readers are bounded by their own outbox. The hub follows (is
subscribed to) exactly the events it has sockets of: from the first socket's arrival to the
last one's departure.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import threading
import time
import uuid
from collections import defaultdict
from typing import Any
from weakref import WeakKeyDictionary

from django.conf import settings
from redis.exceptions import TimeoutError as RedisTimeout

from livehub.metrics import EVENT_FRAMES, FANOUT_SECONDS, PRESENCE_FRAMES

from . import redis as lhredis
from .audience import audience_register
from .broker import RESYNC_STREAM, get_broker
from .connection import Connection
from .housekeeping import Housekeeping
from .protocol import Close, presence_frame
from .wire import encode_text


class Hub:
    """The sockets of one process (one event loop), indexed by event and stream."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.broker = get_broker()
        self.process_id = f"{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self._by_stream: dict[tuple[int, str], set[Connection]] = defaultdict(set)
        self._by_event: dict[int, set[Connection]] = defaultdict(set)
        # The events followed, each with its subscription's confirmation (see `subscribed`).
        self._following: dict[int, asyncio.Future] = {}
        self._presence: dict[int, dict[str, Any]] = {}
        self._presence_dirty: set[int] = set()
        # Stopping: sockets that still connect here are sent on at once.
        self.draining = False
        self.housekeeping = Housekeeping(self)
        audience_register(self)

    async def start(self) -> None:
        await self.broker.attach(self)
        self.housekeeping.start()
        if settings.LIVEHUB_REALTIME["CLOSE_ON_SIGNAL"]:
            _close_on_signal(self)

    def shutdown(self) -> None:
        """The process is stopping: every client reconnects elsewhere and replays."""
        self.draining = True
        self.resync_all()

    async def stop(self) -> None:
        await self.housekeeping.stop()
        await self.broker.detach(self)

    def attach(self, connection: Connection) -> None:
        """Route the event's frames to `connection` (held back until it goes live); its event is
        followed from now on: await `subscribed` before reading a position to catch up from."""
        event_id = connection.event_id
        for stream in connection.streams:
            self._by_stream[(event_id, stream)].add(connection)
        self._by_event[event_id].add(connection)
        if event_id not in self._following:
            self._following[event_id] = self.broker.follow(self, event_id)
        if connection.mode:
            self._presence_dirty.add(event_id)

    async def subscribed(self, event_id: int) -> None:
        """Return once every frame of the event published from now on reaches this hub.

        Raises redis's TimeoutError when Redis does not confirm in time (the client retries)."""
        following = self._following[event_id]
        if following.done():
            return
        try:
            # Shielded: the sockets joining at once share one subscription.
            await asyncio.wait_for(asyncio.shield(following), lhredis.COMMAND_TIMEOUT)
        except TimeoutError:
            raise RedisTimeout(f"no subscription to event {event_id} within {lhredis.COMMAND_TIMEOUT} s") from None

    def detach(self, connection: Connection) -> None:
        for stream in connection.streams:
            subscribers = self._by_stream.get((connection.event_id, stream))
            if subscribers is not None:
                subscribers.discard(connection)
                if not subscribers:
                    del self._by_stream[(connection.event_id, stream)]
        sockets = self._by_event[connection.event_id]
        sockets.discard(connection)
        if not sockets and self._following.pop(connection.event_id, None) is not None:
            self.broker.unfollow(self, connection.event_id)
        if connection.mode:
            self._presence_dirty.add(connection.event_id)

    def sockets_of(self, event_id: int) -> int:
        sockets = self._by_event.get(event_id)
        return len(sockets) if sockets is not None else 0

    def dispatch(self, event_id: int, stream: str, seq: int, frame: str) -> None:
        if stream == RESYNC_STREAM:
            self.resync_event(event_id)
            return
        subscribers = self._by_stream.get((event_id, stream))
        if not subscribers:
            return
        started = time.perf_counter()
        if stream.startswith("p:") and frame.startswith('{"type":"participant.updated"'):
            self._participant_changed(subscribers, frame)
        targets = tuple(subscribers)
        wire = encode_text(frame)  # the same bytes for every socket
        for connection in targets:
            connection.offer(stream, seq, frame, wire)
        # Once per event, not per socket: the fan-out loop stays as cheap as it was.
        EVENT_FRAMES.inc(len(targets))
        FANOUT_SECONDS.observe(time.perf_counter() - started)

    def _participant_changed(self, connections: set[Connection], frame: str) -> None:
        mode = json.loads(frame)["data"].get("mode")
        for connection in connections:
            if connection.mode and mode and connection.mode != mode:
                connection.mode = mode
                self._presence_dirty.add(connection.event_id)

    def resync_event(self, event_id: int) -> None:
        """An event of this one was lost on the way (see `RedisBroker.heal`): its clients resync."""
        for connection in tuple(self._by_event.get(event_id, ())):
            connection.close(Close.RECONNECT)

    def resync_all(self) -> None:
        """Events may have been lost on the way here: every client replays from the log."""
        for event_id in tuple(self._by_event):
            self.resync_event(event_id)

    def local_presence(self, event_id: int) -> dict[str, Any]:
        """Distinct participants connected to this process, by mode; and `rooms`: by the room
        they follow, then by mode (only when some socket follows a room)."""
        modes: dict[str, set[Any]] = {"room": set(), "online": set()}
        rooms: dict[str, dict[str, set[Any]]] = {}
        for connection in self._by_event.get(event_id, ()):
            if connection.mode in modes:
                modes[connection.mode].add(connection.participant_id)
                if connection.room:
                    by_mode = rooms.setdefault(connection.room, {"room": set(), "online": set()})
                    by_mode[connection.mode].add(connection.participant_id)
        counts: dict[str, Any] = {mode: len(ids) for mode, ids in modes.items()}
        if rooms:
            counts["rooms"] = {
                slug: {mode: len(ids) for mode, ids in by_mode.items()} for slug, by_mode in sorted(rooms.items())
            }
        return counts

    def presence(self, event_id: int) -> dict[str, Any]:
        """The last known counts across all processes (this process's own until the first tick)."""
        return dict(self._presence.get(event_id) or self.local_presence(event_id))

    def presence_due(self) -> set[int]:
        """The events whose counts to report now: those whose audience here changed, and every
        event with sockets here (it keeps this process's report fresh for the others)."""
        events = {event_id for event_id, conns in self._by_event.items() if conns} | self._presence_dirty
        self._presence_dirty = set()
        return events

    def presence_show(self, event_id: int, totals: dict[str, Any]) -> None:
        """The counts across all processes: the caught-up sockets hear of them when they moved."""
        if totals != self._presence.get(event_id):
            self._presence[event_id] = totals
            frame = presence_frame(totals)
            wire = encode_text(frame)
            sent = 0
            for connection in tuple(self._by_event.get(event_id, ())):
                if connection.live:  # the snapshot comes first; it carries the counts
                    connection.push(frame, wire)
                    sent += 1
            PRESENCE_FRAMES.inc(sent)
        if not self._by_event.get(event_id):
            self._by_event.pop(event_id, None)


def _close_on_signal(hub: Hub) -> None:
    """Wrap the server's SIGTERM/SIGINT handlers: first close our sockets with "reconnect",
    give the close frames a moment to leave, then let the server stop as it would have."""
    if threading.current_thread() is not threading.main_thread():
        return  # signal handlers can only be set from the main thread
    grace = settings.LIVEHUB_REALTIME["SHUTDOWN_GRACE"]
    for signum in (signal.SIGTERM, signal.SIGINT):
        previous = signal.getsignal(signum)
        if getattr(previous, "livehub", False):
            continue

        def handler(number, frame, previous=previous):
            hub.loop.call_soon_threadsafe(hub.shutdown)
            hub.loop.call_soon_threadsafe(hub.loop.call_later, grace, _chain, previous, number, frame)

        handler.livehub = True
        signal.signal(signum, handler)


def _chain(previous, number, frame) -> None:
    if callable(previous):
        previous(number, frame)
    elif previous == signal.SIG_DFL:
        signal.signal(number, signal.SIG_DFL)
        os.kill(os.getpid(), number)


_hubs: WeakKeyDictionary[asyncio.AbstractEventLoop, Hub] = WeakKeyDictionary()
_starting: WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Future] = WeakKeyDictionary()


async def get_hub() -> Hub:
    """This event loop's hub, subscribed to the broker before it is handed out."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is not None:
        return hub
    starting = _starting.get(loop)
    if starting is None:
        starting = _starting[loop] = loop.create_future()
        candidate = Hub(loop)
        try:
            await candidate.start()
        except BaseException as error:
            del _starting[loop]
            starting.set_exception(error)
            starting.exception()  # mark retrieved; the caller gets it raised below
            raise
        _hubs[loop] = candidate
        starting.set_result(candidate)
        del _starting[loop]
        return candidate
    return await asyncio.shield(starting)


async def stop_hub() -> None:
    """Stop this loop's hub (server shutdown, end of a test)."""
    hub = _hubs.pop(asyncio.get_running_loop(), None)
    if hub is not None:
        await hub.stop()
