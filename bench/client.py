"""Sockets of the load client: many cheap attendees and one moderator, in one asyncio process.

It speaks only the public contract (the join API and the socket), so it measures a remote
deployment as well as a local one. The client shares the CPU with the server on one
machine, so it is cheap on purpose: pushed events are recognised by their prefix with one
regular expression, and only the few frames a scenario needs are parsed as JSON.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import random
import re
import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import count
from time import perf_counter
from typing import Any
from urllib.parse import urlencode, urlsplit

from websockets.client import ClientProtocol
from websockets.exceptions import WebSocketException
from websockets.frames import Opcode
from websockets.http11 import Response
from websockets.protocol import State
from websockets.uri import parse_uri

# LiveHub's pushed events start with type, stream and seq in this order (protocol.event_frame_parts).
PUSHED = re.compile(r'\{"type":"([^"]+)","stream":"([^"]+)","seq":(\d+)')
SEQS = re.compile(r'"seqs":(\{[^}]*\})')
EPOCH = re.compile(r'"epoch":"([^"]*)"')
# What a socket is sent first: a snapshot, or (resuming with `since`) the missed events then `synced`.
FIRST_PREFIXES = ('{"type":"snapshot"', '{"type":"synced"')
REPLY_PREFIXES = ('{"type":"ok"', '{"type":"error"')
_refs = count(1)


class BenchError(RuntimeError):
    """The target did not behave as the contract says (refused a join, a command failed...)."""


def ws_base(url: str) -> str:
    parts = urlsplit(url)
    scheme = {"http": "ws", "https": "wss"}.get(parts.scheme, parts.scheme)
    return f"{scheme}://{parts.netloc}"


def event_socket_url(*, base_url: str, code: str, **query: str) -> str:
    return f"{ws_base(base_url)}/ws/events/{code}/?{urlencode(query)}"


@dataclass
class JoinStats:
    """What a join run saw: every HTTP status answered, and each join's seconds until its token."""

    statuses: Counter = field(default_factory=Counter)
    seconds: list[float] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def answered(self, status: int) -> None:
        with self._lock:
            self.statuses[status] += 1

    def joined(self, seconds: float) -> None:
        with self._lock:
            self.seconds.append(seconds)


def join_participants(
    *,
    base_url: str,
    code: str,
    modes: list[str],
    workers: int = 4,
    progress: Callable[[int], None] | None = None,
    stats: JoinStats | None = None,
    patience: float = 300.0,
    path: str = "/api/events/{code}/join",
) -> list[str]:
    """POST /api/events/{code}/join once per mode; returns the tokens, in order.

    `workers` threads with a kept-alive HTTP connection each, as many phones at once. A busy
    answer (429, 503) is waited out as the real client does: for its Retry-After, plus up to as
    long again at random; a join still refused after `patience` seconds fails the run.
    """
    parts = urlsplit(base_url)
    local = threading.local()
    done = count(1)
    stats = stats if stats is not None else JoinStats()
    url_path = path.format(code=code)

    def join(mode: str) -> str:
        started = time.monotonic()
        body = json.dumps({"mode": mode})
        failures = 0
        while True:
            connection = getattr(local, "connection", None)
            if connection is None:
                factory = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
                connection = local.connection = factory(parts.netloc, timeout=30)
            try:
                connection.request("POST", url_path, body=body, headers={"Content-Type": "application/json"})
                response = connection.getresponse()
                payload = response.read()
            except (http.client.HTTPException, OSError):
                connection.close()  # a dropped keep-alive connection: reconnect and retry
                local.connection = None
                failures += 1
                if failures == 4:
                    raise
                continue
            stats.answered(response.status)
            if response.status == 201:
                break
            waited = time.monotonic() - started
            if response.status not in (429, 503) or waited > patience:
                raise BenchError(f"join refused after {waited:.0f} s: HTTP {response.status} {payload[:200]!r}")
            asked = float(response.getheader("Retry-After") or 1)
            time.sleep(asked + random.random() * min(asked, 10))
        stats.joined(time.monotonic() - started)
        if progress is not None:
            progress(next(done))
        return json.loads(payload)["token"]

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(join, modes))


