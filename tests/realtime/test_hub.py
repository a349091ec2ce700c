"""Per-process fan-out: each stream to its subscribers only, one prepared text for all."""

import asyncio
import json

import pytest

from livehub.realtime.audience import local_audience
from livehub.realtime.broker import get_broker
from livehub.realtime.hub import get_hub
from tests.realtime.fake_socket import FakeSocket, connection

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("hub_stopped")]


async def test_hub_routes_each_stream_only_to_its_subscribers():
    hub = await get_hub()
    attendee, moderator = FakeSocket(), FakeSocket()
    a = connection(attendee, streams=("public", "p:x"))
    m = connection(moderator, streams=("public", "moderators"))
    for conn in (a, m):
        hub.attach(conn)
        conn.go_live({})
    await hub.subscribed(1)
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
    await hub.subscribed(1)
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


@pytest.mark.parametrize("confirmed", [True, False], ids=["after-confirmation", "before-confirmation"])
async def test_a_socket_joining_while_its_event_is_being_unsubscribed_misses_nothing(confirmed):
    """The last socket of an event leaves (SUNSUBSCRIBE on its way) and another joins at once:
    the hub waits for its new SSUBSCRIBE, not the old one, before the position is read, so every
    frame after the position reaches it, without a gap (which would close it with "reconnect")."""
    hub = await get_hub()
    broker = get_broker()
    publishing = True
    published = 0

    def publish_until_stopped():
        nonlocal published
        while publishing or published < 20:
            broker.publish(event_id=31, stream="public", type="tick", data_text="{}")
            published += 1

    publisher = asyncio.create_task(asyncio.to_thread(publish_until_stopped))
    for round in range(20):
        leaving = connection(FakeSocket(), event_id=31)
        hub.attach(leaving)
        if confirmed:
            await hub.subscribed(31)
        hub.detach(leaving)  # the last one: unsubscribe
        await leaving.stop()
        socket = FakeSocket()
        joining = connection(socket, event_id=31)
        hub.attach(joining)  # in the same step: subscribe again, behind the unsubscribe
        await hub.subscribed(31)
        _epoch, seqs = await broker.position(31, ("public",))
        joining.go_live(seqs)
        target = seqs["public"] + 10
        async with asyncio.timeout(10):
            while not socket.texts or socket.seqs()[-1] < target:
                assert socket.closed_with is None, f"round {round}: a gap after {socket.seqs()[-1:]}"
                await asyncio.sleep(0.01)
        assert socket.seqs()[: target - seqs["public"]] == list(range(seqs["public"] + 1, target + 1))
        hub.detach(joining)
        await joining.stop()
    publishing = False
    await publisher


async def test_the_audience_of_an_event_counts_its_sockets_in_this_process():
    """What the coalescer spaces its flushes by (coalesce.py)."""
    hub = await get_hub()
    conns = [connection(FakeSocket(), event_id=7) for _ in range(3)]
    for conn in conns:
        hub.attach(conn)
    hub.attach(connection(FakeSocket(), event_id=8))
    assert local_audience(7) == 3
    hub.detach(conns[0])
    assert local_audience(7) == 2
    assert local_audience(9) == 0
