"""Per-process fan-out: each stream to its subscribers only, one prepared text for all."""

import asyncio
import json

import pytest

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
