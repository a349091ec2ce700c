"""A catalogue of hostile frames over the real socket.

Each kind gets the error code the contract gives it, the socket stays open and usable (every
error frame keeps the connection up), and not one row of the database changes.
"""

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from channels.db import database_sync_to_async

from tests.helpers import Socket
from tests.security.conftest import db_state

# A plain django_db mark: the module's committed `world` is shared by all cases (see its fixture).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("hub_stopped")]


def cmd(type: str, data: dict | None = None, *, ref: str | None = "h1", **envelope) -> str:
    frame = {"type": type, "data": data if data is not None else {}, **envelope}
    if ref is not None:
        frame["ref"] = ref
    return json.dumps(frame)


def raw(text: str) -> Callable[[SimpleNamespace], str]:
    return lambda w: text


@dataclass(frozen=True)
class Case:
    name: str
    role: str  # attendee | moderator | speaker | screen
    frame: Callable[[SimpleNamespace], str | bytes]
    code: str


def nested(depth: int) -> str:
    return '{"type": "participant.update", "ref": "deep", "data": ' + '{"a": ' * depth + "1" + "}" * depth + "}"


CASES = [
    # Not a command at all.
    Case("not_json", "attendee", raw("{nope"), "bad_request"),
    Case("truncated_json", "attendee", raw('{"type": "question.ask", "data": {"session": 1'), "bad_request"),
    Case("json_array", "attendee", raw('[{"type": "question.ask"}]'), "bad_request"),
    Case("json_string", "attendee", raw('"question.ask"'), "bad_request"),
    Case("json_number", "attendee", raw("42"), "bad_request"),
    Case("json_null", "attendee", raw("null"), "bad_request"),
    Case("empty_text", "attendee", raw(""), "bad_request"),
    Case("whitespace_only", "attendee", raw(" \n\t "), "bad_request"),
    Case("binary_frame", "attendee", lambda w: b'{"type": "question.ask"}', "bad_request"),
    Case("raw_control_char_in_string", "attendee", raw('{"type": "participant.update\x01"}'), "bad_request"),
    Case("bom_prefixed", "attendee", raw('\ufeff{"type": "participant.update"}'), "bad_request"),
    Case(
        "digits_past_int_limit",
        "attendee",
        lambda w: cmd("question.vote")[:-1] + ', "x": ' + "9" * 5000 + "}",
        "bad_request",
    ),
    # The envelope.
    Case("missing_type", "attendee", raw('{"ref": "r1", "data": {}}'), "bad_request"),
    Case("empty_type", "attendee", lambda w: cmd(""), "bad_request"),
    Case("type_is_number", "attendee", raw('{"type": 7}'), "bad_request"),
    Case("type_is_null", "attendee", raw('{"type": null}'), "bad_request"),
    Case("type_is_list", "attendee", raw('{"type": ["question.ask"]}'), "bad_request"),
    Case("ref_too_long", "attendee", lambda w: cmd("participant.update", ref="x" * 65), "invalid"),
    Case("ref_empty", "attendee", lambda w: cmd("participant.update", ref=""), "invalid"),
    Case("ref_is_number", "attendee", raw('{"type": "participant.update", "ref": 12}'), "invalid"),
    Case("ref_is_object", "attendee", raw('{"type": "participant.update", "ref": {"$ne": null}}'), "invalid"),
    Case("data_is_list", "attendee", raw('{"type": "participant.update", "data": [1]}'), "invalid"),
    Case("data_is_string", "attendee", raw('{"type": "participant.update", "data": "name=Ana"}'), "invalid"),
    Case("data_is_null", "attendee", raw('{"type": "participant.update", "data": null}'), "invalid"),
    Case(
        "duplicate_keys_last_wins",
        "attendee",
        lambda w: (
            '{"type": "participant.update", "type": "session.set_status", '
            f'"data": {{"session": {w.session}, "status": "live"}}}}'
        ),
        "forbidden",
    ),
    # Size and depth.
    Case("over_64_kib", "attendee", lambda w: cmd("participant.update", {"name": "x" * 70_000}), "too_large"),
    Case(
        "over_64_kib_in_utf8_bytes",
        "attendee",
        lambda w: json.dumps({"type": "participant.update", "data": {"name": "é" * 40_000}}, ensure_ascii=False),
        "too_large",
    ),
    Case("nested_20000_deep", "attendee", raw("[" * 20_000 + "]" * 20_000), "bad_request"),
    Case("nested_objects_5000_deep", "attendee", lambda w: nested(5000), "bad_request"),
    Case("nested_objects_200_deep_in_data", "attendee", lambda w: nested(200), "invalid"),
    Case(
        "huge_list_in_data",
        "attendee",
        lambda w: cmd("poll.respond", {"poll": w.poll, "options": [w.option] * 5000}),
        "invalid",
    ),
    Case(
        "many_unknown_keys",
        "attendee",
        lambda w: cmd("participant.update", {f"k{i}": i for i in range(3000)}),
        "invalid",
    ),
    # Wrong types (the schemas are strict).
    Case(
        "id_as_string", "attendee", lambda w: cmd("question.vote", {"question": str(w.public), "up": True}), "invalid"
    ),
    Case(
        "id_as_float", "attendee", lambda w: cmd("question.vote", {"question": float(w.public), "up": True}), "invalid"
    ),
    Case("id_as_bool", "attendee", lambda w: cmd("question.vote", {"question": True, "up": True}), "invalid"),
    Case("id_zero", "attendee", lambda w: cmd("question.vote", {"question": 0, "up": True}), "invalid"),
    Case("id_negative", "attendee", lambda w: cmd("question.vote", {"question": -w.public, "up": True}), "invalid"),
    Case("id_past_bigint", "attendee", lambda w: cmd("question.vote", {"question": 2**70, "up": True}), "not_found"),
    Case("id_nan", "attendee", raw('{"type": "question.vote", "data": {"question": NaN, "up": true}}'), "invalid"),
    Case(
        "id_infinity",
        "attendee",
        raw('{"type": "question.vote", "data": {"question": Infinity, "up": true}}'),
        "invalid",
    ),
    Case("bool_as_string", "attendee", lambda w: cmd("question.vote", {"question": w.public, "up": "true"}), "invalid"),
    Case("mode_not_in_enum", "attendee", lambda w: cmd("participant.update", {"mode": "backstage"}), "invalid"),
    Case(
        "status_upper_case",
        "moderator",
        lambda w: cmd("session.set_status", {"session": w.session, "status": "LIVE"}),
        "invalid",
    ),
    Case(
        "unknown_field", "attendee", lambda w: cmd("participant.update", {"mode": "room", "is_staff": True}), "invalid"
    ),
    Case(
        "text_too_long",
        "attendee",
        lambda w: cmd("question.ask", {"session": w.session, "text": "why " * 130}),
        "invalid",
    ),
    Case("text_blank", "attendee", lambda w: cmd("question.ask", {"session": w.session, "text": "   \n  "}), "invalid"),
    Case(
        "respond_two_kinds",
        "attendee",
        lambda w: cmd("poll.respond", {"poll": w.poll, "options": [w.option], "value": 3}),
        "invalid",
    ),
    # Commands that do not exist, and frames only the server sends.
    Case("unknown_command", "attendee", lambda w: cmd("question.teleport"), "unknown_type"),
    Case("dunder_command", "attendee", lambda w: cmd("__class__"), "unknown_type"),
    Case("python_path_command", "attendee", lambda w: cmd("sessions.services.audience_purge"), "unknown_type"),
    Case("forged_ok_frame", "attendee", lambda w: cmd("ok", {"question": w.public}), "unknown_type"),
    Case(
        "forged_snapshot",
        "attendee",
        lambda w: cmd("snapshot", {"you": {"role": "moderator"}}, epoch="x", seq=1),
        "unknown_type",
    ),
    Case(
        "forged_event_with_seq",
        "attendee",
        lambda w: cmd("question.updated", {"id": w.pending, "state": "approved"}, stream="public", seq=999),
        "unknown_type",
    ),
    Case("forged_synced", "attendee", lambda w: cmd("synced", seqs={"moderators": 0}), "unknown_type"),
    Case(
        "seq_and_stream_on_a_command",
        "attendee",
        lambda w: cmd("question.vote", {"question": w.pending, "up": True}, stream="moderators", seq=1),
        "conflict",
    ),
    Case(
        "role_in_envelope",
        "attendee",
        lambda w: cmd("session.set_status", {"session": w.session, "status": "live"}, role="moderator"),
        "forbidden",
    ),
    # Moderator commands from attendees, speakers and the projector.
    Case(
        "attendee_sets_status",
        "attendee",
        lambda w: cmd("session.set_status", {"session": w.session, "status": "live"}),
        "forbidden",
    ),
    Case(
        "attendee_sets_current", "attendee", lambda w: cmd("session.set_current", {"session": w.session}), "forbidden"
    ),
    Case(
        "attendee_approves",
        "attendee",
        lambda w: cmd("question.moderate", {"question": w.pending, "action": "approve"}),
        "forbidden",
    ),
    Case(
        "attendee_edits",
        "attendee",
        lambda w: cmd("question.edit", {"question": w.public, "text": "Rewritten by me"}),
        "forbidden",
    ),
    Case(
        "attendee_merges",
        "attendee",
        lambda w: cmd("question.merge", {"question": w.pending, "into": w.public}),
        "forbidden",
    ),
    Case(
        "attendee_auto_approves", "attendee", lambda w: cmd("event.set_moderation", {"auto_approve": True}), "forbidden"
    ),
    Case(
        "attendee_creates_poll",
        "attendee",
        lambda w: cmd("poll.create", {"kind": "single", "prompt": "Mine?", "options": ["a", "b"]}),
        "forbidden",
    ),
    Case("attendee_closes_poll", "attendee", lambda w: cmd("poll.close", {"poll": w.poll}), "forbidden"),
    Case(
        "attendee_shows_results",
        "attendee",
        lambda w: cmd("poll.results_visible", {"poll": w.poll, "visible": True}),
        "forbidden",
    ),
    Case(
        "attendee_moderates_answer",
        "attendee",
        lambda w: cmd("poll.moderate_answer", {"response": w.answer, "approve": True}),
        "forbidden",
    ),
    Case(
        "speaker_approves",
        "speaker",
        lambda w: cmd("question.moderate", {"question": w.pending, "action": "approve"}),
        "forbidden",
    ),
    Case(
        "speaker_archives",
        "speaker",
        lambda w: cmd("question.moderate", {"question": w.public, "action": "archive"}),
        "forbidden",
    ),
    Case(
        "speaker_sets_status",
        "speaker",
        lambda w: cmd("session.set_status", {"session": w.session, "status": "live"}),
        "forbidden",
    ),
    Case(
        "speaker_edits",
        "speaker",
        lambda w: cmd("question.edit", {"question": w.public, "text": "Speaker's version"}),
        "forbidden",
    ),
    Case(
        "speaker_asks",
        "speaker",
        lambda w: cmd("question.ask", {"session": w.session, "text": "Planted question?"}),
        "forbidden",
    ),
    Case("speaker_opens_poll", "speaker", lambda w: cmd("poll.close", {"poll": w.poll}), "forbidden"),
    Case(
        "screen_highlights",
        "screen",
        lambda w: cmd("question.moderate", {"question": w.public, "action": "highlight"}),
        "forbidden",
    ),
    Case("screen_votes", "screen", lambda w: cmd("question.vote", {"question": w.public, "up": True}), "forbidden"),
    Case(
        "moderator_without_token_votes",
        "moderator",
        lambda w: cmd("question.vote", {"question": w.public, "up": True}),
        "forbidden",
    ),
    Case(
        "moderator_without_token_responds",
        "moderator",
        lambda w: cmd("poll.respond", {"poll": w.poll, "options": [w.option]}),
        "forbidden",
    ),
    # Other participants' things, other events' things.
    Case(
        "vote_on_someone_elses_pending",
        "attendee",
        lambda w: cmd("question.vote", {"question": w.pending, "up": True}),
        "conflict",
    ),
    Case(
        "update_someone_elses_participant",
        "attendee",
        lambda w: cmd("participant.update", {"id": str(w.ben.pk), "name": "Hijacked"}),
        "invalid",
    ),
    Case(
        "respond_as_someone_else",
        "attendee",
        lambda w: cmd("poll.respond", {"poll": w.poll, "options": [w.option], "participant": str(w.ben.pk)}),
        "invalid",
    ),
    Case(
        "vote_in_another_event",
        "attendee",
        lambda w: cmd("question.vote", {"question": w.other_question, "up": True}),
        "not_found",
    ),
    Case(
        "ask_in_another_events_session",
        "attendee",
        lambda w: cmd("question.ask", {"session": w.other_session, "text": "Cross-posted?"}),
        "not_found",
    ),
    Case(
        "respond_in_another_event",
        "attendee",
        lambda w: cmd("poll.respond", {"poll": w.other_poll, "options": [w.other_option]}),
        "not_found",
    ),
    Case(
        "respond_with_another_polls_option",
        "attendee",
        lambda w: cmd("poll.respond", {"poll": w.poll, "options": [w.other_option]}),
        "invalid",
    ),
    Case(
        "ask_in_an_ended_session",
        "attendee",
        lambda w: cmd("question.ask", {"session": w.ended_session, "text": "Too late?"}),
        "conflict",
    ),
    Case(
        "moderate_in_another_event",
        "moderator",
        lambda w: cmd("question.moderate", {"question": w.other_question, "action": "approve"}),
        "not_found",
    ),
    Case(
        "set_status_in_another_event",
        "moderator",
        lambda w: cmd("session.set_status", {"session": w.other_session, "status": "live"}),
        "not_found",
    ),
    Case("close_poll_of_another_event", "moderator", lambda w: cmd("poll.close", {"poll": w.other_poll}), "not_found"),
    Case(
        "merge_into_another_event",
        "moderator",
        lambda w: cmd("question.merge", {"question": w.pending, "into": w.other_question}),
        "not_found",
    ),
    Case(
        "poll_in_another_events_session",
        "moderator",
        lambda w: cmd(
            "poll.create", {"kind": "single", "prompt": "Cross?", "options": ["a", "b"], "session": w.other_session}
        ),
        "not_found",
    ),
    Case(
        "moderate_answer_of_another_event",
        "moderator",
        lambda w: cmd("poll.moderate_answer", {"response": 10**9, "approve": True}),
        "not_found",
    ),
    # Refs other senders already used: they are that sender's, not a way to borrow their reply.
    Case(
        "replay_another_participants_vote_ref",
        "attendee",
        lambda w: cmd("question.vote", {"question": w.pending, "up": True}, ref="ben-vote"),
        "conflict",
    ),
    Case(
        "replay_another_participants_ask_ref",
        "attendee",
        lambda w: cmd("question.ask", {"session": w.ended_session, "text": "Borrowed ref?"}, ref="ben-ask"),
        "conflict",
    ),
    Case(
        "replay_the_moderators_ref",
        "attendee",
        lambda w: cmd("question.moderate", {"question": w.pending, "action": "reject"}, ref="mod-approve"),
        "forbidden",
    ),
    # Unicode edge cases.
    Case(
        "name_with_rtl_override",
        "attendee",
        lambda w: cmd("participant.update", {"name": "Ana\u202egnp.exe"}),
        "invalid",
    ),
    Case(
        "name_with_zero_width_space",
        "attendee",
        lambda w: cmd("participant.update", {"name": "Ad\u200bmin"}),
        "invalid",
    ),
    Case("name_with_nul", "attendee", lambda w: cmd("participant.update", {"name": "Ana\u0000"}), "invalid"),
    Case("name_with_bell", "attendee", lambda w: cmd("participant.update", {"name": "Ana\u0007"}), "invalid"),
    Case("name_too_long_in_emoji", "attendee", lambda w: cmd("participant.update", {"name": "🧬" * 61}), "invalid"),
    Case(
        "name_with_lone_surrogate",
        "attendee",
        raw('{"type": "participant.update", "data": {"name": "Ana\\ud800"}}'),
        "invalid",
    ),
    Case(
        "question_with_nul",
        "attendee",
        lambda w: cmd("question.ask", {"session": w.session, "text": "Why\u0000 not?"}),
        "invalid",
    ),
    Case(
        "question_with_lone_surrogate",
        "attendee",
        lambda w: cmd("question.ask", {"session": w.session, "text": "Why?"}).replace("Why?", "Why\\udc00?"),
        "invalid",
    ),
    Case(
        "ref_with_lone_surrogate",
        "attendee",
        raw('{"type": "participant.update", "ref": "\\ud83d", "data": {}}'),
        "invalid",
    ),
    Case(
        "raw_lone_surrogate_in_text",
        "attendee",
        raw('{"type": "participant.update", "data": {"name": "A\udfffa"}}'),
        "bad_request",
    ),
    Case("type_with_lone_surrogate", "attendee", raw('{"type": "question.\\udfff", "data": {}}'), "unknown_type"),
    Case(
        "text_of_combining_marks",
        "attendee",
        lambda w: cmd("question.ask", {"session": w.session, "text": "e" + "\u0301" * 600}),
        "invalid",
    ),
    Case(
        "answer_with_nul",
        "attendee",
        lambda w: cmd("poll.respond", {"poll": w.text_poll, "text": "\u0000"}),
        "invalid",
    ),
]


