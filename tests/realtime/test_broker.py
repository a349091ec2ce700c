"""The replay log and sequence numbers under concurrent publishers, on both backends."""

import asyncio
import json
import threading

import pytest

from livehub.metrics import REGISTRY
from livehub.realtime import redis as lhredis
from livehub.realtime.broker import MemoryBroker, RedisBroker, get_broker

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("hub_stopped")]


@pytest.fixture(params=["redis", "memory"])
def broker(request, settings):
    if request.param == "memory":
        settings.REDIS_URL = ""
    broker = get_broker()
    assert isinstance(broker, RedisBroker if request.param == "redis" else MemoryBroker)
    return broker


class Recorder:
    """A `Subscriber` other than the hub: records what the broker delivers, in order."""

    def __init__(self, loop):
        self.loop = loop
        self.received = []

    def dispatch(self, event_id, stream, seq, frame):
        self.received.append((event_id, stream, seq, json.loads(frame)))

    def resync_event(self, event_id):
        raise AssertionError("no resync expected")


async def test_concurrent_publishers_get_gapless_seqs_delivered_in_order(broker):
    recorder = Recorder(asyncio.get_running_loop())
    await broker.attach(recorder)
    await broker.follow(recorder, 7)

    def publish_many(worker):
        for index in range(50):
            broker.publish(event_id=7, stream="public", type="test.tick", data_text=json.dumps([worker, index]))

    threads = [threading.Thread(target=publish_many, args=(worker,)) for worker in range(8)]
    await asyncio.to_thread(lambda: [t.start() for t in threads] and [t.join() for t in threads])
    for _ in range(200):
        if len(recorder.received) == 400:
            break
        await asyncio.sleep(0.02)
    await broker.detach(recorder)

    assert [seq for *_, seq, _frame in recorder.received] == list(range(1, 401))
    assert all(frame["seq"] == seq and frame["stream"] == "public" for *_, seq, frame in recorder.received)
    # Each worker's own events stay in the order it published them.
    for worker in range(8):
        assert [frame["data"][1] for *_, frame in recorder.received if frame["data"][0] == worker] == list(range(50))
    replay = await broker.replay(7, ("public",), {"public": 390}, None)
    assert [seq for _stream, seq, _frame in replay.frames] == list(range(391, 401))


async def test_streams_and_events_count_separately(broker):
    for stream in ("public", "moderators", "public"):
        broker.publish(event_id=1, stream=stream, type="x", data_text="{}")
    broker.publish(event_id=2, stream="public", type="x", data_text="{}")
    _epoch, seqs = await broker.position(1, ("public", "moderators", "speakers"))
    assert seqs == {"public": 2, "moderators": 1, "speakers": 0}
    _epoch, seqs = await broker.position(2, ("public",))
    assert seqs == {"public": 1}


async def test_replay_frames_are_the_published_text(broker):
    broker.publish(event_id=3, stream="p:abc", type="participant.updated", data_text='{"mode":"room"}')
    replay = await broker.replay(3, ("p:abc",), {}, None)
    assert replay.frames == [
        ("p:abc", 1, '{"type":"participant.updated","stream":"p:abc","seq":1,"data":{"mode":"room"}}')
    ]
    assert replay.seqs == {"p:abc": 1}


async def test_replay_interleaves_the_streams_in_publish_order(broker):
    for stream, type in [("moderators", "a"), ("public", "b"), ("p:abc", "c"), ("public", "d"), ("moderators", "e")]:
        broker.publish(event_id=5, stream=stream, type=type, data_text="{}")
    replay = await broker.replay(5, ("public", "moderators", "p:abc"), {"moderators": 0}, None)
    assert [(stream, seq, json.loads(frame)["type"]) for stream, seq, frame in replay.frames] == [
        ("moderators", 1, "a"),
        ("public", 1, "b"),
        ("p:abc", 1, "c"),
        ("public", 2, "d"),
        ("moderators", 2, "e"),
    ]
    replay = await broker.replay(5, ("public", "moderators", "p:abc"), {"public": 1, "moderators": 1}, None)
    assert [(stream, seq) for stream, seq, _frame in replay.frames] == [("p:abc", 1), ("public", 2), ("moderators", 2)]


async def test_a_log_written_before_publish_numbers_still_replays(settings):
    """Frames logged by the previous release (no publish number) are older than any new one."""
    import redis

    from livehub.realtime.broker import log_key, state_key

    broker = get_broker()
    client = redis.Redis.from_url(settings.REDIS_URL)
    old = '{"type":"x","stream":"public","seq":1,"data":{}}'
    client.rpush(log_key(6, "public"), old)
    client.hset(state_key(6), mapping={"epoch": "0ld", "seq:public": 1})
    broker.publish(event_id=6, stream="p:abc", type="y", data_text="{}")
    broker.publish(event_id=6, stream="public", type="z", data_text="{}")
    replay = await broker.replay(6, ("public", "p:abc"), {}, "0ld")
    assert [(stream, seq, json.loads(frame)["type"]) for stream, seq, frame in replay.frames] == [
        ("public", 1, "x"),
        ("p:abc", 1, "y"),
        ("public", 2, "z"),
    ]
    assert replay.frames[0][2] == old


async def test_the_log_is_bounded(broker, settings):
    settings.LIVEHUB_REALTIME = {**settings.LIVEHUB_REALTIME, "REPLAY_LOG_LENGTH": 5}
    small = get_broker()
    for _ in range(12):
        small.publish(event_id=4, stream="public", type="x", data_text="{}")
    assert (await small.replay(4, ("public",), {"public": 6}, None)) is None
    replay = await small.replay(4, ("public",), {"public": 7}, None)
    assert [seq for _s, seq, _f in replay.frames] == [8, 9, 10, 11, 12]


