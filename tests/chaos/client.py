"""A client that does what the real ones do when things fail: reconnect (to the other process
when one is gone), replay from its positions, detect gaps by `seq`, and resend every command
not yet acknowledged with the same `ref` until it gets a final answer."""

import asyncio
import contextlib
import itertools
import json
import random
import time
from typing import Any
from urllib.parse import urlencode

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from tests.helpers import apply_event, check_frame

# Errors that mean "not done, try again with the same ref"; every other reply is final.
RETRY = {"unavailable", "internal", "rate_limited"}


class Client:
    _numbers = itertools.count(1)

    def __init__(self, *, urls: list[str], token: str | None = None, key: str | None = None, start: int = 0) -> None:
        self.urls = urls
        self.credentials = {"token": token} if token else {"key": key}
        self.index = start
        self.name = f"c{next(self._numbers)}"
        self.state: dict[str, Any] | None = None
        self.seqs: dict[str, int] = {}
        self.epoch: str | None = None
        self.pending: dict[str, dict[str, Any]] = {}  # ref -> frame, sent or not
        self.replies: dict[str, dict[str, Any]] = {}
        self.waiters: dict[str, asyncio.Future] = {}
        self.ready = asyncio.Event()
        self.changed_at = 0.0  # when the state last changed (monotonic)
        self.socket = None
        self.stopping = False
        self.stats = {"connects": 0, "snapshots": 0, "replays": 0, "gaps": 0, "retries": 0, "closes": {}}
        self._refs = itertools.count(1)
        self._task: asyncio.Task | None = None
        self._sends: set[asyncio.Task] = set()

    # --- connection ------------------------------------------------------------------------------

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        self.stopping = True
        if self.socket is not None:
            with contextlib.suppress(Exception):
                await self.socket.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def _url(self) -> str:
        query = dict(self.credentials)
        if self.state is not None:
            query["since"] = ",".join(f"{stream}:{seq}" for stream, seq in self.seqs.items())
            query["epoch"] = self.epoch
        return f"{self.urls[self.index % len(self.urls)]}?{urlencode(query)}"

    async def _run(self) -> None:
        delay = 0.05
        while not self.stopping:
            try:
                async with connect(self._url(), open_timeout=5, close_timeout=1, max_size=None) as socket:
                    self.socket = socket
                    self.stats["connects"] += 1
                    await self._serve(socket)
                code = socket.close_code
            except (OSError, InvalidHandshake, InvalidStatus, ConnectionClosed, TimeoutError) as error:
                code = getattr(getattr(error, "rcvd", None), "code", None)
            finally:
                self.ready.clear()
                self.socket = None
            if self.stopping:
                return
            self.stats["closes"][code] = self.stats["closes"].get(code, 0) + 1
            if code != 4000:
                # The process is gone or failing: a load balancer would send us to the other one.
                self.index += 1
                await asyncio.sleep(delay * (1 + random.random()))
                delay = min(delay * 2, 1.0)
            else:
                delay = 0.05

    async def _serve(self, socket) -> None:
        async for text in socket:
            frame = json.loads(text)
            check_frame(frame)  # fails the client, and the test at its `stop()`
            kind = frame["type"]
            if kind == "snapshot":
                self.state, self.seqs, self.epoch = frame["data"], dict(frame["seqs"]), frame["epoch"]
                self.stats["snapshots"] += 1
                self.changed_at = time.monotonic()
                await self._caught_up(socket)
            elif kind == "synced":
                self.seqs, self.epoch = dict(frame["seqs"]), frame["epoch"]
                self.stats["replays"] += 1
                await self._caught_up(socket)
            elif kind in {"ok", "error"}:
                self._answered(frame)
            elif "stream" in frame and "seq" in frame:
                stream, seq = frame["stream"], frame["seq"]
                last = self.seqs.get(stream, 0)
                if seq <= last:
                    continue
                if seq != last + 1:
                    # Something was missed on the way: reconnect and replay from what we hold.
                    self.stats["gaps"] += 1
                    await socket.close(4000)
                    return
                apply_event(self.state, frame)
                self.seqs[stream] = seq
                self.changed_at = time.monotonic()
            elif kind == "presence":
                self.state["presence"] = frame["data"]

    async def _caught_up(self, socket) -> None:
        self.ready.set()
        for frame in list(self.pending.values()):
            await socket.send(json.dumps(frame))

    def _answered(self, frame: dict[str, Any]) -> None:
        ref = frame.get("ref")
        if ref not in self.pending:
            return  # the answer to a resend that already got one
        if frame["type"] == "error" and frame["error"]["code"] in RETRY:
            self.stats["retries"] += 1
            wait = frame["error"].get("retry_after") or 0.3
            asyncio.get_running_loop().call_later(wait, self._resend, ref)
            return
        del self.pending[ref]
        self.replies[ref] = frame
        waiter = self.waiters.pop(ref, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(frame)

    def _resend(self, ref: str) -> None:
        if ref in self.pending and self.socket is not None and self.ready.is_set():
            task = asyncio.ensure_future(self._send(self.pending[ref]))
            self._sends.add(task)
            task.add_done_callback(self._sends.discard)

    async def _send(self, frame: dict[str, Any]) -> None:
        with contextlib.suppress(ConnectionClosed, AttributeError):
            await self.socket.send(json.dumps(frame))

    # --- commands --------------------------------------------------------------------------------

    async def command(self, type: str, data: dict[str, Any], timeout: float = 60) -> dict[str, Any]:
        """Send until a final answer arrives (resent on every reconnect); returns the reply frame."""
        ref = f"{self.name}-{next(self._refs)}"
        frame = {"type": type, "ref": ref, "data": data}
        self.pending[ref] = frame
        waiter = self.waiters[ref] = asyncio.get_running_loop().create_future()
        if self.ready.is_set():
            await self._send(frame)
        async with asyncio.timeout(timeout):
            return await waiter


def comparable(data: dict[str, Any]) -> dict[str, Any]:
    """A state with what legitimately differs between two correct copies taken away: presence
    moves all the time, each snapshot reads the server's clock, and lists of things with ids are
    compared as sets."""
    data = json.loads(json.dumps(data))
    data.pop("presence", None)
    data.pop("server_time", None)
    for key, value in data.items():
        if isinstance(value, list) and all(isinstance(item, dict) and "id" in item for item in value):
            data[key] = sorted(value, key=lambda item: item["id"])
    return data


def describe(key: str, held: Any, fresh: Any) -> str:
    """Where two copies of one part of the state differ, briefly (for the failure message)."""
    if held == fresh:
        return ""
    if isinstance(held, list) and isinstance(fresh, list):
        by_id = {item["id"]: item for item in held}
        for item in fresh:
            mine = by_id.get(item["id"])
            if mine != item:
                mine = mine or {}
                fields = sorted(
                    f"{name}: {mine.get(name)!r} != {item[name]!r}" for name in item if mine.get(name) != item[name]
                )
                return f"{key}[{item['id']}] {fields[:3]}"
        return f"{key}: {len(held)} held, {len(fresh)} fresh"
    if isinstance(held, dict) and isinstance(fresh, dict):
        for name in sorted(fresh.keys() | held.keys()):
            if held.get(name) != fresh.get(name):
                return f"{key}.{name}: {json.dumps(held.get(name))[:200]} != {json.dumps(fresh.get(name))[:200]}"
    return f"{key}: {json.dumps(held)[:200]} != {json.dumps(fresh)[:200]}"


async def fresh_snapshot(url: str, credentials: dict[str, str]) -> dict[str, Any]:
    """A new socket's snapshot; a socket told to reconnect (a heal in progress) tries again."""
    for _attempt in range(20):
        try:
            async with connect(f"{url}?{urlencode(credentials)}", open_timeout=5) as socket:
                while True:
                    frame = json.loads(await socket.recv())
                    if frame["type"] == "snapshot":
                        return frame["data"]
        except (OSError, ConnectionClosed, InvalidHandshake, TimeoutError):
            await asyncio.sleep(0.2)
    raise AssertionError(f"no snapshot from {url}")


# How long clients may take to match a fresh snapshot: a guard against hanging, not a target (the
# time they took is recorded and reported in docs/reliability.md; a busy machine takes longer).
CONVERGE_WITHIN = 60.0


async def converged(clients: list[Client], url: str, since: float, deadline: float) -> tuple[float, list[str]]:
    """Check every client's state against a fresh snapshot of its own (the database no longer
    changes, so a later snapshot is as good as one taken at once), retrying until `deadline`.

    Returns how long after `since` the last client reached its final state (its last change),
    and, for the clients still different at the deadline, what differs.
    """
    different: list[str] = []
    gate = asyncio.Semaphore(25)

    async def check(client: Client) -> None:
        async with gate:
            while True:
                fresh = comparable(await fresh_snapshot(url, client.credentials))
                held = comparable(client.state or {})
                if held == fresh:
                    return
                if time.monotonic() > deadline:
                    parts = [describe(key, held.get(key), fresh.get(key)) for key in sorted(fresh.keys() | held.keys())]
                    different.append(f"{client.name}: {[part for part in parts if part]}")
                    return
                await asyncio.sleep(0.2)

    await asyncio.gather(*(check(client) for client in clients))
    return max(0.0, max(client.changed_at for client in clients) - since), different