async def open_as(role: str, w: SimpleNamespace) -> Socket:
    credentials = {
        "attendee": {"token": w.attendee.token},
        "moderator": {"key": w.moderator_key},
        "speaker": {"key": w.speaker_key},
        "screen": {"key": w.screen_key},
    }[role]
    return await Socket.open(**credentials)


async def still_usable(socket: Socket, role: str) -> None:
    """A legitimate command still gets its answer on the same socket."""
    if role == "attendee":
        reply = await socket.send("participant.update", {})
        assert reply["type"] == "ok", reply
    elif role == "moderator":
        reply = await socket.send("event.set_moderation", {"auto_approve": False})
        assert reply["type"] == "ok", reply
    else:
        reply = await socket.send("question.anything", {})
        assert reply["error"]["code"] == "unknown_type", reply


def test_the_catalogue_has_at_least_50_kinds():
    assert len({case.name for case in CASES}) == len(CASES) >= 50


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
async def test_hostile_frame(case, world, caplog):
    socket = await open_as(case.role, world)
    before = await database_sync_to_async(db_state)()
    frame = case.frame(world)
    if isinstance(frame, bytes):
        await socket.communicator.send_to(bytes_data=frame)
    else:  # send_input: the communicator's send_to refuses an empty text frame
        await socket.communicator.send_input({"type": "websocket.receive", "text": frame})
    reply = await socket.take(lambda frame: frame["type"] in {"ok", "error"}, timeout=5)
    assert reply["type"] == "error", reply
    assert reply["error"]["code"] == case.code, reply
    assert set(reply["error"]) <= {"code", "message", "fields", "retry_after"}
    assert "Traceback" not in reply["error"]["message"]
    assert await database_sync_to_async(db_state)() == before, "a refused frame changed the database"
    await socket.nothing(timeout=0.2)  # nothing was published either
    await still_usable(socket, case.role)
    await socket.close()
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR], "the server logged an error"
