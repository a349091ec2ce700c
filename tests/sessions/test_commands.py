"""The programme's socket commands, as clients see them."""

import pytest
from channels.db import database_sync_to_async

from sessions.models import Participant, Session
from sessions.rolelinks import role_key_make
from tests.helpers import Socket, verify_action

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("hub_stopped")]


async def test_go_live_reaches_everyone_with_the_same_seq(event, roundtable, moderator, attendee, room_attendee):
    online = await Socket.open(token=attendee.token)
    room = await Socket.open(token=room_attendee.token)
    reply = await moderator.send("session.set_status", {"session": roundtable.pk, "status": "live"})
    assert reply["data"] == {"session": roundtable.pk, "status": "live", "ended": None}
    frames = [await socket.event("session.updated") for socket in (moderator, online, room)]
    assert {frame["seq"] for frame in frames} == {1}
    assert all(frame["stream"] == "public" for frame in frames)
    assert frames[1]["data"]["status"] == "live"
    assert frames[1]["data"]["title"] == "How can we make these new therapies more affordable?"
    room_current = await online.event("room.updated")
    assert room_current["seq"] == 2 and room_current["data"]["current_session"] == roundtable.pk
    current = await online.event("event.updated")
    assert current["seq"] == 3 and current["data"]["current_session"] == roundtable.pk
    await online.close()
    await room.close()


async def test_go_live_in_a_busy_room_ends_the_other_session_for_everyone(
    event, roundtable, moderator, moderator_key, attendee
):
    debate = await database_sync_to_async(lambda: event.sessions.get(kind="debate"))()
    await moderator.send("session.set_status", {"session": roundtable.pk, "status": "live"})
    online = await Socket.open(token=attendee.token)
    reply = await verify_action(
        moderator, "session.set_status", {"session": debate.pk, "status": "live"}, key=moderator_key
    )
    assert reply["data"] == {"session": debate.pk, "status": "live", "ended": roundtable.pk}
    first, second = [await online.event("session.updated") for _ in range(2)]
    assert (first["data"]["id"], first["data"]["status"]) == (roundtable.pk, "ended")
    assert (second["data"]["id"], second["data"]["status"]) == (debate.pk, "live")
    await online.close()


@pytest.mark.parametrize(
    ("command", "data"),
    [
        ("session.set_status", {"status": "live"}),
        ("session.set_current", {}),
    ],
)
async def test_verify_action_moderator_commands(event, roundtable, moderator, moderator_key, command, data):
    data = {"session": roundtable.pk, **data}
    await verify_action(moderator, command, data, key=moderator_key)


async def test_verify_action_a_whole_session(event, roundtable, moderator, moderator_key):
    for status in ("live", "paused", "live", "ended"):
        await verify_action(
            moderator, "session.set_status", {"session": roundtable.pk, "status": status}, key=moderator_key
        )
    await verify_action(moderator, "session.set_current", {"session": None}, key=moderator_key)


async def test_verify_action_participant_update(event, attendee):
    socket = await Socket.open(token=attendee.token)
    reply = await verify_action(
        socket, "participant.update", {"name": "  Ana  Peeters ", "mode": "room"}, token=attendee.token
    )
    assert reply["data"]["participant"] == {"id": str(attendee.pk), "name": "Ana Peeters", "mode": "room"}
    await verify_action(socket, "participant.update", {"name": None}, token=attendee.token)
    assert socket.snapshot["data"]["you"]["participant"]["name"] is None
    await socket.close()


async def test_participant_update_is_private_to_the_participant(event, attendee, room_attendee, moderator):
    mine = await Socket.open(token=attendee.token)
    other = await Socket.open(token=room_attendee.token)
    await mine.send("participant.update", {"name": "Bram"})
    frame = await mine.event("participant.updated")
    assert frame["stream"] == f"p:{attendee.pk}" and frame["seq"] == 1
    await other.nothing()
    await moderator.nothing()
    await mine.close()
    await other.close()


