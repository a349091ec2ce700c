"""Presence: room / online counts, distinct participants, coalesced to one update a second."""

import asyncio

import pytest
from channels.db import database_sync_to_async

from sessions.rolelinks import role_key_make
from sessions.services import participant_join
from tests.helpers import Socket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("hub_stopped")]


@pytest.fixture
async def moderator(event):
    key = await database_sync_to_async(role_key_make)(event=event, role="moderator", hours=1)
    socket = await Socket.open(key=key)
    yield socket
    await socket.close()


async def presence_until(socket: Socket, expected: dict, timeout: float = 4) -> dict:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        frame = await socket.event("presence", timeout=max(0.1, deadline - loop.time()))
        if frame["data"] == expected:
            return frame
        assert loop.time() < deadline, f"presence never became {expected}"


async def test_counts_split_room_and_online_and_follow_mode_changes(event, moderator, attendee, room_attendee):
    online = await Socket.open(token=attendee.token)
    room = await Socket.open(token=room_attendee.token)
    await presence_until(moderator, {"room": 1, "online": 1})
    await online.send("participant.update", {"mode": "room"})
    await presence_until(moderator, {"room": 2, "online": 0})
    await room.close()
    await presence_until(moderator, {"room": 1, "online": 0})
    await online.close()


@pytest.mark.parametrize("joined", [False, True])
async def test_moderators_and_speakers_are_not_counted(event, moderator, attendee, joined):
    """Not even when they also joined as a participant (a token beside their key)."""
    token = {"token": attendee.token} if joined else {}
    sockets = []
    for role in ("speaker", "moderator"):
        key = await database_sync_to_async(role_key_make)(event=event, role=role, hours=1)
        sockets.append(await Socket.open(key=key, **token))
    await asyncio.sleep(1.2)  # presence is published at most once a second
    assert [frame for frame in moderator.frames if frame["type"] == "presence"] == []
    fresh = await Socket.open(key=await database_sync_to_async(role_key_make)(event=event, role="moderator", hours=1))
    assert fresh.snapshot["data"]["presence"] == {"room": 0, "online": 0}
    for socket in [*sockets, fresh]:
        await socket.close()


async def test_two_tabs_of_one_participant_count_once(event, moderator, attendee):
    tabs = [await Socket.open(token=attendee.token) for _ in range(2)]
    await presence_until(moderator, {"room": 0, "online": 1})
    await asyncio.sleep(1.2)
    assert all(frame["data"] == {"room": 0, "online": 1} for frame in moderator.frames if frame["type"] == "presence")
    for tab in tabs:
        await tab.close()


async def test_a_crowd_arriving_at_once_gives_few_updates(event, moderator):
    tokens = []
    for index in range(30):
        _participant, token = await database_sync_to_async(participant_join)(
            event=event, name=None, mode="room" if index % 3 else "online"
        )
        tokens.append(token)
    crowd = await asyncio.gather(*(Socket.open(token=token) for token in tokens))
    await presence_until(moderator, {"room": 20, "online": 10})
    await asyncio.sleep(1.5)
    updates = [frame for frame in moderator.frames if frame["type"] == "presence"]
    assert len(updates) <= 2  # at most one a second, whatever the number of arrivals
    for socket in crowd:
        await socket.close()


async def test_counts_per_room_follow_the_room_each_socket_names(event, moderator, attendee, room_attendee):
    """Two rooms, real Redis: each attendee socket counts in the room it follows (`?room=`), the
    event's totals are unchanged, and a frame with no follower left has no `rooms` at all."""
    online = await Socket.open(token=attendee.token, room="room-1")
    hall = await Socket.open(token=room_attendee.token, room="foyer")
    rooms = {"foyer": {"room": 1, "online": 0}, "room-1": {"room": 0, "online": 1}}
    await presence_until(moderator, {"room": 1, "online": 1, "rooms": rooms})
    await hall.close()
    await presence_until(moderator, {"room": 0, "online": 1, "rooms": {"room-1": {"room": 0, "online": 1}}})
    fresh = await Socket.open(key=await database_sync_to_async(role_key_make)(event=event, role="screen", hours=1))
    assert fresh.snapshot["data"]["presence"]["rooms"] == {"room-1": {"room": 0, "online": 1}}
    await online.close()
    await presence_until(moderator, {"room": 0, "online": 0})
    await fresh.close()


async def test_a_room_the_event_does_not_have_is_ignored(event, moderator, attendee):
    """A device may remember a room since renamed: it connects, counted in no room."""
    socket = await Socket.open(token=attendee.token, room="no-such-room")
    assert socket.snapshot is not None
    await presence_until(moderator, {"room": 0, "online": 1})
    await socket.close()


async def test_one_participant_on_two_devices_counts_once_per_room(event, moderator, attendee):
    tabs = [await Socket.open(token=attendee.token, room=room) for room in ("room-1", "room-1", "foyer")]
    rooms = {"foyer": {"room": 0, "online": 1}, "room-1": {"room": 0, "online": 1}}
    await presence_until(moderator, {"room": 0, "online": 1, "rooms": rooms})
    for tab in tabs:
        await tab.close()
