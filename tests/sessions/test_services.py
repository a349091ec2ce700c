"""The session status machine and the programme's other writes."""

import pytest
from django.db import transaction

from livehub.errors import Conflict, NotFound
from livehub.realtime.broker import get_broker
from sessions import services
from sessions.models import Participant

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
    session = services.session_set_status(event_id=roundtable.event_id, session_id=roundtable.pk, status=target)
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
    assert seqs == {"public": 2}  # session.updated and event.updated, after the commit