async def test_impossible_transition_is_a_conflict_over_the_socket(event, roundtable, moderator):
    reply = await moderator.send("session.set_status", {"session": roundtable.pk, "status": "paused"})
    assert reply["error"]["code"] == "conflict"
    assert "scheduled" in reply["error"]["message"]
    await moderator.nothing()


async def test_unknown_session_is_not_found(event, moderator):
    reply = await moderator.send("session.set_status", {"session": 999_999, "status": "live"})
    assert reply["error"]["code"] == "not_found"


async def test_session_of_another_event_is_not_found(event, another_event, moderator):
    foreign = await database_sync_to_async(
        lambda: Session.objects.create(
            event=another_event, title="Elsewhere", starts_at="2023-01-01T10:00Z", ends_at="2023-01-01T11:00Z"
        )
    )()
    reply = await moderator.send("session.set_status", {"session": foreign.pk, "status": "live"})
    assert reply["error"]["code"] == "not_found"
    reply = await moderator.send("session.set_current", {"session": foreign.pk})
    assert reply["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    "data",
    [
        {"session": "3", "status": "live"},
        {"session": 3, "status": "LIVE"},
        {"session": 3, "status": "over"},
        {"session": -1, "status": "live"},
        {"status": "live"},
        {"session": 3},
        {"session": 3.5, "status": "live"},
        {"session": True, "status": "live"},
    ],
)
async def test_set_status_with_bad_data_is_invalid(event, moderator, data):
    reply = await moderator.send("session.set_status", data)
    assert reply["error"]["code"] == "invalid"
    assert reply["error"]["fields"]


@pytest.mark.parametrize("data", [{"session": "x"}, {"session": 0}, {"session": []}])
async def test_set_current_with_bad_data_is_invalid(event, moderator, data):
    reply = await moderator.send("session.set_current", data)
    assert reply["error"]["code"] == "invalid"


@pytest.mark.parametrize(
    "data",
    [
        {"mode": "stage"},
        {"name": 42},
        {"name": "x" * 61},
        {"name": "bad\u0000name"},
        {"name": "zero\u200bwidth"},
    ],
)
async def test_participant_update_with_bad_data_is_invalid_and_changes_nothing(event, attendee, data):
    socket = await Socket.open(token=attendee.token)
    reply = await socket.send("participant.update", data)
    assert reply["error"]["code"] == "invalid"
    stored = await database_sync_to_async(lambda: Participant.objects.get(pk=attendee.pk))()
    assert (stored.name, stored.mode) == ("", "online")
    await socket.close()


async def test_role_link_moderator_cannot_update_a_participant(event, moderator):
    reply = await moderator.send("participant.update", {"mode": "room"})
    assert reply["error"]["code"] == "forbidden"


async def test_speaker_cannot_change_session_status(event, roundtable):
    key = await database_sync_to_async(role_key_make)(event=event, role="speaker", hours=1)
    speaker = await Socket.open(key=key)
    reply = await speaker.send("session.set_status", {"session": roundtable.pk, "status": "live"})
    assert reply["error"]["code"] == "forbidden"
    status = await database_sync_to_async(lambda: Session.objects.get(pk=roundtable.pk).status)()
    assert status == "scheduled"
    await speaker.close()


async def test_a_retry_with_the_same_ref_is_applied_once(event, roundtable, moderator, moderator_key, attendee):
    watcher = await Socket.open(token=attendee.token)
    first = await moderator.send("session.set_status", {"session": roundtable.pk, "status": "live"}, ref="go-1")
    await moderator.close()
    # The client lost the socket before it saw the reply and resends on a new one.
    again = await Socket.open(key=moderator_key)
    second = await again.send("session.set_status", {"session": roundtable.pk, "status": "live"}, ref="go-1")
    assert second == first and second["type"] == "ok"
    assert (await watcher.event("session.updated"))["seq"] == 1
    await watcher.event("event.updated")
    await watcher.nothing(0.5)
    await again.close()
    await watcher.close()


