"""One process's chores: presence counts shown where they moved, old receipts forgotten."""

import json
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from livehub.realtime.hub import get_hub
from livehub.realtime.models import CommandReceipt
from tests.helpers import Socket
from tests.realtime.fake_socket import FakeSocket, connection, settle

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("hub_stopped")]


async def test_presence_never_comes_before_the_snapshot(settings):
    settings.REDIS_URL = ""
    hub = await get_hub()
    socket = FakeSocket()
    conn = connection(socket, mode="room", participant_id="p1")
    hub.attach(conn)
    await hub.housekeeping.tick()  # the counts moved while this socket was still catching up
    await settle()
    assert socket.texts == []
    conn.go_live({})
    other = connection(FakeSocket(), mode="online", participant_id="p2")
    hub.attach(other)
    await hub.housekeeping.tick()
    await settle()
    assert [json.loads(text)["type"] for text in socket.texts] == ["presence"]
    for each in (conn, other):
        hub.detach(each)
        await each.stop()


async def test_a_days_old_receipt_is_forgotten_and_its_ref_applies_again(event, attendee):
    socket = await Socket.open(token=attendee.token)
    assert (await socket.send("participant.update", {"mode": "room"}, ref="old"))["type"] == "ok"
    assert (await socket.send("participant.update", {"mode": "online"}, ref="new"))["type"] == "ok"
    await database_sync_to_async(
        lambda: CommandReceipt.objects.filter(ref="old").update(created_at=timezone.now() - timedelta(hours=25))
    )()
    hub = await get_hub()
    hub.housekeeping._receipts_purged_at = None  # as in a fresh process: its first tick purges, then every 10 min
    await hub.housekeeping.tick()
    refs = await database_sync_to_async(lambda: sorted(CommandReceipt.objects.values_list("ref", flat=True)))()
    assert refs == ["new"]
    # Forgotten: the old ref is a new command now (the mode changes back to room).
    again = await socket.send("participant.update", {"mode": "room"}, ref="old")
    assert again["data"]["participant"]["mode"] == "room"
    stored = await socket.send("participant.update", {"mode": "room"}, ref="new")
    assert stored["data"]["participant"]["mode"] == "online"  # still remembered: nothing applied
    await socket.close()
