"""Three processes, two events: each process hears only the events it has sockets of."""

import asyncio
import urllib.request
from urllib.parse import urlencode

import pytest
from websockets.asyncio.client import connect

from livehub.realtime.broker import get_broker
from sessions.services import participant_join
from tests.integration.conftest import receive

pytestmark = pytest.mark.integration

FRAMES = 30


def metric(server, name: str) -> float:
    with urllib.request.urlopen(f"{server.http}/metrics", timeout=5) as response:
        for line in response.read().decode().splitlines():
            if line.startswith(f"{name} "):
                return float(line.split()[1])
    raise AssertionError(f"{name} is not in {server.http}/metrics")


def attendee_url(server, event) -> str:
    _participant, token = participant_join(event=event, name=None, mode="online")
    return f"{server.ws}/ws/events/{event.code}/?{urlencode({'token': token})}"


def test_each_process_receives_only_the_frames_of_the_events_it_serves(servers, event, another_event):
    first, second, third = servers(3, env={"LIVEHUB_METRICS_ALLOW": "127.0.0.1"})
    a, b = event, another_event
    placed = [(first, a), (second, a), (second, b), (third, b)]
    urls = [attendee_url(server, served) for server, served in placed]
    broker = get_broker()

    async def scenario():
        sockets = [await connect(url) for url in urls]
        snapshots = [await receive(socket, lambda f: f["type"] == "snapshot") for socket in sockets]
        assert [metric(s, "livehub_fanout_events_followed") for s in (first, second, third)] == [1, 2, 1]
        before = [metric(s, "livehub_fanout_received_total") for s in (first, second, third)]

        def publish():
            for index in range(FRAMES):  # interleaved: both events busy at once
                for served in (a, b):
                    broker.publish(event_id=served.pk, stream="public", type="test.tick", data_text=str(index))

        await asyncio.to_thread(publish)
        for socket, snapshot, (server, served) in zip(sockets, snapshots, placed, strict=True):
            start = snapshot["seqs"]["public"]
            frames = [await receive(socket, lambda f: f["type"] == "test.tick") for _ in range(FRAMES)]
            where = f"{served.code} on :{server.port}"
            assert [f["seq"] for f in frames] == list(range(start + 1, start + FRAMES + 1)), where
            assert [f["data"] for f in frames] == list(range(FRAMES)), where
        # Each connection delivers in order: what a process got before its sockets' last frames is all it got.
        after = [metric(s, "livehub_fanout_received_total") for s in (first, second, third)]
        assert [n - m for n, m in zip(after, before, strict=True)] == [FRAMES, 2 * FRAMES, FRAMES]

        # The last socket of B leaves the third process: it stops following B.
        await sockets[3].close()
        async with asyncio.timeout(10):
            while metric(third, "livehub_fanout_events_followed") != 0:
                await asyncio.sleep(0.05)
        for socket in sockets[:3]:
            await socket.close()

    asyncio.run(scenario())
