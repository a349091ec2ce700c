"""A test client for the socket that speaks the contract: commands with refs, events by type."""

import asyncio
import json
from itertools import count
from typing import Any
from urllib.parse import urlencode

from channels.db import database_sync_to_async as sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from livehub.asgi import application

ORIGIN = (b"origin", b"http://localhost:8000")
_refs = count(1)
# How long a frame that must come may take: a loaded CI runner once took over 3 s. A passing test
# never waits it out; tests that a frame does *not* come use `nothing()` with its own wait.
WAIT = 10.0


class Socket:
    def __init__(self, communicator: WebsocketCommunicator) -> None:
        self.communicator = communicator
        self.frames: list[dict[str, Any]] = []  # received, not yet taken by a test
        self.snapshot: dict[str, Any] | None = None
        self.close_code: int | None = None

    @classmethod
    async def open(
        cls, code: str = "SFH2022", *, headers: list | None = None, expect_snapshot: bool = True, **query: Any
    ) -> "Socket":
        path = f"/ws/events/{code}/"
        if query:
            path += "?" + urlencode(query)
        communicator = WebsocketCommunicator(application, path, headers=[ORIGIN] if headers is None else headers)
        connected, close_code = await communicator.connect(timeout=WAIT)
        socket = cls(communicator)
        if not connected:
            socket.close_code = close_code
            return socket
        if expect_snapshot:
            first = await socket.next(timeout=WAIT)
            assert first["type"] in {"snapshot", "synced"} or first.get("stream"), first
            if first["type"] == "snapshot":
                socket.snapshot = first
            else:
                socket.frames.insert(0, first)
        return socket

    async def next(self, timeout: float = WAIT) -> dict[str, Any]:
        output = await self.communicator.receive_output(timeout)
        if output["type"] == "websocket.close":
            self.close_code = output.get("code")
            raise ConnectionError(f"socket closed with {self.close_code}")
        return json.loads(output["text"])

    async def pop(self, timeout: float = WAIT) -> dict[str, Any]:
        """The next frame other than presence (which comes whenever counts move)."""
        return await self.take(lambda frame: frame["type"] != "presence", timeout)

    async def take(self, predicate, timeout: float = WAIT) -> dict[str, Any]:
        for index, frame in enumerate(self.frames):
            if predicate(frame):
                return self.frames.pop(index)
        while True:
            frame = await self.next(timeout)
            if predicate(frame):
                return frame
            self.frames.append(frame)

    async def event(self, type: str, timeout: float = WAIT) -> dict[str, Any]:
        return await self.take(lambda frame: frame["type"] == type, timeout)

    async def send(self, type: str, data: dict[str, Any] | None = None, ref: str | None = None) -> dict[str, Any]:
        """Send a command and return its `ok` or `error` frame."""
        ref = ref or f"t{next(_refs)}"
        await self.communicator.send_to(text_data=json.dumps({"type": type, "ref": ref, "data": data or {}}))
        return await self.take(lambda frame: frame.get("ref") == ref and frame["type"] in {"ok", "error"})

    async def send_raw(self, text: str | None = None, bytes_data: bytes | None = None) -> dict[str, Any]:
        await self.communicator.send_to(text_data=text, bytes_data=bytes_data)
        return await self.take(lambda frame: frame["type"] in {"ok", "error"})

    async def collect(self, type: str, quiet: float = 0.5) -> list[dict[str, Any]]:
        """Every frame of `type` until none has come for `quiet` seconds (other frames are kept)."""
        found = [frame for frame in self.frames if frame["type"] == type]
        self.frames = [frame for frame in self.frames if frame["type"] != type]
        while not await self.communicator.receive_nothing(quiet):
            frame = await self.next()
            (found if frame["type"] == type else self.frames).append(frame)
        return found

    async def closed(self, timeout: float = WAIT) -> int:
        """Wait until the server closes the socket; returns the close code."""
        while self.close_code is None:
            try:
                await self.next(timeout)
            except ConnectionError:
                break
        return self.close_code

    async def nothing(self, timeout: float = 0.3, ignore: tuple[str, ...] = ("presence",)) -> None:
        """Assert that no frame (other than `ignore`d kinds) arrives within `timeout`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (left := deadline - loop.time()) > 0:
            if await self.communicator.receive_nothing(left):
                return
            frame = await self.next()
            assert frame["type"] in ignore, f"expected no frame, got {frame}"
            self.frames.append(frame)

    async def close(self) -> None:
        await self.communicator.disconnect()


@sync_to_async
def session_cookie(user) -> tuple[bytes, bytes]:
    client = Client()
    client.force_login(user)
    return (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())


def apply_event(data: dict[str, Any], frame: dict[str, Any]) -> None:
    """What every client does with a pushed event: the reducer the verify-action tests check."""
    kind, payload = frame["type"], frame.get("data")
    questions = data.get("questions", [])
    by_id = {question["id"]: question for question in questions}
    if kind == "session.updated":
        data["sessions"] = [payload if session["id"] == payload["id"] else session for session in data["sessions"]]
    elif kind == "event.updated":
        data["event"] = payload
    elif kind == "participant.updated":
        data["you"]["participant"] = payload
    elif kind == "presence":
        data["presence"] = payload
    elif kind in {"question.submitted", "question.updated"}:
        merged = {**by_id.get(payload["id"], {}), **payload}
        if payload["id"] not in by_id and data["you"]["participant"] is not None:
            merged = {"voted": False, "mine": False, **merged}
        if frame["stream"].startswith("p:"):
            merged["mine"] = True
        if payload["id"] in by_id:
            data["questions"] = [merged if q["id"] == payload["id"] else q for q in questions]
        else:
            data["questions"] = [*questions, merged]
    elif kind == "question.removed":
        keep = data["you"]["role"] == "moderator" or by_id.get(payload["id"], {}).get("mine")
        if not keep:
            data["questions"] = [q for q in questions if q["id"] != payload["id"]]
    elif kind == "votes.updated":
        for question_id, votes in payload["counts"].items():
            if int(question_id) in by_id:
                by_id[int(question_id)]["votes"] = votes
    elif kind == "vote.updated":
        if payload["question"] in by_id:
            by_id[payload["question"]]["voted"] = payload["voted"]
    elif kind == "poll.updated":
        polls = data.setdefault("polls", [])
        held = next((poll for poll in polls if poll["id"] == payload["id"]), None)
        if held is None:
            polls.append(payload)
        else:
            held.update(payload)
        if not payload["results_visible"] and data["you"]["role"] != "moderator":
            data.get("results", {}).pop(str(payload["id"]), None)
    elif kind == "poll.results":
        data.setdefault("results", {})[str(payload["poll"])] = payload
    elif kind == "poll.response":
        data.setdefault("responses", {})[str(payload["poll"])] = payload
    elif kind == "moderation.logged":
        data["audit"] = [payload["entry"], *data.get("audit", [])][:100]
    else:
        raise AssertionError(f"the reducer does not know {kind!r}")


async def verify_action(
    socket: Socket, command: str, data: dict[str, Any], settle: float = 0, **open_kwargs: Any
) -> dict[str, Any]:
    """Zulip's verify_action: old snapshot + the events a command emitted == a fresh snapshot.

    Returns the command's reply. `open_kwargs` open the fresh socket with the same credentials.
    """
    state = json.loads(json.dumps(socket.snapshot["data"]))
    seqs = dict(socket.snapshot["seqs"])
    reply = await socket.send(command, data)
    assert reply["type"] == "ok", reply
    await asyncio.sleep(settle)  # coalesced counters are published a moment later
    fresh = await Socket.open(**open_kwargs)
    expected = fresh.snapshot["seqs"]
    await fresh.close()
    while seqs != expected:
        frame = await socket.take(lambda frame: "seq" in frame and "stream" in frame)
        assert frame["seq"] == seqs[frame["stream"]] + 1, "events must arrive in seq order without gaps"
        seqs[frame["stream"]] = frame["seq"]
        apply_event(state, frame)
    state.pop("presence", None)
    fresh.snapshot["data"].pop("presence", None)
    assert state == fresh.snapshot["data"]
    socket.snapshot = {**fresh.snapshot, "data": state}
    return reply
