"""Each server kind the measurements start serves LiveHub for real: the join API over HTTP, then
the snapshot over a websocket."""

import asyncio
import os
import signal
import urllib.request

import pytest
from websockets.asyncio.client import connect

from bench.client import event_socket_url
from bench.servers import LIVEHUB_KINDS, running
from tests.integration.conftest import join, receive

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


@pytest.mark.parametrize("kind", LIVEHUB_KINDS)
def test_each_server_kind_serves_an_attendee_the_snapshot(server_process, event, kind):
    server = server_process(kind)
    token = join(server.url, "online")

    async def snapshot() -> dict:
        async with connect(event_socket_url(base_url=server.url, code="SFH2022", token=token)) as socket:
            return await receive(socket, lambda frame: frame["type"] == "snapshot", timeout=60)

    frame = asyncio.run(snapshot())
    assert frame["data"]["event"]["code"] == "SFH2022"
    assert frame["data"]["you"]["role"] == "attendee"
    # The measured CPU and memory are those of every process of the server (Granian's worker too).
    assert len(server.pids()) == (2 if kind == "granian" else 1)


def test_a_granian_worker_outlives_its_killed_parent_until_the_server_is_stopped(server_process, event):
    """Why the chaos suite's SIGKILL and bench's stop end Granian's worker themselves."""
    server = server_process("granian")
    [worker] = server.workers
    os.kill(server.process.pid, signal.SIGKILL)
    server.process.wait(30)
    # Orphaned, the worker still serves the port.
    with urllib.request.urlopen(f"{server.url}/healthz", timeout=30) as response:
        assert response.status == 200
    server.stop()
    assert not running(worker)
