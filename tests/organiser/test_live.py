"""What the organiser pages change reaches the live pages (verify-action style: every socket's old
snapshot with the events it received equals a fresh snapshot), after the commit and never on a
rollback."""

import pytest
from channels.db import database_sync_to_async
from django.db import transaction

from organiser import services
from polls.models import Poll
from polls.services import poll_create
from sessions import services as programme
from sessions.models import Note, Room
from sessions.rolelinks import role_key_make
from sessions.services import note_mark_seen, note_send
from tests.helpers import Socket, catch_up

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("hub_stopped")]


class Rollback(Exception):
    pass


@pytest.fixture
def quiet(event):
    """A session nobody wrote in, the current session of its own room, with a draft poll that
    opens with it and a note its speakers saw."""
    session = event.sessions.exclude(pk=event.current_session_id).filter(questions__isnull=True).first()
    room = Room.objects.create(event=event, name="Hall B", slug="hall-b", order=5, current_session=session)
    session.room = room
    session.save(update_fields=["room"])
    poll_create(event_id=event.pk, actor="olivia", kind="rating", prompt="How clear?", session_id=session.pk,
                auto_open=True)  # fmt: skip
    note = note_send(event_id=event.pk, session_id=session.pk, text="5 minutes left")
    note_mark_seen(event_id=event.pk, note_id=note.pk)
    return session


@pytest.fixture
async def watchers(event, attendee):
    """The hall (an attendee), the console (a moderator), the stage (a speaker) and the screen."""
    credentials = {"attendee": {"token": attendee.token}}
    for role in ("moderator", "speaker", "screen"):
        credentials[role] = {"key": await database_sync_to_async(role_key_make)(event=event, role=role, hours=1)}
    sockets = {name: (await Socket.open(**given), given) for name, given in credentials.items()}
    yield sockets
    for socket, _ in sockets.values():
        await socket.close()


async def everyone_catches_up(watchers) -> None:
    for socket, credentials in watchers.values():
        await catch_up(socket, **credentials)


async def test_a_deleted_session_leaves_every_page(event, quiet, watchers):
    await database_sync_to_async(programme.session_delete)(event=event, session_id=quiet.pk)
    for socket, _ in watchers.values():
        removed = await socket.take(lambda frame: frame["type"] == "session.removed")
        socket.frames.insert(0, removed)  # applied again by the catch-up below
        assert removed["stream"] == "public" and removed["data"] == {"id": quiet.pk}
    await everyone_catches_up(watchers)
    for socket, _ in watchers.values():
        state = socket.snapshot["data"]
        assert quiet.pk not in [session["id"] for session in state["sessions"]]
        assert next(room for room in state["rooms"] if room["slug"] == "hall-b")["current_session"] is None
    moderator = watchers["moderator"][0].snapshot["data"]
    # Its draft stays in the event, tied to no session, and no longer opens with one.
    draft = next(poll for poll in moderator["polls"] if poll["prompt"] == "How clear?")
    assert (draft["session"], draft["auto_open"]) == (None, False)
    assert not await database_sync_to_async(Note.objects.filter(session_id=quiet.pk).exists)()


async def test_rooms_added_renamed_and_deleted_reach_every_page(event, quiet, watchers):
    hall = await database_sync_to_async(Room.objects.get)(slug="hall-b")
    studio = Room(event=event, name="Studio", slug="", order=1)
    await database_sync_to_async(programme.room_save)(room=studio)
    await everyone_catches_up(watchers)
    rooms = [room["slug"] for room in watchers["attendee"][0].snapshot["data"]["rooms"]]
    assert rooms.index("studio") < rooms.index("hall-b")

    # Renamed: its sessions carry the room's name and slug, so they come again too.
    hall.name, hall.slug = "Hall C", "hall-c"
    await database_sync_to_async(programme.room_save)(room=hall)
    await everyone_catches_up(watchers)
    moved = next(s for s in watchers["screen"][0].snapshot["data"]["sessions"] if s["id"] == quiet.pk)
    assert (moved["room"], moved["room_slug"]) == ("Hall C", "hall-c")

    await database_sync_to_async(programme.room_delete)(event=event, room_id=studio.pk)
    removed = await watchers["attendee"][0].take(lambda frame: frame["type"] == "room.removed")
    watchers["attendee"][0].frames.insert(0, removed)
    assert removed["stream"] == "public" and removed["data"] == {"slug": "studio"}
    await everyone_catches_up(watchers)
    assert "studio" not in [room["slug"] for room in watchers["speaker"][0].snapshot["data"]["rooms"]]


async def test_the_events_livestream_reaches_every_page(event, watchers):
    await database_sync_to_async(services.event_update)(
        event=event, actor="olivia", stream_url="https://stream.example/sfh"
    )
    await everyone_catches_up(watchers)
    for socket, _ in watchers.values():
        assert socket.snapshot["data"]["event"]["stream_url"] == "https://stream.example/sfh"


async def test_nothing_is_published_when_the_deletion_rolls_back(event, quiet, watchers):
    def delete_then_fail():
        with transaction.atomic():
            programme.session_delete(event=event, session_id=quiet.pk)
            programme.room_delete(event=event, room_id=Room.objects.get(slug="hall-b").pk)
            raise Rollback

    with pytest.raises(Rollback):
        await database_sync_to_async(delete_then_fail)()
    for socket, _ in watchers.values():
        await socket.nothing(0.5)
    assert await database_sync_to_async(Poll.objects.filter(session=quiet, auto_open=True).exists)()
