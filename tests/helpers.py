"""A test client for the socket that speaks the contract: commands with refs, events by type."""

import asyncio
import json
from collections.abc import Callable
from itertools import count
from typing import Any
from urllib.parse import urlencode

from channels.db import database_sync_to_async as sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from audit.schemas import AUDIT
from livehub.asgi import application
from livehub.realtime.contract import frame_checker

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
        frame = json.loads(output["text"])
        check_frame(frame)
        return frame

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


def check_frame(frame: dict[str, Any]) -> None:
    """Every frame a test client receives must match the contract (docs/protocol.schema.json)."""
    errors = frame_checker().errors(frame)
    assert not errors, f"a {frame.get('type')!r} frame breaks the contract: {errors[:5]}\n{str(frame)[:500]}"


@sync_to_async
def session_cookie(user) -> tuple[bytes, bytes]:
    client = Client()
    client.force_login(user)
    return (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())


Reducer = Callable[[dict[str, Any], dict[str, Any], dict[str, Any]], None]  # (state, frame, data)
REDUCERS: dict[str, Reducer] = {}


def reduces(*types: str) -> Callable[[Reducer], Reducer]:
    def register(function: Reducer) -> Reducer:
        REDUCERS.update(dict.fromkeys(types, function))
        return function

    return register


@reduces("session.updated")
def _session(state, frame, data):
    state["sessions"] = [data if session["id"] == data["id"] else session for session in state["sessions"]]


@reduces("session.removed")
def _session_removed(state, frame, data):
    state["sessions"] = [session for session in state["sessions"] if session["id"] != data["id"]]
    for held in ("questions", "notes"):
        if held in state:
            state[held] = [item for item in state[held] if item["session"] != data["id"]]
    state.get("reactions", {}).pop(str(data["id"]), None)


@reduces("room.updated")
def _room(state, frame, data):
    rooms = [room for room in state["rooms"] if room["id"] != data["id"]]
    state["rooms"] = sorted([*rooms, data], key=lambda room: (room["order"], room["name"], room["id"]))


@reduces("room.removed")
def _room_removed(state, frame, data):
    state["rooms"] = [room for room in state["rooms"] if room["slug"] != data["slug"]]


@reduces("event.updated")
def _event(state, frame, data):
    state["event"] = data


@reduces("participant.updated")
def _participant(state, frame, data):
    state["you"]["participant"] = data


@reduces("presence")
def _presence(state, frame, data):
    state["presence"] = data


@reduces("question.submitted", "question.updated")
def _question(state, frame, data):
    questions = state.get("questions", [])
    held = next((question for question in questions if question["id"] == data["id"]), None)
    merged = {**(held or {}), **data}
    if held is None and state["you"]["participant"] is not None:
        merged = {"voted": False, "mine": False, **merged}
    if frame["stream"].startswith("p:"):
        merged["mine"] = True
    if held is None:
        state["questions"] = [*questions, merged]
    else:
        state["questions"] = [merged if question["id"] == data["id"] else question for question in questions]


@reduces("question.removed")
def _question_removed(state, frame, data):
    questions = state.get("questions", [])
    mine = any(question["id"] == data["id"] and question.get("mine") for question in questions)
    if state["you"]["role"] != "moderator" and not mine:
        state["questions"] = [question for question in questions if question["id"] != data["id"]]


@reduces("votes.updated")
def _votes(state, frame, data):
    for question in state.get("questions", []):
        question["votes"] = data["counts"].get(str(question["id"]), question["votes"])


@reduces("vote.updated")
def _vote(state, frame, data):
    for question in state.get("questions", []):
        if question["id"] == data["question"]:
            question["voted"] = data["voted"]


@reduces("poll.updated")
def _poll(state, frame, data):
    polls = state.setdefault("polls", [])
    held = next((poll for poll in polls if poll["id"] == data["id"]), None)
    if held is None:
        polls.append(data)
    else:
        held.update(data)
    if not data["results_visible"] and state["you"]["role"] != "moderator":
        state.get("results", {}).pop(str(data["id"]), None)


@reduces("poll.removed")
def _poll_removed(state, frame, data):
    state["polls"] = [poll for poll in state.get("polls", []) if poll["id"] != data["id"]]
    for held in ("results", "responses"):
        state.get(held, {}).pop(str(data["id"]), None)


@reduces("poll.results")
def _poll_results(state, frame, data):
    state.setdefault("results", {})[str(data["poll"])] = data


@reduces("poll.response")
def _poll_response(state, frame, data):
    state.setdefault("responses", {})[str(data["poll"])] = data


@reduces("note.posted", "note.updated")
def _note(state, frame, data):
    notes = [note for note in state.get("notes", []) if note["id"] != data["id"]]
    state["notes"] = sorted([*notes, data], key=lambda note: (note["created_at"], note["id"]))


@reduces("moderation.logged")
def _audit(state, frame, data):
    state["audit"] = [data["entry"], *state.get("audit", [])][: AUDIT.max]


@reduces("reactions.updated")
def _reactions(state, frame, data):
    state["reactions"] = {**state.get("reactions", {}), **data["sessions"]}


def apply_event(state: dict[str, Any], frame: dict[str, Any]) -> None:
    """What every client does with a pushed event (a Python copy of the frontend's `reduceLive`,
    for the verify-action tests, which check the state it leaves with `check_state`)."""
    reducer = REDUCERS.get(frame["type"])
    assert reducer is not None, f"the reducer does not know {frame['type']!r}"
    reducer(state, frame, frame["data"])


def check_state(state: dict[str, Any]) -> None:
    """A state the reducer left must be a snapshot's `data` of the contract."""
    errors = frame_checker().errors({"type": "snapshot", "epoch": "e", "seqs": {}, "seq": 0, "data": state})
    assert not errors, f"the events left a state that is no snapshot: {errors[:5]}"


async def verify_action(
    socket: Socket, command: str, data: dict[str, Any], settle: float = 0, **open_kwargs: Any
) -> dict[str, Any]:
    """Zulip's verify_action: old snapshot + the events a command emitted == a fresh snapshot.

    Returns the command's reply. `open_kwargs` open the fresh socket with the same credentials.
    """
    reply = await socket.send(command, data)
    assert reply["type"] == "ok", reply
    await asyncio.sleep(settle)  # coalesced counters are published a moment later
    await catch_up(socket, **open_kwargs)
    return reply


async def catch_up(socket: Socket, **open_kwargs: Any) -> None:
    """Apply the events a socket received since its snapshot and compare with a fresh snapshot."""
    fresh = await Socket.open(**open_kwargs)
    expected = fresh.snapshot["seqs"]
    await fresh.close()
    state, seqs = json.loads(json.dumps(socket.snapshot["data"])), dict(socket.snapshot["seqs"])
    while seqs != expected:
        frame = await socket.take(lambda frame: "seq" in frame and "stream" in frame)
        assert frame["seq"] == seqs[frame["stream"]] + 1, "events must arrive in seq order without gaps"
        seqs[frame["stream"]] = frame["seq"]
        apply_event(state, frame)
    check_state(state)
    # Presence moves with whoever connects (the fresh socket too): it is no part of the command.
    state["presence"] = fresh.snapshot["data"]["presence"]
    state["server_time"] = fresh.snapshot["data"]["server_time"]  # the clock moves on by itself
    assert state == fresh.snapshot["data"]
    socket.snapshot = {**fresh.snapshot, "data": state}
