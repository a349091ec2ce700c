"""Bad input on the socket: each gets its error code, nothing changes, the socket stays usable."""

import json

import pytest
from channels.db import database_sync_to_async

from sessions.models import Session
from tests.helpers import Socket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("hub_stopped")]


@pytest.fixture
async def socket(attendee):
    socket = await Socket.open(token=attendee.token)
    yield socket
    await socket.close()


async def still_usable(socket: Socket) -> None:
    reply = await socket.send("participant.update", {"mode": "online"})
    assert reply["type"] == "ok", reply


async def test_not_json_is_bad_request(socket):
    reply = await socket.send_raw("{nope")
    assert reply["error"]["code"] == "bad_request"
    await still_usable(socket)


@pytest.mark.parametrize("text", ["[1, 2]", '"text"', "42", "null"])
async def test_json_that_is_not_an_object_is_bad_request(socket, text):
    reply = await socket.send_raw(text)
    assert reply["error"]["code"] == "bad_request"
    assert reply["ref"] is None
    await still_usable(socket)


async def test_missing_type_is_bad_request_and_keeps_the_ref(socket):
    reply = await socket.send_raw(json.dumps({"ref": "r1", "data": {}}))
    assert reply == {
        "type": "error",
        "ref": "r1",
        "error": {"code": "bad_request", "message": reply["error"]["message"]},
    }
    await still_usable(socket)


async def test_unknown_type(socket):
    reply = await socket.send("question.teleport", {})
    assert reply["error"]["code"] == "unknown_type"
    await still_usable(socket)


async def test_wrong_field_types_name_the_field(socket):
    reply = await socket.send("participant.update", {"mode": 3})
    assert reply["error"]["code"] == "invalid"
    assert "mode" in reply["error"]["fields"]
    await still_usable(socket)


async def test_unknown_field_is_invalid(socket):
    reply = await socket.send("participant.update", {"mode": "room", "admin": True})
    assert reply["error"]["code"] == "invalid"
    assert "admin" in reply["error"]["fields"]


async def test_data_that_is_not_an_object_is_invalid(socket):
    reply = await socket.send_raw(json.dumps({"type": "participant.update", "ref": "d1", "data": [1]}))
    assert reply["error"]["code"] == "invalid"
    assert reply["error"]["fields"] == {"data": "must be an object"}


async def test_bad_ref_is_invalid(socket):
    reply = await socket.send_raw(json.dumps({"type": "participant.update", "ref": "x" * 65, "data": {}}))
    assert reply["error"]["code"] == "invalid"
    assert reply["error"]["fields"] == {"ref": "invalid"}


async def test_huge_string_is_invalid_and_not_stored(socket, attendee):
    reply = await socket.send("participant.update", {"name": "A" * 30_000})
    assert reply["error"]["code"] == "invalid"
    assert "name" in reply["error"]["fields"]
    name = await database_sync_to_async(lambda: type(attendee).objects.get(pk=attendee.pk).name)()
    assert name == ""
    await still_usable(socket)


async def test_binary_frame_is_bad_request(socket):
    reply = await socket.send_raw(bytes_data=b"\x00\x01binary")
    assert reply["error"]["code"] == "bad_request"
    await still_usable(socket)


async def test_frame_over_64_kib_is_too_large(socket):
    frame = json.dumps({"type": "participant.update", "ref": "big", "data": {"name": "x" * (64 * 1024)}})
    reply = await socket.send_raw(frame)
    assert reply["error"]["code"] == "too_large"
    await still_usable(socket)


async def test_multibyte_frame_over_64_kib_in_bytes_is_too_large(socket):
    frame = json.dumps({"type": "participant.update", "data": {"name": "é" * 40_000}}, ensure_ascii=False)
    assert len(frame) < 64 * 1024 < len(frame.encode())
    reply = await socket.send_raw(frame)
    assert reply["error"]["code"] == "too_large"


async def test_deeply_nested_json_is_bad_request(socket):
    reply = await socket.send_raw("[" * 30_000 + "]" * 30_000)
    assert reply["error"]["code"] in {"bad_request", "too_large"}
    reply = await socket.send_raw("[" * 20_000 + "]" * 20_000)
    assert reply["error"]["code"] == "bad_request"
    await still_usable(socket)


async def test_attendee_sending_a_moderator_command_is_forbidden_and_nothing_changes(socket, roundtable):
    reply = await socket.send("session.set_status", {"session": roundtable.pk, "status": "live"})
    assert reply["error"]["code"] == "forbidden"
    status = await database_sync_to_async(lambda: Session.objects.get(pk=roundtable.pk).status)()
    assert status == "scheduled"
    await socket.nothing()


async def test_a_burst_past_20_commands_a_second_is_rate_limited_then_recovers(socket, stopped_clock):
    for index in range(25):
        await socket.communicator.send_to(text_data=json.dumps({"type": "nope", "ref": f"f{index}"}))
    replies = [await socket.take(lambda frame, i=index: frame.get("ref") == f"f{i}") for index in range(25)]
    codes = [reply["error"]["code"] for reply in replies]
    assert codes == ["unknown_type"] * 20 + ["rate_limited"] * 5
    assert all(0 < reply["error"]["retry_after"] <= 1 for reply in replies[20:])
    stopped_clock[0] += 1.1
    await still_usable(socket)


async def test_a_sustained_flood_closes_the_socket_with_4408(socket, stopped_clock):
    for index in range(200):
        await socket.communicator.send_to(text_data=json.dumps({"type": "nope", "ref": f"f{index}"}))
    assert await socket.closed() == 4408
