"""The session status machine and the programme's other writes."""

import json

import pytest
from django.db import IntegrityError, transaction

from livehub.errors import Conflict, Invalid, NotFound
from livehub.realtime.broker import get_broker
from sessions import services
from sessions.models import Participant, Room

pytestmark = pytest.mark.django_db(transaction=True)

ALLOWED = [
    ("scheduled", "live"),
    ("live", "paused"),
    ("live", "ended"),
    ("paused", "live"),
    ("paused", "ended"),
    ("ended", "live"),
]
REFUSED = [
    ("scheduled", "paused"),
    ("scheduled", "ended"),
    ("scheduled", "scheduled"),
    ("live", "live"),
    ("live", "scheduled"),
    ("paused", "paused"),
    ("paused", "scheduled"),
    ("ended", "ended"),
    ("ended", "paused"),
    ("ended", "scheduled"),
]


def put(session, status):
    session.status = status
    session.save(update_fields=["status"])


@pytest.mark.parametrize(("start", "target"), ALLOWED)
def test_allowed_transition(roundtable, start, target):
    put(roundtable, start)
    session = services.session_set_status(event_id=roundtable.event_id, session_id=roundtable.pk, status=target).session
    session.refresh_from_db()
    assert session.status == target
    assert session.status_changed_at is not None


@pytest.mark.parametrize(("start", "target"), REFUSED)
def test_impossible_transition_is_a_conflict_and_changes_nothing(roundtable, start, target):
    put(roundtable, start)
    with pytest.raises(Conflict):
        services.session_set_status(event_id=roundtable.event_id, session_id=roundtable.pk, status=target)
    roundtable.refresh_from_db()
    assert roundtable.status == start
    assert roundtable.status_changed_at is None


def test_going_live_makes_it_the_current_session_and_starts_its_clock(event, roundtable):
    services.session_set_status(event_id=event.pk, session_id=roundtable.pk, status="live")
    event.refresh_from_db()
    roundtable.refresh_from_db()
    assert event.current_session_id == roundtable.pk
    assert roundtable.started_at is not None and roundtable.ended_at is None


def test_pause_and_resume_keep_the_first_start(event, roundtable):
    services.session_set_status(event_id=event.pk, session_id=roundtable.pk, status="live")
    roundtable.refresh_from_db()
    first_start = roundtable.started_at
    services.session_set_status(event_id=event.pk, session_id=roundtable.pk, status="paused")
    services.session_set_status(event_id=event.pk, session_id=roundtable.pk, status="live")
    roundtable.refresh_from_db()
    assert roundtable.started_at == first_start


def test_ending_records_the_end_and_reopening_clears_it(event, roundtable):
    services.session_set_status(event_id=event.pk, session_id=roundtable.pk, status="live")
    services.session_set_status(event_id=event.pk, session_id=roundtable.pk, status="ended")
    roundtable.refresh_from_db()
    assert roundtable.ended_at is not None
    services.session_set_status(event_id=event.pk, session_id=roundtable.pk, status="live")
    roundtable.refresh_from_db()
    assert roundtable.ended_at is None


def session_of(event, kind):
    return event.sessions.filter(kind=kind).first()


@pytest.mark.parametrize("previous_status", ["live", "paused"])
def test_going_live_ends_the_session_running_in_the_same_room(event, roundtable, previous_status):
    debate = session_of(event, "debate")
    assert debate.room.name == roundtable.room.name == "Room 1"
    services.session_set_status(event_id=event.pk, session_id=roundtable.pk, status="live")
    if previous_status == "paused":
        services.session_set_status(event_id=event.pk, session_id=roundtable.pk, status="paused")
    change = services.session_set_status(event_id=event.pk, session_id=debate.pk, status="live")
    roundtable.refresh_from_db()
    debate.refresh_from_db()
    assert change.ended == roundtable
    assert (roundtable.status, debate.status) == ("ended", "live")
    assert roundtable.ended_at == debate.status_changed_at  # one moment, one transaction
    assert list(event.sessions.filter(status__in=["live", "paused"])) == [debate]


