"""One socket's outbox: frames in `seq` order, written at once when it can, bounded when it reads slowly."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Generator
from typing import Any

from django.conf import settings

from livehub.metrics import SLOW_CLIENTS_CLOSED

from .protocol import Close
from .wire import WriteFrame, encode_text

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
        room: str | None = None,
        queue_limit: int | None = None,
        write_frame: WriteFrame | None = None,
    ) -> None:
        self.event_id = event_id
        self.streams = streams
        self.participant_id = participant_id
        self.mode = mode
        self.room = room  # the slug of the room it follows: its presence counts there too
        self.seqs: dict[str, int] = {}
        self.closed = False
        self._send_text = send_text
        self._write_frame = write_frame
        self._close = close
        self._queue_limit = queue_limit or settings.LIVEHUB_REALTIME["SEND_QUEUE_LIMIT"]
        # Events that arrive while the snapshot or replay is being prepared wait here.
        self._pending: list[tuple[str, int, str, bytes | None]] | None = []
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

    def offer(self, stream: str, seq: int, frame: str, wire: bytes | None = None) -> None:
        """A published event of one of this socket's streams (`wire`: its frame's bytes)."""
        if self.closed:
            return
        if self._pending is not None:
            self._pending.append((stream, seq, frame, wire))
            return
        self._deliver(stream, seq, frame, wire)

    def go_live(self, seqs: dict[str, int]) -> None:
        """The client holds everything up to `seqs`: send what came in meanwhile, then live."""
        self.seqs = dict(seqs)
        pending, self._pending = self._pending or [], None
        for stream, seq, frame, wire in pending:
            self._deliver(stream, seq, frame, wire)

    def _deliver(self, stream: str, seq: int, frame: str, wire: bytes | None) -> None:
        last = self.seqs.get(stream, 0)
        if seq <= last:
            return  # already part of the snapshot or the replay
        if seq != last + 1:
            # An event never reached this process: the client replays from the log.
            log.info("stream %s jumped from %s to %s; asking the client to resync", stream, last, seq)
            self.close(Close.RECONNECT)
            return
        self.seqs[stream] = seq
        self.push(frame, wire)

    def push(self, text: str, wire: bytes | None = None) -> None:
        """Send a frame to this socket (replies, events, presence), in order; `wire` is its
        encoded frame when the caller sends the same one to many sockets."""
        if self.closed:
            return
        if not self._busy:
            if self._write_frame is not None and self._write_frame(wire or encode_text(text)):
                return  # written: the usual case under Uvicorn's sans-I/O protocol
            self._send_now(text)
            return
        if len(self._outbox) >= self._queue_limit:
            # It stopped reading; dropping frames would corrupt its state, so it reconnects.
            SLOW_CLIENTS_CLOSED.inc()
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