class _Wire(asyncio.Protocol):
    """The TCP connection under a Client: websockets' sans-I/O protocol, driven from data_received.

    No reader task and no message queue per socket: each frame is handled in the callback
    that read it, which makes a client socket several times cheaper than a full connection.
    """

    def __init__(self, *, client: Client, protocol: ClientProtocol) -> None:
        loop = asyncio.get_running_loop()
        self.client = client
        self.protocol = protocol
        self.transport: asyncio.Transport | None = None
        self.opened: asyncio.Future[None] = loop.create_future()
        self.lost: asyncio.Future[None] = loop.create_future()
        self._fragments: list[bytes] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.protocol.send_request(self.protocol.connect())
        self.flush()

    def flush(self) -> None:
        """Write what the protocol has to send (commands, pongs, the closing handshake)."""
        chunks = self.protocol.data_to_send()
        if not chunks or self.transport is None:
            return
        if chunks[-1] == b"":  # the protocol asks to half-close: the closing handshake is done
            self.transport.write(b"".join(chunks))
            self.transport.close()
            return
        self.transport.write(b"".join(chunks))

    def data_received(self, data: bytes) -> None:
        protocol = self.protocol
        protocol.receive_data(data)
        for event in protocol.events_received():
            if isinstance(event, Response):
                if protocol.handshake_exc is not None:
                    self.opened.set_exception(protocol.handshake_exc)
                elif not self.opened.done():
                    self.opened.set_result(None)
            elif event.opcode is Opcode.TEXT or event.opcode is Opcode.CONT:
                if not event.fin:
                    self._fragments.append(event.data)
                    continue
                if self._fragments:
                    payload, self._fragments = b"".join([*self._fragments, event.data]), []
                else:
                    payload = event.data
                self.client._received(payload.decode())
            elif event.opcode is Opcode.CLOSE and self.client.close_code is None:
                self.client.close_code = protocol.close_code
        self.flush()

    def connection_lost(self, exc: Exception | None) -> None:
        self.protocol.receive_eof()
        if not self.opened.done():
            self.opened.set_exception(exc or ConnectionError("closed during the handshake"))
        self.client._lost(self.protocol.close_code or 1006)
        if not self.lost.done():
            self.lost.set_result(None)