def test_going_live_leaves_other_rooms_alone(event, roundtable):
    other = session_of(event, "debate")
    other.room = event.rooms.create(name="Room 2", slug="room-2", order=3)
    other.save(update_fields=["room"])
    services.session_set_status(event_id=event.pk, session_id=roundtable.pk, status="live")
    change = services.session_set_status(event_id=event.pk, session_id=other.pk, status="live")
    assert change.ended is None
    assert set(event.sessions.filter(status="live").values_list("pk", flat=True)) == {roundtable.pk, other.pk}


def test_sessions_without_a_room_count_as_one_room(event, roundtable):
    other = session_of(event, "debate")
    event.sessions.filter(pk__in=[roundtable.pk, other.pk]).update(room=None)
    services.session_set_status(event_id=event.pk, session_id=roundtable.pk, status="live")
    assert services.session_set_status(event_id=event.pk, session_id=other.pk, status="live").ended == roundtable


def test_pausing_or_ending_ends_nothing_else(event, roundtable):
    services.session_set_status(event_id=event.pk, session_id=roundtable.pk, status="live")
    assert services.session_set_status(event_id=event.pk, session_id=roundtable.pk, status="paused").ended is None
    assert services.session_set_status(event_id=event.pk, session_id=roundtable.pk, status="ended").ended is None


def test_the_database_refuses_two_running_sessions_in_one_room(event, roundtable):
    other = session_of(event, "debate")
    put(roundtable, "live")
    with pytest.raises(IntegrityError), transaction.atomic():
        put(other, "paused")


def test_the_database_refuses_two_running_sessions_without_a_room(event, roundtable):
    other = session_of(event, "debate")
    event.sessions.filter(pk__in=[roundtable.pk, other.pk]).update(room=None)
    put(roundtable, "live")
    with pytest.raises(IntegrityError), transaction.atomic():
        put(other, "paused")


@pytest.fixture
def second_room(event, roundtable) -> Room:
    """The debate moved to a room of its own, beside the roundtable's Room 1."""
    room = event.rooms.create(name="Copper", slug="copper", order=3)
    event.sessions.filter(kind="debate").update(room=room)
    return room


def test_two_rooms_are_live_at_once_each_with_its_own_current_session(event, roundtable, second_room):
    debate = session_of(event, "debate")
    services.session_set_status(event_id=event.pk, session_id=roundtable.pk, status="live")
    services.session_set_status(event_id=event.pk, session_id=debate.pk, status="live")
    put(roundtable, "live")  # the database agrees: one running session per room, not per event
    rooms = dict(event.rooms.values_list("slug", "current_session"))
    assert (rooms["room-1"], rooms["copper"]) == (roundtable.pk, debate.pk)
    event.refresh_from_db()
    assert event.current_session_id == debate.pk  # the last one taken live anywhere


def test_setting_a_rooms_current_session_leaves_the_other_rooms_alone(event, roundtable, second_room):
    debate = session_of(event, "debate")
    services.session_set_current(event_id=event.pk, session_id=roundtable.pk)
    services.session_set_current(event_id=event.pk, session_id=debate.pk, room="copper")
    services.session_set_current(event_id=event.pk, session_id=None, room="copper")
    rooms = dict(event.rooms.values_list("slug", "current_session"))
    assert (rooms["room-1"], rooms["copper"]) == (roundtable.pk, None)
    event.refresh_from_db()
    assert event.current_session_id == debate.pk  # clearing a room leaves the event's as it was


def test_a_session_of_another_room_cannot_be_a_rooms_current_session(event, roundtable, second_room):
    with pytest.raises(Invalid) as refused:
        services.session_set_current(event_id=event.pk, session_id=roundtable.pk, room="copper")
    assert refused.value.fields == {"session": "not in this room"}


