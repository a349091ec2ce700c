"""The wire contract has one source: the server's models. The committed schema, the registry,
the prose of docs/protocol.md and the test reducer all follow it."""

import json
import re
from pathlib import Path

import pytest
from channels.db import database_sync_to_async
from django.db import transaction

from livehub.realtime import contract
from livehub.realtime.publish import publish_on_commit
from livehub.realtime.registry import COMMANDS, EVENTS
from tests.helpers import REDUCERS, Socket, apply_event, check_frame, check_state

DOC = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"


def headings() -> set[str]:
    """The commands, events and frames docs/protocol.md has a heading for."""
    return set(re.findall(r"^#{2,4} `([a-z_]+(?:\.[a-z_]+)?)`", DOC.read_text(encoding="utf-8"), re.MULTILINE))


def test_the_committed_schema_is_what_the_code_writes():
    committed = contract.PATH.read_text(encoding="utf-8") if contract.PATH.exists() else ""
    assert committed == contract.text(), f"docs/protocol.schema.json is stale: run `{contract.REGENERATE}`"


def test_every_command_is_in_the_registry_the_schema_and_the_prose():
    schema = set(contract.document()["properties"]["commands"]["properties"])
    documented = {name for name in headings() if "." in name and name not in EVENTS}
    assert set(COMMANDS) == schema
    assert set(COMMANDS) == documented, "a command without its heading in docs/protocol.md, or a stale heading"


def test_every_event_is_in_the_registry_the_schema_and_the_prose():
    schema = set(contract.document()["properties"]["events"]["properties"])
    documented = {name for name in headings() if "." in name and name not in COMMANDS}
    assert set(EVENTS) == schema
    assert set(EVENTS) == documented, "an event without its heading in docs/protocol.md, or a stale heading"


def test_the_test_reducer_applies_every_event_of_the_schema():
    assert set(REDUCERS) == {*contract.document()["properties"]["events"]["properties"], "presence"}


def test_the_schema_names_the_frames_and_the_constants_clients_read():
    document = json.loads(contract.text())
    assert set(document["properties"]["frames"]["properties"]) == {
        "ok", "error", "snapshot", "synced", "presence", "event"
    }  # fmt: skip
    constants = document["x-constants"]
    assert constants["limits"]["question_text"] == {"min": 3, "max": 500}
    assert constants["limits"]["poll_prompt"] == {"min": 3, "max": 300}
    assert constants["session_transitions"]["scheduled"] == ["live"]


QUESTION = {
    "id": 1, "session": 2, "text": "Who pays?", "author": None, "state": "approved", "votes": 0,
    "highlighted": False, "edited": False, "created_at": "2022-11-21T09:15:00+01:00", "answered_at": None,
    "merged_into": None, "answer": None,
}  # fmt: skip


def event_frame(stream: str, data: dict) -> dict:
    return {"type": "question.updated", "stream": stream, "seq": 1, "data": data}


def test_a_public_question_passes_on_the_public_stream():
    check_frame(event_frame("public", QUESTION))


def test_a_moderators_field_on_the_public_stream_fails():
    with pytest.raises(AssertionError, match="flagged"):
        check_frame(event_frame("public", {**QUESTION, "flagged": True}))


def test_a_missing_field_fails():
    with pytest.raises(AssertionError, match="votes"):
        check_frame(event_frame("public", {key: value for key, value in QUESTION.items() if key != "votes"}))


def test_a_time_that_is_no_time_fails():
    with pytest.raises(AssertionError, match="date-time"):
        check_frame(event_frame("public", {**QUESTION, "created_at": "yesterday"}))


def test_an_event_on_a_stream_it_never_comes_on_fails():
    with pytest.raises(AssertionError, match="never comes on"):
        check_frame({"type": "vote.updated", "stream": "public", "seq": 1, "data": {"question": 1, "voted": True}})


def test_an_event_the_contract_does_not_know_fails():
    with pytest.raises(AssertionError, match="no event or frame"):
        check_frame({"type": "question.liked", "stream": "public", "seq": 1, "data": {}})


def test_an_error_with_a_code_the_contract_does_not_know_fails():
    check_frame({"type": "error", "ref": None, "error": {"code": "conflict", "message": "No."}})
    with pytest.raises(AssertionError, match="oops"):
        check_frame({"type": "error", "ref": None, "error": {"code": "oops", "message": "No."}})


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("hub_stopped")
async def test_a_socket_that_receives_a_payload_off_the_contract_fails_the_test(event, attendee):
    socket = await Socket.open(token=attendee.token)
    session = socket.snapshot["data"]["sessions"][0]

    @database_sync_to_async
    def publish_wrong_payload():
        with transaction.atomic():
            publish_on_commit(event_id=event.pk, type="session.updated", data={**session, "status": "LIVE"})

    await publish_wrong_payload()
    with pytest.raises(AssertionError, match="breaks the contract"):
        await socket.event("session.updated")
    await socket.close()


def test_the_document_is_valid_json_schema():
    import jsonschema_rs

    jsonschema_rs.meta.validate(json.loads(contract.text()))


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("hub_stopped")
async def test_a_state_the_reducer_leaves_must_be_a_snapshot(event, attendee):
    socket = await Socket.open(token=attendee.token)
    state = json.loads(json.dumps(socket.snapshot["data"]))
    check_state(state)
    apply_event(state, {"type": "event.updated", "stream": "public", "seq": 1, "data": {"code": "SFH2022"}})
    with pytest.raises(AssertionError, match="no snapshot"):
        check_state(state)
    await socket.close()