class Client:
    """One socket. Records the `seq` of every pushed event and checks each stream's order.

    `watch` names the event types whose text the scenario needs (kept with their receipt time).
    """

    def __init__(
        self, *, url: str, watch: frozenset[str] = frozenset(), queue_watched: bool = False, record_all: bool = False
    ) -> None:
        self.url = url
        self.watch = watch
        # Every frame's text, for tests that check what a socket must never see (costly: off by default).
        self.frames: list[str] | None = [] if record_all else None
        self.snapshot: str | None = None
        self.seqs: dict[str, int] = {}
        self.start_seqs: dict[str, int] = {}
        # (public seq, receipt time) of every public event: the fan-out latency samples.
        self.public: list[tuple[int, float]] = []
        self.gaps = 0  # events missing where a later one arrived
        self.disorder = 0  # duplicates and events older than one already received
        self.watched: list[tuple[float, str]] = []
        self.close_code: int | None = None
        self.connect_seconds: float | None = None
        self.epoch: str | None = None
        self.snapshot_bytes = 0  # the size of the last snapshot received
        self.resumed_by: str | None = None  # the last resume's answer: "synced" (replayed) or "snapshot"
        self._wire: _Wire | None = None
        self._first: asyncio.Future[str] | None = None
        self._queue: asyncio.Queue[tuple[float, str]] | None = asyncio.Queue() if queue_watched else None
        self._replies: dict[str, asyncio.Future[tuple[float, dict[str, Any]]]] = {}

    async def open(self, *, wait: float = 60.0, keep_snapshot: bool = False, resume: bool = False) -> None:
        """Connect and wait for the first frame (the snapshot). `resume`: reconnect with `since`
        and `epoch` from what this client holds, as the real client does; the missed events come
        first (counted as received), then `synced`, or a snapshot when they cannot be replayed."""
        loop = asyncio.get_running_loop()
        started = perf_counter()
        url = self.url
        if resume and self.epoch is not None and self.seqs:
            since = ",".join(f"{stream}:{seq}" for stream, seq in self.seqs.items())
            url += ("&" if "?" in url else "?") + urlencode({"since": since, "epoch": self.epoch})
        uri = parse_uri(url)
        # No per-message deflate: what a fan-out server should negotiate (docs/performance.md).
        protocol = ClientProtocol(uri, max_size=2**24)
        self._first = first_frame = loop.create_future()
        self.close_code = None
        self._wire = _Wire(client=self, protocol=protocol)
        tls = ssl.create_default_context() if uri.secure else None
        try:
            async with asyncio.timeout(wait):
                await loop.create_connection(lambda: self._wire, uri.host, uri.port, ssl=tls)
                await self._wire.opened
                first = await first_frame
        finally:
            self._first = None  # a connection lost after giving up must not fail a future nobody awaits
        self.connect_seconds = perf_counter() - started
        seqs = SEQS.search(first, 0, 400)
        if seqs is None:
            raise BenchError(f"expected a snapshot, got {first[:200]}")
        epoch = EPOCH.search(first, 0, 400)
        self.epoch = epoch.group(1) if epoch else None
        positions = {stream: int(seq) for stream, seq in json.loads(seqs.group(1)).items()}
        if first.startswith('{"type":"synced"'):
            self.resumed_by = "synced"
            for stream, seq in positions.items():
                if self.seqs.get(stream, 0) < seq:  # announced but not replayed: lost
                    self.gaps += seq - self.seqs.get(stream, 0)
                    self.seqs[stream] = seq
            return
        self.snapshot_bytes = len(first.encode())
        if resume:
            self.resumed_by = "snapshot"
        self.seqs = positions
        if not resume:
            self.start_seqs = dict(self.seqs)
        if keep_snapshot:
            self.snapshot = first

    def _received(self, text: str) -> None:
        now = perf_counter()
        if self.frames is not None:
            self.frames.append(text)
        match = PUSHED.match(text)
        if self._first is not None and (match is None or text.startswith(FIRST_PREFIXES)):
            first, self._first = self._first, None
            if not first.done():
                first.set_result(text)
            return
        if match is None:
            if text.startswith(REPLY_PREFIXES):
                self._reply(now, text)
            return  # presence, synced
        kind, stream, seq = match.group(1), match.group(2), int(match.group(3))
        seqs = self.seqs
        last = seqs.get(stream, 0)
        if seq != last + 1:
            if seq <= last:
                self.disorder += 1
                return
            self.gaps += seq - last - 1
        seqs[stream] = seq
        if stream == "public":
            self.public.append((seq, now))
        if kind in self.watch:
            self.watched.append((now, text))
            if self._queue is not None:
                self._queue.put_nowait((now, text))

    def _lost(self, code: int) -> None:
        if self.close_code is None:
            self.close_code = code
        if self._first is not None and not self._first.done():
            self._first.set_exception(ConnectionError(f"closed with {code} before the first frame"))
        for future in self._replies.values():
            if not future.done():
                future.set_exception(BenchError(f"socket closed ({code}) before the reply"))

    def _reply(self, now: float, text: str) -> None:
        frame = json.loads(text)
        future = self._replies.pop(frame.get("ref") or "", None)
        if future is not None and not future.done():
            future.set_result((now, frame))

    def send(self, text: str) -> None:
        assert self._wire is not None
        self._wire.protocol.send_text(text.encode())
        self._wire.flush()

    async def command(self, type: str, data: dict[str, Any], *, wait: float = 30.0) -> tuple[float, dict[str, Any]]:
        """Send a command; returns (seconds until its reply, the reply frame)."""
        ref = f"b{next(_refs)}"
        future: asyncio.Future[tuple[float, dict[str, Any]]] = asyncio.get_running_loop().create_future()
        sent = perf_counter()
        self.send(json.dumps({"type": type, "ref": ref, "data": data}))  # raises on a closed socket
        self._replies[ref] = future  # (the reply comes in a later turn of the loop)
        received, frame = await asyncio.wait_for(future, wait)
        return received - sent, frame

    async def ok(self, type: str, data: dict[str, Any]) -> dict[str, Any]:
        """A command that must succeed; its reply's data."""
        _elapsed, frame = await self.command(type, data)
        if frame["type"] != "ok":
            raise BenchError(f"{type} refused: {frame.get('error')}")
        return frame["data"]

    async def next_watched(self, predicate: Callable[[dict[str, Any]], bool], *, wait: float = 30.0) -> dict:
        """The next watched event (parsed) that satisfies `predicate` (needs queue_watched)."""
        assert self._queue is not None
        async with asyncio.timeout(wait):
            while True:
                _now, text = await self._queue.get()
                frame = json.loads(text)
                if predicate(frame):
                    return frame

    async def closed(self) -> int:
        """Wait until the server (or the network) closes this socket; its close code."""
        assert self._wire is not None
        await asyncio.shield(self._wire.lost)
        return self.close_code or 1006

    async def close(self) -> None:
        """The closing handshake (at most 2 s), then the TCP connection."""
        wire = self._wire
        if wire is None or wire.transport is None:
            return
        if wire.protocol.state is State.OPEN:
            wire.protocol.send_close(1000)
            wire.flush()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(2):
                await asyncio.shield(wire.lost)
        wire.transport.close()


async def open_all(
    clients: list[Client], *, concurrency: int = 20, attempts: int = 3, progress: Callable[[int], None] | None = None
) -> list[BaseException | None]:
    """Open the sockets for a scenario, a few handshakes at a time; returns each one's last failure.

    This is setup, not the connect storm: a refused handshake is retried (the connect scenario
    is the one that counts refusals).
    """
    gate = asyncio.Semaphore(concurrency)
    opened = count(1)

    async def one(client: Client) -> BaseException | None:
        failure: BaseException | None = None
        for attempt in range(attempts):
            async with gate:
                try:
                    await client.open()
                except (OSError, TimeoutError, WebSocketException, BenchError) as error:
                    failure = error
                else:
                    failure = None
                    break
            await asyncio.sleep(0.5 * (attempt + 1))
        if progress is not None:
            progress(next(opened))
        return failure

    return await asyncio.gather(*(one(client) for client in clients))
