"""Property-based fuzzing of the socket (hypothesis, seeded): at least 10,000 generated frames from
an attendee, a speaker and the projector. Every frame gets exactly one reply, never `internal`,
no socket is dropped, the server logs no error, and nothing changes that the sender may not change.
"""

import asyncio
import json
import logging
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import override_settings
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from audit.models import ModerationAction
from livehub.realtime.models import CommandReceipt
from livehub.realtime.registry import COMMANDS
from polls.models import Option, Poll, Response
from qa.models import Question, Vote
from sessions.models import Event, Participant, Session
from tests.helpers import Socket

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(600)]

EXAMPLES, FRAMES_PER_EXAMPLE = 250, 42  # 10,500 frames
ROLES = ("attendee", "speaker", "screen")
# Placeholders the frames carry; each becomes the id of that thing in the fuzzed congress.
TARGETS = ["$session", "$ended_session", "$public", "$pending", "$poll", "$option", "$text_poll", "$answer",
           "$other_session", "$other_question", "$other_poll", "$other_option"]  # fmt: skip
FIELDS = ["session", "question", "poll", "text", "up", "action", "status", "name", "mode", "options", "value",
          "into", "visible", "on_screen", "auto_approve", "response", "kind", "prompt", "anonymous", "approve",
          "id"]  # fmt: skip
WORDS = ["approve", "reject", "highlight", "unhighlight", "answer", "archive", "restore", "live", "ended", "room",
         "online", "single", "stance", "text", "before", "after"]  # fmt: skip
EDGY_TEXT = ["", " ", "\u0000", "\u202eevil", "\u200b\u200b\u200b", "e\u0301" * 300, "🧬" * 70,
             "<script>alert(1)</script>", "' OR 1=1 --", "{{7*7}}", "\\ud800", "x" * 600]  # fmt: skip

# NUL is refused at the frame (bad_request); hypothesis loves it, so it comes from EDGY_TEXT only.
chars = st.characters(exclude_characters="\x00")
json_leaf = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(chars, max_size=20)
any_json = st.recursive(
    json_leaf,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(chars, max_size=8), inner, max_size=4),
    max_leaves=12,
)
values = (
    st.sampled_from(TARGETS)
    | st.integers(min_value=-3, max_value=2**64)
    | st.booleans()
    | st.none()
    | st.sampled_from(WORDS)
    | st.sampled_from(EDGY_TEXT)
    | st.text(chars, max_size=80)
    | st.lists(st.sampled_from(TARGETS) | st.integers(min_value=-1, max_value=10**6), max_size=5)
    | any_json
)
commands = st.sampled_from(sorted(COMMANDS)) | st.sampled_from(["ok", "snapshot", "question.updated", "", "__class__"])
envelopes = st.fixed_dictionaries(
    {"type": commands, "data": st.dictionaries(st.sampled_from(FIELDS), values, max_size=4)},
    optional={
        "ref": st.text(min_size=1, max_size=10)
        | st.sampled_from(["ben-vote", "ben-ask", "mod-approve"])
        | st.integers(),
        "seq": st.integers(),
        "stream": st.sampled_from(["public", "moderators", "speakers"]),
    },
).map(json.dumps)

ID_FIELDS = {"session", "question", "poll", "into", "response", "options", "stance_pair"}


def shaped(type: str) -> st.SearchStrategy[str]:
    """A command with its own schema's field names and fuzzed values: these reach the services."""
    ids = st.sampled_from(TARGETS) | st.lists(st.sampled_from(TARGETS), min_size=1, max_size=3) | values
    fields = {name: ids if name in ID_FIELDS else values for name in COMMANDS[type].schema.model_fields}
    refs = st.none() | st.text(chars, min_size=1, max_size=6) | st.sampled_from(["ben-vote", "ben-ask", "mod-approve"])
    return st.tuples(refs, st.fixed_dictionaries({}, optional=fields)).map(
        lambda pair: json.dumps({"type": type, "ref": pair[0], "data": pair[1]})
    )


# The commands an attendee or a speaker may send, weighted up: the others stop at `forbidden`.
OPEN_COMMANDS = ["question.ask", "question.vote", "poll.respond", "participant.update", "question.moderate"]
shaped_commands = st.sampled_from(sorted(COMMANDS) + OPEN_COMMANDS * 4).flatmap(shaped)
frames = st.tuples(
    st.sampled_from(["attendee", "attendee", "attendee", "speaker", "screen"]),
    # Mostly command-shaped frames (they reach the handlers), some arbitrary JSON and text.
    st.integers(0, 9).flatmap(
        lambda n: (
            shaped_commands
            if n < 5
            else envelopes
            if n < 8
            else any_json.map(json.dumps)
            if n == 8
            else st.text(chars, max_size=60)
        )
    ),
)


def resolve(text: str, w: SimpleNamespace, more: dict[str, int] | None = None) -> str:
    """The frame with each placeholder replaced by the id it stands for (`more`: a test's own)."""
    ids = {target: getattr(w, target[1:]) for target in TARGETS} | (more or {})
    for target, pk in ids.items():
        text = text.replace(f'"{target}"', str(pk))
    return text