def test_setting_the_current_session_of_an_unknown_room_is_not_found(event, roundtable):
    with pytest.raises(NotFound):
        services.session_set_current(event_id=event.pk, session_id=None, room="attic")


class RecordingBroker:
    def __init__(self):
        self.frames = []

    def publish(self, *, event_id, stream, type, data_text, inflight=None, mark=None):
        self.frames.append((stream, type, json.loads(data_text)))
        return len(self.frames)


def test_going_live_publishes_the_ended_session_then_the_live_one(event, roundtable, monkeypatch):
    broker = RecordingBroker()
    monkeypatch.setattr("livehub.realtime.publish.get_broker", lambda: broker)
    debate = session_of(event, "debate")
    services.session_set_status(event_id=event.pk, session_id=roundtable.pk, status="live")
    broker.frames.clear()
    with transaction.atomic():
        services.session_set_status(event_id=event.pk, session_id=debate.pk, status="live")
        assert broker.frames == []  # nothing before the commit
    seen = broker.frames
    updates = [(data["id"], data["status"]) for stream, kind, data in seen if kind == "session.updated"]
    assert updates == [(roundtable.pk, "ended"), (debate.pk, "live")]
    assert all(stream == "public" for stream, _kind, _data in seen)
    assert ("event.updated", debate.pk) in [(kind, data.get("current_session")) for _s, kind, data in seen]


def test_status_of_a_session_of_another_event_is_not_found(event, another_event, roundtable):
    with pytest.raises(NotFound):
        services.session_set_status(event_id=another_event.pk, session_id=roundtable.pk, status="live")
    roundtable.refresh_from_db()
    assert roundtable.status == "scheduled"


def test_set_current_and_clear(event, roundtable):
    services.session_set_current(event_id=event.pk, session_id=roundtable.pk)
    event.refresh_from_db()
    assert event.current_session_id == roundtable.pk
    services.session_set_current(event_id=event.pk, session_id=None)
    event.refresh_from_db()
    assert event.current_session_id is None


def test_set_current_to_a_session_of_another_event_is_not_found(event, another_event, roundtable):
    with pytest.raises(NotFound):
        services.session_set_current(event_id=another_event.pk, session_id=roundtable.pk)


def test_join_keeps_only_the_hash_of_the_token(event):
    participant, token = services.participant_join(event=event, name=None, mode="room")
    stored = Participant.objects.get(pk=participant.pk)
    assert token not in stored.token_hash
    assert len(stored.token_hash) == 64
    assert stored.name == "" and stored.mode == "room"


def test_participant_update_changes_only_what_was_sent(attendee):
    services.participant_update(participant_id=attendee.pk, name="Ana", set_name=True)
    services.participant_update(participant_id=attendee.pk, mode="room")
    attendee.refresh_from_db()
    assert (attendee.name, attendee.mode) == ("Ana", "room")
    services.participant_update(participant_id=attendee.pk, name=None, set_name=True)
    attendee.refresh_from_db()
    assert (attendee.name, attendee.mode) == ("", "room")


async def _position(event_id, streams):
    return await get_broker().position(event_id, streams)


def test_a_write_that_rolls_back_publishes_nothing(event, roundtable):
    import asyncio

    with pytest.raises(RuntimeError), transaction.atomic():
        services.session_set_status(event_id=event.pk, session_id=roundtable.pk, status="live")
        raise RuntimeError("the rest of the command failed")
    _epoch, seqs = asyncio.run(_position(event.pk, ("public",)))
    assert seqs == {"public": 0}
    roundtable.refresh_from_db()
    assert roundtable.status == "scheduled"

    services.session_set_status(event_id=event.pk, session_id=roundtable.pk, status="live")
    _epoch, seqs = asyncio.run(_position(event.pk, ("public",)))
    assert seqs == {"public": 3}  # session.updated, room.updated and event.updated, after the commit
