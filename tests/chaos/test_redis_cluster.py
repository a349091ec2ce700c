"""A Redis Cluster's primary dies, or a slot moves: the fan-out follows its events there."""

import asyncio
import json
import time

import pytest

from livehub.realtime import redis as lhredis
from livehub.realtime.broker import RedisBroker

from .conftest import RedisClusterProcesses

pytestmark = [pytest.mark.chaos]


class Recorder:
    """A subscriber that records what it is handed, and the events it is told to resync."""

    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.received: list[tuple[int, int, str]] = []
        self.resynced: list[int] = []

    def dispatch(self, event_id, stream, seq, frame):
        self.received.append((event_id, seq, json.loads(frame)["type"]))

    def resync_event(self, event_id):
        self.resynced.append(event_id)


async def until(condition, what: str, within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, f"never: {what}"
        await asyncio.sleep(0.05)


async def publish_when_possible(broker: RedisBroker, event_id: int, type: str, within: float = 60.0) -> int:
    """Publish once the event's slot has a primary again (a failover takes a few seconds)."""
    deadline = time.monotonic() + within
    while True:
        try:
            return await asyncio.to_thread(
                broker.publish, event_id=event_id, stream="public", type=type, data_text="{}"
            )
        except Exception:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)


async def test_a_subscription_follows_its_event_to_the_replica_promoted_by_a_failover(tmp_path):
    nodes = RedisClusterProcesses(tmp_path, replicas=1)
    broker = RedisBroker(url=nodes.url, log_length=100)
    recorder = Recorder()
    try:
        await broker.attach(recorder)
        slots = lhredis.sync_client(nodes.url)
        # An event that the node of the URL does not hold: the client must learn the map elsewhere too.
        event_id = next(e for e in range(1, 100) if slots.get_node_from_key(broker.channel(e)).port != nodes.ports[0])
        other = next(e for e in range(1, 100) if slots.get_node_from_key(broker.channel(e)).port == nodes.ports[0])
        primary = slots.get_node_from_key(broker.channel(event_id)).port
        await broker.follow(recorder, event_id)
        await broker.follow(recorder, other)
        for type in ("before", "before"):
            await publish_when_possible(broker, event_id, type)
        await publish_when_possible(broker, other, "elsewhere")
        await until(lambda: len(recorder.received) == 3, "the frames before the failover")

        nodes.kill(primary)
        # The first publish that goes through went to the promoted replica; it may come before the
        # subscription moved there (then the sockets' replay brings it, as they are told to).
        seq = await publish_when_possible(broker, event_id, "after")
        await until(lambda: recorder.resynced == [event_id], "the event's sockets told to resync")
        assert await publish_when_possible(broker, event_id, "later") == seq + 1
        await until(lambda: (event_id, seq + 1, "later") in recorder.received, "a frame after the move")
        replay = await broker.replay(event_id, ("public",), {"public": seq - 1}, None)
        assert [json.loads(frame)["type"] for _stream, _seq, frame in replay.frames] == ["after", "later"]
        # The other shard's event was never interrupted: its subscription stayed, nothing to resync.
        await publish_when_possible(broker, other, "still")
        await until(lambda: (other, 2, "still") in recorder.received, "the other shard's event")
        assert recorder.resynced == [event_id]
    finally:
        await broker.detach(recorder)
        nodes.kill()


async def test_a_subscription_follows_its_event_when_the_slot_moves_to_another_node(tmp_path):
    nodes = RedisClusterProcesses(tmp_path)
    broker = RedisBroker(url=nodes.url, log_length=100)
    recorder = Recorder()
    try:
        await broker.attach(recorder)
        slots = lhredis.sync_client(nodes.url)
        event_id, channel = 7, broker.channel(7)
        source = slots.get_node_from_key(channel).port
        target = next(port for port in nodes.ports if port != source)
        await broker.follow(recorder, event_id)
        seq = await publish_when_possible(broker, event_id, "before")
        await until(lambda: len(recorder.received) == 1, "the frame before the move")

        nodes.move_slot(slots.keyslot(channel), source, target)
        # The old node drops the channel's subscribers (`sunsubscribe`): the process subscribes
        # where the slot is now and tells the event's sockets to resync.
        await until(lambda: recorder.resynced == [event_id], "the event's sockets told to resync")
        assert await publish_when_possible(broker, event_id, "after") == seq + 1  # the keys moved along
        await until(lambda: (event_id, seq + 1, "after") in recorder.received, "a frame after the move")
    finally:
        await broker.detach(recorder)
        nodes.kill()