async def answered(socket: Socket, text: str, replies: dict[str, int]) -> None:
    """Send a fuzzed frame; its one reply must be clear (never `internal` nor `unavailable`)."""
    await socket.communicator.send_input({"type": "websocket.receive", "text": text})
    reply = await socket.take(lambda frame: frame["type"] in {"ok", "error"}, timeout=10)
    code = reply["error"]["code"] if reply["type"] == "error" else "ok"
    replies[code] = replies.get(code, 0) + 1
    assert code not in {"internal", "unavailable"}, (text, reply)


def state() -> dict[str, Any]:
    return {
        "events": list(Event.objects.values_list()),
        "sessions": sorted(Session.objects.values_list()),
        "polls": sorted(Poll.objects.values_list()),
        "options": sorted(Option.objects.values_list()),
        "participants": {
            p: tuple(rest) for p, *rest in Participant.objects.values_list("pk", "name", "mode", "token_hash")
        },
        "questions": {
            q: tuple(rest)
            for q, *rest in Question.objects.values_list(
                "pk", "author_id", "author_name", "text", "original_text", "session_id", "state", "highlighted"
            )
        },
        "votes": set(Vote.objects.values_list("question_id", "participant_id")),
        "responses": {
            (poll, who): tuple(rest)
            for poll, who, *rest in Response.objects.values_list(
                "poll_id", "participant_id", "options", "value", "text"
            )
        },
        "audit": set(ModerationAction.objects.values_list("pk", "actor", "action")),
        "receipts": set(CommandReceipt.objects.values_list("actor", "ref", "type")),
    }


def check_only_allowed_changes(before: dict, after: dict, w: SimpleNamespace) -> None:
    """The attendee may change itself, ask, vote and answer; the speaker may highlight and answer."""
    me = w.attendee.pk
    for table in ("events", "sessions", "polls", "options"):
        assert after[table] == before[table], f"{table} changed"
    assert after["participants"].keys() == before["participants"].keys()
    changed = {p for p in before["participants"] if before["participants"][p] != after["participants"][p]}
    assert changed <= {me}, "another participant changed"
    for pk, (author, author_name, text, original, session, state_, _highlighted) in after["questions"].items():
        if pk not in before["questions"]:
            assert author == me and state_ in {"pending", "approved"}, "a question appeared that is not the attendee's"
            continue
        old = before["questions"][pk]
        assert (author, author_name, text, original, session) == old[:5], f"question {pk} was rewritten"
        assert (old[5], state_) in {(old[5], old[5]), ("approved", "answered")}, f"question {pk}: {old[5]} → {state_}"
    assert {who for _, who in before["votes"] ^ after["votes"]} <= {me}, "someone else's vote moved"
    moved = {key for key in before["responses"].keys() | after["responses"].keys()
             if before["responses"].get(key) != after["responses"].get(key)}  # fmt: skip
    assert {who for _, who in moved} <= {me}, "someone else's answer changed"
    for _, actor, action in after["audit"] - before["audit"]:
        assert actor == "speaker link" and action in {"highlight", "unhighlight", "answer"}, (actor, action)
    for actor, _, _ in after["receipts"] - before["receipts"]:
        assert actor == f"p:{me}" or actor.startswith(f"k:{w.event.pk}:speaker:"), actor


class ErrorLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_fuzzed_frames_change_nothing_they_may_not(world, loop):
    def run(coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result(60)

    errors = ErrorLog()
    logging.getLogger().addHandler(errors)
    sent: list[int] = []
    replies: dict[str, int] = {}
    with override_settings(LIVEHUB_REALTIME={**_limits(), "COMMANDS_PER_SECOND": 10**6}):
        sockets = {
            "attendee": run(Socket.open(token=world.attendee.token)),
            "speaker": run(Socket.open(key=world.speaker_key)),
            "screen": run(Socket.open(key=world.screen_key)),
        }

    async def send_batch(batch: list[tuple[str, str]]) -> None:
        for role, text in batch:
            await answered(sockets[role], resolve(text, world), replies)
        for socket in sockets.values():
            socket.frames.clear()  # pushed events and presence: not what this test looks at

    @seed(20221121)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(batch=st.lists(frames, min_size=FRAMES_PER_EXAMPLE, max_size=FRAMES_PER_EXAMPLE))
    def fuzz(batch: list[tuple[str, str]]) -> None:
        before = state()
        run(send_batch(batch))
        check_only_allowed_changes(before, state(), world)
        assert not errors.records, [record.getMessage() for record in errors.records]
        assert all(socket.close_code is None for socket in sockets.values()), "a socket was dropped"
        sent.append(len(batch))

    try:
        fuzz()
    finally:
        logging.getLogger().removeHandler(errors)
        for socket in sockets.values():
            run(socket.close())
    print(f"fuzzed frames: {sum(sent)}; replies by code: {dict(sorted(replies.items()))}")
    assert sum(sent) >= 10_000
    assert replies.get("ok", 0) > 0 and replies.get("invalid", 0) > 0, "the fuzzer must reach the commands themselves"


def _limits() -> dict[str, Any]:
    from django.conf import settings as django_settings

    return dict(django_settings.LIVEHUB_REALTIME)
