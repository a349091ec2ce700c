"""Per-process fan-out: each socket gets each event once and in order; slow ones are cut off."""

import asyncio
import json

import pytest

from livehub.realtime.broker import get_broker
from livehub.realtime.hub import Connection, get_hub
from livehub.realtime.protocol import Close

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("hub_stopped")]


class FakeSocket:
    def __init__(self, *, stalled: bool = False):
        self.texts: list[str] = []
        self.closed_with: int | None = None
        self.stalled = stalled
        self.unstall = asyncio.Event()

    async def send_text(self, text: str) -> None:
        if self.stalled:
            await self.unstall.wait()  # a client that stopped reading: the send never completes
        self.texts.append(text)

    async def close(self, code: int) -> None:
        self.closed_with = code

    def seqs(self) -> list[int]:
        return [json.loads(text)["seq"] for text in self.texts]


def connection(socket: FakeSocket, *, streams=("public",), event_id=1, **kwargs) -> Connection:
    return Connection(event_id=event_id, streams=streams, send_text=socket.send_text, close=socket.close, **kwargs)


def frame(stream: str, seq: int) -> str:
    return json.dumps({"type": "t", "stream": stream, "seq": seq, "data": {}})


async def settle():
    for _ in range(5):
        await asyncio.sleep(0)


async def test_events_during_catch_up_wait_and_skip_what_the_snapshot_held():
    socket = FakeSocket()
    conn = connection(socket)
    for seq in (3, 4, 5):
        conn.offer("public", seq, frame("public", seq))
    conn.go_live({"public": 3})
    conn.offer("public", 6, frame("public", 6))
    conn.offer("public", 6, frame("public", 6))  # a duplicate is dropped
    await settle()
    assert socket.seqs() == [4, 5, 6]
    await conn.stop()


async def test_a_gap_asks_the_client_to_reconnect_and_replay():
    socket = FakeSocket()
    conn = connection(socket)
    conn.go_live({"public": 1})
    conn.offer("public", 3, frame("public", 3))
    await settle()
    assert socket.texts == [] and socket.closed_with == Close.RECONNECT
    await conn.stop()


async def test_a_client_that_stops_reading_is_closed_at_its_queue_bound_without_holding_others():
    slow, fast = FakeSocket(stalled=True), FakeSocket()
    slow_conn, fast_conn = connection(slow, queue_limit=10), connection(fast, queue_limit=10)
    for conn in (slow_conn, fast_conn):
        conn.go_live({"public": 0})
    for seq in range(1, 31):
        for conn in (slow_conn, fast_conn):
            conn.offer("public", seq, frame("public", seq))
        await settle()
    assert fast.seqs() == list(range(1, 31))
    assert slow_conn.closed
    slow.unstall.set()
    await settle()
    assert slow.closed_with == Close.RECONNECT
    assert len(slow.texts) <= 2  # what was in flight; the rest was dropped with the connection
    await slow_conn.stop()
    await fast_conn.stop()


async def test_hub_routes_each_stream_only_to_its_subscribers():
    hub = await get_hub()
    attendee, moderator = FakeSocket(), FakeSocket()
    a = connection(attendee, streams=("public", "p:x"))
    m = connection(moderator, streams=("public", "moderators"))
    for conn in (a, m):
        hub.attach(conn)
        conn.go_live({})
    broker = get_broker()
    await asyncio.to_thread(broker.publish, event_id=1, stream="moderators", type="q", data_text="{}")
    await asyncio.to_thread(broker.publish, event_id=1, stream="public", type="s", data_text="{}")
    await asyncio.to_thread(broker.publish, event_id=1, stream="p:x", type="p", data_text="{}")
    await asyncio.to_thread(broker.publish, event_id=2, stream="public", type="other", data_text="{}")
    for _ in range(100):
        if len(attendee.texts) == 2 and len(moderator.texts) == 2:
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)
    assert [json.loads(t)["type"] for t in attendee.texts] == ["s", "p"]
    assert [json.loads(t)["type"] for t in moderator.texts] == ["q", "s"]
    for conn in (a, m):
        hub.detach(conn)
        await conn.stop()


async def test_one_prepared_text_is_shared_by_every_socket():
    hub = await get_hub()
    sockets = [FakeSocket() for _ in range(50)]
    conns = [connection(socket) for socket in sockets]
    for conn in conns:
        hub.attach(conn)
        conn.go_live({})
    await asyncio.to_thread(get_broker().publish, event_id=1, stream="public", type="s", data_text='{"a":1}')
    for _ in range(100):
        if all(socket.texts for socket in sockets):
            break
        await asyncio.sleep(0.01)
    texts = [socket.texts[0] for socket in sockets]
    assert all(text is texts[0] for text in texts)  # serialized once, not per socket
    for conn in conns:
        hub.detach(conn)
        await conn.stop()


async def test_presence_never_comes_before_the_snapshot(settings):
    settings.REDIS_URL = ""
    hub = await get_hub()
    socket = FakeSocket()
    conn = connection(socket, mode="room", participant_id="p1")
    hub.attach(conn)
    await hub.presence_tick()  # the counts moved while this socket was still catching up
    await settle()
    assert socket.texts == []
    conn.go_live({})
    other = connection(FakeSocket(), mode="online", participant_id="p2")
    hub.attach(other)
    await hub.presence_tick()
    await settle()
    assert [json.loads(text)["type"] for text in socket.texts] == ["presence"]
    for each in (conn, other):
        hub.detach(each)
        await each.stop()


async def test_frames_that_come_while_a_send_waits_for_the_client_follow_it_in_order():
    socket = FakeSocket(stalled=True)  # the first send waits (the client is not reading yet)
    conn = connection(socket, queue_limit=10)
    conn.go_live({"public": 0})
    for seq in range(1, 6):
        conn.offer("public", seq, frame("public", seq))
    await settle()
    assert socket.texts == []
    socket.stalled = False
    socket.unstall.set()  # the client reads again
    await settle()
    assert socket.seqs() == [1, 2, 3, 4, 5]
    conn.offer("public", 6, frame("public", 6))  # an idle socket is written to at once
    assert socket.seqs() == [1, 2, 3, 4, 5, 6]
    assert not conn.closed
    await conn.stop()
