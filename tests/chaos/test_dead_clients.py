"""A phone that walks out of Wi-Fi range leaves a half-open socket: pings find it and it stops
counting as present."""

import asyncio
import base64
import json
import os
import socket
import time
from urllib.parse import urlencode

import pytest
from websockets.asyncio.client import connect

from sessions.rolelinks import role_key_make
from sessions.services import participant_join

pytestmark = [pytest.mark.chaos, pytest.mark.django_db(transaction=True)]

# Production runs Daphne's defaults (ping every 20 s, drop after 30 s without a pong: gone
# within 50 s); the test shortens both so it stays quick.
PING = ("--ping-interval", "1", "--ping-timeout", "2")


def half_open(port: int, token: str) -> socket.socket:
    """Completes the websocket handshake, then never reads or answers again (not even pings)."""
    raw = socket.create_connection(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    raw.sendall(
        (
            f"GET /ws/events/SFH2022/?{urlencode({'token': token})} HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    assert b" 101 " in raw.recv(1024).split(b"\r\n", 1)[0]
    return raw


async def presence_until(moderator, predicate, timeout: float) -> tuple[dict, float]:
    started = time.monotonic()
    async with asyncio.timeout(timeout):
        while True:
            frame = json.loads(await moderator.recv())
            counts = frame["data"]["presence"] if frame["type"] == "snapshot" else frame.get("data")
            if frame["type"] in {"snapshot", "presence"} and predicate(counts):
                return counts, time.monotonic() - started


def test_a_half_open_socket_is_dropped_by_ping_and_leaves_presence(cluster, congress, record_property):
    servers = cluster(args=PING, count=1)
    port = servers.ports[0]
    key = role_key_make(event=congress, role="moderator", hours=1)
    _participant, token = participant_join(event=congress, name=None, mode="room")

    async def scenario():
        async with connect(f"{servers.urls[0]}?{urlencode({'key': key})}") as moderator:
            await presence_until(moderator, lambda counts: counts["room"] == 0, timeout=5)
            raw = half_open(port, token)
            try:
                await presence_until(moderator, lambda counts: counts["room"] == 1, timeout=5)
                # From now on the phone is silent; the moderator's own socket keeps answering pings.
                _counts, gone_after = await presence_until(moderator, lambda counts: counts["room"] == 0, timeout=15)
            finally:
                raw.close()
            return gone_after

    gone_after = asyncio.run(scenario())
    record_property("chaos", json.dumps({"fault": "half-open socket", "out_of_presence_after": round(gone_after, 2)}))
    assert gone_after < 10
