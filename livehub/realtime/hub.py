"""Per-process fan-out: the prepared text of each event goes straight to the local sockets.

No channel-layer hop and no handler per consumer: the broker hands each published event to
the hub once, and the hub appends the same string to the outbox of every local socket that
subscribes to its stream. Slow readers are bounded by their own outbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import threading
import uuid
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, Coroutine, Generator
from datetime import timedelta
from typing import Any
from weakref import WeakKeyDictionary

from django.conf import settings

from .broker import RESYNC_STREAM, get_broker
from .coalesce import Coalescer
from .dbwork import db_work
from .dispatch import receipts_purge
from .protocol import Close, presence_frame
from .publish import sweep_orphaned_publishes

log = logging.getLogger(__name__)

SendText = Callable[[str], Coroutine[Any, Any, None]]
CloseSocket = Callable[[int], Awaitable[None]]


class _Finish:
    """Awaiting this finishes a send coroutine that was started outside a task and had to wait.

    It forwards the future the coroutine is blocked on to the awaiting task, exactly as
    `await coroutine` would have, and resumes the coroutine when the task is woken.
    """

    __slots__ = ("_blocked_on", "_coroutine")

    def __init__(self, coroutine: Coroutine[Any, Any, None], blocked_on: Any) -> None:
        self._coroutine = coroutine
        self._blocked_on = blocked_on

    def close(self) -> None:
        self._coroutine.close()

    def __await__(self) -> Generator[Any, Any, None]:
        coroutine, blocked_on = self._coroutine, self._blocked_on
        while True:
            try:
                value = yield blocked_on
            except GeneratorExit:
                coroutine.close()
                raise
            except BaseException as error:  # noqa: BLE001 - cancellation goes to the send, like `await` does
                try:
                    blocked_on = coroutine.throw(error)
                except StopIteration:
                    return
                continue
            try:
                blocked_on = coroutine.send(value)
            except StopIteration:
                return


class Connection:
    """One socket's view of the streams: `seq` bookkeeping, buffering while it syncs, outbox.

    A frame for an idle socket is written at once, in the step that dispatches the event: a
    send that needs no waiting (the usual case) costs no task switch. A send that must wait
    (the client reads slowly: flow control) is finished by the socket's writer task, and
    frames that come meanwhile wait in the bounded outbox.
    """

    def __init__(
        self,
        *,
        event_id: int,
        streams: tuple[str, ...],
        send_text: SendText,
        close: CloseSocket,
        participant_id: uuid.UUID | None = None,
        mode: str | None = None,
        queue_limit: int | None = None,
    ) -> None:
        self.event_id = event_id
        self.streams = streams
        self.participant_id = participant_id
        self.mode = mode
        self.seqs: dict[str, int] = {}
        self.closed = False
        self._send_text = send_text
        self._close = close
        self._queue_limit = queue_limit or settings.LIVEHUB_REALTIME["SEND_QUEUE_LIMIT"]
        # Events that arrive while the snapshot or replay is being prepared wait here.
        self._pending: list[tuple[str, int, str]] | None = []
        self._outbox: deque[str] = deque()
        self._close_code: int | None = None
        # True while the writer task owns the socket (a send is under way or queued).
        self._busy = False
        self._unfinished: _Finish | None = None
        self._idle: asyncio.Future[None] | None = None
        self._writer = asyncio.create_task(self._write(), name="livehub-socket-writer")

    @property
    def live(self) -> bool:
        """Caught up (snapshot or replay sent): from now on it gets every frame."""
        return self._pending is None and not self.closed

    def offer(self, stream: str, seq: int, frame: str) -> None:
        """A published event of one of this socket's streams."""
        if self.closed:
            return
        if self._pending is not None:
            self._pending.append((stream, seq, frame))
            return
        self._deliver(stream, seq, frame)

    def go_live(self, seqs: dict[str, int]) -> None:
        """The client holds everything up to `seqs`: send what came in meanwhile, then live."""
        self.seqs = dict(seqs)
        pending, self._pending = self._pending or [], None
        for stream, seq, frame in pending:
            self._deliver(stream, seq, frame)

    def _deliver(self, stream: str, seq: int, frame: str) -> None:
        last = self.seqs.get(stream, 0)
        if seq <= last:
            return  # already part of the snapshot or the replay
        if seq != last + 1:
            # An event never reached this process: the client replays from the log.
            log.info("stream %s jumped from %s to %s; asking the client to resync", stream, last, seq)
            self.close(Close.RECONNECT)
            return
        self.seqs[stream] = seq
        self.push(frame)

    def push(self, text: str) -> None:
        """Send a frame to this socket (replies, events, presence), in order."""
        if self.closed:
            return
        if not self._busy:
            self._send_now(text)
            return
        if len(self._outbox) >= self._queue_limit:
            # It stopped reading; dropping frames would corrupt its state, so it reconnects.
            self.close(Close.RECONNECT)
            return
        self._outbox.append(text)

    def _send_now(self, text: str) -> None:
        sending = self._send_text(text)
        try:
            blocked_on = sending.send(None)
        except StopIteration:
            return  # written: nothing to wait for
        except Exception:  # noqa: BLE001 - the peer went away mid-send; the reader sees it
            self.closed = True
            return
        self._unfinished = _Finish(sending, blocked_on)
        self._wake()

    def _wake(self) -> None:
        self._busy = True
        if self._idle is not None and not self._idle.done():
            self._idle.set_result(None)

    def close(self, code: int) -> None:
        if self.closed:
            return
        self.closed = True
        self._outbox.clear()
        self._close_code = code
        self._wake()

    async def _write(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while True:
                if self._unfinished is None and not self._outbox and self._close_code is None:
                    self._busy = False
                    self._idle = loop.create_future()
                    await self._idle
                    self._idle = None
                if self._unfinished is not None:
                    unfinished, self._unfinished = self._unfinished, None
                    await unfinished
                while self._outbox:
                    await self._send_text(self._outbox.popleft())
                if self._close_code is not None:
                    await self._close(self._close_code)
                    return
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - the peer went away mid-send; the reader sees it
            self.closed = True

    async def stop(self) -> None:
        self.closed = True
        self._writer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._writer
        if self._unfinished is not None:
            self._unfinished.close()  # never handed to the writer: no "never awaited" warning
            self._unfinished = None


class Hub:
    """The sockets of one process (one event loop), indexed by event and stream."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.broker = get_broker()
        self.process_id = f"{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self._by_stream: dict[tuple[int, str], set[Connection]] = defaultdict(set)
        self._by_event: dict[int, set[Connection]] = defaultdict(set)
        self._presence: dict[int, dict[str, int]] = {}
        self._presence_dirty: set[int] = set()
        self._presence_task: asyncio.Task | None = None
        # Stopping: sockets that still connect here are sent on at once.
        self.draining = False
        self._receipts_purged_at: float | None = None

    async def start(self) -> None:
        await self.broker.attach(self)
        self._presence_task = asyncio.create_task(self._presence_loop(), name="livehub-presence")
        if settings.LIVEHUB_REALTIME["CLOSE_ON_SIGNAL"]:
            _close_on_signal(self)

    def shutdown(self) -> None:
        """The process is stopping: every client reconnects elsewhere and replays."""
        self.draining = True
        self.resync_all()

    async def stop(self) -> None:
        if self._presence_task is not None:
            self._presence_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._presence_task
        await self.broker.detach(self)

    def attach(self, connection: Connection) -> None:
        for stream in connection.streams:
            self._by_stream[(connection.event_id, stream)].add(connection)
        self._by_event[connection.event_id].add(connection)
        if connection.mode:
            self._presence_dirty.add(connection.event_id)

    def detach(self, connection: Connection) -> None:
        for stream in connection.streams:
            subscribers = self._by_stream.get((connection.event_id, stream))
            if subscribers is not None:
                subscribers.discard(connection)
                if not subscribers:
                    del self._by_stream[(connection.event_id, stream)]
        self._by_event[connection.event_id].discard(connection)
        if connection.mode:
            self._presence_dirty.add(connection.event_id)

    def dispatch(self, event_id: int, stream: str, seq: int, frame: str) -> None:
        if stream == RESYNC_STREAM:
            self.resync_event(event_id)
            return
        subscribers = self._by_stream.get((event_id, stream))
        if not subscribers:
            return
        if stream.startswith("p:") and frame.startswith('{"type":"participant.updated"'):
            self._participant_changed(subscribers, frame)
        for connection in tuple(subscribers):
            connection.offer(stream, seq, frame)

    def _participant_changed(self, connections: set[Connection], frame: str) -> None:
        mode = json.loads(frame)["data"].get("mode")
        for connection in connections:
            if connection.mode and mode and connection.mode != mode:
                connection.mode = mode
                self._presence_dirty.add(connection.event_id)

    def resync_event(self, event_id: int) -> None:
        """An event of this one was lost on the way (see `Broker.heal`): its clients resync."""
        for connection in tuple(self._by_event.get(event_id, ())):
            connection.close(Close.RECONNECT)

    def resync_all(self) -> None:
        """Events may have been lost on the way here: every client replays from the log."""
        for event_id in tuple(self._by_event):
            self.resync_event(event_id)

    def local_presence(self, event_id: int) -> dict[str, int]:
        """Distinct participants connected to this process, by mode."""
        modes: dict[str, set[Any]] = {"room": set(), "online": set()}
        for connection in self._by_event.get(event_id, ()):
            if connection.mode in modes:
                modes[connection.mode].add(connection.participant_id)
        return {mode: len(ids) for mode, ids in modes.items()}

    def presence(self, event_id: int) -> dict[str, int]:
        """The last known counts across all processes (this process's own until the first tick)."""
        return dict(self._presence.get(event_id) or self.local_presence(event_id))

    async def _presence_loop(self) -> None:
        interval = settings.LIVEHUB_REALTIME["PRESENCE_INTERVAL"]
        while True:
            await asyncio.sleep(interval)
            try:
                await self.presence_tick()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - presence is best effort; try next tick
                log.warning("presence update failed: %s", error.__class__.__name__)

    async def presence_tick(self) -> None:
        """At most one presence update per event per interval, only when the counts moved."""
        # Events with sockets here report every tick (it keeps our report fresh for the others).
        events = {event_id for event_id, conns in self._by_event.items() if conns} | self._presence_dirty
        self._presence_dirty = set()
        for event_id in events:
            totals = await self.broker.presence(event_id, self.process_id, self.local_presence(event_id))
            if totals != self._presence.get(event_id):
                self._presence[event_id] = totals
                frame = presence_frame(totals)
                for connection in tuple(self._by_event.get(event_id, ())):
                    if connection.live:  # the snapshot comes first; it carries the counts
                        connection.push(frame)
            if not self._by_event.get(event_id):
                self._by_event.pop(event_id, None)
        if self.broker.shared:
            await asyncio.to_thread(_sweep, events)
        await self._purge_receipts()

    async def _purge_receipts(self) -> None:
        # Every few minutes per process; several processes deleting the same old rows is harmless.
        now = self.loop.time()
        if self._receipts_purged_at is not None and now - self._receipts_purged_at < RECEIPT_PURGE_EVERY:
            return
        self._receipts_purged_at = now
        older_than = timedelta(hours=settings.LIVEHUB_REALTIME["RECEIPT_HOURS"])
        try:
            await db_work(receipts_purge)(older_than=older_than)
        except Exception as error:  # noqa: BLE001 - the database is away: purge next time
            log.warning("purging command receipts failed (%s)", error.__class__.__name__)


RECEIPT_PURGE_EVERY = 600.0


def _sweep(events: set[int]) -> None:
    """What a dead process left undone is finished by whoever notices first: publishes it never
    made (publish.py) and counters it never flushed (coalesce.py)."""
    try:
        sweep_orphaned_publishes()
    except Exception as error:  # noqa: BLE001 - Redis away: the next tick sweeps again
        log.warning("sweeping orphaned publishes failed (%s)", error.__class__.__name__)
        return
    for coalescer in Coalescer.registry:
        for event_id in events:
            try:
                coalescer.sweep(event_id)
            except Exception as error:  # noqa: BLE001 - Redis away: the next tick sweeps again
                log.warning("sweeping %s of event %s failed (%s)", coalescer.name, event_id, error.__class__.__name__)
                return


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
