"""One socket's outbox: each event once and in order; a slow reader is cut off, alone."""

import pytest

from livehub.realtime.protocol import Close
from tests.realtime.fake_socket import FakeSocket, connection, frame, settle

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("hub_stopped")]


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
