"""Reconnecting with `since`: exactly what was missed, in order, once, then `synced`."""

import json

import pytest
from channels.db import database_sync_to_async

from sessions import services
from sessions.rolelinks import role_key_make
from tests.helpers import Socket, apply_event, check_state

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("hub_stopped")]


@pytest.fixture(params=["redis", "memory"])
def broker_kind(request, settings):
    if request.param == "memory":
        settings.REDIS_URL = ""
    return request.param


@database_sync_to_async
def change(event, session, status):
    services.session_set_status(event_id=event.pk, session_id=session.pk, status=status)


async def three_changes(event):
    """Four public events: session.updated (live), room.updated and event.updated (the session is now
    its room's and the event's current one), session.updated (paused)."""
    session = await database_sync_to_async(lambda: event.sessions.get(kind="debate"))()
    await change(event, session, "live")
    await change(event, session, "paused")
    return session


async def test_reconnect_replays_exactly_the_missed_events_then_synced(broker_kind, event, attendee):
    socket = await Socket.open(token=attendee.token)
    epoch, seqs = socket.snapshot["epoch"], socket.snapshot["seqs"]
    await socket.close()
    await three_changes(event)

    since = ",".join(f"{stream}:{seq}" for stream, seq in seqs.items())
    again = await Socket.open(token=attendee.token, since=since, epoch=epoch)
    assert again.snapshot is None
    frames = [await again.pop() for _ in range(5)]
    assert [(frame["type"], frame.get("seq")) for frame in frames] == [
        ("session.updated", 1),
        ("room.updated", 2),
        ("event.updated", 3),
        ("session.updated", 4),
        ("synced", 4),
    ]
    assert frames[0]["data"]["status"] == "live" and frames[3]["data"]["status"] == "paused"
    assert frames[4]["seqs"] == {"public": 4, f"p:{attendee.pk}": 0}
    assert frames[4]["epoch"] == epoch
    await again.nothing(0.5)
    await again.close()


async def test_since_as_a_bare_number_means_the_public_stream(broker_kind, event):
    key = await database_sync_to_async(role_key_make)(event=event, role="moderator", hours=1)
    await three_changes(event)
    socket = await Socket.open(key=key, since="3")
    first = await socket.pop()
    synced = await socket.pop()
    assert (first["type"], first["seq"]) == ("session.updated", 4)
    assert synced["type"] == "synced" and synced["seqs"] == {"public": 4, "moderators": 0}
    await socket.close()


async def test_nothing_missed_gives_synced_at_once(broker_kind, event, attendee):
    await three_changes(event)
    socket = await Socket.open(token=attendee.token, since=f"public:4,p:{attendee.pk}:0")
    synced = await socket.pop()
    assert synced["type"] == "synced" and synced["seq"] == 4
    await socket.close()


async def test_live_events_follow_the_replay_without_gap_or_duplicate(broker_kind, event, attendee, roundtable):
    await three_changes(event)
    socket = await Socket.open(token=attendee.token, since="public:1")
    await change(event, roundtable, "live")
    seen = []
    while len(seen) < 4:
        frame = await socket.pop()
        if "stream" in frame:
            seen.append(frame["seq"])
    assert seen == [2, 3, 4, 5]
    await socket.close()


async def test_since_older_than_the_log_gets_a_fresh_snapshot(broker_kind, event, attendee, settings):
    settings.LIVEHUB_REALTIME = {**settings.LIVEHUB_REALTIME, "REPLAY_LOG_LENGTH": 2}
    await three_changes(event)
    socket = await Socket.open(token=attendee.token, since="public:0")
    assert socket.snapshot is not None
    assert socket.snapshot["seq"] == 4
    statuses = {session["title"]: session["status"] for session in socket.snapshot["data"]["sessions"]}
    assert statuses["Can Belgium become the European hub for gene therapy?"] == "paused"
    await socket.close()


