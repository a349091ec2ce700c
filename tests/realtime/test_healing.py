"""A change committed while the broker could not take it is never silently missing."""

import pytest
from channels.db import database_sync_to_async

from livehub.realtime.broker import get_broker
from livehub.realtime.healing import healer
from livehub.realtime.protocol import Close
from sessions import services
from tests.helpers import Socket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("hub_stopped")]


@pytest.fixture
def broken_publish(monkeypatch):
    """The broker refuses every publish (Redis gone) until the test calls the returned repair."""
    broker = get_broker()

    def refuse(**kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(broker, "publish", refuse)
    # The healer's own thread must not heal behind the test's back while the broker is "down".
    monkeypatch.setattr(healer, "mark", lambda event_id: healer._events.add(event_id))
    yield lambda: monkeypatch.setattr(broker, "publish", type(broker).publish.__get__(broker))
    healer._events.clear()


async def test_a_lost_publish_makes_every_follower_take_a_snapshot(event, attendee, broken_publish):
    socket = await Socket.open(token=attendee.token)
    epoch, seqs = socket.snapshot["epoch"], socket.snapshot["seqs"]
    debate = await database_sync_to_async(lambda: event.sessions.get(kind="debate"))()

    # The command commits (it is acknowledged to whoever ran it) but its event is lost.
    await database_sync_to_async(services.session_set_status)(event_id=event.pk, session_id=debate.pk, status="live")
    await socket.nothing(0.3)
    assert healer.pending() == {event.pk}

    broken_publish()
    assert await database_sync_to_async(healer.heal_now)()
    assert await socket.closed() == Close.RECONNECT

    # Replaying from where it was would skip the lost change: the old epoch gets a snapshot.
    since = ",".join(f"{stream}:{seq}" for stream, seq in seqs.items())
    again = await Socket.open(token=attendee.token, since=since, epoch=epoch)
    assert again.snapshot is not None and again.snapshot["epoch"] != epoch
    live = next(session for session in again.snapshot["data"]["sessions"] if session["id"] == debate.pk)
    assert live["status"] == "live"
    await again.close()


async def test_publishing_goes_on_after_healing(event, attendee, broken_publish):
    debate = await database_sync_to_async(lambda: event.sessions.get(kind="debate"))()
    await database_sync_to_async(services.session_set_status)(event_id=event.pk, session_id=debate.pk, status="live")
    broken_publish()
    await database_sync_to_async(healer.heal_now)()

    socket = await Socket.open(token=attendee.token)
    await database_sync_to_async(services.session_set_status)(event_id=event.pk, session_id=debate.pk, status="paused")
    update = await socket.take(lambda frame: frame["type"] == "session.updated")
    assert update["data"]["status"] == "paused" and update["seq"] == socket.snapshot["seqs"]["public"] + 1
    await socket.close()


async def test_a_vote_whose_commit_answer_was_lost_is_counted_after_the_heal(
    event, attendee, join, approved, monkeypatch, settings
):
    """The connection drops after PostgreSQL applied the vote's statement (autocommit: vote and
    receipt committed) but before the server heard so: the voter gets `unavailable`, no total was
    flushed, and nothing was published. The announcement made before the statement stays, and the
    sweep heals the event with exact totals."""
    from django.db import OperationalError

    from livehub.realtime import healing
    from livehub.realtime import redis as lhredis
    from livehub.realtime.broker import INFLIGHT_KEY
    from qa import services as qa_services
    from qa.models import Question

    assert settings.REDIS_URL, "announcements are made in Redis"
    question = await database_sync_to_async(lambda: approved(join()))()
    socket = await Socket.open(token=attendee.token)
    vote_row = qa_services._vote_row_postgresql

    def applied_then_dropped(**kwargs):
        vote_row(**kwargs)
        monkeypatch.setattr(qa_services, "_vote_row_postgresql", vote_row)  # once
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(qa_services, "_vote_row_postgresql", applied_then_dropped)
    reply = await socket.send("question.vote", {"question": question.pk, "up": True}, ref="v1")
    assert reply["error"]["code"] == "unavailable"
    assert lhredis.sync_client(settings.REDIS_URL).zcard(INFLIGHT_KEY) == 1  # still announced

    monkeypatch.setattr(healing, "INFLIGHT_STALE", -1.0)  # as five seconds later
    monkeypatch.setattr(healer, "mark", lambda event_id: healer._events.add(event_id))  # healed below
    assert await database_sync_to_async(healing.sweep_orphaned_publishes)() == {event.pk}
    assert await database_sync_to_async(healer.heal_now)()
    assert await socket.closed() == Close.RECONNECT
    votes = await database_sync_to_async(lambda: Question.objects.get(pk=question.pk).vote_count)()
    assert votes == 1
    again = await Socket.open(token=attendee.token)
    held = next(q for q in again.snapshot["data"]["questions"] if q["id"] == question.pk)
    assert held["votes"] == 1 and held["voted"] is True
    # The retry finds the vote applied and gets the stored reply.
    retry = await again.send("question.vote", {"question": question.pk, "up": True}, ref="v1")
    assert retry["type"] == "ok" and retry["data"]["votes"] == 1
    await again.close()