def test_each_redis_database_has_its_own_fanout_channels():
    """Pub/sub ignores the database number: two deployments on one Redis must not hear each other."""
    a, b = (
        RedisBroker(url="redis://127.0.0.1:6379/9", log_length=5),
        RedisBroker(url="redis://127.0.0.1:6379", log_length=5),
    )
    assert a.channel(1) != b.channel(1)
    assert b.channel(1) == RedisBroker(url="redis://127.0.0.1:6379/0", log_length=5).channel(1)


def test_an_events_channel_log_and_sequence_share_one_hash_slot():
    """On a cluster the publish script touches them all: they must live on one shard."""
    from redis.crc import key_slot

    from livehub.realtime.broker import log_key, state_key

    broker = RedisBroker(url="redis://127.0.0.1:6379/0", log_length=5)
    for event_id in (1, 2, 12345):
        slots = {
            key_slot(key.encode()) for key in (broker.channel(event_id), state_key(event_id), log_key(event_id, "p:x"))
        }
        assert len(slots) == 1
    assert key_slot(broker.channel(1).encode()) != key_slot(broker.channel(2).encode())


@pytest.mark.parametrize("scripts", ["loaded", "flushed"])
async def test_a_publish_crosses_off_its_announcement_even_after_redis_lost_its_scripts(settings, scripts):
    from livehub.realtime import redis as lhredis
    from livehub.realtime.broker import INFLIGHT_KEY

    broker = get_broker()
    client = lhredis.sync_client(settings.REDIS_URL)
    broker.publish(event_id=4, stream="public", type="x", data_text="{}")  # the script is known
    if scripts == "flushed":
        client.script_flush()  # as after a Redis restart
    client.zadd(INFLIGHT_KEY, {"4:abc": 1.0})
    assert broker.publish(event_id=4, stream="public", type="x", data_text="{}", inflight="4:abc") == 2
    assert client.zscore(INFLIGHT_KEY, "4:abc") is None
    replay = await broker.replay(4, ("public",), {"public": 1}, None)
    assert [seq for _stream, seq, _frame in replay.frames] == [2]


async def test_a_subscriber_that_cannot_reach_redis_is_counted_and_subscribes_again(monkeypatch):
    """What the operator sees in livehub_redis_reconnects_total, and the events still come."""
    broker = get_broker()
    assert isinstance(broker, RedisBroker)
    real = lhredis.subscriber_connection
    urls = iter(["redis://127.0.0.1:1/0"])  # nothing listens there: the first try fails
    monkeypatch.setattr(lhredis, "subscriber_connection", lambda url: real(next(urls, url)))
    before = REGISTRY.get_sample_value("livehub_redis_reconnects_total")
    recorder = Recorder(asyncio.get_running_loop())
    await broker.attach(recorder)
    await broker.follow(recorder, 8)
    assert REGISTRY.get_sample_value("livehub_redis_reconnects_total") == before + 1
    await asyncio.to_thread(broker.publish, event_id=8, stream="public", type="test.after", data_text="{}")
    async with asyncio.timeout(10):
        while not recorder.received:
            await asyncio.sleep(0.02)
    await broker.detach(recorder)
    assert [frame["type"] for _e, _s, _n, frame in recorder.received] == ["test.after"]


async def test_presence_adds_up_the_processes_per_mode_and_per_room(settings):
    """Two server processes report to one Redis: the totals and each room's counts are summed."""
    broker = get_broker()
    assert isinstance(broker, RedisBroker)
    first = {"room": 2, "online": 1, "rooms": {"copper": {"room": 2, "online": 0}}}
    second = {
        "room": 1,
        "online": 3,
        "rooms": {"copper": {"room": 0, "online": 1}, "studio-3": {"room": 1, "online": 0}},
    }
    await broker.presence(7, "process-a", first)
    totals = await broker.presence(7, "process-b", second)
    assert totals == {
        "room": 3,
        "online": 4,
        "rooms": {"copper": {"room": 2, "online": 1}, "studio-3": {"room": 1, "online": 0}},
    }
    assert await broker.presence(8, "process-a", {"room": 1, "online": 0}) == {"room": 1, "online": 0}


async def test_a_subscriber_receives_only_the_events_it_follows_until_it_unfollows(broker):
    recorder = Recorder(asyncio.get_running_loop())
    await broker.attach(recorder)
    await broker.follow(recorder, 21)
    await broker.follow(recorder, 22)

    def publish(event_id, type):
        broker.publish(event_id=event_id, stream="public", type=type, data_text="{}")

    for event_id, type in [(21, "a1"), (23, "other"), (22, "b1")]:
        await asyncio.to_thread(publish, event_id, type)
    broker.unfollow(recorder, 22)
    # Confirmed after the unsubscribe on the same connection: from now on 22 is not heard.
    await broker.follow(recorder, 24)
    for event_id, type in [(22, "b2"), (21, "a2")]:
        await asyncio.to_thread(publish, event_id, type)
    async with asyncio.timeout(10):
        while not any(frame["type"] == "a2" for *_, frame in recorder.received):
            await asyncio.sleep(0.02)
    await broker.detach(recorder)
    types = [frame["type"] for *_, frame in recorder.received]
    if isinstance(broker, RedisBroker):
        # One connection delivers in order: b2 (unfollowed before it) and 23 (never followed) never came.
        assert types == ["a1", "b1", "a2"]
    else:
        assert "a2" in types  # one process hears everything: nothing to subscribe to