async def test_another_epoch_gets_a_fresh_snapshot(broker_kind, event, attendee):
    await three_changes(event)
    socket = await Socket.open(token=attendee.token, since="public:1", epoch="0ldep0ch")
    assert socket.snapshot is not None and socket.snapshot["epoch"] != "0ldep0ch"
    await socket.close()


async def test_a_forged_since_beyond_the_present_gets_a_fresh_snapshot(broker_kind, event, attendee):
    await three_changes(event)
    socket = await Socket.open(token=attendee.token, since="public:9999")
    assert socket.snapshot is not None and socket.snapshot["seq"] == 4
    await socket.close()


async def test_redis_losing_the_log_changes_the_epoch(event, attendee, settings):
    import redis

    first = await Socket.open(token=attendee.token)
    await first.close()
    await three_changes(event)
    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    socket = await Socket.open(token=attendee.token, since="public:3", epoch=first.snapshot["epoch"])
    assert socket.snapshot is not None
    assert socket.snapshot["epoch"] != first.snapshot["epoch"]
    await socket.close()


async def test_a_long_replay_is_not_mistaken_for_a_slow_client(broker_kind, event, attendee, settings):
    import asyncio

    from livehub.realtime.broker import get_broker

    limit = settings.LIVEHUB_REALTIME["SEND_QUEUE_LIMIT"]
    broker = get_broker()
    for _ in range(limit + 100):
        await asyncio.to_thread(
            broker.publish, event_id=event.pk, stream="public", type="votes.updated", data_text='{"counts":{}}'
        )
    socket = await Socket.open(token=attendee.token, since="public:0")
    seqs = [(await socket.pop())["seq"] for _ in range(limit + 100)]
    assert seqs == list(range(1, limit + 101))
    assert (await socket.pop())["type"] == "synced"
    await socket.close()


@database_sync_to_async
def approve_then_vote(event, author, voters, ask):
    from qa import services as qa

    question = ask(author)
    qa.question_moderate(event_id=event.pk, question_id=question.pk, action="approve", actor="Mo", role="moderator")
    for voter in voters:
        qa.question_vote(participant_id=voter.pk, event_id=event.pk, question_id=question.pk, up=True)
    qa.vote_totals.cancel_all()
    qa._publish_votes(event.pk, [str(question.pk)])  # the coalesced flush, now
    return question


async def test_a_replay_across_streams_comes_in_publish_order(broker_kind, event, join, ask):
    """The author missed the approval (on `public` and on their `p:` stream) and the flushed total
    after it (on `public`): replayed stream after stream, the `p:` copy of the approval would
    come last and put the total back to 0."""
    author = await database_sync_to_async(join)()
    voters = [await database_sync_to_async(join)() for _ in range(3)]
    socket = await Socket.open(token=author.token)
    epoch, seqs = socket.snapshot["epoch"], socket.snapshot["seqs"]
    await socket.close()
    question = await approve_then_vote(event, author, voters, ask)

    since = ",".join(f"{stream}:{seq}" for stream, seq in seqs.items())
    again = await Socket.open(token=author.token, since=since, epoch=epoch)
    assert again.snapshot is None
    state = json.loads(json.dumps(socket.snapshot["data"]))
    received = []
    while (frame := await again.pop())["type"] != "synced":
        received.append((frame["stream"].split(":")[0], frame["type"]))
        apply_event(state, frame)
    assert ("p", "question.updated") in received and ("public", "votes.updated") in received
    fresh = await Socket.open(token=author.token)
    assert next(q for q in state["questions"] if q["id"] == question.pk)["votes"] == 3
    check_state(state)
    for data in (state, fresh.snapshot["data"]):
        data.pop("presence", None)
        data.pop("server_time", None)  # each snapshot's own reading of the clock
    assert state == fresh.snapshot["data"]
    for open_socket in (again, fresh):
        await open_socket.close()
