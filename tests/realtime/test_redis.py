"""The Redis clients are configured for a congress, not for library defaults."""

import asyncio
import json

import pytest
from django.conf import settings

from livehub.realtime import redis as lhredis
from livehub.realtime.broker import RedisBroker, get_broker
from livehub.realtime.hub import get_hub

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("hub_stopped")]


def test_the_redis_client_is_pinned_below_8():
    import redis

    assert int(redis.__version__.split(".")[0]) < 8


async def test_a_burst_of_300_concurrent_reads_is_served_not_refused():
    """A connect storm's reads wait for one of a bounded number of connections instead of being
    refused ('Too many connections') or opening hundreds."""
    broker = get_broker()
    assert isinstance(broker, RedisBroker)
    client = broker._aclient()
    assert client.connection_pool.max_connections < 300

    async def slow_read(index):
        # Holds its connection for a moment, as a connect storm does.
        await client.eval("redis.call('GET', KEYS[1]); return ARGV[1]", 1, "k", index)
        return await broker.position(index, ("public",))

    results = await asyncio.gather(*(slow_read(index) for index in range(300)))
    assert len(results) == 300 and all(seqs == {"public": 0} for _epoch, seqs in results)
    pool = client.connection_pool
    assert len(pool._available_connections) + len(pool._in_use_connections) <= pool.max_connections


async def test_an_idle_subscriber_outlives_the_read_timeout_and_still_delivers():
    """A read timeout on the subscription would cut an idle subscriber: it has none."""

    class Recorder:
        def __init__(self):
            self.loop = asyncio.get_running_loop()
            self.frames = []

        def dispatch(self, event_id, stream, seq, frame):
            self.frames.append(json.loads(frame))

        def resync_event(self, event_id):
            raise AssertionError("the subscription must not have dropped")

    await get_hub()  # the process's own subscriber, idle like the recorder's
    broker = get_broker()
    recorder = Recorder()
    await broker.attach(recorder)
    await broker.follow(recorder, 9)
    await asyncio.sleep(lhredis.COMMAND_TIMEOUT + 1.5)
    await asyncio.to_thread(broker.publish, event_id=9, stream="public", type="late", data_text="{}")
    for _ in range(100):
        if recorder.frames:
            break
        await asyncio.sleep(0.02)
    await broker.detach(recorder)
    assert [frame["type"] for frame in recorder.frames] == ["late"]


def test_subscriber_connection_has_no_read_timeout():
    connection = lhredis.subscriber_connection(settings.REDIS_URL)
    assert connection.socket_timeout is None
    assert connection.socket_keepalive


def test_a_cluster_url_names_the_cluster_and_its_nodes():
    url = "redis+cluster://:secret@10.0.0.1:7000"
    assert lhredis.is_cluster(url) and not lhredis.is_cluster("redis://10.0.0.1:6379/0")
    assert lhredis.plain_url(url) == "redis://:secret@10.0.0.1:7000"
    assert lhredis.plain_url(url, host="10.0.0.2", port=7001) == "redis://:secret@10.0.0.2:7001"
    assert lhredis.plain_url("rediss+cluster://h:1", host="n", port=2) == "rediss://n:2"