async def test_a_ref_reused_for_another_command_is_a_conflict(event, roundtable, moderator):
    await moderator.send("session.set_status", {"session": roundtable.pk, "status": "live"}, ref="r-1")
    reply = await moderator.send("session.set_current", {"session": None}, ref="r-1")
    assert reply["error"]["code"] == "conflict"
    assert reply["error"]["fields"] == {"ref": "reused"}


async def test_the_same_ref_from_two_participants_is_two_commands(event, attendee, room_attendee):
    one = await Socket.open(token=attendee.token)
    two = await Socket.open(token=room_attendee.token)
    assert (await one.send("participant.update", {"name": "One"}, ref="same"))["type"] == "ok"
    assert (await two.send("participant.update", {"name": "Two"}, ref="same"))["type"] == "ok"
    names = await database_sync_to_async(
        lambda: sorted(
            Participant.objects.filter(pk__in=[attendee.pk, room_attendee.pk]).values_list("name", flat=True)
        )
    )()
    assert names == ["One", "Two"]
    await one.close()
    await two.close()


async def test_a_socket_that_outlived_its_participant_is_told_to_join_again(event, roundtable, join, approved):
    """`purge_event` while the hall is still connected: every command is refused, nothing is written."""
    from polls.services import poll_create, poll_open
    from qa.models import Question, Vote

    participant = await database_sync_to_async(join)("Ana")
    question = await database_sync_to_async(approved)(await database_sync_to_async(join)())

    @database_sync_to_async
    def open_poll():
        poll = poll_create(event_id=event.pk, actor="Mo", kind="rating", prompt="Rate it?", session_id=roundtable.pk)
        return poll_open(event_id=event.pk, poll_id=poll.pk, actor="Mo")

    poll = await open_poll()
    socket = await Socket.open(token=participant.token)
    await database_sync_to_async(lambda: Participant.objects.filter(pk=participant.pk).delete())()
    for command, data in [
        ("participant.update", {"mode": "room"}),
        ("question.ask", {"session": roundtable.pk, "text": "Is anyone still listening?"}),
        ("question.vote", {"question": question.pk, "up": True}),
        ("question.vote", {"question": question.pk, "up": False}),
        ("poll.respond", {"poll": poll.pk, "value": 4}),
    ]:
        reply = await socket.send(command, data)
        assert reply["error"]["code"] == "forbidden" and "join again" in reply["error"]["message"], (command, reply)
    written = await database_sync_to_async(lambda: (Question.objects.count(), Vote.objects.count()))()
    assert written == (1, 0)
    await socket.close()


async def test_verify_action_two_rooms_each_with_its_current_session(event, roundtable, moderator, moderator_key):
    def second_room():
        room = event.rooms.create(name="Copper", slug="copper", order=3)
        event.sessions.filter(kind="debate").update(room=room)
        return event.sessions.get(kind="debate")

    debate = await database_sync_to_async(second_room)()
    await moderator.close()
    moderator = await Socket.open(key=moderator_key)  # its snapshot has the new room
    await verify_action(
        moderator, "session.set_status", {"session": roundtable.pk, "status": "live"}, key=moderator_key
    )
    await verify_action(moderator, "session.set_status", {"session": debate.pk, "status": "live"}, key=moderator_key)
    await verify_action(moderator, "session.set_current", {"session": None, "room": "copper"}, key=moderator_key)
    reply = await moderator.send("session.set_current", {"session": roundtable.pk, "room": "copper"})
    assert reply["error"]["code"] == "invalid" and reply["error"]["fields"] == {"session": "not in this room"}
    snapshot = (await Socket.open(key=moderator_key)).snapshot["data"]
    rooms = {room["slug"]: room["current_session"] for room in snapshot["rooms"]}
    assert rooms == {"room-1": roundtable.pk, "copper": None, "foyer": None}
    assert [s["room_slug"] for s in snapshot["sessions"] if s["status"] == "live"] == ["room-1", "copper"]
